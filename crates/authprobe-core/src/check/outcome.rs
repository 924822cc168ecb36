//! Turning findings into the scan's answer: consequence links, family modes,
//! ordering, the outcome, and the funnel steps.

use crate::catalog::{Code, Family, Impact, Strength};
use crate::config::FamilyMode;
use crate::facts::challenge::{Answer, ChallengeFacts, ChallengeState};
use crate::facts::Trace;
use crate::http::ErrorKind;
use crate::report::{Finding, Outcome, Step, StepStatus};

use super::challenge::is_not_mcp;
use super::prm::PrmVerdict;

/// Links findings that are consequences of a root cause to it, so they are not counted twice.
pub fn link_consequences(findings: &mut [Finding]) {
    super::oauth::link_consequences(findings);
    let present = |code: Code, list: &[Finding]| list.iter().any(|f| f.code == code);
    if present(Code::AuthRequiredButNotAdvertised, findings) {
        for f in findings.iter_mut() {
            if matches!(
                f.code,
                Code::DiscoveryNoWwwAuthenticate
                    | Code::OauthDiscoveryUnavailable
                    | Code::PrmHttpStatusNot200
            ) {
                f.caused_by = Some(Code::AuthRequiredButNotAdvertised);
            }
        }
    }
    if present(Code::DiscoveryResourceMetadataInvalid, findings) {
        for f in findings.iter_mut() {
            // Link to the root cause, not to an intermediate consequence.
            if matches!(
                f.code,
                Code::OauthDiscoveryUnavailable | Code::PrmHttpStatusNot200
            ) && matches!(f.caused_by, None | Some(Code::PrmHttpStatusNot200))
            {
                f.caused_by = Some(Code::DiscoveryResourceMetadataInvalid);
            }
        }
    }
}

/// Drops the findings of rules that exist only in a revision the server was not judged
/// to speak (`REVISION_RULES`): a 2025-11-25 server breaks no 2026-07-28 rule. `revision`
/// is the revision the scan saw, `None` when it could not tell (then such rules do not
/// apply either: a finding never claims more than the scan knows).
pub fn keep_rules_of_revision(findings: &mut Vec<Finding>, revision: Option<&str>) {
    findings.retain(|f| {
        crate::catalog::REVISION_RULES
            .iter()
            .find(|(code, _)| *code == f.code)
            .is_none_or(|(_, only)| revision == Some(*only))
    });
}

/// Applies `--mcp` / `--rfc`: `off` drops the family, `strict` raises its SHOULD-level findings.
pub fn apply_family_modes(
    findings: Vec<Finding>,
    mcp: FamilyMode,
    rfc: FamilyMode,
) -> Vec<Finding> {
    let mode_of = |code: Code| match code.entry().family {
        Family::Mcp => mcp,
        Family::Rfc => rfc,
        Family::Policy => FamilyMode::BestEffort,
    };
    // A consequence leaves with its root cause: left behind, it would count in the
    // summary and the exit code for a problem the report no longer shows.
    let mut dropped: Vec<Code> = Vec::new();
    loop {
        let more: Vec<Code> = findings
            .iter()
            .filter(|f| !dropped.contains(&f.code))
            .filter(|f| {
                mode_of(f.code) == FamilyMode::Off
                    || f.caused_by.is_some_and(|root| dropped.contains(&root))
            })
            .map(|f| f.code)
            .collect();
        if more.is_empty() {
            break;
        }
        dropped.extend(more);
    }
    findings
        .into_iter()
        .filter_map(|mut f| {
            let entry = f.code.entry();
            if dropped.contains(&f.code) {
                return None;
            }
            match mode_of(f.code) {
                FamilyMode::Off => None,
                FamilyMode::Strict if entry.strength == Strength::Should => {
                    f.severity = f.severity.raised();
                    Some(f)
                }
                _ => Some(f),
            }
        })
        .collect()
}

/// The steps a family turned off had findings in, with the flag that left them out.
pub fn unjudged_steps(
    findings: &[Finding],
    mcp: FamilyMode,
    rfc: FamilyMode,
) -> Vec<(&'static str, &'static str)> {
    findings
        .iter()
        .filter_map(|f| match f.code.entry().family {
            Family::Mcp if mcp == FamilyMode::Off => Some((f.code.step_id(), "--mcp off")),
            Family::Rfc if rfc == FamilyMode::Off => Some((f.code.step_id(), "--rfc off")),
            _ => None,
        })
        .collect()
}

/// A step that passes only because its findings were left out was not judged: SKIP,
/// saying which flag, never PASS.
pub fn mark_unjudged(steps: &mut [Step], unjudged: &[(&'static str, &'static str)]) {
    for step in steps.iter_mut().filter(|s| s.status == StepStatus::Pass) {
        if let Some((_, flag)) = unjudged.iter().find(|(id, _)| *id == step.id) {
            step.status = StepStatus::Skip;
            step.detail = format!("not judged: {flag} ({})", step.detail);
        }
    }
}

