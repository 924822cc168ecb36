//! The section table: the generated `sections.tsv` (read once, at first use) plus
//! the hand-written addendum for the two documents the catalog cites that are not
//! vendored with the reference texts.

use std::sync::OnceLock;

/// The generated table (see `scripts/gen-citations.py` for its line format).
const GENERATED: &str = include_str!("sections.tsv");

/// A document of the table.
#[derive(Debug)]
pub(crate) struct Doc {
    /// Key the parser produces, e.g. `rfc9728`, `oauth21`, `mcp-2025-11-25`.
    pub id: &'static str,
    /// How it is cited, e.g. `RFC 9728`.
    pub name: &'static str,
    /// Its title, e.g. `OAuth 2.0 Protected Resource Metadata`.
    pub title: &'static str,
    /// Where the numbers and headings come from.
    pub source: &'static str,
    /// Numbered sections (`3.3`, `A.1`) and their titles.
    pub sections: Vec<(&'static str, &'static str)>,
    /// Heading chains of an MCP revision: each level lists its accepted names.
    pub headings: Vec<Vec<Vec<&'static str>>>,
}

/// The JSON-RPC 2.0 specification is not vendored: its section numbers and titles
/// are written here by hand from <https://www.jsonrpc.org/specification>.
const JSONRPC_SECTIONS: &[(&str, &str)] = &[
    ("1", "Overview"),
    ("2", "Conventions"),
    ("3", "Compatibility"),
    ("4", "Request object"),
    ("4.1", "Notification"),
    ("4.2", "Parameter Structures"),
    ("5", "Response object"),
    ("5.1", "Error object"),
    ("6", "Batch"),
    ("7", "Examples"),
    ("8", "Extensions"),
];

/// The WHATWG Fetch Standard is a living standard and is not vendored: only the
/// sections the catalog cites are listed, by hand, from
/// <https://fetch.spec.whatwg.org/> ("3. HTTP extensions", "3.3. CORS protocol":
/// the section moved from 3.2 to 3.3 in 2025, as the audited check catalog records).
const FETCH_SECTIONS: &[(&str, &str)] = &[
    ("3", "HTTP extensions"),
    ("3.2", "`Origin` header"),
    ("3.3", "CORS protocol"),
];

static TABLE: OnceLock<Vec<Doc>> = OnceLock::new();

/// Every document of the table, generated ones first.
pub(crate) fn documents() -> &'static [Doc] {
    TABLE.get_or_init(build)
}

/// The document with this key.
pub(crate) fn document(id: &str) -> Option<&'static Doc> {
    documents().iter().find(|d| d.id == id)
}

fn build() -> Vec<Doc> {
    let mut docs: Vec<Doc> = Vec::new();
    for line in GENERATED.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let fields: Vec<&'static str> = line.split('\t').collect();
        match fields.as_slice() {
            ["D", id, name, title, source] => docs.push(Doc {
                id,
                name,
                title,
                source,
                sections: Vec::new(),
                headings: Vec::new(),
            }),
            ["S", id, number, title] => {
                if let Some(doc) = docs.iter_mut().rev().find(|d| d.id == *id) {
                    doc.sections.push((number, title));
                }
            }
            ["H", id, _page_levels, chain] => {
                if let Some(doc) = docs.iter_mut().rev().find(|d| d.id == *id) {
                    let levels = chain
                        .split(" › ")
                        .map(|level| level.split(" | ").collect())
                        .collect();
                    doc.headings.push(levels);
                }
            }
            // The file is generated and tested; an unknown line is skipped, not fatal.
            _ => {}
        }
    }
    docs.push(Doc {
        id: "jsonrpc",
        name: "JSON-RPC 2.0",
        title: "JSON-RPC 2.0 Specification",
        source: "https://www.jsonrpc.org/specification (hand-written addendum)",
        sections: JSONRPC_SECTIONS.to_vec(),
        headings: Vec::new(),
    });
    docs.push(Doc {
        id: "fetch",
        name: "Fetch Standard",
        title: "Fetch Standard (WHATWG)",
        source: "https://fetch.spec.whatwg.org/ (hand-written addendum)",
        sections: FETCH_SECTIONS.to_vec(),
        headings: Vec::new(),
    });
    docs
}

/// Compares two heading names the way a reader would: case, backticks, quotes and
/// runs of spaces do not matter.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    normal(a) == normal(b)
}

fn normal(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|c| !matches!(c, '`' | '"' | '\'' | '“' | '”' | '*'))
        .flat_map(char::to_lowercase)
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Doc {
    /// The title of a numbered section.
    pub(crate) fn section(&self, number: &str) -> Option<&'static str> {
        self.sections
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(number))
            .map(|(_, t)| *t)
    }

    /// The heading a path of names reaches: the names must appear in order along one
    /// heading chain, the last one naming the heading itself (a path may skip
    /// levels, e.g. "Transports › Security Warning"). Returns the full chain, each
    /// level by its first name.
    pub(crate) fn heading(&self, path: &[String]) -> Option<Vec<&'static str>> {
        let last = path.last()?;
        self.headings.iter().find_map(|chain| {
            let end = chain.last()?;
            if !end.iter().any(|n| same_name(n, last)) {
                return None;
            }
            let mut level = 0;
            for name in &path[..path.len() - 1] {
                let found = chain[level..chain.len() - 1]
                    .iter()
                    .position(|names| names.iter().any(|n| same_name(n, name)))?;
                level += found + 1;
            }
            Some(chain.iter().map(|names| names[0]).collect())
        })
    }
}
