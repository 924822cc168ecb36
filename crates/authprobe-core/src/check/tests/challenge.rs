//! Stage 1: the unauthenticated initialize and its challenge.

use crate::catalog::Code;
use crate::report::{Outcome, Severity};

use super::fixtures::*;
use super::judging::*;

#[test]
fn a_server_that_does_everything_right_has_no_findings() {
    let scene = Site::protected().record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[]);
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, None);
}

/// The report this project started from: 401, no header, both well-known URLs 404.
#[test]
fn bug_report_401_without_challenge_and_without_metadata() {
    let scene = Site::protected()
        .init(bare_401())
        .get(bare_401())
        .bogus(bare_401())
        .route(PS, not_found())
        .route(ROOT, not_found())
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[
            Code::AuthRequiredButNotAdvertised,
            Code::DiscoveryNoWwwAuthenticate,
            Code::OauthDiscoveryUnavailable,
            Code::PrmHttpStatusNot200,
        ],
    );
    assert_eq!(primary, Some(Code::AuthRequiredButNotAdvertised));
    assert_eq!(outcome, Outcome::ProtectedBroken);
    let (init, ps, root) = (scene.init(), scene.fetch(PS), scene.fetch(ROOT));
    assert_ids(
        &findings,
        Code::AuthRequiredButNotAdvertised,
        &[init, ps, root],
    );
    assert_ids(&findings, Code::DiscoveryNoWwwAuthenticate, &[init]);
    assert_ids(&findings, Code::PrmHttpStatusNot200, &[ps, root]);
    assert_ids(&findings, Code::OauthDiscoveryUnavailable, &[ps, root]);
    let root_cause = finding(&findings, Code::AuthRequiredButNotAdvertised);
    assert_eq!(root_cause.caused_by, None);
    assert!(
        root_cause.evidence.contains("404"),
        "{}",
        root_cause.evidence
    );
    for code in [
        Code::DiscoveryNoWwwAuthenticate,
        Code::OauthDiscoveryUnavailable,
        Code::PrmHttpStatusNot200,
    ] {
        assert_eq!(
            finding(&findings, code).caused_by,
            Some(Code::AuthRequiredButNotAdvertised),
            "{code}"
        );
    }
}

#[test]
fn bug_report_with_403_has_no_missing_header_finding() {
    let forbidden = status(403)
        .header("Content-Type", "text/plain")
        .body("Forbidden");
    let scene = Site::protected()
        .init(forbidden.clone())
        .get(forbidden.clone())
        .bogus(forbidden)
        .route(PS, not_found())
        .route(ROOT, not_found())
        .record();
    let (findings, outcome, primary) = judge(&scene);
    // RFC 9110 §15.5.2 requires the header on 401 only; the bad token's 403 is a
    // wrong status of its own (RFC 6750 §3.1 calls for 401).
    assert_codes(
        &findings,
        &[
            Code::AuthRequiredButNotAdvertised,
            Code::InvalidTokenWrongStatus,
            Code::OauthDiscoveryUnavailable,
            Code::PrmHttpStatusNot200,
        ],
    );
    assert_eq!(primary, Some(Code::AuthRequiredButNotAdvertised));
    assert_eq!(outcome, Outcome::ProtectedBroken);
    assert_ids(
        &findings,
        Code::AuthRequiredButNotAdvertised,
        &[scene.init(), scene.fetch(PS), scene.fetch(ROOT)],
    );
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::AuthRequiredButNotAdvertised)
    );
}

#[test]
fn proxy_signature_on_401_without_challenge_is_suspected_even_without_metadata() {
    let scene = Site::protected()
        .init(bare_401().header("Via", "1.1 varnish"))
        .get(bare_401())
        .bogus(bare_401())
        .route(PS, not_found())
        .route(ROOT, not_found())
        .record();
    let (findings, _, primary) = judge(&scene);
    // CHECKS.md: "header missing on 401 but PRM valid at a well-known URL, or …,
    // or a CDN/proxy signature (Via, Server, X-Cache) on the 401".
    let suspected = finding(&findings, Code::HeaderStrippedByProxySuspected);
    assert!(
        suspected.evidence.contains("via: 1.1 varnish"),
        "{}",
        suspected.evidence
    );
    assert_eq!(primary, Some(Code::AuthRequiredButNotAdvertised));
}

