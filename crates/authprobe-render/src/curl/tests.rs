use authprobe_core::http::Header;
use authprobe_core::report::Stage;

use super::*;
use crate::test_support::{exchange, TARGET};

#[test]
fn post_with_a_body_reproduces_headers_and_body() {
    let mut ex = exchange(1, Stage::Challenge, "POST", TARGET, 401, "");
    ex.request.headers = vec![
        Header::new("host", "127.0.0.1:8931"),
        Header::new("content-type", "application/json"),
        Header::new("content-length", "44"),
        Header::new("authorization", "Bearer [REDACTED]"),
    ];
    ex.request.body = Some(r#"{"jsonrpc":"2.0","id":1,"method":"it's"}"#.to_string());
    let cmd = curl_command(&ex, &CurlOptions::default());
    assert_eq!(
        cmd,
        format!(
            "curl -sS -i {TARGET} \\\n  -H 'content-type: application/json' \\\n  \
                 -H 'authorization: Bearer [REDACTED]' \\\n  \
                 --data-raw '{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"it'\\''s\"}}'"
        )
    );
}

#[test]
fn methods_streams_and_insecure() {
    let mut get = exchange(2, Stage::Challenge, "GET", TARGET, 405, "");
    get.request.headers = vec![Header::new("Accept", "text/event-stream")];
    let cmd = curl_command(&get, &CurlOptions { insecure: true });
    assert!(cmd.starts_with(&format!("curl -sS -i --insecure -N --max-time 5 {TARGET}")));
    let options = exchange(3, Stage::Prm, "OPTIONS", TARGET, 204, "");
    assert!(curl_command(&options, &CurlOptions::default()).contains("-X OPTIONS "));
    let mut delete = exchange(4, Stage::Challenge, "DELETE", TARGET, 204, "");
    delete.request.headers = vec![Header::new("x-empty", "")];
    let cmd = curl_command(&delete, &CurlOptions::default());
    assert!(cmd.contains("-X DELETE "));
    assert!(cmd.contains("-H 'x-empty;'"));
}

#[test]
fn quoting_survives_a_shell() {
    assert_eq!(quote("plain-word"), "plain-word");
    assert_eq!(quote("two words"), "'two words'");
    assert_eq!(quote("a'b"), r"'a'\''b'");
    assert_eq!(quote(""), "''");
    // An escape sequence never reaches the terminal raw.
    assert_eq!(quote("x\u{1b}[2Jy"), r"$'x\x1b[2Jy'");
    assert_eq!(quote("a\r\nb'"), r"$'a\r\nb\''");
    // `$` and backticks are literal inside single quotes.
    assert_eq!(quote("$(rm -rf /)`x`"), "'$(rm -rf /)`x`'");
}
