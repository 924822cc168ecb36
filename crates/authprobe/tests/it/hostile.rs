//! Hostile servers: a scan must end, bounded in time and memory, and say what happened.

use std::time::Duration;

use authprobe_core::http::ErrorKind;
use authprobe_core::report::Outcome;
use authprobe_lab::Defect;

use crate::support::{config, lab};

/// Every request is bounded by the timeout, so a whole scan (three levels of requests)
/// ends well within this; the guard only stops a hung test.
const TEST_GUARD: Duration = Duration::from_secs(60);

async fn scan_defect(name: &str) -> authprobe_core::report::Report {
    let lab = lab(&[Defect::from_name(name).unwrap()]).await;
    let cfg = config(&lab.mcp_url(), Duration::from_secs(2));
    tokio::time::timeout(TEST_GUARD, authprobe_core::scan::scan(&cfg))
        .await
        .expect("the scan ends")
        .expect("the scan runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn server_that_never_sends_headers_times_out() {
    let report = scan_defect("hang-headers").await;
    assert_eq!(report.outcome, Outcome::Timeout);
    let first = &report.exchanges[0];
    assert!(first.response.is_none());
    assert_eq!(
        first.error.as_ref().map(|e| e.kind),
        Some(ErrorKind::Timeout)
    );
    assert!(report
        .findings
        .iter()
        .all(|f| f.code.as_str() != "TARGET_NOT_MCP"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn endless_body_is_cut_at_the_timeout() {
    let report = scan_defect("endless-body").await;
    let first = &report.exchanges[0];
    let response = first.response.as_ref().expect("headers arrived");
    assert!(response.truncated);
    assert!(response.body_bytes <= 1024 * 1024);
    assert!(
        first.timing.total_ms < 2_000.0 + 1_000.0,
        "{:?}",
        first.timing
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn huge_body_is_capped() {
    let report = scan_defect("huge-body").await;
    let first = &report.exchanges[0];
    let response = first.response.as_ref().expect("headers arrived");
    assert!(response.truncated);
    assert_eq!(response.body_bytes, 1024 * 1024);
    assert_eq!(
        first.error.as_ref().map(|e| e.kind),
        Some(ErrorKind::TooLarge)
    );
}
