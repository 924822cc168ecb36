//! Secrets planted everywhere a report can hold them never reach any byte of any output.

use authprobe_core::http::{Exchange, Header};
use authprobe_core::report::Stage;

use crate::bundle::tests::unzip;
use crate::redact::*;
use crate::test_support::{exchange, sample_report, TARGET};
use crate::{
    curl_command, diff_reports, exchange_text, render_bundle, render_diff, render_explain,
    render_html, render_json, render_junit, render_markdown, render_sarif, render_terminal,
    render_trace, CurlOptions, ExchangeDump, ExchangeTextOptions, TerminalOptions,
};

/// Each secret, in the form planted (URL and form values percent-encoded where needed).
const SECRETS: &[&str] = &[
    "reqhdr-bearer-5a1c9e",
    "reqhdr-cookie-77b2d0",
    "rsphdr-setcookie-0f3e4a",
    "rsphdr-apikey-c4d2e1",
    "json-client-secret-9d8e7f",
    "json-access-token-1a2b3c",
    "json-refresh-token-4d5e6f",
    "form-code-aa11bb22",
    "form-verifier-cc33dd44",
    "form-secret-ee55ff66",
    "url-code-1234abcd",
    "url-state-5678efgh",
    "url-token-9a0b1c2d",
    "cmd-bearer-3e4f5a6b",
    "cmd-header-7c8d9e0f",
    "login-state-0a1b2c3d",
    "login-code-4e5f6a7b",
    "login-verifier-8c9d0e1f",
    "login-basic-2a3b4c5d",
    "login-access-6e7f8a9b",
    "login-refresh-0c1d2e3f",
    "login-regsecret-4a5b6c7d",
    "login-rat-8e9f0a1b",
    "login-device-2c3d4e5f",
    "login-query-6a7b8c9d",
    "cmd-client-secret-0e1f2a3b",
];

/// A secret with characters that change under percent-encoding.
const ENCODED_SECRET: &str = "s3cr/et+v@l";
const ENCODED_FORMS: &[&str] = &["s3cr/et+v@l", "s3cr%2Fet%2Bv%40l", "s3cr%2fet%2bv%40l"];

fn planted() -> Report {
    let mut report = sample_report();
    report.command = format!(
        "authprobe scan {TARGET} --bearer-token cmd-bearer-3e4f5a6b -H 'X-Api-Key: cmd-header-7c8d9e0f'"
    );
    let first = &mut report.exchanges[0];
    first.request.headers.extend([
        Header::new("authorization", "Bearer reqhdr-bearer-5a1c9e"),
        Header::new("cookie", "sid=reqhdr-cookie-77b2d0"),
        Header::new("x-api-key", "cmd-header-7c8d9e0f"),
    ]);
    first.request.body = Some(
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"client_secret":"json-client-secret-9d8e7f"}}"#
            .to_string(),
    );
    let response = first.response.as_mut().unwrap();
    response.headers.extend([
        Header::new(
            "set-cookie",
            "sess=rsphdr-setcookie-0f3e4a; Path=/; HttpOnly",
        ),
        Header::new("x-api-key", "rsphdr-apikey-c4d2e1"),
    ]);
    response.body =
        r#"{"access_token":"json-access-token-1a2b3c","refresh_token":"json-refresh-token-4d5e6f","token_type":"Bearer"}"#
            .to_string();

    let mut token: Exchange = exchange(
        3,
        Stage::Token,
        "POST",
        "https://auth.example.test/token",
        400,
        r#"{"error":"invalid_grant"}"#,
    );
    token.request.headers.push(Header::new(
        "content-type",
        "application/x-www-form-urlencoded",
    ));
    token.request.body = Some(format!(
        "grant_type=authorization_code&code=form-code-aa11bb22&code_verifier=form-verifier-cc33dd44&client_secret=form-secret-ee55ff66&password={}",
        "s3cr%2Fet%2Bv%40l"
    ));
    report.exchanges.push(token);

    let mut redirect = exchange(
        4,
        Stage::AuthServer,
        "GET",
        "http://127.0.0.1:8931/callback?code=url-code-1234abcd&state=url-state-5678efgh",
        302,
        "",
    );
    redirect
        .response
        .as_mut()
        .unwrap()
        .headers
        .push(Header::new(
            "location",
            "http://127.0.0.1:8931/done#access_token=url-token-9a0b1c2d&token_type=bearer",
        ));
    report.exchanges.push(redirect);
    plant_login(&mut report);
    // A secret quoted in prose: the evidence repeats what the server sent.
    report.findings[2].evidence =
        "The server echoed access_token=url-token-9a0b1c2d and Bearer reqhdr-bearer-5a1c9e.".into();
    report
}

