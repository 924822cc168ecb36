use authprobe_core::http::{ErrorKind, ExchangeError, Header};
use authprobe_core::report::Stage;

use super::*;
use crate::test_support::{exchange, sample_report};

#[test]
fn draws_lanes_arrows_and_key_headers_within_100_columns() {
    let mut report = sample_report();
    let mut metadata = exchange(
        3,
        Stage::AuthServer,
        "GET",
        "https://auth.example.test/.well-known/oauth-authorization-server",
        200,
        "{}",
    );
    metadata.purpose = "AS metadata candidate with a very long purpose ".repeat(3);
    report.exchanges.push(metadata);
    let mut timeout = exchange(
        4,
        Stage::Token,
        "POST",
        "https://auth.example.test/token",
        0,
        "",
    );
    timeout.response = None;
    timeout.error = Some(ExchangeError {
        kind: ErrorKind::Timeout,
        message: "no response headers within 2 s".into(),
    });
    report.exchanges.push(timeout);
    report.exchanges[0]
        .response
        .as_mut()
        .unwrap()
        .headers
        .push(Header::new("mcp-session-id", "s-1"));
    let text = render_trace(&report);
    for line in text.lines() {
        assert!(line.chars().count() <= TRACE_WIDTH, "too wide: {line}");
    }
    let lines: Vec<&str> = text.lines().collect();
    let titles = lines.iter().find(|l| l.starts_with("client")).unwrap();
    assert!(titles.contains("MCP server") && titles.contains("authorization server"));
    assert!(text.contains("auth.example.test"));
    assert!(text.contains("  | #1 POST /mcp · exchange 1\n"));
    assert!(text.contains(&format!("  |{}>|{}|\n", "-".repeat(36), " ".repeat(37))));
    assert!(text.contains(&format!("  |<{}|", "-".repeat(36))));
    assert!(text.contains("  |   401 application/json\n"));
    assert!(text.contains("  |     www-authenticate: (absent)\n"));
    assert!(text.contains("  |     mcp-session-id: s-1\n"));
    // The authorization server lane is further right, crossing the MCP lane.
    assert!(text.contains(&format!("  |{}>|\n", "-".repeat(74))));
    assert!(text.contains(&format!("  |{}x|", "-".repeat(74))));
    assert!(text.contains("  |   timeout: no response headers within 2 s\n"));
    assert!(text.contains("…"), "the long label is cut");
}