#[test]
fn missing_header_with_valid_path_suffix_metadata_suspects_a_proxy() {
    let scene = Site::protected()
        .init(bare_401())
        .get(bare_401())
        .bogus(bare_401())
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[
            Code::DiscoveryNoWwwAuthenticate,
            Code::HeaderStrippedByProxySuspected,
        ],
    );
    assert_ids(
        &findings,
        Code::HeaderStrippedByProxySuspected,
        &[scene.init(), scene.fetch(PS)],
    );
    let suspected = finding(&findings, Code::HeaderStrippedByProxySuspected);
    assert!(
        !suspected.evidence.contains("signature"),
        "{}",
        suspected.evidence
    );
    assert_eq!(suspected.severity, Severity::Medium);
    assert_eq!(primary, Some(Code::DiscoveryNoWwwAuthenticate));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn missing_header_with_via_names_the_proxy_signature() {
    let scene = Site::protected()
        .init(bare_401().header("Via", "1.1 varnish"))
        .get(bare_401())
        .bogus(bare_401())
        .route(ROOT, not_found())
        .record();
    let (findings, _, _) = judge(&scene);
    assert_codes(
        &findings,
        &[
            Code::DiscoveryNoWwwAuthenticate,
            Code::HeaderStrippedByProxySuspected,
            Code::DiscoveryRootWellknown404,
        ],
    );
    let suspected = finding(&findings, Code::HeaderStrippedByProxySuspected);
    assert!(
        suspected
            .evidence
            .contains("proxy/CDN signature (via: 1.1 varnish)"),
        "{}",
        suspected.evidence
    );
    assert_ids(
        &findings,
        Code::DiscoveryRootWellknown404,
        &[scene.fetch(ROOT)],
    );
}

#[test]
fn challenge_present_on_post_but_missing_on_get_suspects_a_proxy() {
    let scene = Site::protected().get(bare_401()).record();
    let (findings, _, primary) = judge(&scene);
    assert_codes(&findings, &[Code::HeaderStrippedByProxySuspected]);
    assert_ids(
        &findings,
        Code::HeaderStrippedByProxySuspected,
        &[scene.init(), scene.get()],
    );
    assert_eq!(primary, Some(Code::HeaderStrippedByProxySuspected));
}

#[test]
fn malformed_challenge_is_reported() {
    let broken = r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"#;
    let scene = Site::protected()
        .init(unauthorized(broken))
        .get(unauthorized(broken))
        .bogus(unauthorized(broken))
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::WwwAuthenticateMalformed]);
    assert_ids(&findings, Code::WwwAuthenticateMalformed, &[scene.init()]);
    let malformed = finding(&findings, Code::WwwAuthenticateMalformed);
    assert!(
        malformed.evidence.contains("quoted string"),
        "{}",
        malformed.evidence
    );
    assert_eq!(primary, Some(Code::WwwAuthenticateMalformed));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn basic_challenge_without_metadata_is_non_oauth_auth() {
    let basic = r#"Basic realm="api""#;
    let scene = Site::protected()
        .init(unauthorized(basic))
        .get(unauthorized(basic))
        .bogus(unauthorized(basic))
        .route(PS, not_found())
        .route(ROOT, not_found())
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::WwwAuthenticateNoBearer]);
    assert_ids(&findings, Code::WwwAuthenticateNoBearer, &[scene.init()]);
    assert!(finding(&findings, Code::WwwAuthenticateNoBearer)
        .evidence
        .contains("Basic"));
    assert_eq!(outcome, Outcome::NonOauthAuth);
    assert_eq!(primary, None);
}

#[test]
fn bearer_in_the_second_header_line_is_found() {
    let scene = Site::protected()
        .init(unauthorized(r#"Basic realm="api""#).header("WWW-Authenticate", GOOD_CHALLENGE))
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[]);
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, None);
}

