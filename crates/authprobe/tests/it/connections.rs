//! The trace names the connection of every exchange, with its timing breakdown, and
//! a scan reuses its connections.

use crate::support::{lab, scan};

#[tokio::test]
async fn every_exchange_names_its_connection_and_its_phases() {
    let lab = lab(&[]).await;
    let report = scan(&lab.mcp_url()).await;
    let address = lab.addr().to_string();
    lab.shutdown().await;
    let mut seen: Vec<u32> = Vec::new();
    for exchange in &report.exchanges {
        let connection = exchange
            .connection
            .as_ref()
            .unwrap_or_else(|| panic!("exchange {} names no connection", exchange.id));
        // Numbered 1, 2, … in the order connections first appear.
        if !seen.contains(&connection.id) {
            assert_eq!(connection.id as usize, seen.len() + 1, "{:?}", exchange.id);
            seen.push(connection.id);
        }
        assert_eq!(connection.version, "HTTP/1.1");
        assert_eq!(connection.address, address);
        let timing = &exchange.timing;
        // A new connection was connected; a reused one was not.
        assert_eq!(
            timing.connect_ms.is_some(),
            !connection.reused,
            "{}",
            exchange.id
        );
        assert!(timing.dns_ms.is_none() && timing.tls_ms.is_none());
        let first_byte = timing.first_byte_ms.expect("a response arrived");
        assert!(first_byte <= timing.total_ms);
    }
    // The later levels of the scan find the first level's connections idle.
    assert!(
        seen.len() < report.exchanges.len(),
        "{} connections for {} exchanges",
        seen.len(),
        report.exchanges.len()
    );
    assert!(report
        .exchanges
        .iter()
        .any(|e| e.connection.as_ref().is_some_and(|c| c.reused)));
}
