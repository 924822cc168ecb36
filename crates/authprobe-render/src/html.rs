//! The HTML report (`--html`): one self-contained file with the outcome, the funnel,
//! the findings, the call trace drawn as an SVG sequence diagram, and every exchange
//! (with a `curl` command) folded in `<details>`.
//!
//! It fetches nothing (no scripts, fonts, images or style sheets from anywhere; a
//! Content-Security-Policy of `default-src 'none'` says so to the browser) and needs no
//! JavaScript. The template escapes every value, so text from the network stays text.

mod diagram;

use askama::Template;
use authprobe_core::check::outcome::security_summary;
use authprobe_core::report::{Finding, Report, Severity, StepStatus};

use crate::common::{
    counts_text, exchange_brief, format_ms, outcome_sentence, scanned_insecure,
    SEVERITIES_WORST_FIRST,
};
use crate::curl::{curl_command, CurlOptions};
use crate::exchange_text::{exchange_heading, exchange_text, ExchangeTextOptions};
use crate::root_cause::{blocks, citation_count, source_line, unverified_lines, Block};
use diagram::Diagram;

/// Bodies shown in the page are cut here; the JSON report and the bundle have them whole.
const BODY_LIMIT: usize = 16 * 1024;

struct StepRow {
    stage: u8,
    name: String,
    status: &'static str,
    class: &'static str,
    detail: String,
}

struct Link {
    label: String,
    url: String,
}

struct ExchangeRef {
    id: u32,
    brief: String,
}

/// A piece of catalog prose: plain text, or what the catalog wrote as `code`.
struct Part {
    code: bool,
    text: String,
}

/// Splits catalog prose at its backticks, so code spans are shown as code.
fn parts(text: &str) -> Vec<Part> {
    text.split('`')
        .enumerate()
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(i, piece)| Part {
            code: i % 2 == 1,
            text: piece.to_string(),
        })
        .collect()
}

struct FindingView {
    code: &'static str,
    severity: &'static str,
    title: &'static str,
    evidence: String,
    confidence: String,
    impact: &'static str,
    fires_when: Vec<Part>,
    fix: Vec<Part>,
    references: Vec<Link>,
    caused_by: Option<String>,
    exchanges: Vec<ExchangeRef>,
}

struct ExchangeView {
    id: u32,
    heading: String,
    text: String,
    curl: String,
}

struct BlockView {
    kind: &'static str,
    text: String,
    items: Vec<String>,
}

struct AnalysisView {
    source: String,
    note: Option<String>,
    blocks: Vec<BlockView>,
    has_finding: bool,
    citations: String,
    unverified: Vec<String>,
}

/// The analysis blocks, consecutive bullets gathered into one list.
fn block_views(text: &str) -> Vec<BlockView> {
    let mut out: Vec<BlockView> = Vec::new();
    for block in blocks(text) {
        let (kind, text) = match block {
            Block::Heading(text) => ("heading", text),
            Block::Para(text) => ("para", text),
            Block::Code(text) => ("code", text),
            Block::Bullet(text) => {
                match out.last_mut() {
                    Some(list) if list.kind == "list" => list.items.push(text),
                    _ => out.push(BlockView {
                        kind: "list",
                        text: String::new(),
                        items: vec![text],
                    }),
                }
                continue;
            }
        };
        out.push(BlockView {
            kind,
            text,
            items: Vec::new(),
        });
    }
    out
}

fn analysis_view(report: &Report) -> Option<AnalysisView> {
    let analysis = report.root_cause.as_ref()?;
    Some(AnalysisView {
        source: source_line(analysis),
        note: analysis.note.clone(),
        blocks: block_views(&analysis.text),
        has_finding: analysis.finding.is_some(),
        citations: citation_count(analysis),
        unverified: unverified_lines(analysis),
    })
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    target: String,
    tool_version: String,
    timestamp: String,
    facts: String,
    command: String,
    token: String,
    outcome: &'static str,
    outcome_class: &'static str,
    outcome_sentence: String,
    security: Option<String>,
    counts: String,
    steps: Vec<StepRow>,
    primary: Option<FindingView>,
    others: Vec<FindingView>,
    analysis: Option<AnalysisView>,
    diagram: Diagram,
    box_width: u32,
    exchanges: Vec<ExchangeView>,
    clients: Vec<ClientRow>,
}

/// One client's verdict, as the page shows it.
struct ClientRow {
    id: String,
    name: String,
    documented: bool,
    verdict: &'static str,
    class: &'static str,
    step: Option<&'static str>,
    detail: String,
    finding: Option<String>,
    message: Option<String>,
    assumptions: String,
    sources: Vec<String>,
}

