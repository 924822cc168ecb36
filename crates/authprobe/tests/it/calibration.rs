//! The calibration matrix: every lab defect raises exactly the codes it declares,
//! and the compliant lab raises nothing at `low` or above.

use authprobe_core::report::{Outcome, Severity};
use authprobe_lab::Defect;
use futures_util::future::join_all;

use crate::support::{codes, lab, scan};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clean_lab_is_protected_ok_without_findings() {
    let lab = lab(&[]).await;
    let report = scan(&lab.mcp_url()).await;
    assert_eq!(
        report.outcome,
        Outcome::ProtectedOk,
        "findings: {:?}",
        codes(&report)
    );
    let serious: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Low)
        .map(|f| (f.code.as_str(), f.evidence.clone()))
        .collect();
    assert!(serious.is_empty(), "clean lab raised {serious:?}");
    assert!(report.primary_finding.is_none());
    assert!(report.prm_ok && report.oauth_discovery_viable);
    let chosen: Vec<_> = report
        .auth_discovery
        .prm_candidates
        .iter()
        .filter(|c| c.chosen)
        .map(|c| c.source.as_str())
        .collect();
    assert_eq!(chosen, ["header"]);
    // Nothing the engine did not check may claim PASS.
    for step in &report.steps {
        if step.stage.number() >= 7 || step.stage.number() == 2 {
            assert_eq!(step.status.as_str(), "SKIP", "{step:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_defect_raises_exactly_its_codes() {
    let calibrated: Vec<Defect> = crate::support::calibration_matrix();
    let runs = calibrated
        .iter()
        .map(|defect| async move { (*defect, crate::support::calibrated_scan(*defect).await) });
    // A bounded number of labs at a time: well over a hundred concurrent scans on a
    // small machine would turn the scans' short timeouts into a load test.
    let mut pending: Vec<_> = runs.collect();
    let mut reports = Vec::new();
    while !pending.is_empty() {
        let rest = pending.split_off(pending.len().min(16));
        reports.extend(join_all(pending).await);
        pending = rest;
    }
    let mut failures = Vec::new();
    for (defect, report) in reports {
        let mut expected: Vec<String> = defect
            .expected_codes()
            .iter()
            .map(|c| c.to_string())
            .collect();
        expected.sort();
        let got = codes(&report);
        if got != expected || report.outcome.as_str() != defect.expected_outcome() {
            let evidence: Vec<String> = report
                .findings
                .iter()
                .map(|f| format!("    {} [{}]: {}", f.code, f.severity.as_str(), f.evidence))
                .collect();
            failures.push(format!(
                "{}: expected {:?} / {}, got {:?} / {}\n{}",
                defect.name(),
                expected,
                defect.expected_outcome(),
                got,
                report.outcome.as_str(),
                evidence.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "calibration failures:\n{}",
        failures.join("\n")
    );
    assert!(
        calibrated.len() >= 30,
        "only {} calibrated defects",
        calibrated.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bug_report_primary_finding_names_the_evidence() {
    let lab = lab(&[Defect::from_name("auth-not-advertised").unwrap()]).await;
    let report = scan(&lab.mcp_url()).await;
    let primary = report.primary().expect("a primary finding");
    assert_eq!(primary.code.as_str(), "AUTH_REQUIRED_BUT_NOT_ADVERTISED");
    // The 401 exchange and both PRM candidates are named.
    let statuses: Vec<Option<u16>> = primary
        .exchange_ids
        .iter()
        .map(|id| report.exchange(*id).and_then(|e| e.status()))
        .collect();
    assert_eq!(statuses, [Some(401), Some(404), Some(404)]);
    assert!(primary.evidence.contains("oauth-protected-resource"));
    // Consequences are linked, not counted twice.
    let linked: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.caused_by.is_some())
        .map(|f| f.code.as_str())
        .collect();
    assert!(
        linked.contains(&"OAUTH_DISCOVERY_UNAVAILABLE"),
        "{linked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_auth_lab_is_neutral() {
    let lab = lab(&[Defect::from_name("no-auth").unwrap()]).await;
    let report = scan(&lab.mcp_url()).await;
    assert_eq!(report.outcome, Outcome::NoAuth);
    assert!(
        report.findings.iter().all(|f| f.severity == Severity::Info),
        "{:?}",
        codes(&report)
    );
    assert_eq!(report.auth_required, Some(false));
}
