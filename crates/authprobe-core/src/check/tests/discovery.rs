//! Stage 3 across candidates: fallbacks, metadata behind auth, and silence.

use crate::catalog::Code;
use crate::report::Outcome;

use super::fixtures::*;
use super::judging::*;

/// A protected server whose challenge names no metadata URL.
fn unhinted() -> Site {
    let challenge = r#"Bearer scope="mcp:tools""#;
    Site::protected()
        .init(unauthorized(challenge))
        .get(unauthorized(challenge))
        .bogus(unauthorized(
            r#"Bearer error="invalid_token", scope="mcp:tools""#,
        ))
}

#[test]
fn path_suffix_missing_while_root_works() {
    let scene = unhinted().route(PS, not_found()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[
            Code::DiscoveryResourceMetadataMissing,
            Code::PrmWellknownPathSuffixMissing,
        ],
    );
    assert_ids(
        &findings,
        Code::PrmWellknownPathSuffixMissing,
        &[scene.fetch(PS)],
    );
    assert_ids(
        &findings,
        Code::DiscoveryResourceMetadataMissing,
        &[scene.init(), scene.fetch(ROOT)],
    );
    assert_eq!(outcome, Outcome::ProtectedOk);
    // Both low: the earlier stage is the primary one.
    assert_eq!(primary, Some(Code::DiscoveryResourceMetadataMissing));
}

#[test]
fn root_missing_is_no_finding_when_the_hint_works() {
    // MCP asks for one discovery mechanism; the challenge's URL is one that works.
    let scene = Site::protected().route(ROOT, not_found()).record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[]);
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn root_missing_while_path_suffix_works() {
    let scene = unhinted().route(ROOT, not_found()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[
            Code::DiscoveryResourceMetadataMissing,
            Code::DiscoveryRootWellknown404,
        ],
    );
    assert_ids(
        &findings,
        Code::DiscoveryRootWellknown404,
        &[scene.fetch(ROOT)],
    );
    assert_eq!(outcome, Outcome::ProtectedOk);
    // Both low and stage-ordered: the challenge's missing hint comes first.
    assert_eq!(primary, Some(Code::DiscoveryResourceMetadataMissing));
}

#[test]
fn every_candidate_timing_out_raises_nothing() {
    for site in [
        unhinted(),
        // The hinted URL is the path-suffix one: it times out too.
        Site::protected(),
    ] {
        let scene = site.route(PS, timeout()).route(ROOT, timeout()).record();
        let (findings, _, primary) = judge(&scene);
        assert_codes(&findings, &[]);
        assert_eq!(primary, None);
    }
}

#[test]
fn every_candidate_timing_out_is_not_protected_ok() {
    let scene = unhinted()
        .route(PS, timeout())
        .route(ROOT, timeout())
        .record();
    let (_, outcome, _) = judge(&scene);
    // CHECKS.md: protected-ok means "auth required and discovery works".
    assert_eq!(outcome, Outcome::Timeout);
}

#[test]
fn a_timed_out_candidate_is_not_cited_as_a_bad_status() {
    let scene = unhinted()
        .route(PS, timeout())
        .route(ROOT, not_found())
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[Code::OauthDiscoveryUnavailable, Code::PrmHttpStatusNot200],
    );
    assert_ids(&findings, Code::PrmHttpStatusNot200, &[scene.fetch(ROOT)]);
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::PrmHttpStatusNot200)
    );
    assert_eq!(primary, Some(Code::PrmHttpStatusNot200));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn metadata_behind_auth_everywhere() {
    let scene = unhinted()
        .route(PS, bare_401())
        .route(ROOT, status(403))
        .record();
    let (findings, _, primary) = judge(&scene);
    // 401/403 are reported as metadata behind auth, not as a bad status.
    assert_codes(
        &findings,
        &[Code::OauthDiscoveryUnavailable, Code::PrmRequiresAuth],
    );
    assert_ids(
        &findings,
        Code::PrmRequiresAuth,
        &[scene.fetch(PS), scene.fetch(ROOT)],
    );
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::PrmRequiresAuth)
    );
    assert_eq!(primary, Some(Code::PrmRequiresAuth));
}

#[test]
fn metadata_behind_auth_on_a_candidate_that_is_not_chosen() {
    let scene = Site::protected().route(ROOT, bare_401()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::PrmRequiresAuth]);
    assert_ids(&findings, Code::PrmRequiresAuth, &[scene.fetch(ROOT)]);
    assert_eq!(primary, Some(Code::PrmRequiresAuth));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}
