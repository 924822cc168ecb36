//! The prose of the analysis: the summary, what a client sees, the text composed of
//! every part, and the one paragraph of a report without a primary finding.

use super::RootCause;
use crate::report::{Finding, Outcome, Report, Stage, StepStatus};

/// Two or three sentences: what is wrong, what it costs, what follows from it.
pub(super) fn summary(report: &Report, primary: &Finding) -> String {
    let entry = primary.code.entry();
    let mut text = format!(
        "The root cause on {} is {} ({} severity): {}.",
        report.target,
        primary.code,
        primary.severity.as_str(),
        entry.title.trim_end_matches('.')
    );
    let cost = match report.outcome {
        Outcome::ProtectedBroken => {
            " Because of it, a conforming MCP client cannot discover or complete authorization with this server."
        }
        Outcome::ProtectedOk => " Clients can still obtain authorization, but the server departs from the specification here.",
        Outcome::NoAuth => " The server needs no authorization; the problem is in how it speaks MCP.",
        Outcome::NonOauthAuth => " The server asks for credentials with a scheme MCP clients do not use for OAuth.",
        _ => "",
    };
    text.push_str(cost);
    let consequences: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.caused_by == Some(primary.code))
        .map(|f| f.code.to_string())
        .collect();
    match consequences.len() {
        0 => {}
        1 => text.push_str(&format!(" {} follows from it.", consequences[0])),
        n => text.push_str(&format!(
            " {n} other findings follow from it: {}.",
            consequences.join(", ")
        )),
    }
    text
}

/// What a client following MCP 2025-11-25 meets, step by step where discovery broke,
/// otherwise the step of the primary finding as the funnel reports it.
pub(super) fn client_view(report: &Report, primary: &Finding) -> String {
    let discovery_broke = report.auth_required == Some(true)
        && !report.oauth_discovery_viable
        && matches!(primary.stage, Stage::Challenge | Stage::Prm);
    if discovery_broke {
        return discovery_walk(report);
    }
    let step = report
        .steps
        .iter()
        .filter(|s| s.stage == primary.stage)
        .find(|s| matches!(s.status, StepStatus::Fail | StepStatus::Warn))
        .or_else(|| report.steps.iter().find(|s| s.stage == primary.stage));
    match step {
        Some(step) => format!(
            "At step {} ({}), a client meets {}: {}",
            step.stage.number(),
            step.name,
            step.status.as_str(),
            end_sentence(&step.detail)
        ),
        None => format!(
            "A client meets the problem at stage {} ({}).",
            primary.stage.number(),
            primary.stage.title()
        ),
    }
}

/// The discovery a client attempts: the challenge, each metadata URL, and where it stops.
fn discovery_walk(report: &Report) -> String {
    let challenge = report
        .steps
        .iter()
        .find(|s| s.stage == Stage::Challenge)
        .map(|s| end_sentence(&s.detail))
        .unwrap_or_default();
    let mut text = format!(
        "A client sends its first MCP request to {} without a token: {challenge}",
        report.target
    );
    let tried: Vec<String> = report
        .auth_discovery
        .prm_candidates
        .iter()
        .map(|c| {
            let answer = c
                .status
                .map_or_else(|| "no answer".to_string(), |s| s.to_string());
            let verdict = if c.usable { "usable" } else { "not usable" };
            format!("{} → {answer} ({verdict})", c.url)
        })
        .collect();
    if !tried.is_empty() {
        text.push_str(&format!(
            " It then looks for protected resource metadata: {}.",
            tried.join("; ")
        ));
    }
    text.push_str(
        " Without usable metadata it cannot learn which authorization server to use, so it stops before any login: the user sees an authorization error and no way to sign in.",
    );
    text
}

fn end_sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// The analysis as plain text, part by part.
pub(super) fn compose(analysis: &RootCause) -> String {
    let mut out = String::new();
    out.push_str(&analysis.summary);
    out.push_str("\n\nWhy this is a violation:\n");
    for claim in &analysis.violation {
        // An MCP reference already ends with its heading.
        let title = match &claim.section_title {
            Some(t) if !claim.reference.ends_with(t.as_str()) => format!(", “{t}”"),
            _ => String::new(),
        };
        out.push_str(&format!("- {} ({}{title})\n", claim.claim, claim.reference));
    }
    out.push_str("\nWhat happened on this server:\n");
    for observation in &analysis.observed {
        out.push_str(&format!("- {}\n", observation.text));
    }
    out.push_str("\nWhat to change:\n");
    out.push_str(&analysis.fix.text);
    out.push('\n');
    for artifact in &analysis.fix.artifacts {
        out.push_str(&format!(
            "\n{}:\n```{}\n{}\n```\n",
            artifact.label, artifact.kind, artifact.content
        ));
    }
    out.push_str("\nWhat a client sees today:\n");
    out.push_str(&analysis.client_view);
    out
}

/// The paragraph of a report without a primary finding.
pub(super) fn no_primary(report: &Report) -> String {
    if report.outcome.is_failure_to_scan() {
        return "No root-cause analysis: the scan could not get an answer from the server, so nothing was learned about it.".into();
    }
    if report.findings.is_empty() {
        return format!(
            "No root-cause analysis: the scan raised no finding (outcome {}).",
            report.outcome.as_str()
        );
    }
    format!(
        "No root-cause analysis: no finding is at low severity or above, only observations (outcome {}).",
        report.outcome.as_str()
    )
}
