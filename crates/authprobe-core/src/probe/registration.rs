//! Stage 6 probes (`--active` only): dynamic client registrations (RFC 7591),
//! the authorization requests made with the registered client, and the RFC 7592
//! deletes that leave nothing behind.
//!
//! Authorization requests never follow the redirect they get: the answer itself
//! (where the server would send the browser) is the evidence.

use serde_json::{json, Value};
use url::Url;

use crate::http::{BodyRead, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;
use crate::wire::dcr::{parse_client_information, ClientInformation};

use super::token::{unique_suffix, PKCE_CHALLENGE};
use super::{Recorded, Trace};

/// The loopback port of the scan's redirect URI. Nothing listens there: the scan
/// never follows a redirect to it.
pub const CALLBACK_PORT: u16 = 47813;
/// The port of the second registration's redirect URI.
pub const MIRROR_PORT: u16 = 47814;

/// The redirect URI of the MCP-realistic registration.
pub fn callback_uri() -> String {
    format!("http://127.0.0.1:{CALLBACK_PORT}/callback")
}

/// One registration the scan attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// A native public client with a loopback redirect URI, as MCP clients register.
    Realistic,
    /// A second, different client: must get its own `client_id`.
    Mirror,
    /// The realistic client with an https redirect URI instead, sent only when the
    /// realistic one is refused, to tell a refused loopback URI from a closed endpoint.
    HttpsControl,
    /// `http://` on a host other than loopback.
    HttpRedirect,
    /// `javascript:` redirect URI.
    JavascriptRedirect,
    /// `data:` redirect URI.
    DataRedirect,
    /// `file:` redirect URI.
    FileRedirect,
    /// An authorization-code client without any redirect URI.
    EmptyRedirects,
}

impl Case {
    /// The cases sent once the realistic registration succeeded, in recording order.
    pub const NEGATIVE: [Case; 5] = [
        Case::HttpRedirect,
        Case::JavascriptRedirect,
        Case::DataRedirect,
        Case::FileRedirect,
        Case::EmptyRedirects,
    ];

    /// The redirect URIs this case registers.
    pub fn redirect_uris(self) -> Vec<String> {
        match self {
            Case::Realistic => vec![callback_uri()],
            Case::Mirror => vec![format!("http://127.0.0.1:{MIRROR_PORT}/callback-second")],
            Case::HttpsControl => vec!["https://client.authprobe.example/callback".into()],
            Case::HttpRedirect => vec!["http://client.authprobe.example/callback".into()],
            Case::JavascriptRedirect => vec!["javascript:alert(document.domain)//".into()],
            Case::DataRedirect => vec!["data:text/html,authprobe".into()],
            Case::FileRedirect => vec!["file:///tmp/authprobe-callback".into()],
            Case::EmptyRedirects => vec![],
        }
    }

    /// Kebab-case name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Case::Realistic => "realistic",
            Case::Mirror => "second-client",
            Case::HttpsControl => "https-control",
            Case::HttpRedirect => "http-redirect",
            Case::JavascriptRedirect => "javascript-redirect",
            Case::DataRedirect => "data-redirect",
            Case::FileRedirect => "file-redirect",
            Case::EmptyRedirects => "empty-redirect-uris",
        }
    }

    /// True for the cases a server must refuse.
    pub fn must_be_refused(self) -> bool {
        Case::NEGATIVE.contains(&self)
    }
}

/// The client metadata (RFC 7591 §2) the scan registers for a case.
pub fn client_metadata(case: Case) -> Value {
    let name = match case {
        Case::Realistic => "authprobe test client (deleted after the scan)".to_string(),
        Case::Mirror => "authprobe second test client (deleted after the scan)".to_string(),
        other => format!("authprobe test client: {}", other.as_str()),
    };
    let mut metadata = json!({
        "client_name": name,
        "redirect_uris": case.redirect_uris(),
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "software_id": "authprobe",
        "software_version": env!("CARGO_PKG_VERSION"),
    });
    // OpenID Connect's `application_type`: native for loopback clients; the https
    // control is what a web client would send.
    if case != Case::HttpsControl {
        metadata["application_type"] = json!("native");
    }
    metadata
}

