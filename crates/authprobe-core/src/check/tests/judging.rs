//! Judging a recorded scan in the order the scan judges, and asserting on the result.

use crate::catalog::Code;
use crate::check::{challenge, discovery, outcome, prm as prm_check};
use crate::config::FamilyMode;
use crate::facts::challenge::ChallengeState;
use crate::http::ExchangeId;
use crate::report::{primary_finding, Finding, Outcome};

use super::fixtures::Scene;

/// Judges a scene with the default family modes.
pub fn judge(scene: &Scene) -> (Vec<Finding>, Outcome, Option<Code>) {
    judge_in_modes(scene, FamilyMode::BestEffort, FamilyMode::BestEffort)
}

/// Judges a scene exactly as the scan does, in the scan's order.
pub fn judge_in_modes(
    scene: &Scene,
    mcp: FamilyMode,
    rfc: FamilyMode,
) -> (Vec<Finding>, Outcome, Option<Code>) {
    let Scene {
        trace, facts, prm, ..
    } = scene;
    let verdict = prm_check::evaluate(prm, trace, &scene.mcp_url);
    let non_oauth = facts.challenge.bearer().is_none()
        && matches!(facts.challenge, ChallengeState::Parsed(ref l) if !l.is_empty());
    let mut findings = challenge::findings(facts, prm, &verdict, trace);
    if facts.auth_required() && (!non_oauth || verdict.any_usable()) {
        if let Some(i) = verdict.chosen {
            findings.extend(verdict.candidates[i].findings.iter().cloned());
        }
    }
    findings.extend(discovery::findings(
        prm,
        &verdict,
        trace,
        discovery::DiscoveryContext {
            auth_required: facts.auth_required(),
            non_oauth_scheme: non_oauth,
        },
    ));
    outcome::link_consequences(&mut findings);
    let result = outcome::outcome(facts, &verdict, trace, &findings);
    let findings = outcome::apply_family_modes(findings, mcp, rfc);
    let findings = outcome::order_and_merge(findings);
    let primary = primary_finding(&findings);
    (findings, result, primary)
}

/// The codes of a finding list, in report order.
pub fn codes(findings: &[Finding]) -> Vec<Code> {
    findings.iter().map(|f| f.code).collect()
}

fn listing(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {} [{:?}] caused_by={:?}: {}",
                f.code, f.exchange_ids, f.caused_by, f.evidence
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts the exact set of codes (the report order is catalog order within a stage).
#[track_caller]
pub fn assert_codes(findings: &[Finding], expected: &[Code]) {
    let mut want = expected.to_vec();
    want.sort_by_key(|c| c.index());
    let mut got = codes(findings);
    got.sort_by_key(|c| c.index());
    assert_eq!(got, want, "findings were:\n{}", listing(findings));
}

/// The finding of this code.
#[track_caller]
pub fn finding(findings: &[Finding], code: Code) -> &Finding {
    findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code}; findings were:\n{}", listing(findings)))
}

/// Asserts the exchange ids a finding cites, in order.
#[track_caller]
pub fn assert_ids(findings: &[Finding], code: Code, ids: &[ExchangeId]) {
    assert_eq!(
        finding(findings, code).exchange_ids,
        ids,
        "evidence of {code}"
    );
}
