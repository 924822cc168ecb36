//! Stage 3: the content of the protected resource metadata a client would use.

use serde_json::{json, Value};

use crate::catalog::Code;
use crate::report::{Outcome, Severity};

use super::fixtures::*;
use super::judging::*;

/// The server named by [`Site::protected`] whose path-suffix document (the one its
/// challenge names) is `reply`, and whose root URL answers 404.
fn serving(reply: Reply) -> Site {
    Site::protected().route(PS, reply).route(ROOT, not_found())
}

fn serving_doc(doc: Value) -> Site {
    serving(prm_ok(doc))
}

#[test]
fn html_catch_all_page() {
    let scene = serving(html_page(200)).record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(
        &findings,
        &[Code::OauthDiscoveryUnavailable, Code::PrmContentTypeNotJson],
    );
    assert_ids(&findings, Code::PrmContentTypeNotJson, &[scene.fetch(PS)]);
    let content = finding(&findings, Code::PrmContentTypeNotJson);
    assert!(
        content.evidence.contains("text/html"),
        "{}",
        content.evidence
    );
    assert!(
        content.evidence.contains("HTML page"),
        "{}",
        content.evidence
    );
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn html_catch_all_page_is_the_root_cause() {
    let scene = serving(html_page(200)).record();
    let (findings, _, primary) = judge(&scene);
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::PrmContentTypeNotJson)
    );
    assert_eq!(primary, Some(Code::PrmContentTypeNotJson));
}

#[test]
fn json_array_served_as_json() {
    let scene = serving(status(200).json(json!([prm_doc()]))).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[Code::OauthDiscoveryUnavailable, Code::PrmNotJsonObject],
    );
    assert_ids(&findings, Code::PrmNotJsonObject, &[scene.fetch(PS)]);
    assert!(finding(&findings, Code::PrmNotJsonObject)
        .evidence
        .contains("a JSON array"));
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::PrmNotJsonObject)
    );
    assert_eq!(primary, Some(Code::PrmNotJsonObject));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn json_object_served_as_text_plain_is_only_a_content_type_finding() {
    let reply = status(200)
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("Cache-Control", "max-age=60")
        .header("Access-Control-Allow-Origin", "*")
        .body(&prm_doc().to_string());
    let scene = Site::protected().route(PS, reply).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::PrmContentTypeNotJson]);
    assert_ids(&findings, Code::PrmContentTypeNotJson, &[scene.fetch(PS)]);
    let content = finding(&findings, Code::PrmContentTypeNotJson);
    assert!(
        content.evidence.contains("text/plain"),
        "{}",
        content.evidence
    );
    assert!(!content.evidence.contains("HTML"), "{}", content.evidence);
    assert_eq!(primary, Some(Code::PrmContentTypeNotJson));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn resource_identical_after_normalisation_is_exact() {
    let scene = serving_doc(prm_with(
        "resource",
        Some(json!("https://mcp.example.com/%6Dcp")),
    ))
    .record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[]);
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn resource_with_trailing_slash() {
    let scene = serving_doc(prm_with(
        "resource",
        Some(json!("https://mcp.example.com/mcp/")),
    ))
    .record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[Code::PrmResourceTrailingSlash]);
    assert_ids(
        &findings,
        Code::PrmResourceTrailingSlash,
        &[scene.fetch(PS)],
    );
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn resource_naming_a_parent_path() {
    let scene = Site::protected()
        .route(
            PS,
            prm_ok(prm_with(
                "resource",
                Some(json!("https://mcp.example.com/")),
            )),
        )
        .route(
            ROOT,
            prm_ok(prm_with(
                "resource",
                Some(json!("https://mcp.example.com/")),
            )),
        )
        .record();
    let (findings, _, primary) = judge(&scene);
    assert_codes(&findings, &[Code::PrmResourceParentPath]);
    assert_eq!(primary, Some(Code::PrmResourceParentPath));
}

