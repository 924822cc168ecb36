//! Stage 2 across the protocol eras: the clean lab of every era is read as
//! that era, with no transport finding at `low` or above; without a token the
//! transport is skipped with the reason; a stream that never ends, or sends
//! 100 MB, ends the step within its limits.

use std::time::Duration;

use authprobe_core::report::{Outcome, Report, Severity, Stage};
use authprobe_lab::{Defect, Era};
use futures_util::future::join_all;

use crate::support::{codes, config, lab_in, scan, scan_with_token};

/// What the report must say about each era: (era name, negotiated version, tools listed).
fn expected(era: Era) -> (&'static str, Option<&'static str>, bool) {
    match era {
        Era::Legacy20241105 => ("2024-11-05-sse", None, false),
        Era::Stateless20260728 => ("2026-07-28", Some("2026-07-28"), true),
        other => ("2025-stateful", Some(other.version()), true),
    }
}

fn serious(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Low)
        .map(|f| format!("{} [{}]: {}", f.code, f.severity.as_str(), f.evidence))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clean_lab_of_every_era_is_read_as_that_era() {
    let runs = Era::ALL.into_iter().map(|era| async move {
        let lab = lab_in(era, &[]).await;
        let report = scan_with_token(&lab).await;
        lab.shutdown().await;
        (era, report)
    });
    for (era, report) in join_all(runs).await {
        let (name, version, lists_tools) = expected(era);
        assert_eq!(
            report.outcome,
            Outcome::ProtectedOk,
            "{era}: {:?}",
            codes(&report)
        );
        assert!(serious(&report).is_empty(), "{era}: {:?}", serious(&report));
        assert_eq!(report.protocol.era, name, "{era}");
        assert_eq!(
            report.protocol.negotiated_version.as_deref(),
            version,
            "{era}"
        );
        let tools: Vec<&str> = report
            .tools
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        if lists_tools {
            assert_eq!(tools, ["echo", "add"], "{era}");
            for step in report.steps.iter().filter(|s| s.stage == Stage::Transport) {
                assert_eq!(step.status.as_str(), "PASS", "{era}: {step:?}");
                assert!(!step.exchange_ids.is_empty(), "{era}: {step:?}");
            }
        } else {
            assert!(tools.is_empty());
            assert_eq!(codes(&report), ["MCP_LEGACY_SSE_TRANSPORT"], "{era}");
        }
        // Every stage-2 request carried the token; no stage-2 exchange was refused.
        for e in report
            .exchanges
            .iter()
            .filter(|e| e.stage == Stage::Transport)
        {
            assert!(e.status() != Some(401), "{era}: {}", e.summary());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_token_stage_2_says_why_it_did_not_run() {
    let lab = lab_in(Era::Stateless20260728, &[]).await;
    let report = scan(&lab.mcp_url()).await;
    assert_eq!(report.outcome, Outcome::ProtectedOk, "{:?}", codes(&report));
    assert_eq!(report.protocol.era, "unknown");
    let transport: Vec<_> = report
        .steps
        .iter()
        .filter(|s| s.stage == Stage::Transport)
        .collect();
    assert_eq!(transport.len(), 3);
    // The first step gives the reason; the others point back to it.
    assert!(
        transport[0].detail.contains("--bearer-token"),
        "{}",
        transport[0].detail
    );
    for step in &transport {
        assert_eq!(step.status.as_str(), "SKIP");
    }
    for step in &transport[1..] {
        assert!(step.detail.contains(&transport[0].name), "{}", step.detail);
    }
    assert!(report.exchanges.iter().all(|e| e.stage != Stage::Transport));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_open_server_is_scanned_without_a_token_in_every_era() {
    let runs = Era::ALL.into_iter().map(|era| async move {
        let lab = lab_in(era, &[Defect::from_name("no-auth").unwrap()]).await;
        let report = scan(&lab.mcp_url()).await;
        lab.shutdown().await;
        (era, report)
    });
    for (era, report) in join_all(runs).await {
        let (name, version, _) = expected(era);
        assert_eq!(
            report.outcome,
            Outcome::NoAuth,
            "{era}: {:?}",
            codes(&report)
        );
        assert!(
            report.findings.iter().all(|f| f.severity == Severity::Info),
            "{era}: {:?}",
            serious(&report)
        );
        assert_eq!(report.protocol.era, name, "{era}");
        assert_eq!(
            report.protocol.negotiated_version.as_deref(),
            version,
            "{era}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn endless_and_huge_streams_end_within_the_limits() {
    for name in ["tools-list-endless-stream", "tools-list-huge-stream"] {
        let defect = Defect::from_name(name).unwrap();
        let lab = lab_in(defect.era(), &[defect]).await;
        let mut cfg = config(&lab.mcp_url(), Duration::from_secs(2));
        cfg.bearer_token = Some(lab.issue_token());
        // A guard against a hung test only; the scan is bounded by its own timeout.
        let report =
            tokio::time::timeout(Duration::from_secs(60), authprobe_core::scan::scan(&cfg))
                .await
                .expect("the scan ends")
                .expect("the scan runs");
        lab.shutdown().await;
        let list = report
            .exchanges
            .iter()
            .find(|e| e.purpose == "tools/list")
            .expect("tools/list was sent");
        let response = list.response.as_ref().expect("headers arrived");
        assert!(response.truncated, "{name}");
        assert!(
            response.body_bytes <= 1024 * 1024,
            "{name}: {}",
            response.body_bytes
        );
        assert!(list.error.is_some(), "{name}: the cut is recorded");
        let finding = report
            .findings
            .iter()
            .find(|f| f.code.as_str() == "MCP_RESPONSE_INCOMPLETE")
            .expect("a clear finding");
        assert_eq!(finding.severity, Severity::Info);
        assert!(finding.exchange_ids.contains(&list.id));
        let tools_step = report.steps.iter().find(|s| s.id == "tools").unwrap();
        assert_eq!(tools_step.status.as_str(), "SKIP", "{name}: {tools_step:?}");
    }
}