/// The exchanges of a `--login` (stage 7): the authorization request the browser was
/// sent to, the redirect back, the registration, the device authorization and the
/// token request with a confidential client, and the token in the query string.
fn plant_login(report: &mut Report) {
    report
        .command
        .push_str(" --login --client-id c1 --client-secret cmd-client-secret-0e1f2a3b");
    let first = report.exchanges.len() as u32 + 1;
    let planted: [(&str, String, u16, &str); 6] = [
        (
            "GET",
            "https://auth.example.test/authorize?response_type=code&client_id=c1&state=login-state-0a1b2c3d&code_challenge=x".into(),
            200,
            "",
        ),
        (
            "GET",
            "http://127.0.0.1:8931/callback?code=login-code-4e5f6a7b&state=login-state-0a1b2c3d&iss=https%3A%2F%2Fauth.example.test".into(),
            200,
            "done",
        ),
        (
            "POST",
            "https://auth.example.test/register".into(),
            201,
            r#"{"client_id":"c1","client_secret":"login-regsecret-4a5b6c7d","registration_access_token":"login-rat-8e9f0a1b"}"#,
        ),
        (
            "POST",
            "https://auth.example.test/device_authorization".into(),
            200,
            r#"{"device_code":"login-device-2c3d4e5f","user_code":"WDJB-MJHT","interval":5}"#,
        ),
        (
            "POST",
            "https://auth.example.test/token".into(),
            200,
            r#"{"access_token":"login-access-6e7f8a9b","refresh_token":"login-refresh-0c1d2e3f","token_type":"Bearer"}"#,
        ),
        (
            "POST",
            format!("{TARGET}?access_token=login-query-6a7b8c9d"),
            401,
            "",
        ),
    ];
    for (i, (method, url, status, body)) in planted.iter().enumerate() {
        let mut e = exchange(first + i as u32, Stage::Session, method, url, *status, body);
        if i == 0 {
            // The browser's request: its answer is the browser's to see.
            e.response = None;
        }
        if i == 4 {
            e.request
                .headers
                .push(Header::new("authorization", "Basic login-basic-2a3b4c5d"));
            e.request.body = Some(
                "grant_type=authorization_code&code=login-code-4e5f6a7b&code_verifier=login-verifier-8c9d0e1f&device_code=login-device-2c3d4e5f".into(),
            );
        }
        report.exchanges.push(e);
    }
}

/// Every byte every format makes of `report`.
fn every_output(report: &Report) -> Vec<(String, Vec<u8>)> {
    let mut outputs = vec![
        ("json".to_string(), render_json(report).into_bytes()),
        ("markdown".to_string(), render_markdown(report).into_bytes()),
        ("trace".to_string(), render_trace(report).into_bytes()),
        ("sarif".to_string(), render_sarif(report).into_bytes()),
        ("junit".to_string(), render_junit(report).into_bytes()),
        ("html".to_string(), render_html(report).into_bytes()),
        ("explain".to_string(), render_explain(report).into_bytes()),
        (
            "diff".to_string(),
            render_diff(&diff_reports(&sample_report(), report)).into_bytes(),
        ),
    ];
    for color in [false, true] {
        let options = TerminalOptions {
            color,
            exchanges: ExchangeDump::All,
            ..TerminalOptions::default()
        };
        outputs.push((
            format!("terminal (colour {color})"),
            render_terminal(report, &options).into_bytes(),
        ));
    }
    for exchange in &report.exchanges {
        outputs.push((
            format!("exchange text #{}", exchange.id),
            exchange_text(exchange, &ExchangeTextOptions::default()).into_bytes(),
        ));
        outputs.push((
            format!("curl #{}", exchange.id),
            curl_command(exchange, &CurlOptions::default()).into_bytes(),
        ));
    }
    let zip = render_bundle(report).unwrap();
    for (name, bytes) in unzip(&zip) {
        outputs.push((format!("bundle {name}"), bytes));
    }
    outputs.push(("bundle (raw zip)".to_string(), zip));
    outputs
}

/// The text with HTML character references decoded, so that a secret escaped by the
/// HTML or XML renderer is still found.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn leaks(outputs: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut found = Vec::new();
    for (name, bytes) in outputs {
        let text = unescape(&String::from_utf8_lossy(bytes));
        for secret in SECRETS.iter().chain(ENCODED_FORMS) {
            if text.contains(secret) {
                found.push(format!("{secret} in {name}"));
            }
        }
    }
    found
}

#[test]
fn no_secret_reaches_any_output() {
    let options = RedactionOptions {
        enabled: true,
        extra_secrets: vec![ENCODED_SECRET.to_string()],
    };
    let shown = redact_report(&planted(), &options);
    let outputs = every_output(&shown);
    assert!(outputs.len() > 20);
    let found = leaks(&outputs);
    assert!(found.is_empty(), "leaked: {found:#?}");
    // What was hidden is marked, so the reader knows something was there.
    let html = String::from_utf8_lossy(&outputs[5].1);
    assert!(html.contains("Bearer [REDACTED]"));
}

#[test]
fn the_test_can_see_a_leak() {
    // Without redaction every planted secret shows up somewhere: the check above is not
    // passing because the outputs leave the values out anyway.
    let raw = RedactionOptions {
        enabled: false,
        extra_secrets: Vec::new(),
    };
    let outputs = every_output(&redact_report(&planted(), &raw));
    let found = leaks(&outputs);
    for secret in SECRETS {
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(&format!("{secret} in "))),
            "{secret} never rendered"
        );
    }
    // The zip's own bytes are compressed: the secrets are found in its entries.
    assert!(found.iter().any(|f| f.contains("in bundle report.json")));
}

#[test]
fn escaped_text_is_searched_decoded() {
    assert_eq!(
        unescape("a&#47;b&amp;c&#x2F;&lt;&bogus; & x"),
        "a/b&c/<&bogus; & x"
    );
}
