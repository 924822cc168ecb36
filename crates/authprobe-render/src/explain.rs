//! `--explain`: for each step of the funnel, what was sent and why, what the
//! specifications require there (each requirement with its section), and the findings
//! the step raised with the sections they rest on.

mod rationale;

use authprobe_core::report::{Report, StepStatus};

use crate::common::{exchange_brief, step_findings};
use crate::text::{one_line, wrap};

/// Widest line of the explanation (long URLs keep a line of their own).
const WIDTH: usize = 100;
/// Column where the text after a label starts.
const LABEL: usize = 13;

/// Renders the step-by-step rationale as plain text (no colour), to print after the
/// terminal report.
pub fn render_explain(report: &Report) -> String {
    let mut out = String::from("Why each step, and what the specifications require\n");
    if report.steps.is_empty() {
        out.push_str("\n  (no step ran)\n");
        return out;
    }
    // Steps that share a rationale (several steps of one stage) get it once.
    let mut explained: Vec<(*const rationale::Rationale, String)> = Vec::new();
    for step in &report.steps {
        out.push('\n');
        out.push_str(&format!(
            "[{}] {}  {}\n",
            step.status.as_str(),
            step.stage.number(),
            one_line(&step.name)
        ));
        let why = rationale::for_step(&step.id, step.stage);
        if step.status == StepStatus::Skip {
            labeled(&mut out, "skipped", &one_line(&step.detail));
        }
        let seen = explained
            .iter()
            .find(|(r, _)| std::ptr::eq(*r, why))
            .map(|(_, name)| name.clone());
        if seen.is_none() {
            labeled(&mut out, "sends", why.sends);
        }
        for (i, id) in step.exchange_ids.iter().enumerate() {
            let label = if i == 0 { "sent" } else { "" };
            labeled(&mut out, label, &one_line(&exchange_brief(report, *id)));
        }
        match seen {
            Some(name) => labeled(&mut out, "why", &format!("as for “{name}” above")),
            None => {
                labeled(&mut out, "why", why.why);
                for (i, citation) in why.requires.iter().enumerate() {
                    let label = if i == 0 { "requires" } else { "" };
                    labeled(
                        &mut out,
                        label,
                        &format!("{} ({})", citation.claim, citation.reference),
                    );
                }
                explained.push((why, one_line(&step.name)));
            }
        }
        for (i, finding) in step_findings(report, step).iter().enumerate() {
            let label = if i == 0 { "raised" } else { "" };
            let entry = finding.code.entry();
            let references: Vec<String> =
                entry.references.iter().map(ToString::to_string).collect();
            let cites = if references.is_empty() {
                "no specification text: an observation".to_string()
            } else {
                references.join("; ")
            };
            labeled(
                &mut out,
                label,
                &format!(
                    "{} {}: {} ({cites})",
                    finding.severity.as_str().to_ascii_uppercase(),
                    finding.code,
                    entry.title
                ),
            );
        }
    }
    out
}

/// `  label:    text`, wrapped, continuation lines under the text.
fn labeled(out: &mut String, label: &str, text: &str) {
    let lead = if label.is_empty() {
        " ".repeat(LABEL)
    } else {
        format!("  {:<width$}", format!("{label}:"), width = LABEL - 2)
    };
    let room = WIDTH - LABEL;
    for (i, line) in wrap(text, room, room).iter().enumerate() {
        let prefix = if i == 0 {
            lead.clone()
        } else {
            " ".repeat(LABEL)
        };
        out.push_str(format!("{prefix}{line}").trim_end());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests;
