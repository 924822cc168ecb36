use super::*;
use crate::render_json;
use crate::test_support::sample_report;

#[test]
fn the_json_report_reads_back_to_the_same_report() {
    let report = sample_report();
    let back = read_report_json(&render_json(&report)).expect("reads back");
    assert_eq!(back, report);
    // A plain serialisation of the model reads too.
    let plain = serde_json::to_string(&report).unwrap();
    assert_eq!(read_report_json(&plain).unwrap(), report);
}

#[test]
fn unreadable_reports_say_why() {
    let cases = [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ("{\"target\": \"x\"}", "no schema_version"),
        ("{\"schema_version\": 99}", "newer authprobe"),
        (
            "{\"schema_version\": 1, \"findings\": 3}",
            "this version can read",
        ),
    ];
    for (text, expected) in cases {
        let error = read_report_json(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text}: {error}");
    }
}

#[test]
fn new_fixed_and_changed_findings() {
    let old = sample_report();
    let mut new = old.clone();
    // CORS fixed; a new low finding; the consequence turned into a root cause, higher.
    new.findings.retain(|f| f.code != Code::PrmCorsMissing);
    let mut scope = new.findings[0].clone();
    scope.code = Code::ChallengeScopeMissing;
    scope.severity = Severity::Low;
    new.findings.push(scope);
    new.findings[1].severity = Severity::High;
    new.findings[1].caused_by = None;
    new.findings[0].evidence = "different words, same finding".into();

    let diff = diff_reports(&old, &new);
    let codes = |list: &[Finding]| list.iter().map(|f| f.code).collect::<Vec<_>>();
    assert_eq!(codes(&diff.added), [Code::ChallengeScopeMissing]);
    assert_eq!(codes(&diff.fixed), [Code::PrmCorsMissing]);
    assert_eq!(diff.changed.len(), 1);
    assert!(diff.changed[0].worse());
    assert_eq!(diff.unchanged, 1);
    assert!(diff.regressed());

    let text = render_diff(&diff);
    assert!(
        text.contains("New findings (1)\n  + LOW    CHALLENGE_SCOPE_MISSING"),
        "{text}"
    );
    assert!(text.contains("Fixed findings (1)\n  - LOW    PRM_CORS_MISSING"));
    assert!(text.contains("~ PRM_HTTP_STATUS_NOT_200  medium → high; no longer a consequence"));
    assert!(text.ends_with("Verdict: regressed\n"));

    // The other way round, the severity change is an improvement (the CORS finding
    // coming back still counts against it).
    let back = diff_reports(&new, &old);
    assert!(!back.changed[0].worse());
    assert_eq!(codes(&back.fixed), [Code::ChallengeScopeMissing]);
    assert_eq!(codes(&back.added), [Code::PrmCorsMissing]);
}

#[test]
fn what_counts_as_a_regression() {
    let old = sample_report();
    assert!(!diff_reports(&old, &old).regressed());

    // A new info observation is not a regression.
    let mut new = old.clone();
    let mut info = new.findings[2].clone();
    info.code = Code::AuthNotRequired;
    info.severity = Severity::Info;
    new.findings.push(info);
    assert!(!diff_reports(&old, &new).regressed());

    // An outcome that breaks is, even without a finding.
    let mut fine = old.clone();
    fine.outcome = Outcome::ProtectedOk;
    fine.findings.clear();
    let mut broken = fine.clone();
    broken.outcome = Outcome::ProtectedBroken;
    assert!(diff_reports(&fine, &broken).regressed());
    assert!(!diff_reports(&broken, &fine).regressed());
}
