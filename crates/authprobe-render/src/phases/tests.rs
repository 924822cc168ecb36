use authprobe_core::http::{ConnectionInfo, Timing};

use super::*;
use authprobe_core::report::Stage;

use crate::test_support::{exchange, sample_report};

fn timed(id: ExchangeId, url: &str, timing: Timing) -> Exchange {
    let mut e = exchange(id, Stage::AuthServer, "GET", url, 200, "");
    e.timing = timing;
    e
}

#[test]
fn the_breakdown_names_the_connection_and_each_phase() {
    let mut e = timed(
        1,
        "https://auth.example.com/.well-known/oauth-authorization-server",
        Timing {
            dns_ms: Some(2.0),
            connect_ms: Some(100.0),
            tls_ms: Some(1200.0),
            first_byte_ms: Some(101.0),
            headers_ms: Some(1403.0),
            total_ms: 1404.0,
            ..Timing::default()
        },
    );
    e.connection = Some(ConnectionInfo {
        id: 2,
        reused: false,
        speculative: false,
        version: "HTTP/1.1".into(),
        address: "192.0.2.7:443".into(),
        tls_resumed: Some(true),
    });
    assert_eq!(
            breakdown(&e),
            "connection #2 (new, HTTP/1.1, 192.0.2.7:443, TLS resumed) · DNS 2 ms · connect 100 ms · TLS 1.2 s · first byte 101 ms · total 1.4 s"
        );
    let mut r = sample_report();
    r.exchanges = vec![e];
    assert_eq!(
        slow_phase(&r, &[1]).as_deref(),
        Some("TLS handshake to auth.example.com: 1.2 s")
    );
    assert_eq!(slow_phase(&r, &[2]), None, "only the step's own exchanges");
}

#[test]
fn nothing_is_slow_under_a_second() {
    let mut r = sample_report();
    r.exchanges = vec![timed(
        1,
        "http://127.0.0.1:9/mcp",
        Timing {
            connect_ms: Some(3.0),
            first_byte_ms: Some(999.0),
            headers_ms: Some(1002.0),
            total_ms: 1003.0,
            ..Timing::default()
        },
    )];
    assert_eq!(slow_phase(&r, &[1]), None);
    assert_eq!(
        breakdown(&r.exchanges[0]),
        "connect 3 ms · first byte 999 ms · total 1.0 s"
    );
}
