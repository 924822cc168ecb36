//! Citations of specification sections, and a check that they exist.
//!
//! The table behind the check holds the section numbers and headings (never the
//! text) of every document the catalog cites. It is generated from the reference
//! texts by `scripts/gen-citations.py` into `citations/sections.tsv` and compiled
//! in, so nothing here reads a file at run time. Documents:
//!
//! - RFCs by number ("RFC 9728"), with the title taken from the RFC itself;
//! - the OAuth 2.1 draft -15 ("OAuth 2.1", "OAuth 2.1 (draft 15)",
//!   "draft-ietf-oauth-v2-1-15"); another draft number is an unknown document,
//!   since its numbering may differ;
//! - OpenID Connect Discovery 1.0 ("OIDC Discovery", "OpenID Connect Discovery");
//! - each MCP revision ("MCP 2025-11-25"), cited by heading path
//!   ("Authorization › Protected Resource Metadata Discovery Requirements"; a path
//!   may start at the folder, the page or any heading, and may skip levels), and
//!   its `schema.json` definitions as "Schema › Tool";
//! - two documents that are not vendored, written by hand in `table.rs` with their
//!   source named: JSON-RPC 2.0 (all sections) and the WHATWG Fetch Standard (the
//!   sections the catalog cites).
//!
//! What is not a section citation is not found: "local policy" and "operational"
//! (the catalog's words for rules of its own) name no document.
//!
//! ```
//! use authprobe_core::citations::{find, resolve, Resolution};
//! let text = "See RFC 9728 §3.3 and RFC 9728 §42.";
//! let checked: Vec<_> = find(text).iter().map(resolve).collect();
//! assert!(matches!(checked[0], Resolution::Verified { .. }));
//! assert!(matches!(checked[1], Resolution::Unverified { .. }));
//! ```

mod parse;
mod table;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::catalog::Reference;

/// One citation found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// The citation as written, e.g. `RFC 9728 (OAuth Security Best Practices) §3.3`;
    /// a section continuing a list ("RFC 9728 §3.1 and §3.3") is prefixed with its
    /// document (`RFC 9728 §3.3`).
    pub text: String,
    /// Byte offset where the citation starts in the text it was found in.
    pub start: usize,
    /// Byte offset just after it.
    pub end: usize,
    /// The document as we name it, e.g. `RFC 9728`, `OAuth 2.1`, `MCP 2025-11-25`.
    pub document: String,
    /// Which part of the document is cited.
    pub locator: Locator,
    /// A title the text gives the document in parentheses ("RFC 9728 (…)"), to be
    /// checked against ours.
    pub claimed_title: Option<String>,
    key: String,
}

/// Which part of a document a citation points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// The whole document ("RFC 9728", "MCP 2025-11-25").
    Document,
    /// A numbered section or appendix: `3.3`, `A.1`.
    Section(String),
    /// An MCP heading path, one name per level.
    Headings(Vec<String>),
}

/// What the check made of a citation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Resolution {
    /// The document and the section exist.
    Verified {
        /// The document as we name it, e.g. `RFC 9728`.
        document: &'static str,
        /// Its title, from our table (never from the text checked).
        document_title: &'static str,
        /// The section's number or heading path, `None` for the whole document.
        section: Option<String>,
        /// The section's title, `None` for the whole document.
        section_title: Option<&'static str>,
    },
    /// The citation could not be confirmed.
    Unverified {
        /// Why not.
        reason: Unverified,
        /// The document's real title when the document is known.
        document_title: Option<&'static str>,
    },
}

impl Resolution {
    /// True for [`Resolution::Verified`].
    pub fn is_verified(&self) -> bool {
        matches!(self, Resolution::Verified { .. })
    }

    /// The document title from our table, when the document is known.
    pub fn document_title(&self) -> Option<&'static str> {
        match self {
            Resolution::Verified { document_title, .. } => Some(document_title),
            Resolution::Unverified { document_title, .. } => *document_title,
        }
    }
}

/// Why a citation is unverified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unverified {
    /// The document is not in the table (an RFC the catalog never cites, another
    /// OAuth 2.1 draft, an unknown MCP revision).
    UnknownDocument,
    /// The document exists but has no such section or heading.
    NoSuchSection,
    /// The text gives the document a title that is not its title.
    WrongTitle {
        /// The title the text gave.
        claimed: String,
    },
}

