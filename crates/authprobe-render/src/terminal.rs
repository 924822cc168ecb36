//! The terminal report: a header, the funnel (one line per step), the outcome, the
//! primary finding in full, the other findings in brief, the root-cause analysis, and a
//! closing summary line.
//!
//! Every string that came from the network is passed through `text::clean` first, so a
//! hostile server cannot write escape sequences to the user's terminal; colour, when
//! asked for, is the only escape sequence in the output.

mod analysis;
mod clients;
mod exchanges;
#[cfg(test)]
mod tests;

use anstyle::{AnsiColor, Style};
use authprobe_core::check::outcome::security_summary;
use authprobe_core::report::{Finding, Report, Severity, StepStatus};

use crate::common::{
    counts_text, exchange_brief, failed_exchange_ids, format_ms, outcome_sentence,
    SEVERITIES_WORST_FIRST,
};
use crate::text::{one_line, width_of, wrap};

/// Which exchanges the terminal report appends in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExchangeDump {
    /// None: the report cites exchanges by id only.
    #[default]
    None,
    /// Those that explain what went wrong (`--trace-failure`): see
    /// [`failed_exchange_ids`](crate::failed_exchange_ids).
    Failed,
    /// Every exchange of the scan.
    All,
}

/// How to lay the report out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalOptions {
    /// Emit ANSI colour and bold.
    pub color: bool,
    /// Wrap prose at this many columns (at least 40 is used).
    pub width: usize,
    /// Which exchanges to append in full (request, headers, body excerpts).
    pub exchanges: ExchangeDump,
    /// The `--fail-on` level, for the exit hint of the summary line (`None` for
    /// `--fail-on none`).
    pub fail_on: Option<Severity>,
    /// The `--fail-on-client` profile, whose verdict decides the exit code instead.
    pub fail_on_client: Option<String>,
}

impl Default for TerminalOptions {
    /// No colour, 100 columns, no exchanges, `--fail-on high`.
    fn default() -> Self {
        TerminalOptions {
            color: false,
            width: 100,
            exchanges: ExchangeDump::None,
            fail_on: Some(Severity::High),
            fail_on_client: None,
        }
    }
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const PLAIN: Style = Style::new();

fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

fn status_style(status: StepStatus) -> Style {
    match status {
        StepStatus::Pass => fg(AnsiColor::Green),
        StepStatus::Fail => fg(AnsiColor::Red).bold(),
        StepStatus::Warn => fg(AnsiColor::Yellow),
        StepStatus::Skip => DIM,
    }
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::High => fg(AnsiColor::Red).bold(),
        Severity::Medium => fg(AnsiColor::Yellow).bold(),
        Severity::Low => fg(AnsiColor::Cyan),
        Severity::Info => DIM,
    }
}

/// Narrowest room left for prose after an indent; below it the indent gives way.
const MIN_ROOM: usize = 24;
/// Widest the step-name column grows before long names get a line of their own.
const MAX_NAME_COLUMN: usize = 40;

/// The text being built, with the layout settings.
pub(crate) struct Out {
    buf: String,
    width: usize,
    color: bool,
}