/// Deterministic order: stage, then catalog order; one finding per code per stage
/// (evidence of duplicates is merged).
pub fn order_and_merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<Finding> = Vec::new();
    for f in findings {
        if let Some(existing) = merged.iter_mut().find(|m| m.code == f.code) {
            existing.evidence.push(' ');
            existing.evidence.push_str(&f.evidence);
            for id in f.exchange_ids {
                if !existing.exchange_ids.contains(&id) {
                    existing.exchange_ids.push(id);
                }
            }
            existing.severity = existing.severity.max(f.severity);
            if existing.caused_by.is_none() {
                existing.caused_by = f.caused_by;
            }
        } else {
            merged.push(f);
        }
    }
    merged.sort_by_key(|f| (f.stage, f.code.index()));
    merged
}

/// The one-word answer of the scan.
pub fn outcome(
    facts: &ChallengeFacts,
    verdict: &PrmVerdict,
    trace: &Trace,
    findings: &[Finding],
) -> Outcome {
    let Some(init) = trace.last_of(&facts.initialize) else {
        return Outcome::Unreachable;
    };
    let redirected = facts.initialize.redirected();
    if init.response.is_none() {
        return match init.error.as_ref().map(|e| e.kind) {
            Some(ErrorKind::Timeout) => Outcome::Timeout,
            Some(ErrorKind::Blocked) if redirected => Outcome::Redirected,
            Some(ErrorKind::Protocol) | Some(ErrorKind::TooLarge) => Outcome::NotMcp,
            _ => Outcome::Unreachable,
        };
    }
    match &facts.answer {
        Answer::Redirect(_) => Outcome::Redirected,
        Answer::AuthRequired(_) => {
            let non_oauth = matches!(&facts.challenge, ChallengeState::Parsed(list) if !list.is_empty())
                && facts.challenge.bearer().is_none();
            if non_oauth && !verdict.any_usable() {
                return Outcome::NonOauthAuth;
            }
            // Only a finding that stops a conforming client makes the server "broken";
            // unsafe or degraded setups keep their severity (and the exit code) instead.
            let broken = findings.iter().any(|f| f.code.entry().impact.is_blocking());
            if broken {
                Outcome::ProtectedBroken
            } else if !verdict.chosen_usable {
                // Nothing was found wrong, yet discovery did not complete: the metadata
                // requests went unanswered. That is not "ok", and not a violation either.
                Outcome::Timeout
            } else {
                Outcome::ProtectedOk
            }
        }
        Answer::JsonRpcResult(_) | Answer::JsonRpcError(..) => Outcome::NoAuth,
        Answer::NoResponse => Outcome::Unreachable,
        Answer::Html(_) | Answer::Other(..) => {
            if matches!(
                init.error.as_ref().map(|e| e.kind),
                Some(ErrorKind::Timeout)
            ) {
                Outcome::Timeout
            } else if redirected && is_not_mcp(facts, trace) {
                Outcome::Redirected
            } else if is_not_mcp(facts, trace) {
                Outcome::NotMcp
            } else {
                Outcome::NoAuth
            }
        }
    }
}

/// The one-line security summary reports print next to the outcome: how many
/// findings have the `security` impact, and which, worst first. `None` when there
/// are none.
pub fn security_summary(findings: &[Finding]) -> Option<String> {
    let mut unsafe_ones: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code.entry().impact == Impact::Security)
        .collect();
    if unsafe_ones.is_empty() {
        return None;
    }
    unsafe_ones.sort_by_key(|f| (std::cmp::Reverse(f.severity), f.code.index()));
    let listed: Vec<String> = unsafe_ones
        .iter()
        .map(|f| format!("{} ({})", f.code.as_str(), f.severity.as_str()))
        .collect();
    let n = unsafe_ones.len();
    Some(format!(
        "{n} security finding{}: {}",
        if n == 1 { "" } else { "s" },
        listed.join(", ")
    ))
}

/// One sentence explaining an outcome to a person.
pub fn outcome_sentence(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::ProtectedOk => "Authorization is required and a conforming client can discover how to obtain it.",
        Outcome::ProtectedBroken => "Authorization is required, but a conforming client cannot get in: discovery, login or the session is blocked.",
        Outcome::NoAuth => "The server answers MCP without credentials. Authorization is optional in MCP: this is neutral, not a failure.",
        Outcome::NonOauthAuth => "The server demands credentials with a non-OAuth scheme; MCP's OAuth discovery does not apply.",
        Outcome::Redirected => "The URL redirects elsewhere; scan the final URL instead.",
        Outcome::NotMcp => "No MCP endpoint answers at this URL.",
        Outcome::Unreachable => "The server could not be reached (DNS, connection or TLS failure).",
        Outcome::Timeout => "Nothing answered in time.",
    }
}
