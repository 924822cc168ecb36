use serde_json::{json, Value};

use super::*;
use crate::check::oauth::fixtures::{answer, codes, json as json_answer, record};
use crate::facts::registration::{Authorize, Cleanup};
use crate::http::Fetched;
use crate::report::Severity;
use crate::wire::as_metadata::parse_as_metadata;

const REG: &str = "https://auth.example.com/register";
const AUTHZ: &str = "https://auth.example.com/authorize?x=1";

fn created(id: &str, case: Case, deletable: bool) -> Fetched {
    let mut body = json!({"client_id": id, "redirect_uris": case.redirect_uris()});
    if deletable {
        body["registration_client_uri"] = json!(format!("{REG}/{id}"));
        body["registration_access_token"] = json!("secret");
    }
    json_answer("POST", REG, 201, &body)
}

fn refused(error: &str) -> Fetched {
    json_answer("POST", REG, 400, &json!({"error": error}))
}

struct Builder {
    trace: Trace,
    facts: RegistrationFacts,
}

impl Builder {
    fn new() -> Self {
        Builder {
            trace: Trace::new(),
            facts: RegistrationFacts::default(),
        }
    }

    fn register(mut self, case: Case, fetched: Fetched) -> Self {
        let recorded = record(&mut self.trace, fetched);
        self.facts
            .registrations
            .push(Registration::new(&self.trace, case, recorded));
        self
    }

    fn authorize(mut self, case: AuthorizeCase, fetched: Fetched) -> Self {
        let fetch = record(&mut self.trace, fetched);
        self.facts.authorize.push(Authorize {
            case,
            redirect_uri: case.redirect_uri(),
            fetch,
        });
        self
    }

    fn deleted(mut self, id: &str, status: u16) -> Self {
        let fetch = record(
            &mut self.trace,
            answer("DELETE", &format!("{REG}/{id}"), status, &[], ""),
        );
        self.facts.cleanup.push(Cleanup {
            client_id: id.into(),
            delete: Some(fetch),
            deleted: (200..300).contains(&status),
        });
        self
    }

    fn findings(&self) -> Vec<Finding> {
        active_findings(&self.facts, &self.trace, false)
    }
}

/// A server that does everything right, up to the authorization requests.
fn compliant() -> Builder {
    let mut b = Builder::new().register(Case::Realistic, created("c1", Case::Realistic, true));
    for case in Case::NEGATIVE {
        b = b.register(case, refused("invalid_redirect_uri"));
    }
    b.register(Case::Mirror, created("c2", Case::Mirror, true))
}

fn redirect_to(location: &str) -> Fetched {
    answer("GET", AUTHZ, 302, &[("Location", location)], "")
}

fn with_authorize(b: Builder, without_pkce: Fetched, unregistered: Fetched) -> Builder {
    b.authorize(
        AuthorizeCase::Control,
        redirect_to("http://127.0.0.1:47813/callback?code=abc&state=s"),
    )
    .authorize(AuthorizeCase::WithoutPkce, without_pkce)
    .authorize(AuthorizeCase::UnregisteredRedirect, unregistered)
    .deleted("c1", 204)
    .deleted("c2", 204)
}

fn good_authorize(b: Builder) -> Builder {
    with_authorize(
        b,
        redirect_to("http://127.0.0.1:47813/callback?error=invalid_request&state=s"),
        answer(
            "GET",
            AUTHZ,
            400,
            &[("Content-Type", "text/html")],
            "<p>bad redirect_uri</p>",
        ),
    )
}

#[test]
fn compliant_server_is_only_open_registration_at_info() {
    let found = good_authorize(compliant()).findings();
    assert_eq!(codes(&found), ["DCR_ENDPOINT_OPEN"]);
    assert_eq!(found[0].severity, Severity::Info);
    assert!(found
        .iter()
        .all(|f| f.code != Code::DcrLocalhostRedirectAccepted));
}

#[test]
fn accepted_unsafe_redirect_uris() {
    let mut b = Builder::new().register(Case::Realistic, created("c1", Case::Realistic, true));
    for case in Case::NEGATIVE {
        b = b.register(case, created(&format!("n-{}", case.as_str()), case, true));
    }
    let found = b.findings();
    assert_eq!(
        codes(&found),
        [
            "DCR_ENDPOINT_OPEN",
            "DCR_HTTP_REDIRECT_ACCEPTED",
            "DCR_DANGEROUS_URI_ACCEPTED",
            "DCR_DANGEROUS_URI_ACCEPTED",
            "DCR_FILE_REDIRECT_ACCEPTED",
            "DCR_EMPTY_REDIRECT_URIS_ACCEPTED"
        ]
    );
    // Script in the browser is high; a file: URI is medium and says nothing of script.
    let file = found
        .iter()
        .find(|f| f.code == Code::DcrFileRedirectAccepted)
        .expect("file: finding");
    assert_eq!(file.severity, Severity::Medium);
    assert!(!file.evidence.contains("script"), "{}", file.evidence);
    let script = found
        .iter()
        .find(|f| f.code == Code::DcrDangerousUriAccepted)
        .expect("javascript: finding");
    assert_eq!(script.severity, Severity::High);
}

