//! The profile table and the message lookup. How the profiles judge real scans is
//! tested against the lab and the real SDK clients (the truth table test of the
//! `authprobe` crate, tests/it/clients_truth.rs).

use super::profile::{Basis, Rules};
use super::profiles::PROFILES;
use super::*;

#[test]
fn profile_ids_are_unique_and_documented_rules_name_a_public_page() {
    let mut ids: Vec<&str> = PROFILES.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), PROFILES.len());
    for p in PROFILES {
        match (&p.rules, p.basis) {
            (Rules::Documented(rules), Basis::Documented) => {
                assert!(!rules.is_empty(), "{}", p.id);
                for r in *rules {
                    assert!(r.source.starts_with("https://"), "{}: {}", p.id, r.rule);
                }
            }
            (Rules::Walk(w), Basis::Code | Basis::Specification) => {
                assert!(
                    !w.sources.is_empty(),
                    "{} names where its rules come from",
                    p.id
                )
            }
            _ => panic!("{}: documented rules only for documented hosts", p.id),
        }
    }
}

#[test]
fn a_pasted_message_finds_the_client_that_prints_it() {
    let found = explain_error(
        "Error: Protected resource https://a.example/mcp/ does not match expected https://a.example/mcp (or origin)",
    );
    assert_eq!(found.first().map(|m| m.client), Some("typescript-sdk"));
    assert_eq!(found[0].step, ClientStep::ProtectedResourceMetadata);
    assert!(found[0].codes.contains(&Code::PrmResourceTrailingSlash));
    let found =
        explain_error("Incompatible auth server: does not support code challenge method S256");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].codes, &[Code::AuthServerPkceS256Missing]);
    assert!(explain_error("connection reset by peer").is_empty());
}

#[test]
fn only_getting_in_passes_the_client_gate() {
    assert_eq!(exit_code(Some(Verdict::GetsIn)), 0);
    assert_eq!(exit_code(Some(Verdict::Fails)), 2);
    assert_eq!(exit_code(Some(Verdict::Unknown)), 2);
    assert_eq!(exit_code(None), 2);
}
