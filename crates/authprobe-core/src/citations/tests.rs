use super::*;
use crate::catalog::Code;

fn check(text: &str) -> Resolution {
    let c = parse(text).unwrap_or_else(|| panic!("{text:?} does not parse as one citation"));
    resolve(&c)
}

fn verified_title(text: &str) -> (&'static str, Option<&'static str>) {
    match check(text) {
        Resolution::Verified {
            document_title,
            section_title,
            ..
        } => (document_title, section_title),
        other => panic!("{text:?}: {other:?}"),
    }
}

fn reason(text: &str) -> Unverified {
    match check(text) {
        Resolution::Unverified { reason, .. } => reason,
        other => panic!("{text:?} should be unverified: {other:?}"),
    }
}

#[test]
fn rfc_forms_resolve_to_the_rfcs_own_titles() {
    for form in [
        "RFC 9728 §3.3",
        "RFC 9728 Section 3.3",
        "RFC9728 §3.3",
        "RFC 9728, Section 3.3",
        "Section 3.3 of RFC 9728",
    ] {
        assert_eq!(
            verified_title(form),
            (
                "OAuth 2.0 Protected Resource Metadata",
                Some("Protected Resource Metadata Validation")
            ),
            "{form}"
        );
    }
    assert_eq!(
        verified_title("RFC 6749 §4.1.2.1").1,
        Some("Error Response")
    );
    assert_eq!(
        verified_title("RFC 9110 §11.6.1").1,
        Some("WWW-Authenticate")
    );
    assert_eq!(
        verified_title("RFC 7636 Appendix B").1,
        Some("Example for the S256 code_challenge_method")
    );
    assert_eq!(
        verified_title("RFC 8414").0,
        "OAuth 2.0 Authorization Server Metadata"
    );
}

#[test]
fn a_wrong_section_is_unverified() {
    assert_eq!(reason("RFC 9728 §3.9"), Unverified::NoSuchSection);
    assert_eq!(reason("RFC 6749 §4.1.2.9"), Unverified::NoSuchSection);
    assert_eq!(reason("OAuth 2.1 §99"), Unverified::NoSuchSection);
    assert_eq!(
        reason("MCP 2025-11-25 Authorization › Protected Resource Metadata Publication"),
        Unverified::NoSuchSection
    );
    // A heading of another revision: 2025-03-26 had no such section yet.
    assert_eq!(
        reason("MCP 2025-03-26 Authorization › Protected Resource Metadata Discovery Requirements"),
        Unverified::NoSuchSection
    );
}

#[test]
fn an_unknown_document_is_unverified() {
    assert_eq!(reason("RFC 1234 §2"), Unverified::UnknownDocument);
    assert_eq!(
        reason("OAuth 2.1 draft-13 §4.1.2"),
        Unverified::UnknownDocument
    );
    assert_eq!(
        reason("MCP 2024-01-01 Authorization"),
        Unverified::UnknownDocument
    );
}

#[test]
fn a_wrong_title_is_unverified_and_ours_is_given() {
    let c = parse("RFC 9728 (OAuth Security Best Practices)").expect("parses");
    assert_eq!(
        c.claimed_title.as_deref(),
        Some("OAuth Security Best Practices")
    );
    let r = resolve(&c);
    assert_eq!(
        r.document_title(),
        Some("OAuth 2.0 Protected Resource Metadata")
    );
    assert!(matches!(
        r,
        Resolution::Unverified {
            reason: Unverified::WrongTitle { .. },
            ..
        }
    ));
    // The right title, a short one, and the real security BCP all pass.
    assert!(check("RFC 9728 (OAuth 2.0 Protected Resource Metadata) §2").is_verified());
    assert!(check("RFC 7636 (PKCE) §4.2").is_verified());
    assert!(check("RFC 9700 (OAuth Security Best Practices)").is_verified());
    assert!(check("RFC 9728 (§3.3)").is_verified());
}

#[test]
fn oauth21_oidc_jsonrpc_and_fetch_forms_resolve() {
    for form in [
        "OAuth 2.1 §4.1.2",
        "OAuth 2.1 draft-15 §4.1.2",
        "OAuth 2.1 (draft 15) §4.1.2",
        "draft-ietf-oauth-v2-1-15 §4.1.2",
    ] {
        let (doc, section) = verified_title(form);
        assert!(
            doc.starts_with("The OAuth 2.1 Authorization Framework"),
            "{form}"
        );
        assert_eq!(section, Some("Authorization Response"), "{form}");
    }
    assert_eq!(
        verified_title("OAuth 2.1 draft-15 §5.1").1,
        Some("Bearer Token Requests")
    );
    assert_eq!(
        verified_title("OIDC Discovery §4").1,
        Some("Obtaining OpenID Provider Configuration Information")
    );
    assert!(check("OpenID Connect Discovery 1.0 §4.2").is_verified());
    assert_eq!(verified_title("JSON-RPC 2.0 §5.1").1, Some("Error object"));
    assert_eq!(
        verified_title("Fetch Standard §3.3").1,
        Some("CORS protocol")
    );
    assert_eq!(reason("JSON-RPC 2.0 §9"), Unverified::NoSuchSection);
}