#[test]
fn a_sanitised_registration_is_not_an_acceptance() {
    // The server created a client but dropped the javascript: URI it was given.
    let body = json!({"client_id": "n1", "redirect_uris": ["https://safe.example/cb"]});
    let b = Builder::new()
        .register(Case::Realistic, created("c1", Case::Realistic, true))
        .register(
            Case::JavascriptRedirect,
            json_answer("POST", REG, 201, &body),
        );
    assert_eq!(codes(&b.findings()), ["DCR_ENDPOINT_OPEN"]);
}

#[test]
fn loopback_refusal_is_told_apart_from_a_closed_endpoint() {
    let b = Builder::new()
        .register(Case::Realistic, refused("invalid_redirect_uri"))
        .register(Case::HttpsControl, created("c9", Case::HttpsControl, true));
    let found = b.findings();
    assert_eq!(
        codes(&found),
        [
            "DCR_ENDPOINT_OPEN",
            "DCR_REGISTRATION_REJECTED",
            "DCR_LOOPBACK_REDIRECT_REJECTED"
        ]
    );
    assert_eq!(found[1].caused_by, Some(Code::DcrLoopbackRedirectRejected));

    let b = Builder::new()
        .register(Case::Realistic, refused("invalid_client_metadata"))
        .register(Case::HttpsControl, refused("invalid_client_metadata"));
    assert_eq!(codes(&b.findings()), ["DCR_REGISTRATION_REJECTED"]);

    // An initial access token is required: refused, but a 401 is the right way to say so.
    let closed = answer("POST", REG, 401, &[("WWW-Authenticate", "Bearer")], "");
    let b = Builder::new()
        .register(Case::Realistic, closed.clone())
        .register(Case::HttpsControl, closed);
    let found = b.findings();
    assert_eq!(codes(&found), ["DCR_REGISTRATION_REJECTED"]);
    assert!(found[0].evidence.contains("initial access token"));
    // With Client ID Metadata Documents no MCP client needs to register at all.
    assert!(active_findings(&b.facts, &b.trace, true).is_empty());
    // An open endpoint that refuses MCP-like clients is wrong either way.
    let b = Builder::new()
        .register(Case::Realistic, refused("invalid_client_metadata"))
        .register(Case::HttpsControl, refused("invalid_client_metadata"));
    assert_eq!(
        codes(&active_findings(&b.facts, &b.trace, true)),
        ["DCR_REGISTRATION_REJECTED"]
    );
}

#[test]
fn malformed_refusals() {
    let mut b = Builder::new().register(Case::Realistic, created("c1", Case::Realistic, true));
    b = b
        .register(
            Case::HttpRedirect,
            answer("POST", REG, 422, &[("Content-Type", "text/plain")], "no"),
        )
        .register(
            Case::DataRedirect,
            json_answer("POST", REG, 400, &json!({"error": "bad_uri"})),
        )
        .register(Case::FileRedirect, refused("invalid_redirect_uri"));
    let found = b.findings();
    assert_eq!(
        codes(&found),
        ["DCR_ENDPOINT_OPEN", "DCR_ERROR_RESPONSE_INVALID"]
    );
    assert_eq!(found[1].exchange_ids, [2, 3]);
}

#[test]
fn reused_client_ids() {
    let b = Builder::new()
        .register(Case::Realistic, created("same", Case::Realistic, true))
        .register(Case::Mirror, created("same", Case::Mirror, true));
    assert_eq!(
        codes(&b.findings()),
        ["DCR_ENDPOINT_OPEN", "DCR_CLIENT_ID_REUSED"]
    );
}

#[test]
fn pkce_not_enforced_when_a_code_comes_back() {
    let b = with_authorize(
        compliant(),
        redirect_to("http://127.0.0.1:47813/callback?code=zzz&state=s"),
        answer("GET", AUTHZ, 400, &[], ""),
    );
    let found = b.findings();
    assert_eq!(
        codes(&found),
        ["DCR_ENDPOINT_OPEN", "AUTH_SERVER_PKCE_NOT_ENFORCED"]
    );
    assert_eq!(found[1].confidence, 1.0);
}

