use serde_json::{json, Value};

use super::*;
use crate::check::oauth::fixtures::{answer, codes, failed, json, record, url};
use crate::facts::auth_server::{AsFetch, Issuer, IssuerFacts};
use crate::http::{ErrorKind, Fetched};
use crate::wire::as_metadata::parse_as_metadata;
use crate::wire::wellknown::auth_server_candidates;

const MCP: &str = "https://mcp.example.com/mcp";

fn good_doc(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{}/authorize", issuer.trim_end_matches('/')),
        "token_endpoint": format!("{}/token", issuer.trim_end_matches('/')),
        "registration_endpoint": format!("{}/register", issuer.trim_end_matches('/')),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "client_id_metadata_document_supported": true,
        "authorization_response_iss_parameter_supported": true,
        "scopes_supported": ["mcp:tools"],
    })
}

fn fetch_of(
    trace: &mut Trace,
    kind: crate::wire::wellknown::AsCandidateKind,
    target: &str,
    fetched: Fetched,
) -> AsFetch {
    let recorded = record(trace, fetched);
    let document = trace
        .last_of(&recorded)
        .and_then(|e| e.response.as_ref())
        .filter(|r| r.status == 200)
        .map(|r| parse_as_metadata(&r.body));
    AsFetch {
        kind,
        url: url(target),
        fetch: recorded,
        document,
    }
}

/// The facts of one issuer whose candidates (in MCP order) answered `answers`.
fn issuer(
    trace: &mut Trace,
    raw: &str,
    answers: Vec<Fetched>,
    root: Option<Fetched>,
) -> IssuerFacts {
    let parsed = url(raw);
    let candidates = auth_server_candidates(&parsed)
        .into_iter()
        .zip(answers)
        .map(|(c, f)| fetch_of(trace, c.kind, c.url.as_str(), f))
        .collect();
    let root = root.map(|f| {
        let target = crate::probe::auth_server::root_probe_url(&parsed).unwrap();
        fetch_of(
            trace,
            crate::wire::wellknown::AsCandidateKind::Oauth,
            target.as_str(),
            f,
        )
    });
    IssuerFacts {
        issuer: Issuer {
            raw: raw.into(),
            url: parsed,
        },
        candidates,
        root,
    }
}

fn judge(facts: &IssuerFacts, trace: &Trace) -> IssuerVerdict {
    let mcp = url(MCP);
    judge_issuer(
        facts,
        trace,
        AsContext {
            mcp_url: &mcp,
            resource: Some(MCP),
        },
    )
}

fn doc_answer(target: &str, doc: &Value) -> Fetched {
    json("GET", target, 200, doc)
}

fn not_found(target: &str) -> Fetched {
    answer(
        "GET",
        target,
        404,
        &[("Content-Type", "text/plain")],
        "nope",
    )
}

const OAUTH: &str = "https://auth.example.com/.well-known/oauth-authorization-server";
const OIDC: &str = "https://auth.example.com/.well-known/openid-configuration";

/// Judges a single pathless issuer whose first candidate serves `doc`.
fn findings_for(doc: Value) -> Vec<&'static str> {
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![doc_answer(OAUTH, &doc), not_found(OIDC)],
        None,
    );
    codes(&judge(&facts, &trace).findings)
}

#[test]
fn compliant_metadata_raises_nothing_and_is_usable() {
    let mut trace = Trace::new();
    let doc = good_doc("https://auth.example.com");
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![doc_answer(OAUTH, &doc), not_found(OIDC)],
        None,
    );
    let v = judge(&facts, &trace);
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    assert_eq!((v.winner, v.usable, v.silent), (Some(0), true, false));
}