#[test]
fn resource_naming_the_origin_at_the_root_url_meets_rfc_9728_there() {
    // No challenge hint and no path-suffix document: the root document is the one a
    // client uses, and the origin is the identifier its URL was built from.
    let challenge = r#"Bearer scope="mcp:tools""#;
    let scene = Site::protected()
        .init(unauthorized(challenge))
        .get(unauthorized(challenge))
        .route(PS, not_found())
        .route(
            ROOT,
            prm_ok(prm_with(
                "resource",
                Some(json!("https://mcp.example.com/")),
            )),
        )
        .record();
    let (findings, outcome, _) = judge(&scene);
    let parent = finding(&findings, Code::PrmResourceParentPath);
    assert_eq!(parent.severity, Severity::Low);
    assert!(parent.evidence.contains("root well-known URL"));
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn resource_naming_the_origin_through_the_challenge_is_medium() {
    let origin = prm_with("resource", Some(json!("https://mcp.example.com/")));
    let scene = serving_doc(origin).record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[Code::PrmResourceParentPath]);
    let parent = finding(&findings, Code::PrmResourceParentPath);
    assert_eq!(parent.severity, Severity::Medium);
    assert!(parent.evidence.contains("challenge's resource_metadata"));
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn target_with_a_query_that_the_resource_leaves_out() {
    // A hosted server's URL pasted with its query; the metadata names the endpoint.
    let scene = serving_doc(prm_doc())
        .at("https://mcp.example.com/mcp?profile=x")
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::PrmResourceQueryDiffers]);
    let query = finding(&findings, Code::PrmResourceQueryDiffers);
    assert_eq!(query.severity, Severity::Low);
    assert!(query.evidence.contains("?profile=x"));
    assert!(query.evidence.contains("RFC 8707 §2"));
    assert_eq!(primary, Some(Code::PrmResourceQueryDiffers));
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn resource_of_another_origin_in_the_hinted_document() {
    let other = prm_with("resource", Some(json!("https://other.example.com/mcp")));
    let scene = serving_doc(other).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[
            Code::OauthDiscoveryUnavailable,
            Code::PrmHintResourceMismatch,
        ],
    );
    assert_ids(&findings, Code::PrmHintResourceMismatch, &[scene.fetch(PS)]);
    assert!(finding(&findings, Code::PrmHintResourceMismatch)
        .evidence
        .contains("host differs"));
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::PrmHintResourceMismatch)
    );
    assert_eq!(primary, Some(Code::PrmHintResourceMismatch));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn resource_of_another_origin_in_a_well_known_document() {
    let challenge = r#"Bearer scope="mcp:tools""#;
    let other = prm_with("resource", Some(json!("https://other.example.com/mcp")));
    let scene = serving_doc(other)
        .init(unauthorized(challenge))
        .get(unauthorized(challenge))
        .record();
    let (findings, _, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[Code::OauthDiscoveryUnavailable, Code::PrmResourceMismatch],
    );
    assert_ids(&findings, Code::PrmResourceMismatch, &[scene.fetch(PS)]);
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::PrmResourceMismatch)
    );
    assert_eq!(primary, Some(Code::PrmResourceMismatch));
}

#[test]
fn resource_with_a_fragment() {
    let scene = Site::protected()
        .route(
            PS,
            prm_ok(prm_with(
                "resource",
                Some(json!("https://mcp.example.com/mcp#top")),
            )),
        )
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::ResourceFragmentForbidden]);
    assert_ids(
        &findings,
        Code::ResourceFragmentForbidden,
        &[scene.fetch(PS)],
    );
    assert_eq!(primary, Some(Code::ResourceFragmentForbidden));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn resource_spelled_non_canonically() {
    for spelling in [
        "HTTPS://mcp.example.com/mcp",
        "https://MCP.example.com/mcp",
        "https://mcp.example.com:443/mcp",
    ] {
        let scene = Site::protected()
            .route(PS, prm_ok(prm_with("resource", Some(json!(spelling)))))
            .record();
        let (findings, outcome, _) = judge(&scene);
        assert_codes(&findings, &[Code::PrmResourceNotCanonical]);
        assert_eq!(outcome, Outcome::ProtectedOk, "{spelling}");
    }
}

#[test]
fn resource_missing() {
    let scene = serving_doc(prm_with("resource", None)).record();
    let (findings, _, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[Code::OauthDiscoveryUnavailable, Code::PrmResourceMissing],
    );
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(Code::PrmResourceMissing)
    );
    assert_eq!(primary, Some(Code::PrmResourceMissing));
}

#[test]
fn resource_that_does_not_parse() {
    let broken = prm_with("resource", Some(json!("https://[::1/mcp")));
    let scene = serving_doc(broken).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[Code::OauthDiscoveryUnavailable, Code::Rfc3986InvalidUri],
    );
    assert!(finding(&findings, Code::Rfc3986InvalidUri)
        .evidence
        .contains("https://[::1/mcp"));
    assert_eq!(primary, Some(Code::Rfc3986InvalidUri));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

fn assert_no_authorization_server(doc: Value, code: Code, said: &str) {
    let scene = serving_doc(doc).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::OauthDiscoveryUnavailable, code]);
    assert_ids(&findings, code, &[scene.fetch(PS)]);
    assert!(finding(&findings, code).evidence.contains(said));
    assert_eq!(
        finding(&findings, Code::OauthDiscoveryUnavailable).caused_by,
        Some(code)
    );
    assert_eq!(primary, Some(code));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn authorization_servers_missing() {
    assert_no_authorization_server(
        prm_with("authorization_servers", None),
        Code::PrmMissingAuthorizationServers,
        "absent",
    );
}

#[test]
fn authorization_servers_empty() {
    assert_no_authorization_server(
        prm_with("authorization_servers", Some(json!([]))),
        Code::PrmMissingAuthorizationServers,
        "an empty array",
    );
}