/// POST one registration, without an initial access token.
pub fn register_request(endpoint: &Url, case: Case) -> RequestSpec {
    RequestSpec::new(
        "POST",
        endpoint.clone(),
        Stage::Registration,
        format!("dynamic client registration ({})", case.as_str()),
    )
    .header("Content-Type", "application/json")
    .header("Accept", "application/json")
    .body(client_metadata(case).to_string())
    .trust(Trust::Steered)
    .redirects(RedirectPolicy::None)
    .read(BodyRead::Full)
}

/// One registration attempt and what came back.
#[derive(Debug, Clone)]
pub struct Registration {
    /// What was registered.
    pub case: Case,
    /// The POST.
    pub fetch: Recorded,
    /// The client information, when the answer was 2xx with a JSON object.
    pub info: Option<ClientInformation>,
}

impl Registration {
    /// Reads a registration out of its recorded exchange.
    pub fn new(trace: &Trace, case: Case, fetch: Recorded) -> Self {
        let info = trace
            .last_of(&fetch)
            .and_then(|e| e.response.as_ref())
            .filter(|r| r.is_success())
            .and_then(|r| parse_client_information(&r.body).ok());
        Registration { case, fetch, info }
    }

    /// The `client_id` issued, if the server created a client.
    pub fn client_id(&self) -> Option<&str> {
        self.info
            .as_ref()
            .and_then(|i| i.client_id.as_deref())
            .filter(|id| !id.is_empty())
    }
}

/// The authorization requests made with the registered client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizeCase {
    /// A correct request (PKCE S256, the registered redirect URI): what "accepted" looks like.
    Control,
    /// No `code_challenge`: must be refused.
    WithoutPkce,
    /// `code_challenge_method=plain` at a server that advertises only S256: must be refused.
    PlainPkce,
    /// A redirect URI that was not registered: must never be redirected to.
    UnregisteredRedirect,
}

impl AuthorizeCase {
    /// Every case, in recording order.
    pub const ALL: [AuthorizeCase; 4] = [
        AuthorizeCase::Control,
        AuthorizeCase::WithoutPkce,
        AuthorizeCase::PlainPkce,
        AuthorizeCase::UnregisteredRedirect,
    ];

    /// Kebab-case name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizeCase::Control => "control",
            AuthorizeCase::WithoutPkce => "without-pkce",
            AuthorizeCase::PlainPkce => "plain-pkce",
            AuthorizeCase::UnregisteredRedirect => "unregistered-redirect-uri",
        }
    }

    /// The redirect URI this case sends.
    pub fn redirect_uri(self) -> String {
        match self {
            // An extension of the registered path: a server that matches by prefix,
            // by host, or not at all redirects there; only exact matching refuses it.
            AuthorizeCase::UnregisteredRedirect => {
                format!("{}/authprobe-unregistered", callback_uri())
            }
            _ => callback_uri(),
        }
    }
}

