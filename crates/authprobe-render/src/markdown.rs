//! The Markdown report, shaped to be pasted into a GitHub issue on someone else's
//! server: a summary line, the outcome, the primary finding with its evidence and fix,
//! the funnel and the findings as tables, and the exchanges (each with a `curl` command
//! to reproduce it) folded away in a `<details>` block.
//!
//! Everything that came from the network is escaped, so a server cannot inject
//! Markdown or HTML (an image that phones home, a fake heading) into the issue.

use authprobe_core::catalog::{Code, Reference};
use authprobe_core::check::outcome::security_summary;
use authprobe_core::report::{Finding, Report};

use crate::common::{
    counts_text, exchange_brief, outcome_sentence, scanned_insecure, SEVERITIES_WORST_FIRST,
};
use crate::curl::{curl_command, CurlOptions};
use crate::exchange_text::{exchange_heading, exchange_text, ExchangeTextOptions};
use crate::root_cause::{blocks, citation_count, source_line, unverified_lines, Block};

/// Bodies are cut here: a GitHub comment holds about 65 000 characters, and the full
/// bodies are in the JSON report and the evidence bundle.
const BODY_LIMIT: usize = 1024;

/// Renders the Markdown report.
///
/// This does not redact: pass a report that went through
/// [`redact_report`](crate::redact_report) (unless the user chose `--no-redact`).
pub fn render_markdown(report: &Report) -> String {
    let mut md = String::new();
    let primary = report.primary();
    let headline = match primary {
        Some(f) => format!("{} · {}", report.outcome.as_str(), f.code),
        None => report.outcome.as_str().to_string(),
    };
    md.push_str(&format!(
        "## authprobe: {} on {}\n\n",
        headline,
        code_span(&report.target)
    ));
    md.push_str(&format!(
        "**{}** · {} · authprobe {} · {} scan · {} · MCP {} · RFC {}\n\n",
        report.outcome.as_str(),
        counts_text(report),
        inline(&report.tool_version),
        inline(&report.mode),
        inline(&report.timestamp),
        inline(&report.mcp_mode),
        inline(&report.rfc_mode),
    ));
    md.push_str(&format!("> {}\n\n", inline(&outcome_sentence(report))));
    if let Some(summary) = security_summary(&report.findings) {
        md.push_str(&format!("**Security:** {}\n\n", inline(&summary)));
    }
    if !report.command.trim().is_empty() {
        md.push_str(&format!("Command: {}\n\n", code_span(&report.command)));
    }
    if let Some(token) = crate::common::token_summary(report) {
        md.push_str(&format!("Token: {}\n\n", inline(&token)));
    }

    if let Some(finding) = primary {
        md.push_str("### Primary finding\n\n");
        finding_block(&mut md, report, finding);
    }

    md.push_str("### Funnel\n\n| Stage | Step | Status | Detail |\n|---:|---|---|---|\n");
    for step in &report.steps {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            step.stage.number(),
            cell(&step.name),
            step.status.as_str(),
            cell(&step.detail)
        ));
    }
    md.push('\n');

    md.push_str("### Findings\n\n");
    if report.findings.is_empty() {
        md.push_str("No findings.\n\n");
    } else {
        md.push_str("| Severity | Code | Title | Evidence | Exchanges |\n|---|---|---|---|---|\n");
        for severity in SEVERITIES_WORST_FIRST {
            for finding in report.findings.iter().filter(|f| f.severity == severity) {
                let mut title = cell(finding.code.entry().title);
                if let Some(cause) = finding.caused_by {
                    title.push_str(&format!(" (consequence of `{cause}`)"));
                }
                let ids: Vec<String> = finding
                    .exchange_ids
                    .iter()
                    .map(|id| format!("[#{id}](#exchange-{id})"))
                    .collect();
                md.push_str(&format!(
                    "| {} | [`{}`](#{}) | {} | {} | {} |\n",
                    finding.severity.as_str(),
                    finding.code,
                    finding.code.as_str().to_ascii_lowercase(),
                    title,
                    cell(&finding.evidence),
                    ids.join(" ")
                ));
            }
        }
        md.push('\n');
        catalog_entries(&mut md, report);
    }

    root_cause(&mut md, report);
    clients(&mut md, report);
    exchanges(&mut md, report);
    md
}

/// Which clients get in; closed hosts are labelled as documented behaviour.
fn clients(md: &mut String, report: &Report) {
    if report.clients.is_empty() {
        return;
    }
    md.push_str("### Clients\n\n| Client | Verdict | Step | Why | Finding | Prints |\n|---|---|---|---|---|---|\n");
    for c in &report.clients {
        let name = if c.basis == "documented-behaviour" {
            format!("{} (documented behaviour)", cell(&c.name))
        } else {
            cell(&c.name)
        };
        let mut why = cell(&c.detail);
        if !c.assumptions.is_empty() {
            why.push_str(&format!(" (assumes: {})", cell(&c.assumptions.join("; "))));
        }
        md.push_str(&format!(
            "| {name} | {} | {} | {why} | {} | {} |\n",
            c.verdict.as_str(),
            c.step.map(|s| s.as_str()).unwrap_or(""),
            c.finding
                .map(|f| format!("[`{f}`](#{})", f.as_str().to_ascii_lowercase()))
                .unwrap_or_default(),
            c.message
                .as_deref()
                .map(|m| cell(&code_span(m)))
                .unwrap_or_default(),
        ));
    }
    md.push('\n');
}

