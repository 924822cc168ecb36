//! The calibration guard: every calibrated lab defect in every placement of the lab's
//! authorization server (same origin or its own port, issuer with or without a path),
//! in the defect's era, and the clean lab in every placement and every era, scanned as
//! a user would; each must give exactly its declared codes and its declared outcome, so
//! an outcome regression fails here as surely as a code regression.

use std::time::Duration;

use authprobe_core::report::{Outcome, Severity};
use authprobe_lab::{Era, LabConfig};
use futures_util::future::join_all;

use crate::support::{calibrated_scan_in, calibration_matrix, codes, config};

/// The four placements of the lab's authorization server.
fn placements() -> Vec<(&'static str, LabConfig)> {
    vec![
        ("same origin, pathless issuer", LabConfig::default()),
        (
            "same origin, /tenant1 issuer",
            LabConfig::default().with_issuer_path("/tenant1"),
        ),
        (
            "own port, pathless issuer",
            LabConfig::default().with_separate_auth_server(),
        ),
        (
            "own port, /tenant1 issuer",
            LabConfig::default()
                .with_issuer_path("/tenant1")
                .with_separate_auth_server(),
        ),
    ]
}

/// Runs futures a few at a time: hundreds of concurrent scans on a small machine
/// would turn the scans' short timeouts into a load test.
async fn bounded<F: std::future::Future>(runs: Vec<F>) -> Vec<F::Output> {
    let mut pending = runs;
    let mut out = Vec::new();
    while !pending.is_empty() {
        let rest = pending.split_off(pending.len().min(12));
        out.extend(join_all(pending).await);
        pending = rest;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_defect_in_every_placement_gives_its_codes_and_outcome() {
    let mut runs = Vec::new();
    for (placement, base) in placements() {
        for defect in calibration_matrix() {
            let base = base.clone();
            runs.push(async move {
                let report = calibrated_scan_in(base, defect).await;
                (placement, defect, report)
            });
        }
    }
    let mut failures = Vec::new();
    let total = runs.len();
    for (placement, defect, report) in bounded(runs).await {
        let mut expected: Vec<String> = defect
            .expected_codes()
            .iter()
            .map(|c| c.to_string())
            .collect();
        expected.sort();
        let got = codes(&report);
        if got != expected || report.outcome.as_str() != defect.expected_outcome() {
            failures.push(format!(
                "{defect} ({placement}): expected {expected:?} / {}, got {got:?} / {}",
                defect.expected_outcome(),
                report.outcome.as_str()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} scans disagree with the lab's declarations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clean_lab_in_every_placement_and_era_is_protected_ok() {
    let mut runs = Vec::new();
    for (placement, base) in placements() {
        for era in Era::ALL {
            let base = base.clone().in_era(era);
            runs.push(async move {
                let lab = authprobe_lab::start(base, ([127, 0, 0, 1], 0).into())
                    .await
                    .expect("the lab starts");
                let mut cfg = config(&lab.mcp_url(), Duration::from_secs(2));
                cfg.bearer_token = Some(lab.issue_token());
                let report = authprobe_core::scan::scan(&cfg).await.expect("scan runs");
                lab.shutdown().await;
                (placement, era, report)
            });
        }
    }
    for (placement, era, report) in bounded(runs).await {
        let serious: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Low)
            .map(|f| format!("{} [{}]", f.code, f.severity.as_str()))
            .collect();
        assert_eq!(
            report.outcome,
            Outcome::ProtectedOk,
            "{placement}, {era}: {serious:?}"
        );
        assert!(serious.is_empty(), "{placement}, {era}: {serious:?}");
    }
}