impl Out {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color && style != PLAIN && !text.is_empty() {
            format!("{}{}{}", style.render(), text, style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn line(&mut self, text: &str) {
        self.buf.push_str(text);
        self.buf.push('\n');
    }

    fn blank(&mut self) {
        self.buf.push('\n');
    }

    /// Writes `lead` (already painted, `lead_width` columns wide), then `text` wrapped
    /// to the width; continuation lines are indented by `hang` columns.
    fn wrapped(&mut self, lead: &str, lead_width: usize, hang: usize, text: &str, style: Style) {
        let hang = if hang + MIN_ROOM > self.width {
            4
        } else {
            hang
        };
        let first = self.width.saturating_sub(lead_width).max(MIN_ROOM);
        let rest = self.width.saturating_sub(hang).max(MIN_ROOM);
        for (i, piece) in wrap(text, first, rest).iter().enumerate() {
            let painted = self.paint(style, piece);
            if i == 0 {
                self.line(format!("{lead}{painted}").trim_end());
            } else {
                self.line(&format!("{}{painted}", " ".repeat(hang)));
            }
        }
    }

    /// `    label: text`, continuation lines aligned under the text. Nothing for empty text.
    fn labeled(&mut self, indent: usize, label: &str, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let lead = format!("{}{label}: ", " ".repeat(indent));
        let width = width_of(&lead);
        let painted = format!(
            "{}{}",
            " ".repeat(indent),
            self.paint(DIM, &format!("{label}:"))
        );
        self.wrapped(&format!("{painted} "), width, width, text, PLAIN);
    }
}

/// Renders the report for a terminal.
///
/// This does not redact: pass a report that went through
/// [`redact_report`](crate::redact_report) (unless the user chose `--no-redact`).
pub fn render_terminal(report: &Report, options: &TerminalOptions) -> String {
    let mut out = Out {
        buf: String::new(),
        width: options.width.max(40),
        color: options.color,
    };
    header(&mut out, report);
    funnel(&mut out, report);
    outcome(&mut out, report);
    findings(&mut out, report);
    clients::render(&mut out, report);
    match options.exchanges {
        ExchangeDump::None => {}
        ExchangeDump::Failed => {
            exchanges::render(&mut out, report, Some(&failed_exchange_ids(report)))
        }
        ExchangeDump::All => exchanges::render(&mut out, report, None),
    }
    analysis::render(&mut out, report);
    summary(&mut out, report, options);
    out.buf
}

fn header(out: &mut Out, report: &Report) {
    let title = out.paint(
        BOLD,
        &format!("authprobe {}", one_line(&report.tool_version)),
    );
    out.line(&format!("{title}  scan {}", one_line(&report.target)));

    let protocol = &report.protocol;
    let mut facts = vec![
        format!("{} scan", one_line(&report.mode)),
        format!("MCP {}", one_line(&report.mcp_mode)),
        format!("RFC {}", one_line(&report.rfc_mode)),
    ];
    facts.push(match &protocol.negotiated_version {
        Some(version) => format!(
            "protocol {} ({})",
            one_line(version),
            one_line(&protocol.era)
        ),
        None if !protocol.requested_version.is_empty() => format!(
            "protocol {} (offered {})",
            one_line(&protocol.era),
            one_line(&protocol.requested_version)
        ),
        None => format!("protocol {}", one_line(&protocol.era)),
    });
    facts.extend(format_ms(report.duration_ms));
    out.wrapped("", 0, 2, &facts.join(" · "), PLAIN);
    if !report.command.trim().is_empty() {
        let lead = out.paint(DIM, "command:");
        out.wrapped(&format!("{lead} "), 9, 2, &one_line(&report.command), DIM);
    }
    if let Some(stdio) = &report.stdio {
        stdio_server(out, stdio);
    }
    if let Some(token) = crate::common::token_summary(report) {
        let lead = out.paint(DIM, "token:");
        out.wrapped(&format!("{lead} "), 7, 2, &one_line(&token), DIM);
    }
}

/// The stdio server behind the bridge: what ran, how it ended, its last stderr lines.
fn stdio_server(out: &mut Out, stdio: &authprobe_core::report::StdioServer) {
    let mut text = format!("`{}`", one_line(&stdio.command));
    if let Some(pid) = stdio.pid {
        text.push_str(&format!(", pid {pid}"));
    }
    if let Some(exit) = &stdio.exit {
        text.push_str(&format!(", {}", one_line(exit)));
    }
    let lead = out.paint(DIM, "stdio server:");
    out.wrapped(&format!("{lead} "), 14, 2, &text, DIM);
    if !stdio.stderr_tail.is_empty() {
        out.line(&out.paint(DIM, "  last stderr lines:"));
        for line in &stdio.stderr_tail {
            out.wrapped("    ", 4, 6, &one_line(line), DIM);
        }
    }
}

fn funnel(out: &mut Out, report: &Report) {
    out.blank();
    if report.steps.is_empty() {
        out.line("  (no step ran)");
        return;
    }
    let name_column = report
        .steps
        .iter()
        .map(|s| width_of(&one_line(&s.name)))
        .max()
        .unwrap_or(0)
        .min(MAX_NAME_COLUMN);
    // `  [PASS] 1  ` is twelve columns.
    let detail_column = 12 + name_column + 2;
    for step in &report.steps {
        let tag = out.paint(
            status_style(step.status),
            &format!("[{}]", step.status.as_str()),
        );
        let name = one_line(&step.name);
        let detail = one_line(&step.detail);
        let detail_style = if step.status == StepStatus::Skip {
            DIM
        } else {
            PLAIN
        };
        let lead = format!("  {tag} {}  ", step.stage.number());
        let name_width = width_of(&name);
        if detail.trim().is_empty() {
            out.line(&format!("{lead}{name}"));
        } else if name_width <= name_column && detail_column + MIN_ROOM <= out.width {
            let padded = format!("{lead}{name}{}  ", " ".repeat(name_column - name_width));
            out.wrapped(&padded, detail_column, detail_column, &detail, detail_style);
        } else {
            out.line(&format!("{lead}{name}"));
            let indent = " ".repeat(12);
            out.wrapped(&indent, 12, 12, &detail, detail_style);
        }
        if let Some(slow) = crate::phases::slow_phase(report, &step.exchange_ids) {
            let indent = " ".repeat(12);
            out.wrapped(&indent, 12, 12, &format!("slow: {slow}"), DIM);
        }
    }
}

fn outcome(out: &mut Out, report: &Report) {
    out.blank();
    let heading = out.paint(BOLD, &format!("Outcome: {}", report.outcome.as_str()));
    out.line(&heading);
    out.wrapped("  ", 2, 2, &one_line(&outcome_sentence(report)), PLAIN);
    if let Some(summary) = security_summary(&report.findings) {
        out.wrapped("  ", 2, 2, &format!("Security: {summary}"), PLAIN);
    }
}

fn findings(out: &mut Out, report: &Report) {
    out.blank();
    if report.findings.is_empty() {
        out.line("No findings.");
        return;
    }
    let primary = report.primary();
    if let Some(finding) = primary {
        let heading = out.paint(BOLD, "Primary finding");
        out.line(&heading);
        finding_title(out, finding);
        out.labeled(4, "evidence", &one_line(&finding.evidence));
        let exchanges: Vec<String> = finding
            .exchange_ids
            .iter()
            .map(|id| one_line(&exchange_brief(report, *id)))
            .collect();
        exchange_list(out, &exchanges);
        let entry = finding.code.entry();
        out.labeled(4, "fix", entry.remediation);
        let references: Vec<String> = entry.references.iter().map(ToString::to_string).collect();
        out.labeled(4, "see", &references.join(", "));
        out.labeled(4, "more", &format!("authprobe explain {}", finding.code));
    }

    let others: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| primary.is_none_or(|p| !std::ptr::eq(*f, p)))
        .collect();
    if others.is_empty() {
        return;
    }
    out.blank();
    let heading = if primary.is_some() {
        "Other findings"
    } else {
        "Findings"
    };
    let heading = out.paint(BOLD, heading);
    out.line(&heading);
    let mut first = true;
    for severity in SEVERITIES_WORST_FIRST {
        for finding in others.iter().filter(|f| f.severity == severity) {
            if !first {
                out.blank();
            }
            first = false;
            finding_title(out, finding);
            out.labeled(4, "evidence", &one_line(&finding.evidence));
            out.labeled(4, "fix", finding.code.entry().remediation);
        }
    }
}

/// `  HIGH  CODE  title (consequence of OTHER)`.
fn finding_title(out: &mut Out, finding: &Finding) {
    let severity = finding.severity.as_str().to_ascii_uppercase();
    let code = finding.code.as_str();
    let mut text = finding.code.entry().title.to_string();
    if let Some(cause) = finding.caused_by {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&format!("(consequence of {cause})"));
    }
    let lead = format!(
        "  {}  {}  ",
        out.paint(severity_style(finding.severity), &severity),
        out.paint(BOLD, code)
    );
    let lead_width = 2 + width_of(&severity) + 2 + width_of(code) + 2;
    out.wrapped(&lead, lead_width, 4, &text, PLAIN);
}

