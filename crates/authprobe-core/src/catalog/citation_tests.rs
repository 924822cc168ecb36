//! Every reference of every catalog entry names a section that exists, checked
//! against the table of section numbers and headings generated from the vendored
//! texts (`citations`): a typo or a stale number fails here.

use super::{Code, Reference};
use crate::citations::{check_reference, Resolution, Unverified};

/// The references of every entry that do not resolve, with the reason.
fn unresolved(entries: impl Iterator<Item = (Code, &'static Reference)>) -> Vec<String> {
    entries
        .filter_map(|(code, r)| match check_reference(r) {
            Resolution::Verified { .. } => None,
            Resolution::Unverified { reason, .. } => Some(format!("{code}: {r} ({reason})")),
        })
        .collect()
}

#[test]
fn every_reference_of_every_entry_resolves() {
    let all = Code::ALL
        .iter()
        .flat_map(|c| c.entry().references.iter().map(move |r| (*c, r)));
    let bad = unresolved(all);
    assert!(
        bad.is_empty(),
        "catalog references that name no real section:\n{}",
        bad.join("\n")
    );
}

#[test]
fn a_wrong_section_or_document_fails_the_check() {
    const WRONG_NUMBER: Reference = Reference {
        spec: "RFC 9728",
        section: "§42.7",
        url: "https://www.rfc-editor.org/rfc/rfc9728#section-42.7",
    };
    const WRONG_HEADING: Reference = Reference {
        spec: "MCP 2025-11-25",
        section: "Authorization › Protected Resource Metadata Discovery Demands",
        url: "https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization",
    };
    const WRONG_DOCUMENT: Reference = Reference {
        spec: "RFC 99999",
        section: "§1",
        url: "https://www.rfc-editor.org/rfc/rfc99999#section-1",
    };
    for (wrong, why) in [
        (&WRONG_NUMBER, Unverified::NoSuchSection),
        (&WRONG_HEADING, Unverified::NoSuchSection),
        (&WRONG_DOCUMENT, Unverified::UnknownDocument),
    ] {
        let bad = unresolved([(Code::PrmResourceMismatch, wrong)].into_iter());
        assert_eq!(bad.len(), 1, "{wrong} was accepted");
        assert!(bad[0].contains(&why.to_string()), "{}", bad[0]);
    }
    // The same check accepts the real section next to the wrong one.
    const RIGHT: Reference = Reference {
        spec: "RFC 9728",
        section: "§3.3",
        url: "https://www.rfc-editor.org/rfc/rfc9728#section-3.3",
    };
    assert!(unresolved([(Code::PrmResourceMismatch, &RIGHT)].into_iter()).is_empty());
}