#[test]
fn empty_challenge_header_is_no_challenge() {
    let scene = Site::protected()
        .init(unauthorized(""))
        .get(unauthorized(""))
        .bogus(unauthorized(""))
        .route(PS, not_found())
        .route(ROOT, not_found())
        .record();
    let (findings, _, primary) = judge(&scene);
    // RFC 9110 §15.5.2: a 401 MUST carry at least one challenge; none is here, Bearer or other.
    assert!(!codes(&findings).contains(&Code::WwwAuthenticateNoBearer));
    assert!(codes(&findings).contains(&Code::AuthRequiredButNotAdvertised));
    assert_eq!(primary, Some(Code::AuthRequiredButNotAdvertised));
}

#[test]
fn bearer_without_resource_metadata_while_well_known_works() {
    let challenge = r#"Bearer scope="mcp:tools""#;
    let scene = Site::protected()
        .init(unauthorized(challenge))
        .get(unauthorized(challenge))
        .bogus(unauthorized(
            r#"Bearer error="invalid_token", scope="mcp:tools""#,
        ))
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::DiscoveryResourceMetadataMissing]);
    assert_ids(
        &findings,
        Code::DiscoveryResourceMetadataMissing,
        &[scene.init(), scene.fetch(PS)],
    );
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, Some(Code::DiscoveryResourceMetadataMissing));
}

