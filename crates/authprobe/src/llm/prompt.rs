//! The prompt: what the model is asked, and the material it may use: the redacted
//! JSON report (bodies cut), the catalog entries of its findings, the sections they
//! cite (identifiers and titles only), and the deterministic analysis to rewrite.

use authprobe_core::catalog::Code;
use authprobe_core::citations;
use authprobe_core::report::Report;
use authprobe_render::render_json;
use serde_json::Value;

use super::Prompt;

/// Longest body excerpt of an exchange kept in the prompt, in bytes.
const BODY_EXCERPT: usize = 2048;
/// Longest JSON report kept in the prompt, in bytes.
const REPORT_LIMIT: usize = 120 * 1024;

const INSTRUCTIONS: &str = "You write the root-cause analysis that closes an authprobe report. \
authprobe scans an MCP server the way a conforming MCP client would, checking its OAuth discovery \
and authorization against the specifications. Use only the facts in the material given: the \
report, the catalog entries and the deterministic analysis. Write plain text in five parts: a \
summary of two or three sentences; why it is a violation, each claim followed by the section \
that makes it; what happened on this server, naming exchanges by their ids (#1); what to change, \
repeating exactly the corrected header, document or response of the deterministic analysis; and \
what a client sees today. Cite sections only from the list \"Sections you may cite\", written \
exactly as listed there (\"RFC 9728 §3.3\", \"MCP 2025-11-25 Authorization › Protected Resource \
Metadata Discovery Requirements\"); do not give a document a title of your own. If the material \
does not say something, do not claim it.";

/// Builds the prompt from a report that has already been redacted.
pub fn build(report: &Report, max_words: u32) -> Prompt {
    let mut input = String::new();
    if let Some(analysis) = &report.root_cause {
        if let Some(code) = analysis.finding {
            input.push_str(&format!("Primary finding: {code}\n\n"));
        }
    }
    input.push_str("Catalog entries of the findings:\n");
    let mut codes: Vec<Code> = report.findings.iter().map(|f| f.code).collect();
    codes.dedup();
    for code in &codes {
        let entry = code.entry();
        let references: Vec<String> = entry.references.iter().map(ToString::to_string).collect();
        input.push_str(&format!(
            "- {code} ({}): {}\n  Fires when: {}\n  References: {}\n  Fix: {}\n",
            entry.severity.as_str(),
            entry.title,
            entry.fires_when,
            references.join(", "),
            entry.remediation
        ));
    }
    input.push_str("\nSections you may cite (identifier, section title, document title):\n");
    let mut seen = Vec::new();
    for code in &codes {
        for reference in code.entry().references {
            let cited = reference.to_string();
            if seen.contains(&cited) {
                continue;
            }
            if let citations::Resolution::Verified {
                document_title,
                section_title,
                ..
            } = citations::check_reference(reference)
            {
                let section = section_title.map(|t| format!(" “{t}”")).unwrap_or_default();
                input.push_str(&format!("- {cited}{section} ({document_title})\n"));
            }
            seen.push(cited);
        }
    }
    if let Some(analysis) = &report.root_cause {
        input.push_str("\nThe deterministic analysis to rewrite:\n");
        input.push_str(&analysis.text);
        input.push('\n');
    }
    input.push_str("\nThe JSON report (redacted; bodies cut):\n");
    input.push_str(&report_json(report));
    input.push_str(&format!("\n\nAnswer in at most {max_words} words."));
    Prompt {
        instructions: INSTRUCTIONS.to_string(),
        input,
    }
}

/// The JSON report without the analysis (given above), with bodies cut and the tools
/// reduced to their names, within [`REPORT_LIMIT`].
fn report_json(report: &Report) -> String {
    let mut value: Value = serde_json::from_str(&render_json(report)).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.remove("root_cause");
        if let Some(Value::Array(tools)) = object.get_mut("tools") {
            for tool in tools.iter_mut() {
                *tool = tool.get("name").cloned().unwrap_or(Value::Null);
            }
        }
        if let Some(Value::Array(exchanges)) = object.get_mut("exchanges") {
            for exchange in exchanges {
                for side in ["request", "response"] {
                    if let Some(Value::String(body)) =
                        exchange.get_mut(side).and_then(|s| s.get_mut("body"))
                    {
                        cut(body, BODY_EXCERPT);
                    }
                }
            }
        }
    }
    let mut text = serde_json::to_string(&value).unwrap_or_default();
    cut(&mut text, REPORT_LIMIT);
    text
}

fn cut(text: &mut String, limit: usize) {
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("…[cut]");
    }
}
