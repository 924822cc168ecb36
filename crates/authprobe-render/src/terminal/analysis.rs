//! The root-cause analysis, closing the terminal report: who wrote it, its text,
//! and the citations that could not be confirmed.

use authprobe_core::report::Report;

use super::{Out, BOLD, DIM, PLAIN};
use crate::root_cause::{blocks, citation_count, source_line, unverified_lines, Block};
use crate::text::{clean, one_line};

/// Appends the analysis, when the report has one.
pub(super) fn render(out: &mut Out, report: &Report) {
    let Some(analysis) = &report.root_cause else {
        return;
    };
    out.blank();
    let heading = out.paint(BOLD, "Root-cause analysis");
    let source = out.paint(DIM, &format!("({})", one_line(&source_line(analysis))));
    out.line(&format!("{heading} {source}"));
    if let Some(note) = &analysis.note {
        out.labeled(2, "note", &one_line(note));
    }
    if analysis.finding.is_none() {
        out.wrapped("  ", 2, 2, &one_line(&analysis.text), PLAIN);
        return;
    }
    for block in blocks(&analysis.text) {
        match block {
            Block::Heading(text) => {
                out.blank();
                let painted = out.paint(BOLD, &one_line(&text));
                out.line(&format!("  {painted}"));
            }
            Block::Para(text) => out.wrapped("  ", 2, 2, &one_line(&text), PLAIN),
            Block::Bullet(text) => out.wrapped("  - ", 4, 4, &one_line(&text), PLAIN),
            // Copyable as it is: never wrapped, only made safe for the terminal.
            Block::Code(text) => {
                for line in text.lines() {
                    out.line(&format!("      {}", clean(line)));
                }
            }
        }
    }
    out.blank();
    out.labeled(2, "citations", &citation_count(analysis));
    for line in unverified_lines(analysis) {
        let tag = out.paint(
            super::fg(anstyle::AnsiColor::Yellow),
            "[unverified citation]",
        );
        out.wrapped(&format!("    {tag} "), 26, 6, &one_line(&line), PLAIN);
    }
}
