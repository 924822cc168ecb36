//! What stage 6 did in active mode: the registrations attempted (RFC 7591), the
//! authorization requests made with the registered client, and the deletes.

use url::Url;

use crate::wire::dcr::{parse_client_information, ClientInformation};

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