#[test]
fn pkce_login_page_is_a_lower_confidence_inference() {
    let login = |_: ()| redirect_to("https://auth.example.com/login?flow=1");
    let b = Builder::new()
        .register(Case::Realistic, created("c1", Case::Realistic, true))
        .authorize(AuthorizeCase::Control, login(()))
        .authorize(AuthorizeCase::WithoutPkce, login(()));
    let found = b.findings();
    assert_eq!(
        codes(&found),
        ["DCR_ENDPOINT_OPEN", "AUTH_SERVER_PKCE_NOT_ENFORCED"]
    );
    assert!(found[1].confidence < 0.85);
    // A different answer than the correct request gets is a refusal of some kind.
    let b = Builder::new()
        .register(Case::Realistic, created("c1", Case::Realistic, true))
        .authorize(AuthorizeCase::Control, login(()))
        .authorize(
            AuthorizeCase::WithoutPkce,
            answer(
                "GET",
                AUTHZ,
                200,
                &[("Content-Type", "text/html")],
                "<p>error</p>",
            ),
        );
    assert_eq!(codes(&b.findings()), ["DCR_ENDPOINT_OPEN"]);
}

#[test]
fn redirect_uri_compared_exactly() {
    let b = with_authorize(
        compliant(),
        redirect_to("http://127.0.0.1:47813/callback?error=invalid_request"),
        redirect_to("http://127.0.0.1:47813/callback/authprobe-unregistered?code=abc"),
    );
    let found = b.findings();
    assert_eq!(
        codes(&found),
        ["DCR_ENDPOINT_OPEN", "AUTH_SERVER_REDIRECT_URI_NOT_EXACT"]
    );
    // An error redirect to the unregistered URI is just as much a redirect to it.
    let b = with_authorize(
        compliant(),
        redirect_to("http://127.0.0.1:47813/callback?error=invalid_request"),
        redirect_to("http://127.0.0.1:47813/callback/authprobe-unregistered?error=invalid_request"),
    );
    assert!(codes(&b.findings()).contains(&"AUTH_SERVER_REDIRECT_URI_NOT_EXACT"));
}

#[test]
fn cleanup_failures_are_listed() {
    let mut b = compliant();
    b = b.deleted("c1", 204).deleted("c2", 405);
    b.facts.cleanup.push(Cleanup {
        client_id: "c3".into(),
        delete: None,
        deleted: false,
    });
    let found = b.findings();
    assert_eq!(
        codes(&found),
        ["DCR_ENDPOINT_OPEN", "DCR_CLEANUP_INCOMPLETE"]
    );
    let cleanup = &found[1];
    assert_eq!(cleanup.severity, Severity::Info);
    assert!(cleanup.evidence.contains("\"c2\"") && cleanup.evidence.contains("\"c3\""));
    assert!(!cleanup.evidence.contains("\"c1\""));
}

#[test]
fn passive_registration_paths() {
    let doc = |v: Value| parse_as_metadata(&v.to_string()).unwrap();
    let both = doc(
        json!({"client_id_metadata_document_supported": true, "registration_endpoint": "https://a/r"}),
    );
    assert!(passive_findings(&both, "m", 1).is_empty());
    assert_eq!(
        registration_paths(&both),
        ["client-id-metadata-document", "dynamic-client-registration"]
    );
    let dcr = doc(json!({"registration_endpoint": "https://a/r"}));
    assert_eq!(
        codes(&passive_findings(&dcr, "m", 1)),
        ["AUTH_SERVER_CIMD_NOT_SUPPORTED"]
    );
    let none = doc(json!({"client_id_metadata_document_supported": false}));
    assert_eq!(
        codes(&passive_findings(&none, "m", 1)),
        [
            "AUTH_SERVER_NO_REGISTRATION_PATH",
            "AUTH_SERVER_CIMD_NOT_SUPPORTED"
        ]
    );
    assert_eq!(registration_paths(&none), ["pre-registration-only"]);
}

#[test]
fn plain_pkce_accepted_where_only_s256_is_offered() {
    let b = good_authorize(compliant()).authorize(
        AuthorizeCase::PlainPkce,
        redirect_to("http://127.0.0.1:47813/callback?code=zzz&state=s"),
    );
    let found = b.findings();
    assert_eq!(
        codes(&found),
        ["DCR_ENDPOINT_OPEN", "AUTH_SERVER_PKCE_NOT_ENFORCED"]
    );
    assert!(found[1].evidence.contains("code_challenge_method=plain"));
}

#[test]
fn plain_pkce_refused_is_no_finding() {
    let b = good_authorize(compliant()).authorize(
        AuthorizeCase::PlainPkce,
        redirect_to("http://127.0.0.1:47813/callback?error=invalid_request&state=s"),
    );
    assert_eq!(codes(&b.findings()), ["DCR_ENDPOINT_OPEN"]);
}