/// The catalog entry of every code in the report, so that the report explains itself
/// without a link to anywhere else; each heading is the anchor the tables link to.
fn catalog_entries(md: &mut String, report: &Report) {
    md.push_str("### Catalog entries\n\n");
    let mut seen: Vec<Code> = Vec::new();
    for finding in &report.findings {
        if seen.contains(&finding.code) {
            continue;
        }
        seen.push(finding.code);
        let entry = finding.code.entry();
        md.push_str(&format!(
            "#### {}\n\n{}\n\n- **Severity:** {} · **Impact:** `{}`\n- **Fires when:** {}\n",
            finding.code,
            inline(entry.title),
            entry.severity.as_str(),
            entry.impact.as_str(),
            entry.fires_when
        ));
        md.push_str(&format!("- **Fix:** {}\n", entry.remediation));
        if !entry.references.is_empty() {
            md.push_str(&format!(
                "- **References:** {}\n",
                references(entry.references)
            ));
        }
        md.push_str(&format!(
            "- **More:** `authprobe explain {}`\n\n",
            finding.code
        ));
    }
}

/// The root-cause analysis, after the findings.
fn root_cause(md: &mut String, report: &Report) {
    let Some(analysis) = &report.root_cause else {
        return;
    };
    md.push_str("### Root-cause analysis\n\n");
    md.push_str(&format!("_{}_\n\n", inline(&source_line(analysis))));
    if let Some(note) = &analysis.note {
        md.push_str(&format!("> {}\n\n", inline(note)));
    }
    let mut in_list = false;
    for block in blocks(&analysis.text) {
        if in_list && !matches!(block, Block::Bullet(_)) {
            md.push('\n');
        }
        in_list = matches!(block, Block::Bullet(_));
        match block {
            Block::Heading(text) => md.push_str(&format!("**{}**\n\n", inline(&text))),
            Block::Para(text) => md.push_str(&format!("{}\n\n", inline(&text))),
            Block::Bullet(text) => md.push_str(&format!("- {}\n", inline(&text))),
            Block::Code(text) => md.push_str(&fenced("", &text)),
        }
    }
    if in_list {
        md.push('\n');
    }
    if analysis.finding.is_some() {
        md.push_str(&format!(
            "Citations: {}.\n",
            inline(&citation_count(analysis))
        ));
        for line in unverified_lines(analysis) {
            md.push_str(&format!("- **[unverified citation]** {}\n", inline(&line)));
        }
        md.push('\n');
    }
}

fn finding_block(md: &mut String, report: &Report, finding: &Finding) {
    let entry = finding.code.entry();
    md.push_str(&format!(
        "**{}** [`{}`](#{}): {} (confidence {:.2}, impact `{}`)\n\n",
        finding.severity.as_str().to_ascii_uppercase(),
        finding.code,
        finding.code.as_str().to_ascii_lowercase(),
        inline(entry.title),
        finding.confidence,
        entry.impact.as_str()
    ));
    md.push_str(&format!("- **Evidence:** {}\n", inline(&finding.evidence)));
    for id in &finding.exchange_ids {
        md.push_str(&format!(
            "  - [{}](#exchange-{id})\n",
            inline(&exchange_brief(report, *id))
        ));
    }
    md.push_str(&format!("- **Fix:** {}\n", entry.remediation));
    if !entry.references.is_empty() {
        md.push_str(&format!(
            "- **References:** {}\n",
            references(entry.references)
        ));
    }
    md.push_str(&format!(
        "- **More:** `authprobe explain {}`\n\n",
        finding.code
    ));
}

fn references(references: &[Reference]) -> String {
    references
        .iter()
        .map(|r| format!("[{}]({})", inline(&r.to_string()), r.url))
        .collect::<Vec<_>>()
        .join(", ")
}

fn exchanges(md: &mut String, report: &Report) {
    md.push_str(&format!(
        "<details>\n<summary>Exchanges ({}), each with a curl command to reproduce it</summary>\n\n",
        report.exchanges.len()
    ));
    let curl = CurlOptions {
        insecure: scanned_insecure(report),
    };
    let text = ExchangeTextOptions {
        body_limit: Some(BODY_LIMIT),
        terminal_safe: false,
    };
    for exchange in &report.exchanges {
        md.push_str(&format!(
            "<a id=\"exchange-{}\"></a>\n\n**{}**\n\n",
            exchange.id,
            inline(&exchange_heading(exchange))
        ));
        md.push_str(&fenced("http", &exchange_text(exchange, &text)));
        md.push_str(&fenced("sh", &curl_command(exchange, &curl)));
    }
    md.push_str("</details>\n");
}

/// A fenced code block whose fence is longer than any backtick run inside, so the
/// content cannot close it.
fn fenced(info: &str, content: &str) -> String {
    let longest = longest_run(content, '`');
    let fence = "`".repeat(longest.max(2) + 1);
    let mut body = content.replace('\r', "");
    if !body.ends_with('\n') {
        body.push('\n');
    }
    format!("{fence}{info}\n{body}{fence}\n\n")
}

fn longest_run(text: &str, wanted: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == wanted {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// Inline code whose delimiters outnumber the backticks inside.
fn code_span(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// Text for running prose: HTML and Markdown punctuation escaped, one line.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' | '\n' => out.push(' '),
            // Inline text never starts a line, so `#`, `>` and list markers are inert.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// Text for a table cell: as [`inline`], never empty (an empty cell reads as a gap).
fn cell(text: &str) -> String {
    let out = inline(text);
    if out.trim().is_empty() {
        "–".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests;