#[test]
fn authorization_servers_relative() {
    assert_no_authorization_server(
        prm_with("authorization_servers", Some(json!(["/"]))),
        Code::PrmAuthorizationServersInvalid,
        "\"/\"",
    );
}

#[test]
fn authorization_servers_a_string_instead_of_an_array() {
    assert_no_authorization_server(
        prm_with("authorization_servers", Some(json!(AS))),
        Code::PrmAuthorizationServersInvalid,
        "a string",
    );
}

#[test]
fn authorization_server_over_plain_http() {
    let scene = Site::protected()
        .route(
            PS,
            prm_ok(prm_with(
                "authorization_servers",
                Some(json!(["http://auth.example"])),
            )),
        )
        .record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[Code::Rfc3986AbsoluteHttpsRequired]);
    assert!(finding(&findings, Code::Rfc3986AbsoluteHttpsRequired)
        .evidence
        .contains("http://auth.example"));
    // Still usable: a client can reach it, over an insecure channel.
    assert!(!codes(&findings).contains(&Code::OauthDiscoveryUnavailable));
    assert_eq!(outcome, Outcome::ProtectedBroken);
}

#[test]
fn authorization_server_on_loopback_http_is_fine() {
    let scene = Site::protected()
        .route(
            PS,
            prm_ok(prm_with(
                "authorization_servers",
                Some(json!(["http://127.0.0.1:9000"])),
            )),
        )
        .record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[]);
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn bearer_methods_invalid() {
    for methods in [json!(["header", "cookie"]), json!("header"), json!([1])] {
        let scene = Site::protected()
            .route(
                PS,
                prm_ok(prm_with("bearer_methods_supported", Some(methods.clone()))),
            )
            .record();
        let (findings, outcome, _) = judge(&scene);
        assert_codes(&findings, &[Code::PrmBearerMethodsInvalid]);
        assert_eq!(outcome, Outcome::ProtectedOk, "{methods}");
    }
}

#[test]
fn field_type_errors() {
    let mut doc = prm_with("resource_name", Some(json!(5)));
    doc["scopes_supported"] = json!("mcp:tools");
    let scene = Site::protected().route(PS, prm_ok(doc)).record();
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[Code::PrmFieldTypeInvalid]);
    let typed = finding(&findings, Code::PrmFieldTypeInvalid);
    assert_eq!(typed.severity, Severity::Medium);
    assert!(
        typed.evidence.contains("`resource_name` is a number"),
        "{}",
        typed.evidence
    );
    assert!(
        typed.evidence.contains("`scopes_supported` is a string"),
        "{}",
        typed.evidence
    );
}

#[test]
fn jwks_uri_over_http() {
    let scene = Site::protected()
        .route(
            PS,
            prm_ok(prm_with(
                "jwks_uri",
                Some(json!("http://mcp.example.com/jwks.json")),
            )),
        )
        .record();
    let (findings, _, primary) = judge(&scene);
    assert_codes(&findings, &[Code::PrmJwksUriNotHttps]);
    assert_eq!(primary, Some(Code::PrmJwksUriNotHttps));
}

#[test]
fn signing_alg_none() {
    let scene = Site::protected()
        .route(
            PS,
            prm_ok(prm_with(
                "resource_signing_alg_values_supported",
                Some(json!(["RS256", "none"])),
            )),
        )
        .record();
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[Code::PrmSigningAlgNoneForbidden]);
}

#[test]
fn scopes_supported_with_offline_access() {
    let scene = Site::protected()
        .route(
            PS,
            prm_ok(prm_with(
                "scopes_supported",
                Some(json!(["mcp:tools", "offline_access"])),
            )),
        )
        .record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[Code::PrmScopesOfflineAccess]);
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn no_cache_control() {
    let reply = status(200)
        .json(prm_doc())
        .header("Access-Control-Allow-Origin", "*");
    let scene = Site::protected().route(PS, reply).record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[Code::PrmCacheControlMissing]);
    assert_ids(&findings, Code::PrmCacheControlMissing, &[scene.fetch(PS)]);
    assert_eq!(outcome, Outcome::ProtectedOk);
}

fn without_cors() -> Reply {
    status(200)
        .json(prm_doc())
        .header("Cache-Control", "max-age=3600")
}

#[test]
fn no_cors_and_preflight_refused() {
    let scene = Site::protected()
        .route(PS, without_cors())
        .preflight(PS, status(405))
        .record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[Code::PrmCorsMissing]);
    assert_ids(
        &findings,
        Code::PrmCorsMissing,
        &[scene.fetch(PS), scene.preflight(PS)],
    );
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn cors_on_the_get_only_is_enough() {
    let scene = Site::protected().preflight(PS, status(405)).record();
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[]);
}

#[test]
fn preflight_timeout_is_not_a_cors_finding() {
    let scene = Site::protected()
        .route(PS, without_cors())
        .preflight(PS, timeout())
        .record();
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[]);
}
