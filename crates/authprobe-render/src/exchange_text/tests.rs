use authprobe_core::http::{ErrorKind, ExchangeError};
use authprobe_core::report::Stage;

use super::*;
use crate::test_support::{exchange, sample_report, TARGET};

#[test]
fn request_then_response() {
    let report = sample_report();
    let text = exchange_text(&report.exchanges[0], &ExchangeTextOptions::default());
    assert_eq!(
        text,
        format!(
            "# #1 · stage 1 Challenge · exchange 1 · 4 ms\n# POST {TARGET}\n\
                 POST /mcp HTTP/1.1\naccept: application/json, text/event-stream\n\n\
                 {{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}}\n\n\
                 HTTP/1.1 401\ncontent-type: application/json\n\n{{\"error\":\"unauthorized\"}}\n"
        )
    );
}

#[test]
fn limits_bodies_and_neutralises_escapes() {
    let mut ex = exchange(5, Stage::Prm, "GET", TARGET, 200, "");
    let response = ex.response.as_mut().unwrap();
    response.body = format!("\u{1b}[2J{}", "y".repeat(100));
    response.truncated = true;
    response.body_bytes = 104;
    response
        .headers
        .push(Header::new("x-forged", "a\r\nset-cookie: b"));
    ex.error = Some(ExchangeError {
        kind: ErrorKind::Timeout,
        message: "body\nstalled".to_string(),
    });
    let text = exchange_text(
        &ex,
        &ExchangeTextOptions {
            body_limit: Some(10),
            terminal_safe: true,
        },
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("x-forged: a  set-cookie: b\n"), "{text}");
    assert!(text.contains("# … 94 more bytes not shown\n"), "{text}");
    assert!(text.contains("# (capture stopped after 104 bytes)\n"));
    assert!(text.contains("# error (timeout): body stalled\n"));
}