impl std::fmt::Display for Unverified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unverified::UnknownDocument => f.write_str("unknown document"),
            Unverified::NoSuchSection => f.write_str("no such section"),
            Unverified::WrongTitle { claimed } => write!(f, "wrong title \"{claimed}\""),
        }
    }
}

/// Every citation in a free text, in order, none overlapping another.
pub fn find(text: &str) -> Vec<Citation> {
    parse::find(text)
}

/// Parses a text that is exactly one citation (surrounding spaces allowed).
pub fn parse(text: &str) -> Option<Citation> {
    let trimmed = text.trim();
    let found = parse::find(trimmed);
    match found.as_slice() {
        [one] if one.start == 0 && one.end == trimmed.len() => found.into_iter().next(),
        _ => None,
    }
}

/// Checks one citation against the table.
pub fn resolve(citation: &Citation) -> Resolution {
    let Some(doc) = table::document(&citation.key) else {
        return Resolution::Unverified {
            reason: Unverified::UnknownDocument,
            document_title: None,
        };
    };
    let unverified = |reason| Resolution::Unverified {
        reason,
        document_title: Some(doc.title),
    };
    if let Some(claimed) = &citation.claimed_title {
        if !title_matches(claimed, doc) {
            return unverified(Unverified::WrongTitle {
                claimed: claimed.clone(),
            });
        }
    }
    let (section, section_title) = match &citation.locator {
        Locator::Document => (None, None),
        Locator::Section(number) => match doc.section(number) {
            Some(title) => (Some(number.clone()), Some(title)),
            None => return unverified(Unverified::NoSuchSection),
        },
        Locator::Headings(path) => match doc.heading(path) {
            Some(chain) => (Some(path.join(" › ")), chain.last().copied()),
            None => return unverified(Unverified::NoSuchSection),
        },
    };
    Resolution::Verified {
        document: doc.name,
        document_title: doc.title,
        section,
        section_title,
    }
}

/// Checks a catalog reference (its `spec` and `section` read as one citation; words
/// after a section number, as in "Fetch Standard §3.2 CORS protocol", are a title
/// and not checked). A reference that does not read as a citation is an unknown
/// document.
pub fn check_reference(reference: &Reference) -> Resolution {
    let text = reference.to_string();
    match parse::find(&text).into_iter().next() {
        Some(c) if c.start == 0 => resolve(&c),
        _ => Resolution::Unverified {
            reason: Unverified::UnknownDocument,
            document_title: None,
        },
    }
}

/// The title of a document of the table by the name it is cited with (`RFC 9728`,
/// `OAuth 2.1`, `MCP 2025-11-25`, `JSON-RPC 2.0`).
pub fn document_title(name: &str) -> Option<&'static str> {
    table::documents()
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name.trim()))
        .map(|d| d.title)
}

/// Every document of the table: its name, title and the source of its numbers.
pub fn documents() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    table::documents()
        .iter()
        .map(|d| (d.name, d.title, d.source))
}

/// Short names a text may give a document instead of its title.
const ALIASES: &[(&str, &str)] = &[
    ("rfc7636", "pkce"),
    ("rfc9728", "prm"),
    ("rfc7591", "dcr"),
    ("rfc7592", "dcr"),
    ("rfc8414", "asm"),
    ("rfc9700", "bcp"),
    ("rfc6750", "bearer"),
];

/// Words that say nothing about which document is meant.
const FILLER: &[&str] = &[
    "the",
    "of",
    "for",
    "and",
    "a",
    "an",
    "by",
    "to",
    "rfc",
    "oauth",
    "2",
    "0",
    "1",
    "spec",
    "specification",
    "standard",
    "ietf",
    "framework",
];

/// Whether a title the text gives a document plausibly names it: at least half of
/// its meaningful words (singular, lowercase) occur in our title or its aliases.
fn title_matches(claimed: &str, doc: &table::Doc) -> bool {
    let ours: Vec<String> = words(doc.title)
        .into_iter()
        .chain(
            ALIASES
                .iter()
                .filter(|(id, _)| *id == doc.id)
                .map(|(_, a)| a.to_string()),
        )
        .collect();
    let theirs = words(claimed);
    if theirs.is_empty() {
        return true;
    }
    let hits = theirs.iter().filter(|w| ours.contains(w)).count();
    hits * 2 >= theirs.len()
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !FILLER.contains(&w.as_str()))
        .map(|w| {
            if w.len() > 3 && w.ends_with('s') {
                w[..w.len() - 1].to_string()
            } else {
                w
            }
        })
        .collect()
}
