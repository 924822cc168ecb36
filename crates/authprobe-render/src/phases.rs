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
mod tests;
