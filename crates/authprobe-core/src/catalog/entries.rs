//! The catalog table: one [`Entry`] per [`Code`], filed by stage in
//! `entries/stageN.rs` and indexed here by code at compile time.
//!
//! The index is built by a `const fn`, so a code without an entry, a code with
//! two entries, or an entry filed under the wrong stage is a compile error, and
//! [`entry`] is a plain array access.

use super::{Code, Entry};

/// A citation of an RFC section: `rfc!("9728", "3.3")`.
macro_rules! rfc {
    ($number:literal, $section:literal) => {
        $crate::catalog::Reference {
            spec: concat!("RFC ", $number),
            section: concat!("§", $section),
            url: concat!(
                "https://www.rfc-editor.org/rfc/rfc",
                $number,
                "#section-",
                $section
            ),
        }
    };
}

/// A citation of draft-ietf-oauth-v2-1-15: `oauth21!("4.1.1")`.
macro_rules! oauth21 {
    ($section:literal) => {
        $crate::catalog::Reference {
            spec: "OAuth 2.1 (draft 15)",
            section: concat!("§", $section),
            url: concat!(
                "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-15#section-",
                $section
            ),
        }
    };
}

/// A citation of an MCP revision by heading, with the page and the site's anchor
/// (the last heading, lowercased, spaces to hyphens, punctuation dropped):
/// `mcp!("2025-11-25", "Authorization › Token Handling", "basic/authorization#token-handling")`.
macro_rules! mcp {
    ($revision:literal, $section:literal, $page:literal) => {
        $crate::catalog::Reference {
            spec: concat!("MCP ", $revision),
            section: $section,
            url: concat!(
                "https://modelcontextprotocol.io/specification/",
                $revision,
                "/",
                $page
            ),
        }
    };
}

/// A citation of the JSON-RPC 2.0 specification: `jsonrpc!("5", "response_object")`.
macro_rules! jsonrpc {
    ($section:literal, $anchor:literal) => {
        $crate::catalog::Reference {
            spec: "JSON-RPC 2.0",
            section: concat!("§", $section),
            url: concat!("https://www.jsonrpc.org/specification#", $anchor),
        }
    };
}

mod stage1;
mod stage2;
mod stage3;
mod stage4;
mod stage5;
mod stage6;
mod stage7;

/// Number of codes.
const N: usize = Code::ALL.len();

/// The entries of each stage, in `Stage` order.
const STAGES: [&[Entry]; 7] = [
    stage1::ENTRIES,
    stage2::ENTRIES,
    stage3::ENTRIES,
    stage4::ENTRIES,
    stage5::ENTRIES,
    stage6::ENTRIES,
    stage7::ENTRIES,
];

/// Every entry, indexed by `Code::index()`.
static TABLE: [Entry; N] = build();

const fn build() -> [Entry; N] {
    let mut table = [stage1::ENTRIES[0]; N];
    let mut filled = [false; N];
    let mut s = 0;
    while s < STAGES.len() {
        let entries = STAGES[s];
        let mut i = 0;
        while i < entries.len() {
            let entry = entries[i];
            let slot = entry.code as usize;
            if filled[slot] {
                panic!("a finding code has two catalog entries");
            }
            if entry.stage as usize != s {
                panic!("a catalog entry is filed under the wrong stage");
            }
            table[slot] = entry;
            filled[slot] = true;
            i += 1;
        }
        s += 1;
    }
    let mut k = 0;
    while k < N {
        if !filled[k] {
            panic!("a finding code has no catalog entry");
        }
        k += 1;
    }
    table
}

pub(super) fn entry(code: Code) -> &'static Entry {
    &TABLE[code.index()]
}
