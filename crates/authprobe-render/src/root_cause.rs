//! The root-cause analysis as every format shows it: its text cut into blocks
//! (headings, paragraphs, bullets, code), a line saying who wrote it, and the
//! citations the section table could not confirm.

use authprobe_core::root_cause::{RootCause, Source};

/// One block of the analysis text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A line that introduces what follows ("What to change:").
    Heading(String),
    /// Running text.
    Para(String),
    /// A list item.
    Bullet(String),
    /// Lines to copy as they are (a corrected header or document).
    Code(String),
}

/// Who wrote the analysis, in one line.
pub(crate) fn source_line(analysis: &RootCause) -> String {
    match analysis.source {
        Source::Deterministic => "built from the report and the catalog".to_string(),
        Source::Llm => {
            let provider = analysis.provider.as_deref().unwrap_or("an LLM provider");
            let model = analysis.model.as_deref().unwrap_or("a model");
            format!(
                "written by {model} ({provider}) from the redacted report; its citations are checked against the section table"
            )
        }
    }
}

/// The citations the section table could not confirm, one line each.
pub(crate) fn unverified_lines(analysis: &RootCause) -> Vec<String> {
    analysis
        .citations
        .iter()
        .filter(|c| !c.verified)
        .map(|c| {
            let reason = c.reason.as_deref().unwrap_or("not confirmed");
            match &c.title {
                // The title the text gave is not repeated: only ours is printed.
                Some(title) if reason.starts_with("wrong title") => {
                    let cited = c.text.split('(').next().unwrap_or(&c.text).trim();
                    format!("{cited}: the answer gave it another title; it is “{title}”")
                }
                Some(title) => format!("{}: {reason} (the document is “{title}”)", c.text),
                None => format!("{}: {reason}", c.text),
            }
        })
        .collect()
}

/// How many citations were checked, and how many of them hold.
pub(crate) fn citation_count(analysis: &RootCause) -> String {
    let total = analysis.citations.len();
    let verified = analysis.citations.iter().filter(|c| c.verified).count();
    match (total, total - verified) {
        (0, _) => "no citation to check".to_string(),
        (n, 0) => format!("{n} citation(s) checked, all verified"),
        (n, bad) => format!("{n} citation(s) checked, {bad} unverified"),
    }
}

/// Cuts the text into blocks. Fenced code (```), and lines indented by four spaces
/// or more, are code; `- `, `* ` and `1. ` start a bullet; `#` lines and short lines
/// ending with `:` are headings; other lines join into paragraphs.
pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut code: Vec<String> = Vec::new();
    let mut fenced = false;
    let flush_para = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Para(para.join(" ")));
            para.clear();
        }
    };
    let flush_code = |code: &mut Vec<String>, out: &mut Vec<Block>| {
        if !code.is_empty() {
            out.push(Block::Code(code.join("\n")));
            code.clear();
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush_para(&mut para, &mut out);
            if fenced {
                flush_code(&mut code, &mut out);
            }
            fenced = !fenced;
            continue;
        }
        if fenced {
            code.push(line.to_string());
            continue;
        }
        if line.starts_with("    ") && !trimmed.is_empty() {
            flush_para(&mut para, &mut out);
            code.push(line[4..].to_string());
            continue;
        }
        flush_code(&mut code, &mut out);
        if trimmed.is_empty() {
            flush_para(&mut para, &mut out);
        } else if let Some(item) = bullet(trimmed) {
            flush_para(&mut para, &mut out);
            out.push(Block::Bullet(item.to_string()));
        } else if let Some(heading) = heading(trimmed) {
            flush_para(&mut para, &mut out);
            out.push(Block::Heading(heading));
        } else {
            para.push(trimmed);
        }
    }
    flush_para(&mut para, &mut out);
    flush_code(&mut code, &mut out);
    out
}

fn bullet(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some(rest.trim());
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (digits > 0 && line[digits..].starts_with(". ")).then(|| line[digits + 2..].trim())
}

fn heading(line: &str) -> Option<String> {
    if line.starts_with('#') {
        return Some(
            line.trim_start_matches('#')
                .trim()
                .trim_matches('*')
                .to_string(),
        );
    }
    let bare = line.trim_matches('*');
    (bare.ends_with(':') && bare.chars().count() <= 60)
        .then(|| bare.trim_end_matches(':').to_string())
}

#[cfg(test)]
mod tests;