/// The authorization request URL of a case.
pub fn authorize_url(
    endpoint: &Url,
    case: AuthorizeCase,
    client_id: &str,
    resource: &Url,
    scope: Option<&str>,
) -> Url {
    let mut url = endpoint.clone();
    url.set_fragment(None);
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", &case.redirect_uri())
            .append_pair("state", &format!("authprobe-{}", unique_suffix()));
        match case {
            AuthorizeCase::WithoutPkce => {}
            // With `plain` the challenge is the verifier itself; any valid one will do.
            AuthorizeCase::PlainPkce => {
                query
                    .append_pair("code_challenge", PKCE_CHALLENGE)
                    .append_pair("code_challenge_method", "plain");
            }
            _ => {
                query
                    .append_pair("code_challenge", PKCE_CHALLENGE)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        if let Some(scope) = scope {
            query.append_pair("scope", scope);
        }
        query.append_pair("resource", resource.as_str());
    }
    url
}

/// GET one authorization request; the redirect is recorded, never followed.
pub fn authorize_request(url: Url, case: AuthorizeCase) -> RequestSpec {
    RequestSpec::new(
        "GET",
        url,
        Stage::Registration,
        format!("authorization request ({})", case.as_str()),
    )
    .header("Accept", "text/html")
    .trust(Trust::Steered)
    .redirects(RedirectPolicy::None)
    .read(BodyRead::Full)
}

/// One authorization request and its answer.
#[derive(Debug, Clone)]
pub struct Authorize {
    /// Which case.
    pub case: AuthorizeCase,
    /// The redirect URI it sent.
    pub redirect_uri: String,
    /// The GET.
    pub fetch: Recorded,
}

/// DELETE a registered client (RFC 7592 §2.3).
pub fn delete_request(uri: &Url, access_token: &str, client_id: &str) -> RequestSpec {
    RequestSpec::new(
        "DELETE",
        uri.clone(),
        Stage::Registration,
        format!("delete the test client {client_id} (RFC 7592)"),
    )
    .header("Authorization", format!("Bearer {access_token}"))
    .trust(Trust::Steered)
    .redirects(RedirectPolicy::None)
}

/// What became of one client the scan created.
#[derive(Debug, Clone)]
pub struct Cleanup {
    /// The client.
    pub client_id: String,
    /// The DELETE, when the registration said how to send one.
    pub delete: Option<Recorded>,
    /// True when the DELETE was answered with 2xx.
    pub deleted: bool,
}

/// Everything stage 6 did in active mode.
#[derive(Debug, Clone, Default)]
pub struct RegistrationFacts {
    /// The registration endpoint used.
    pub endpoint: Option<Url>,
    /// Every registration attempt, in recording order (realistic first).
    pub registrations: Vec<Registration>,
    /// The authorization requests, in [`AuthorizeCase::ALL`] order.
    pub authorize: Vec<Authorize>,
    /// One entry per distinct client created.
    pub cleanup: Vec<Cleanup>,
}

impl RegistrationFacts {
    /// The registration of a case, if it was attempted.
    pub fn case(&self, case: Case) -> Option<&Registration> {
        self.registrations.iter().find(|r| r.case == case)
    }

    /// The authorization request of a case, if it was sent.
    pub fn authorize(&self, case: AuthorizeCase) -> Option<&Authorize> {
        self.authorize.iter().find(|a| a.case == case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_metadata_is_what_mcp_clients_send() {
        let m = client_metadata(Case::Realistic);
        assert_eq!(m["application_type"], "native");
        assert_eq!(m["token_endpoint_auth_method"], "none");
        assert_eq!(
            m["redirect_uris"],
            json!(["http://127.0.0.1:47813/callback"])
        );
        assert_eq!(
            m["grant_types"],
            json!(["authorization_code", "refresh_token"])
        );
        assert!(client_metadata(Case::HttpsControl)
            .get("application_type")
            .is_none());
        assert_eq!(
            client_metadata(Case::EmptyRedirects)["redirect_uris"],
            json!([])
        );
        assert!(Case::NEGATIVE.iter().all(|c| c.must_be_refused()));
        assert!(!Case::Realistic.must_be_refused());
    }

    #[test]
    fn authorize_urls() {
        let endpoint = Url::parse("https://as.example/authorize?tenant=a").unwrap();
        let resource = Url::parse("https://mcp.example/mcp").unwrap();
        let url = authorize_url(
            &endpoint,
            AuthorizeCase::WithoutPkce,
            "cid",
            &resource,
            Some("mcp:tools"),
        );
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "tenant",
                "response_type",
                "client_id",
                "redirect_uri",
                "state",
                "scope",
                "resource"
            ]
        );
        let url = authorize_url(
            &endpoint,
            AuthorizeCase::UnregisteredRedirect,
            "cid",
            &resource,
            None,
        );
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("code_challenge_method".into(), "S256".into())));
        assert!(pairs.contains(&(
            "redirect_uri".into(),
            "http://127.0.0.1:47813/callback/authprobe-unregistered".into()
        )));
    }
}
