//! The root-cause analysis of a report: for the primary finding, what is wrong in two
//! or three sentences, why it is a violation (each claim with the section that makes
//! it), what happened on this server, what to change (with the corrected header,
//! document or response built from the scan's own URLs where the catalog allows), and
//! what a client sees today.
//!
//! It is built from the report and the catalog alone, so every report has one. A
//! language model may later rewrite its `text` (`source: llm`); the structured parts
//! stay those written here.

mod claims;
mod fix;
#[cfg(test)]
mod tests;
mod text;

use serde::{Deserialize, Serialize};

use crate::catalog::Code;
use crate::citations;
use crate::http::ExchangeId;
use crate::report::{Finding, Report};

/// Who wrote the `text` of a [`RootCause`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Built from the report and the catalog.
    Deterministic,
    /// Rewritten by a language model from the report (citations checked).
    Llm,
}

/// The root-cause analysis of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootCause {
    /// Who wrote `text`.
    pub source: Source,
    /// The LLM provider (`openai`, `anthropic`, `openai-compatible`), for `source: llm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The model that wrote `text`, for `source: llm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Why the LLM analysis is missing (a provider failure), or which provider was
    /// chosen when several were configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The finding analysed: the primary finding, or none.
    pub finding: Option<Code>,
    /// The analysis as plain text: the parts below in prose, or the model's answer
    /// with every unverified citation marked `[unverified citation]`.
    pub text: String,
    /// Every citation in `text`, checked against the section table.
    pub citations: Vec<CheckedCitation>,
    /// Two or three sentences.
    pub summary: String,
    /// Why it is a violation: one claim per cited section.
    pub violation: Vec<Claim>,
    /// What happened on this server.
    pub observed: Vec<Observation>,
    /// What to change.
    pub fix: Fix,
    /// What a client sees today.
    pub client_view: String,
}

/// One claim of why the finding is a violation, and the section that makes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// What the section requires, in our words.
    pub claim: String,
    /// The citation, e.g. `RFC 9728 §5.1`.
    pub reference: String,
    /// Where to read it.
    pub url: String,
    /// The section's title from the section table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_title: Option<String>,
    /// Whether the section table confirms the section exists.
    pub verified: bool,
}

/// One fact observed on the server, with the exchanges that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// What was seen.
    pub text: String,
    /// The exchanges that show it.
    pub exchange_ids: Vec<ExchangeId>,
}

/// What to change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// The change, in words (the catalog's remediation).
    pub text: String,
    /// Corrected responses or documents for this server, ready to copy.
    pub artifacts: Vec<Artifact>,
}

/// A corrected response or document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    /// What it is and where it goes.
    pub label: String,
    /// `http` (a response head) or `json` (a document).
    pub kind: String,
    /// The exact text.
    pub content: String,
}

/// A citation found in the analysis text and what the section table says of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedCitation {
    /// The citation as written.
    pub text: String,
    /// Whether the document and section exist (and any title given is the right one).
    pub verified: bool,
    /// The document's title from our table, when the document is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The section's title from our table, when verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_title: Option<String>,
    /// Why it is unverified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl CheckedCitation {
    /// Checks one citation.
    pub fn check(citation: &citations::Citation) -> CheckedCitation {
        let resolution = citations::resolve(citation);
        let title = resolution.document_title().map(str::to_string);
        match resolution {
            citations::Resolution::Verified { section_title, .. } => CheckedCitation {
                text: citation.text.clone(),
                verified: true,
                title,
                section_title: section_title.map(str::to_string),
                reason: None,
            },
            citations::Resolution::Unverified { reason, .. } => CheckedCitation {
                text: citation.text.clone(),
                verified: false,
                title,
                section_title: None,
                reason: Some(reason.to_string()),
            },
        }
    }
}

/// Every citation of a text, checked.
pub fn check_citations(text: &str) -> Vec<CheckedCitation> {
    citations::find(text)
        .iter()
        .map(CheckedCitation::check)
        .collect()
}

/// A model's answer made safe to show: each citation the section table cannot
/// confirm is marked `[unverified citation]` in place, and a title given in
/// parentheses after a document ("RFC 9728 (…)") is replaced by the document's real
/// title from the table. Returns the marked text and every citation, checked.
pub fn mark_citations(text: &str) -> (String, Vec<CheckedCitation>) {
    let mut out = String::with_capacity(text.len() + 64);
    let mut checked = Vec::new();
    let mut last = 0;
    for citation in citations::find(text) {
        out.push_str(&text[last..citation.start]);
        last = citation.end;
        let result = CheckedCitation::check(&citation);
        let mut shown = text[citation.start..citation.end].to_string();
        if let (Some(claimed), Some(title)) = (&citation.claimed_title, &result.title) {
            shown = shown.replacen(claimed.as_str(), title, 1);
        }
        out.push_str(&shown);
        if !result.verified {
            out.push_str(" [unverified citation]");
        }
        checked.push(result);
    }
    out.push_str(&text[last..]);
    (out, checked)
}

/// The deterministic root-cause analysis of a report.
pub fn analyse(report: &Report) -> RootCause {
    let Some(primary) = report.primary() else {
        return without_primary(report);
    };
    let entry = primary.code.entry();
    let violation = claims::claims(primary);
    let observed = observations(report, primary);
    let fix = Fix {
        text: entry.remediation.to_string(),
        artifacts: fix::artifacts(report, primary),
    };
    let summary = text::summary(report, primary);
    let client_view = text::client_view(report, primary);
    let mut analysis = RootCause {
        source: Source::Deterministic,
        provider: None,
        model: None,
        note: None,
        finding: Some(primary.code),
        text: String::new(),
        citations: Vec::new(),
        summary,
        violation,
        observed,
        fix,
        client_view,
    };
    analysis.text = text::compose(&analysis);
    analysis.citations = check_citations(&analysis.text);
    analysis
}

/// A report without a primary finding gets a one-paragraph analysis saying so.
fn without_primary(report: &Report) -> RootCause {
    let summary = text::no_primary(report);
    RootCause {
        source: Source::Deterministic,
        provider: None,
        model: None,
        note: None,
        finding: None,
        text: summary.clone(),
        citations: Vec::new(),
        summary,
        violation: Vec::new(),
        observed: Vec::new(),
        fix: Fix::default(),
        client_view: String::new(),
    }
}

/// The primary finding's evidence, each of its exchanges, and the findings that are
/// its consequences.
fn observations(report: &Report, primary: &Finding) -> Vec<Observation> {
    let mut out = vec![Observation {
        text: primary.evidence.clone(),
        exchange_ids: primary.exchange_ids.clone(),
    }];
    for id in &primary.exchange_ids {
        if let Some(exchange) = report.exchange(*id) {
            out.push(Observation {
                text: exchange.summary(),
                exchange_ids: vec![*id],
            });
        }
    }
    for consequence in report
        .findings
        .iter()
        .filter(|f| f.caused_by == Some(primary.code))
    {
        out.push(Observation {
            text: format!(
                "{} follows from it: {}",
                consequence.code,
                consequence.code.entry().title
            ),
            exchange_ids: consequence.exchange_ids.clone(),
        });
    }
    out
}