#[test]
fn issuer_comparison_is_code_point_equality() {
    // A trailing slash that matches byte for byte is correct.
    let mut trace = Trace::new();
    let doc = good_doc("https://auth.example.com/");
    let facts = issuer(
        &mut trace,
        "https://auth.example.com/",
        vec![doc_answer(OAUTH, &doc), not_found(OIDC)],
        None,
    );
    assert!(judge(&facts, &trace).findings.is_empty());
    // One that does not is a mismatch, and the metadata must not be used.
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![doc_answer(OAUTH, &doc), not_found(OIDC)],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(codes(&v.findings), ["AUTH_SERVER_ISSUER_MISMATCH"]);
    assert!(!v.usable);
    assert!(v.findings[0]
        .evidence
        .contains("\"https://auth.example.com/\""));
    // Case differences are not tolerated either.
    let doc = good_doc("https://Auth.example.com");
    assert_eq!(findings_for(doc), ["AUTH_SERVER_ISSUER_MISMATCH"]);
}

#[test]
fn spec_order_4xx_moves_on_5xx_is_a_hazard() {
    let doc = good_doc("https://auth.example.com");
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![not_found(OAUTH), doc_answer(OIDC, &doc)],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!((v.winner, v.usable), (Some(1), true));
    assert!(v.findings.is_empty());

    let mut trace = Trace::new();
    let five = answer("GET", OAUTH, 503, &[], "");
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![five, doc_answer(OIDC, &doc)],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(codes(&v.findings), ["AUTH_SERVER_CANDIDATE_5XX"]);
    assert_eq!(v.findings[0].exchange_ids, [1, 2]);
    assert!(v.usable);
}

#[test]
fn nothing_served_is_unreachable_with_its_cause() {
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![not_found(OAUTH), answer("GET", OIDC, 500, &[], "")],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(codes(&v.findings), ["AUTH_SERVER_METADATA_UNREACHABLE"]);
    assert_eq!(v.findings[0].caused_by, None);
    assert_eq!(v.findings[0].exchange_ids, [1, 2]);

    let mut trace = Trace::new();
    let html = answer(
        "GET",
        OAUTH,
        200,
        &[("Content-Type", "text/html")],
        "<!doctype html><html></html>",
    );
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![html, not_found(OIDC)],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(
        codes(&v.findings),
        [
            "AUTH_SERVER_METADATA_CONTENT_TYPE_NOT_JSON",
            "AUTH_SERVER_METADATA_UNREACHABLE"
        ]
    );
    assert!(v.findings[0].evidence.contains("HTML"));
    assert_eq!(
        v.findings[1].caused_by,
        Some(Code::AuthServerMetadataContentTypeNotJson)
    );
}

#[test]
fn network_failures_are_not_protocol_violations() {
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![
            failed("GET", OAUTH, ErrorKind::Timeout),
            failed("GET", OIDC, ErrorKind::Dns),
        ],
        None,
    );
    let v = judge(&facts, &trace);
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    assert!(v.silent && !v.usable);
    assert!(silence_reason(&facts, &trace).contains("timeout"));
}

#[test]
fn blocked_issuer_is_one_finding_naming_every_candidate() {
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![
            failed("GET", OAUTH, ErrorKind::Blocked),
            failed("GET", OIDC, ErrorKind::Blocked),
        ],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(codes(&v.findings), ["AUTH_SERVER_ISSUER_PRIVATE_BLOCKED"]);
    assert_eq!(v.findings[0].exchange_ids, [1, 2]);
    assert!(v.silent);
}

#[test]
fn pkce_capabilities() {
    let mut doc = good_doc("https://auth.example.com");
    doc.as_object_mut()
        .unwrap()
        .remove("code_challenge_methods_supported");
    assert_eq!(findings_for(doc.clone()), ["AUTH_SERVER_PKCE_S256_MISSING"]);
    doc["code_challenge_methods_supported"] = json!(["plain"]);
    assert_eq!(
        findings_for(doc.clone()),
        [
            "AUTH_SERVER_PKCE_S256_MISSING",
            "AUTH_SERVER_PKCE_PLAIN_ADVERTISED"
        ]
    );
    doc["code_challenge_methods_supported"] = json!("S256");
    assert_eq!(findings_for(doc.clone()), ["AUTH_SERVER_PKCE_S256_MISSING"]);
    doc["code_challenge_methods_supported"] = json!(["S256", "plain"]);
    assert_eq!(findings_for(doc), ["AUTH_SERVER_PKCE_PLAIN_ADVERTISED"]);
}