#[test]
fn mcp_heading_paths_resolve() {
    let (_, title) = verified_title(
        "MCP 2025-11-25 Authorization › Protected Resource Metadata Discovery Requirements",
    );
    assert_eq!(
        title,
        Some("Protected Resource Metadata Discovery Requirements")
    );
    assert!(check("MCP 2025-11-25, Authorization > Canonical Server URI").is_verified());
    assert!(check("MCP 2025-11-25 Transports › Security Warning").is_verified());
    assert!(check("MCP 2025-11-25 Server › Tools › Tool Names").is_verified());
    assert!(check("MCP 2025-11-25 Schema › InitializeResult").is_verified());
    assert!(check("MCP 2026-07-28 Versioning › Protocol Version Negotiation").is_verified());
    assert!(check("MCP 2025-11-25 Lifecycle").is_verified());
    assert!(check("MCP 2025-11-25").is_verified());
}

#[test]
fn citations_are_found_in_prose_with_exact_spans() {
    let text = "The server breaks RFC 9728 §3.3; see also Section 2 of RFC 8414, OAuth 2.1 \
                draft-15 §5.1 and MCP 2025-11-25 Authorization › Protected Resource Metadata \
                Discovery Requirements which says so. JSON-RPC 2.0 §5 too.";
    let found: Vec<String> = find(text).into_iter().map(|c| c.text).collect();
    assert_eq!(
        found,
        [
            "RFC 9728 §3.3",
            "Section 2 of RFC 8414",
            "OAuth 2.1 draft-15 §5.1",
            "MCP 2025-11-25 Authorization › Protected Resource Metadata Discovery Requirements",
            "JSON-RPC 2.0 §5",
        ]
    );
    for c in find(text) {
        assert_eq!(&text[c.start..c.end], c.text);
        assert!(resolve(&c).is_verified(), "{}", c.text);
    }
}

#[test]
fn a_made_up_heading_in_prose_is_kept_whole_and_unverified() {
    let text = "Per MCP 2025-11-25 Authorization › Metadata Publishing Rules, servers must.";
    let found = find(text);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].text,
        "MCP 2025-11-25 Authorization › Metadata Publishing Rules"
    );
    assert_eq!(
        resolve(&found[0]),
        Resolution::Unverified {
            reason: Unverified::NoSuchSection,
            document_title: Some("Model Context Protocol specification, revision 2025-11-25"),
        }
    );
}

#[test]
fn words_that_are_not_citations_are_not_found() {
    assert!(find("local policy; operational; OAuth 2.1 forbids it; the fetch failed").is_empty());
}

#[test]
fn every_catalog_reference_is_a_known_document_and_section() {
    let mut bad = Vec::new();
    for code in Code::ALL {
        for r in code.entry().references {
            if !check_reference(r).is_verified() {
                bad.push(format!("{code}: {r} → {:?}", check_reference(r)));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "catalog references the table cannot confirm:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_table_holds_titles_not_prose() {
    let mut sections = 0;
    for doc in table::documents() {
        for (number, title) in &doc.sections {
            sections += 1;
            assert!(
                title.len() < 120 && !title.ends_with('.'),
                "{} {number}: {title}",
                doc.name
            );
        }
    }
    assert!(sections > 1400, "only {sections} numbered sections");
    assert!(documents().count() >= 29);
}

#[test]
fn a_remark_in_parentheses_is_not_a_title_and_a_closing_parenthesis_is_not_a_heading() {
    let found = find("see RFC 9110 (unbalanced quotes, missing commas) and RFC 9110 §11.6.1 (header 1, byte 25: x)");
    let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["RFC 9110", "RFC 9110 §11.6.1"]);
    assert!(found.iter().all(|c| resolve(c).is_verified()));
    let text = "(MCP 2025-11-25 Security Best Practices › Server-Side Request Forgery (SSRF)).";
    let found = find(text);
    assert_eq!(
        found[0].text,
        "MCP 2025-11-25 Security Best Practices › Server-Side Request Forgery (SSRF)"
    );
    assert!(resolve(&found[0]).is_verified());
}

#[test]
fn every_section_of_a_list_is_checked() {
    let text = "RFC 9728 §3.1, §3.3 and §3.9 apply; see also Sections 2 and 5.1 of nothing.";
    let found = find(text);
    let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["RFC 9728 §3.1", "RFC 9728 §3.3", "RFC 9728 §3.9"]);
    assert_eq!(&text[found[2].start..found[2].end], "§3.9");
    let verified: Vec<bool> = found.iter().map(|c| resolve(c).is_verified()).collect();
    assert_eq!(verified, [true, true, false]);
}