/// `    exchanges: #1 …` with one exchange per line, aligned.
fn exchange_list(out: &mut Out, exchanges: &[String]) {
    let label = "exchanges";
    let width = 4 + label.len() + 2;
    for (i, exchange) in exchanges.iter().enumerate() {
        let lead = if i == 0 {
            format!("    {} ", out.paint(DIM, &format!("{label}:")))
        } else {
            " ".repeat(width)
        };
        out.wrapped(&lead, width, width + 2, exchange, PLAIN);
    }
}

fn summary(out: &mut Out, report: &Report, options: &TerminalOptions) {
    out.blank();
    let lead = out.paint(BOLD, "Summary:");
    let hint = match &options.fail_on_client {
        Some(client) => client_exit_hint(report, client),
        None => exit_hint(report, options.fail_on),
    };
    let text = format!("{} · {hint}", counts_text(report));
    out.wrapped(&format!("{lead} "), 9, 2, &text, PLAIN);
}

/// What the exit code will be under `--fail-on-client`: 0 only when that client gets in.
fn client_exit_hint(report: &Report, client: &str) -> String {
    if report.outcome.is_failure_to_scan() {
        return "exit 3 (the scan could not reach the server)".to_string();
    }
    let verdict = report.clients.iter().find(|c| c.client == client);
    let code = authprobe_core::clients::exit_code(verdict.map(|v| v.verdict));
    let said = verdict.map_or("not judged", |v| v.verdict.as_str());
    format!(
        "exit {code} (--fail-on-client {}: {said})",
        one_line(client)
    )
}

/// What the exit code will be, and why, in the words of the `--fail-on` gate.
fn exit_hint(report: &Report, fail_on: Option<Severity>) -> String {
    if report.outcome.is_failure_to_scan() {
        return "exit 3 (the scan could not reach the server)".to_string();
    }
    let Some(level) = fail_on else {
        return "exit 0 (--fail-on none)".to_string();
    };
    // `info` is an observation and never fails a gate.
    let level = level.max(Severity::Low);
    let failed = report.findings.iter().any(|f| f.severity >= level);
    format!(
        "exit {} (--fail-on {})",
        if failed { 2 } else { 0 },
        level.as_str()
    )
}
