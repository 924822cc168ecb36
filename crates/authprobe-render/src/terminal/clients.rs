//! The "Clients" section: which clients get in, where each one stops, the finding
//! that explains it and, for the SDKs, the message the client prints.

use authprobe_core::clients::{ClientVerdict, Verdict};
use authprobe_core::report::Report;

use super::{fg, Out, BOLD, DIM, PLAIN};
use crate::text::one_line;
use anstyle::AnsiColor;

/// `[IN]`, `[FAIL]` or `[?]`.
pub(crate) fn tag(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::GetsIn => "IN",
        Verdict::Fails => "FAIL",
        Verdict::Unknown => "?",
    }
}

/// The client's name as a report shows it: closed hosts are labelled.
pub(crate) fn label(verdict: &ClientVerdict) -> String {
    if verdict.basis == "documented-behaviour" {
        format!("{} (documented behaviour)", verdict.name)
    } else {
        verdict.name.clone()
    }
}

/// The client and where it stops: `MCP Python SDK 2.3.0 · stops at registration`.
pub(crate) fn heading_line(verdict: &ClientVerdict) -> String {
    let mut text = label(verdict);
    match (verdict.verdict, verdict.step) {
        (Verdict::Fails, Some(step)) => text.push_str(&format!(" · stops at {}", step.as_str())),
        (Verdict::Unknown, Some(step)) => {
            text.push_str(&format!(" · cannot tell past {}", step.as_str()))
        }
        _ => {}
    }
    text
}

pub(super) fn render(out: &mut Out, report: &Report) {
    if report.clients.is_empty() {
        return;
    }
    out.blank();
    let heading = out.paint(BOLD, "Clients");
    out.line(&heading);
    for verdict in &report.clients {
        let style = match verdict.verdict {
            Verdict::GetsIn => fg(AnsiColor::Green),
            Verdict::Fails => fg(AnsiColor::Red).bold(),
            Verdict::Unknown => DIM,
        };
        let tag_text = format!("[{}]", tag(verdict.verdict));
        let painted = out.paint(style, &tag_text);
        let pad = " ".repeat(6 - tag_text.len());
        let lead = format!("  {painted}{pad} ");
        out.wrapped(&lead, 9, 9, &heading_line(verdict), BOLD);
        out.wrapped("         ", 9, 9, &one_line(&verdict.detail), PLAIN);
        if verdict.verdict == Verdict::Fails {
            if let Some(code) = verdict.finding {
                out.labeled(9, "finding", code.as_str());
            }
            if let Some(message) = &verdict.message {
                out.labeled(9, "prints", &one_line(message));
            }
        }
        if !verdict.assumptions.is_empty() {
            out.labeled(9, "assumes", &verdict.assumptions.join("; "));
        }
    }
}