fn client_rows(report: &Report) -> Vec<ClientRow> {
    use authprobe_core::clients::Verdict;
    report
        .clients
        .iter()
        .map(|c| ClientRow {
            id: c.client.clone(),
            name: c.name.clone(),
            documented: c.basis == "documented-behaviour",
            verdict: c.verdict.as_str(),
            class: match c.verdict {
                Verdict::GetsIn => "pass",
                Verdict::Fails => "fail",
                Verdict::Unknown => "skip",
            },
            step: c.step.map(|s| s.as_str()),
            detail: c.detail.clone(),
            finding: c.finding.map(|f| f.as_str().to_string()),
            message: c.message.clone(),
            assumptions: c.assumptions.join("; "),
            sources: c.sources.clone(),
        })
        .collect()
}

fn step_class(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Pass => "pass",
        StepStatus::Fail => "fail",
        StepStatus::Warn => "warn",
        StepStatus::Skip => "skip",
    }
}

fn finding_view(report: &Report, finding: &Finding) -> FindingView {
    let entry = finding.code.entry();
    FindingView {
        code: finding.code.as_str(),
        severity: finding.severity.as_str(),
        title: entry.title,
        evidence: finding.evidence.clone(),
        confidence: format!("{:.2}", finding.confidence),
        impact: entry.impact.as_str(),
        fires_when: parts(entry.fires_when),
        fix: parts(entry.remediation),
        references: entry
            .references
            .iter()
            .map(|r| Link {
                label: r.to_string(),
                url: r.url.to_string(),
            })
            .collect(),
        caused_by: finding.caused_by.map(|c| c.to_string()),
        exchanges: finding
            .exchange_ids
            .iter()
            .map(|id| ExchangeRef {
                id: *id,
                brief: exchange_brief(report, *id),
            })
            .collect(),
    }
}

/// Renders the HTML report.
///
/// This does not redact: pass a report that went through
/// [`redact_report`](crate::redact_report) (unless the user chose `--no-redact`).
pub fn render_html(report: &Report) -> String {
    let primary = report.primary();
    let mut others = Vec::new();
    for severity in SEVERITIES_WORST_FIRST {
        for finding in report.findings.iter().filter(|f| f.severity == severity) {
            if primary.is_none_or(|p| !std::ptr::eq(p, finding)) {
                others.push(finding_view(report, finding));
            }
        }
    }
    let protocol = &report.protocol;
    let mut facts = vec![
        format!("{} scan", report.mode),
        format!("MCP {}", report.mcp_mode),
        format!("RFC {}", report.rfc_mode),
        match &protocol.negotiated_version {
            Some(v) => format!("protocol {v} ({})", protocol.era),
            None => format!("protocol {}", protocol.era),
        },
    ];
    facts.extend(format_ms(report.duration_ms));
    let curl = CurlOptions {
        insecure: scanned_insecure(report),
    };
    let text = ExchangeTextOptions {
        body_limit: Some(BODY_LIMIT),
        terminal_safe: false,
    };
    let page = Page {
        target: report.target.clone(),
        tool_version: report.tool_version.clone(),
        timestamp: report.timestamp.clone(),
        facts: facts.join(" · "),
        command: report.command.clone(),
        token: crate::common::token_summary(report).unwrap_or_default(),
        outcome: report.outcome.as_str(),
        outcome_class: match report.worst_severity() {
            _ if report.outcome.is_failure_to_scan() => "failed",
            Some(Severity::High) | Some(Severity::Medium) => "bad",
            Some(Severity::Low) => "warn",
            _ => "good",
        },
        outcome_sentence: outcome_sentence(report),
        security: security_summary(&report.findings),
        counts: counts_text(report),
        steps: report
            .steps
            .iter()
            .map(|s| StepRow {
                stage: s.stage.number(),
                name: s.name.clone(),
                status: s.status.as_str(),
                class: step_class(s.status),
                detail: s.detail.clone(),
            })
            .collect(),
        primary: primary.map(|f| finding_view(report, f)),
        others,
        analysis: analysis_view(report),
        diagram: diagram::layout(report),
        box_width: diagram::BOX_WIDTH,
        exchanges: report
            .exchanges
            .iter()
            .map(|e| ExchangeView {
                id: e.id,
                heading: exchange_heading(e),
                text: exchange_text(e, &text),
                curl: curl_command(e, &curl),
            })
            .collect(),
        clients: client_rows(report),
    };
    match page.render() {
        Ok(html) => html,
        // The template is checked at compile time; should rendering still fail, the page
        // says so rather than the program stopping.
        Err(error) => format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>authprobe</title></head>\
             <body><p>The HTML report could not be rendered: {}</p></body></html>\n",
            error
                .to_string()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        ),
    }
}

#[cfg(test)]
mod tests;