#[test]
fn bearer_without_resource_metadata_and_without_metadata_anywhere() {
    let challenge = r#"Bearer scope="mcp:tools""#;
    let scene = Site::protected()
        .init(unauthorized(challenge))
        .get(unauthorized(challenge))
        .bogus(unauthorized(r#"Bearer error="invalid_token""#))
        .route(PS, not_found())
        .route(ROOT, not_found())
        .record();
    let (findings, outcome, primary) = judge(&scene);
    // A Bearer challenge that points nowhere, and nothing at the well-known URLs: the
    // same root cause as no challenge at all, with the challenge in the evidence.
    assert_codes(
        &findings,
        &[
            Code::AuthRequiredButNotAdvertised,
            Code::OauthDiscoveryUnavailable,
            Code::PrmHttpStatusNot200,
        ],
    );
    let root = finding(&findings, Code::AuthRequiredButNotAdvertised);
    assert!(root.evidence.contains(r#"`Bearer scope="mcp:tools"`"#));
    assert_ids(
        &findings,
        Code::AuthRequiredButNotAdvertised,
        &[scene.init(), scene.fetch(PS), scene.fetch(ROOT)],
    );
    for consequence in [Code::OauthDiscoveryUnavailable, Code::PrmHttpStatusNot200] {
        assert_eq!(
            finding(&findings, consequence).caused_by,
            Some(Code::AuthRequiredButNotAdvertised)
        );
    }
    assert_eq!(primary, Some(Code::AuthRequiredButNotAdvertised));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn bearer_without_resource_metadata_and_broken_metadata_is_not_unadvertised() {
    // The root URL serves a document (without `resource`): discovery is advertised,
    // the document is what is wrong.
    let challenge = r#"Bearer scope="mcp:tools""#;
    let scene = Site::protected()
        .init(unauthorized(challenge))
        .get(unauthorized(challenge))
        .route(PS, not_found())
        .route(ROOT, prm_ok(prm_with("resource", None)))
        .record();
    let (findings, _, _) = judge(&scene);
    assert!(findings
        .iter()
        .all(|f| f.code != Code::AuthRequiredButNotAdvertised));
}

#[test]
fn relative_resource_metadata_is_invalid() {
    let challenge = r#"Bearer resource_metadata="/.well-known/oauth-protected-resource/mcp", scope="mcp:tools""#;
    let scene = Site::protected()
        .init(unauthorized(challenge))
        .get(unauthorized(challenge))
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::DiscoveryResourceMetadataInvalid]);
    // The relative reference resolves to the path-suffix URL, whose fetch is reused.
    assert_ids(
        &findings,
        Code::DiscoveryResourceMetadataInvalid,
        &[scene.init(), scene.fetch(PS)],
    );
    assert!(finding(&findings, Code::DiscoveryResourceMetadataInvalid)
        .evidence
        .contains("relative"));
    assert_eq!(primary, Some(Code::DiscoveryResourceMetadataInvalid));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

const HINT: &str = "https://mcp.example.com/metadata/mcp";

fn hinted_site(hint_reply: Reply) -> Site {
    let challenge = format!(r#"Bearer resource_metadata="{HINT}", scope="mcp:tools""#);
    Site::protected()
        .init(unauthorized(&challenge))
        .get(unauthorized(&challenge))
        .route(HINT, hint_reply)
}

#[test]
fn resource_metadata_pointing_at_a_404_is_invalid() {
    let scene = hinted_site(not_found()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert!(codes(&findings).contains(&Code::DiscoveryResourceMetadataInvalid));
    assert!(codes(&findings).contains(&Code::OauthDiscoveryUnavailable));
    assert!(!codes(&findings).contains(&Code::DiscoveryResourceMetadataMissing));
    let hint = scene.fetch(HINT);
    assert_ids(
        &findings,
        Code::DiscoveryResourceMetadataInvalid,
        &[scene.init(), hint],
    );
    let unavailable = finding(&findings, Code::OauthDiscoveryUnavailable);
    assert_eq!(unavailable.exchange_ids[0], hint);
    assert_eq!(
        unavailable.caused_by,
        Some(Code::DiscoveryResourceMetadataInvalid)
    );
    assert_eq!(primary, Some(Code::DiscoveryResourceMetadataInvalid));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn chosen_header_candidate_answering_404_is_status_not_200() {
    let scene = hinted_site(not_found()).record();
    let (findings, _, _) = judge(&scene);
    // CHECKS.md stage 3: PRM_HTTP_STATUS_NOT_200 fires when "the chosen candidate answers non-200".
    assert_codes(
        &findings,
        &[
            Code::DiscoveryResourceMetadataInvalid,
            Code::OauthDiscoveryUnavailable,
            Code::PrmHttpStatusNot200,
        ],
    );
    assert_ids(&findings, Code::PrmHttpStatusNot200, &[scene.fetch(HINT)]);
}

#[test]
fn resource_metadata_pointing_at_a_401_is_metadata_behind_auth() {
    let scene = hinted_site(bare_401()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[Code::OauthDiscoveryUnavailable, Code::PrmRequiresAuth],
    );
    assert_ids(&findings, Code::PrmRequiresAuth, &[scene.fetch(HINT)]);
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::PrmRequiresAuth)
    );
    assert_eq!(primary, Some(Code::PrmRequiresAuth));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn challenge_without_scope() {
    let challenge = r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#;
    let scene = Site::protected().init(unauthorized(challenge)).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::ChallengeScopeMissing]);
    assert_ids(&findings, Code::ChallengeScopeMissing, &[scene.init()]);
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, Some(Code::ChallengeScopeMissing));
}

#[test]
fn challenge_asking_for_offline_access() {
    let challenge = r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools offline_access""#;
    let scene = Site::protected().init(unauthorized(challenge)).record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[Code::ChallengeOfflineAccess]);
    assert_ids(&findings, Code::ChallengeOfflineAccess, &[scene.init()]);
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn scope_merely_containing_offline_access_as_a_substring_is_fine() {
    let challenge = r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:offline_access_logs""#;
    let scene = Site::protected().init(unauthorized(challenge)).record();
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[]);
}

#[test]
fn error_code_on_a_challenge_to_a_request_without_credentials() {
    let scene = Site::protected()
        .init(unauthorized(INVALID_TOKEN_CHALLENGE))
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::ChallengeErrorWithoutCredentials]);
    assert_ids(
        &findings,
        Code::ChallengeErrorWithoutCredentials,
        &[scene.init()],
    );
    assert_eq!(
        finding(&findings, Code::ChallengeErrorWithoutCredentials).severity,
        Severity::Low
    );
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, Some(Code::ChallengeErrorWithoutCredentials));
}