#[test]
fn response_types_and_legacy_grants() {
    let mut doc = good_doc("https://auth.example.com");
    doc["response_types_supported"] = json!(["token"]);
    assert_eq!(
        findings_for(doc.clone()),
        [
            "AUTH_SERVER_RESPONSE_TYPE_CODE_MISSING",
            "AUTH_SERVER_LEGACY_GRANTS_ADVERTISED"
        ]
    );
    doc["response_types_supported"] = json!(["code", "id_token"]);
    doc["grant_types_supported"] = json!(["authorization_code", "password"]);
    assert_eq!(
        findings_for(doc.clone()),
        ["AUTH_SERVER_LEGACY_GRANTS_ADVERTISED"]
    );
    // `id_token` alone is not the OAuth implicit grant.
    doc["grant_types_supported"] = json!(["authorization_code"]);
    assert!(findings_for(doc).is_empty());
}

#[test]
fn required_members_and_their_types() {
    let mut doc = good_doc("https://auth.example.com");
    doc.as_object_mut().unwrap().remove("token_endpoint");
    doc["response_types_supported"] = json!("code");
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![doc_answer(OAUTH, &doc), not_found(OIDC)],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(codes(&v.findings), ["AUTH_SERVER_METADATA_INVALID"]);
    assert!(!v.usable);
    let evidence = &v.findings[0].evidence;
    assert!(
        evidence.contains("`token_endpoint` is missing"),
        "{evidence}"
    );
    assert!(
        evidence.contains("`response_types_supported` is a string"),
        "{evidence}"
    );
}

#[test]
fn public_clients_iss_and_scopes() {
    let mut doc = good_doc("https://auth.example.com");
    doc["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic"]);
    assert_eq!(
        findings_for(doc.clone()),
        ["AUTH_SERVER_PUBLIC_CLIENT_AUTH_MISSING"]
    );
    doc["token_endpoint_auth_methods_supported"] = json!(["none"]);
    doc.as_object_mut()
        .unwrap()
        .remove("authorization_response_iss_parameter_supported");
    assert_eq!(
        findings_for(doc.clone()),
        ["AUTH_SERVER_ISS_PARAMETER_NOT_ADVERTISED"]
    );
    doc["authorization_response_iss_parameter_supported"] = json!(true);
    doc["scopes_supported"] = json!(["mcp:tools ", "files read"]);
    assert_eq!(findings_for(doc), ["SCOPES_WHITESPACE_RISK"]);
}

#[test]
fn https_rules_skip_loopback_and_hosts_are_observations() {
    let mut doc = good_doc("https://auth.example.com");
    doc["revocation_endpoint"] = json!("http://revoke.example.net/revoke");
    assert_eq!(
        findings_for(doc.clone()),
        [
            "AUTH_SERVER_ENDPOINT_NOT_HTTPS",
            "AUTH_SERVER_ENDPOINT_HOST_MISMATCH"
        ]
    );
    doc["revocation_endpoint"] = json!("https://tokens.example.net/revoke");
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![doc_answer(OAUTH, &doc), not_found(OIDC)],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(codes(&v.findings), ["AUTH_SERVER_ENDPOINT_HOST_MISMATCH"]);
    assert_eq!(v.findings[0].severity, crate::report::Severity::Info);

    // A loopback issuer over http is a development setup, not a violation.
    let doc = good_doc("http://127.0.0.1:9000");
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "http://127.0.0.1:9000",
        vec![
            doc_answer(
                "http://127.0.0.1:9000/.well-known/oauth-authorization-server",
                &doc,
            ),
            not_found("http://127.0.0.1:9000/.well-known/openid-configuration"),
        ],
        None,
    );
    assert!(judge(&facts, &trace).findings.is_empty());
}

