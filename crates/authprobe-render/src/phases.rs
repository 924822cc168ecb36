//! Where an exchange's time went: its connection and phases on one line, and the
//! slowest phase of a step named when it is slow.

use authprobe_core::http::{Exchange, ExchangeId};
use authprobe_core::report::Report;

use crate::common::{authority, format_ms};

/// A phase at least this long is called slow at its step.
pub(crate) const SLOW_MS: f64 = 1000.0;

/// The timed phases of an exchange, in the order they happen: a short name, what the
/// phase is called when it is slow, and its milliseconds.
fn phases(exchange: &Exchange) -> Vec<(&'static str, &'static str, f64)> {
    let timing = &exchange.timing;
    let body = timing.headers_ms.map(|headers| timing.total_ms - headers);
    [
        ("DNS", "DNS lookup of", timing.dns_ms),
        ("connect", "TCP connect to", timing.connect_ms),
        ("TLS", "TLS handshake to", timing.tls_ms),
        (
            "first byte",
            "waiting for the answer of",
            timing.first_byte_ms,
        ),
        ("body", "reading the body from", body),
    ]
    .into_iter()
    .filter_map(|(short, long, ms)| {
        ms.filter(|ms| ms.is_finite() && *ms >= 0.0)
            .map(|ms| (short, long, ms))
    })
    .collect()
}

/// `connection #3 (reused, HTTP/1.1, 127.0.0.1:8080) · connect 100 ms · first byte
/// 101 ms · total 402 ms`; without a connection, the phases alone.
pub fn breakdown(exchange: &Exchange) -> String {
    let mut parts = Vec::new();
    if let Some(connection) = &exchange.connection {
        let how = match (connection.reused, connection.speculative) {
            (true, _) => "reused",
            (false, true) => "opened ahead",
            (false, false) => "new",
        };
        let resumed = match connection.tls_resumed {
            Some(true) => ", TLS resumed",
            _ => "",
        };
        let id = if connection.id == 0 {
            String::new()
        } else {
            format!(" #{}", connection.id)
        };
        parts.push(format!(
            "connection{id} ({how}, {}, {}{resumed})",
            connection.version, connection.address
        ));
    }
    for (short, _, ms) in phases(exchange) {
        if short != "body" {
            parts.extend(format_ms(ms).map(|shown| format!("{short} {shown}")));
        }
    }
    parts.extend(format_ms(exchange.timing.total_ms).map(|shown| format!("total {shown}")));
    parts.join(" · ")
}

/// `TLS handshake to auth.example.com: 1.2 s`: the slowest phase among the exchanges
/// `ids`, when it took at least [`SLOW_MS`].
pub(crate) fn slow_phase(report: &Report, ids: &[ExchangeId]) -> Option<String> {
    let slowest = report
        .exchanges
        .iter()
        .filter(|e| ids.contains(&e.id))
        .flat_map(|e| {
            phases(e)
                .into_iter()
                .map(move |(_, long, ms)| (e, long, ms))
        })
        .filter(|(_, _, ms)| *ms >= SLOW_MS)
        .max_by(|a, b| a.2.total_cmp(&b.2))?;
    let (exchange, long, ms) = slowest;
    Some(format!(
        "{long} {}: {}",
        authority(&exchange.request.url),
        format_ms(ms)?
    ))
}

#[cfg(test)]
mod tests {
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
}
