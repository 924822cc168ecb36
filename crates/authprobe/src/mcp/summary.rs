//! The answer of a scan tool: a short text, primary finding first, and the structured
//! result (status, scan_id, how to continue, the whole report).

use authprobe_core::report::{Report, Severity};
use serde_json::{json, Value};

use super::calls::Answer;
use super::resume::Prompt;
use super::tools::Kind;

/// The answer to a finished scan of `url`, remembered as `id`.
pub fn scan_answer(
    report: &Report,
    report_json: Value,
    id: &str,
    url: &str,
    with_credentials: bool,
) -> Answer {
    let needs_auth = !with_credentials && report.auth_required == Some(true);
    let mut lines = vec![primary_line(report), outcome_line(report)];
    let mut structured = json!({
        "status": if needs_auth { "auth_required" } else { "complete" },
        "scan_id": id,
    });
    if needs_auth {
        let next = format!(
            "The server requires authorization: to run the checks behind it, call {} with this url and a bearer_token (or a credential_ref).",
            Kind::ScanWithCredentials.name()
        );
        lines.push(next.clone());
        structured["next_step"] = Value::String(next);
        structured["continue_with"] = json!({
            "tool": Kind::ScanWithCredentials.name(),
            "arguments": {"url": url},
        });
    }
    lines.push(format!(
        "scan_id {id}: {} and {} take it.",
        Kind::RenderMarkdown.name(),
        Kind::BundleEvidence.name()
    ));
    let text = lines.join("\n");
    structured["summary"] = Value::String(text.clone());
    structured["report"] = report_json;
    Answer { text, structured }
}

/// The primary finding with its evidence, or that there is none.
fn primary_line(report: &Report) -> String {
    let primary = report
        .primary_finding
        .and_then(|code| report.findings.iter().find(|f| f.code == code));
    match primary {
        Some(f) => format!(
            "Primary finding: {} ({}): {} {}",
            f.code.as_str(),
            f.severity.as_str(),
            f.code.entry().title,
            f.evidence
        ),
        None if report.findings.iter().all(|f| f.severity == Severity::Info) => {
            "No finding at low severity or above.".to_string()
        }
        None => "No primary finding.".to_string(),
    }
}

fn outcome_line(report: &Report) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    format!(
        "Outcome {} for {}: {} finding(s) ({} high, {} medium, {} low, {} info) in {} requests.",
        report.outcome.as_str(),
        report.target,
        report.findings.len(),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        count(Severity::Info),
        report.exchanges.len()
    )
}

/// The answer while a login waits for the person: what to show them, and to call
/// `scan_resume` again once they are done.
pub fn login_answer(id: &str, prompt: &Prompt) -> Answer {
    let (ask, login) = match prompt {
        Prompt::Authorize(url) => (
            format!("Log in by opening this URL in a browser on this machine: {url}"),
            json!({"authorization_url": url}),
        ),
        Prompt::Device {
            uri,
            code,
            complete,
        } => {
            let mut login = json!({"verification_uri": uri, "user_code": code});
            if let Some(complete) = complete {
                login["verification_uri_complete"] = Value::String(complete.clone());
            }
            (
                format!("Log in by opening {uri} and entering the code {code}."),
                login,
            )
        }
    };
    let next = format!(
        "Show this to the user; once they have logged in, call {} with scan_id {id} again for the report.",
        Kind::ScanResume.name()
    );
    let text = format!("{ask}\n{next}");
    Answer {
        structured: json!({
            "status": "login_pending",
            "scan_id": id,
            "summary": text,
            "login": login,
            "next_step": next,
            "continue_with": {"tool": Kind::ScanResume.name(), "arguments": {"scan_id": id}},
        }),
        text,
    }
}