#[test]
fn issuer_with_query_and_protected_resources() {
    let doc = good_doc("https://auth.example.com?tenant=a");
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com?tenant=a",
        vec![doc_answer(OAUTH, &doc), not_found(OIDC)],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(codes(&v.findings), ["AUTH_SERVER_ISSUER_QUERY_FRAGMENT"]);

    let mut doc = good_doc("https://auth.example.com");
    doc["protected_resources"] = json!(["https://other.example.com/mcp"]);
    assert_eq!(
        findings_for(doc.clone()),
        ["AUTH_SERVER_PROTECTED_RESOURCES_MISMATCH"]
    );
    doc["protected_resources"] = json!(["https://other.example.com/mcp", MCP]);
    assert!(findings_for(doc).is_empty());
}

#[test]
fn root_probe_of_a_path_issuer() {
    let raw = "https://auth.example.com/tenant1";
    let doc = good_doc(raw);
    let candidates = |trace: &mut Trace, root: Fetched| {
        issuer(
            trace,
            raw,
            vec![
                not_found(
                    "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
                ),
                not_found("https://auth.example.com/.well-known/openid-configuration/tenant1"),
                doc_answer(
                    "https://auth.example.com/tenant1/.well-known/openid-configuration",
                    &doc,
                ),
            ],
            Some(root),
        )
    };
    let mut trace = Trace::new();
    let facts = candidates(&mut trace, not_found(OAUTH));
    let v = judge(&facts, &trace);
    assert_eq!(
        codes(&v.findings),
        ["AUTH_SERVER_ROOT_WELLKNOWN_PROBE_FAILED"]
    );
    assert_eq!(v.winner, Some(2));
    assert_eq!(v.findings[0].exchange_ids, [4]);

    let mut trace = Trace::new();
    let facts = candidates(&mut trace, failed("GET", OAUTH, ErrorKind::Timeout));
    assert!(judge(&facts, &trace).findings.is_empty());

    let mut trace = Trace::new();
    let facts = candidates(&mut trace, doc_answer(OAUTH, &doc));
    assert!(judge(&facts, &trace).findings.is_empty());
}

#[test]
fn the_first_usable_issuer_is_selected() {
    let mut trace = Trace::new();
    let broken = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![not_found(OAUTH), not_found(OIDC)],
        None,
    );
    let doc = good_doc("https://as2.example.com");
    let good = issuer(
        &mut trace,
        "https://as2.example.com",
        vec![doc_answer(
            "https://as2.example.com/.well-known/oauth-authorization-server",
            &doc,
        )],
        None,
    );
    let facts = AuthServerFacts {
        issuers: vec![broken, good],
        left_out: vec![],
    };
    let mcp = url(MCP);
    let v = evaluate(
        &facts,
        &trace,
        AsContext {
            mcp_url: &mcp,
            resource: Some(MCP),
        },
    );
    assert_eq!(v.selected, Some(1));
    let (issuer, metadata) = v.selected(&facts).unwrap();
    assert_eq!(issuer.issuer.raw, "https://as2.example.com");
    assert_eq!(metadata.issuer.as_deref(), Some("https://as2.example.com"));
    assert_eq!(codes(&v.findings()), ["AUTH_SERVER_METADATA_UNREACHABLE"]);
}

#[test]
fn endpoints_that_are_not_urls_are_not_https_endpoints() {
    let mut doc = good_doc("https://auth.example.com");
    doc["token_endpoint"] = json!("/token");
    let mut trace = Trace::new();
    let facts = issuer(
        &mut trace,
        "https://auth.example.com",
        vec![doc_answer(OAUTH, &doc), not_found(OIDC)],
        None,
    );
    let v = judge(&facts, &trace);
    assert_eq!(codes(&v.findings), ["AUTH_SERVER_ENDPOINT_NOT_HTTPS"]);
    assert_eq!(v.findings[0].stage, crate::report::Stage::AuthServer);
    assert!(v.findings[0].evidence.contains("not an absolute URL"));
}
