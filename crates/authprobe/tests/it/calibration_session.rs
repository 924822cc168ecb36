//! Stage 7 against the clean lab: a good token passes every check, the report
//! shows its claims and never the token, and a token that is not the server's
//! fault to refuse (expired, or minted elsewhere) raises nothing.

use std::time::Duration;

use authprobe_core::config::ScanMode;
use authprobe_core::report::{Outcome, Report, Severity, StepStatus};
use authprobe_lab::{Defect, Era};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::json;

use crate::support::{codes, config, lab, lab_in};

async fn scan_with(url: &str, token: &str, mode: ScanMode) -> Report {
    let mut cfg = config(url, Duration::from_secs(2));
    cfg.bearer_token = Some(token.to_string());
    cfg.mode = mode;
    authprobe_core::scan::scan(&cfg).await.expect("scan runs")
}

fn step<'r>(report: &'r Report, id: &str) -> &'r authprobe_core::report::Step {
    report
        .steps
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no step {id}: {:#?}", report.steps))
}

/// Every output format of a report, redacted as the binary redacts it (the
/// evidence bundle read back out of its zip is covered by the bundle tests).
fn every_format(report: &Report) -> Vec<(&'static str, String)> {
    use authprobe_render::*;
    let shown = redact_report(report, &RedactionOptions::default());
    let terminal = TerminalOptions {
        exchanges: ExchangeDump::All,
        ..TerminalOptions::default()
    };
    vec![
        ("json", render_json(&shown)),
        ("markdown", render_markdown(&shown)),
        ("trace", render_trace(&shown)),
        ("sarif", render_sarif(&shown)),
        ("junit", render_junit(&shown)),
        ("html", render_html(&shown)),
        ("explain", render_explain(&shown)),
        ("terminal", render_terminal(&shown, &terminal)),
    ]
}

fn serious(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Low)
        .map(|f| format!("{}: {}", f.code, f.evidence))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_good_token_passes_stage_7_in_the_stateful_and_stateless_eras() {
    for era in [Era::Stateful20251125, Era::Stateless20260728] {
        let lab = lab_in(era, &[]).await;
        let token = lab.issue_token();
        for mode in [ScanMode::Passive, ScanMode::Active] {
            let report = scan_with(&lab.mcp_url(), &token, mode).await;
            assert_eq!(
                report.outcome,
                Outcome::ProtectedOk,
                "{era:?} {mode:?}: {:?}",
                codes(&report)
            );
            assert!(
                serious(&report).is_empty(),
                "{era:?}: {:?}",
                serious(&report)
            );
            let session = step(&report, "session");
            assert_eq!(session.status, StepStatus::Pass, "{session:?}");
            assert!(
                session.detail.contains("tools/list answers (2 tools)"),
                "{session:?}"
            );
            let tokens = step(&report, "session-tokens");
            assert_eq!(tokens.status, StepStatus::Pass, "{tokens:?}");
            if mode == ScanMode::Active {
                assert!(tokens.detail.contains("alg none"), "{tokens:?}");
            } else {
                assert!(tokens.detail.contains("only with --active"), "{tokens:?}");
            }
            // The claims are shown; the token itself is in no string of the report
            // once it is redacted for output.
            let info = report.token.as_ref().expect("token object");
            assert_eq!(info.kind, "jwt");
            assert_eq!(info.aud, [lab.mcp_url()]);
            assert_eq!(info.iss.as_deref(), Some(lab.issuer().as_str()));
            assert_eq!(info.scope.as_deref(), Some("mcp:tools"));
            let signature = token.rsplit('.').next().unwrap();
            for (format, text) in every_format(&report) {
                assert!(
                    !text.contains(signature),
                    "{era:?} {mode:?}: the signature leaked into {format}"
                );
            }
        }
        lab.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_that_is_not_the_servers_fault_to_refuse_raises_nothing() {
    let lab = lab(&[]).await;
    let now = chrono::Utc::now().timestamp();
    let forge = |claims: serde_json::Value| {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    };
    let expired = forge(json!({"iss": lab.issuer(), "aud": lab.mcp_url(), "exp": now - 60}));
    let elsewhere =
        forge(json!({"iss": lab.issuer(), "aud": "https://other.example/mcp", "exp": now + 600}));
    for (token, why) in [(expired, "expired"), (elsewhere, "another resource")] {
        let report = scan_with(&lab.mcp_url(), &token, ScanMode::Passive).await;
        assert!(serious(&report).is_empty(), "{why}: {:?}", serious(&report));
        let session = step(&report, "session");
        assert_eq!(session.status, StepStatus::Skip, "{session:?}");
        assert!(session.detail.contains(why), "{session:?}");
        assert_eq!(report.outcome, Outcome::ProtectedOk);
    }
    // An opaque token the lab never issued looks right, so its refusal is the
    // server's to explain (with less confidence than for a token the scan obtained).
    let report = scan_with(&lab.mcp_url(), "opaque-token-value", ScanMode::Passive).await;
    let rejected = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "TOKEN_REJECTED_BY_RESOURCE")
        .expect("TOKEN_REJECTED_BY_RESOURCE");
    assert!(rejected.confidence < 1.0);
    assert!(
        rejected.evidence.contains("opaque"),
        "{}",
        rejected.evidence
    );
    assert_eq!(report.token.as_ref().unwrap().kind, "opaque");
    assert_eq!(report.outcome, Outcome::ProtectedBroken);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_fresh_token_is_the_primary_finding_and_names_both_audiences() {
    let lab = lab(&[Defect::VerifierWrongAudience]).await;
    let report = scan_with(&lab.mcp_url(), &lab.issue_token(), ScanMode::Passive).await;
    assert_eq!(report.outcome, Outcome::ProtectedBroken);
    let primary = report.primary().expect("a primary finding");
    assert_eq!(primary.code.as_str(), "TOKEN_REJECTED_BY_RESOURCE");
    let mcp = lab.mcp_url();
    assert!(
        primary.evidence.contains(&format!("aud is {mcp}")),
        "{}",
        primary.evidence
    );
    assert!(
        primary.evidence.contains(&format!("iss {}", lab.issuer())),
        "{}",
        primary.evidence
    );
    assert!(
        primary
            .evidence
            .contains(&format!("advertises the resource {mcp}")),
        "{}",
        primary.evidence
    );
    assert_eq!(step(&report, "session").status, StepStatus::Fail);
    lab.shutdown().await;
}
