//! `--login`: obtain a token through the server's own OAuth setup, the way
//! a conforming MCP client does (MCP 2025-11-25 Authorization), every request
//! recorded as a stage-7 exchange.
//!
//! The client is the one given (`--client-id`), a Client ID Metadata
//! Document the user hosts (`--client-metadata-url`), or a native public
//! client registered for the login (RFC 7591) and deleted afterwards
//! (RFC 7592). The grants: authorization code with PKCE S256 and a loopback
//! redirect ([`flows::code`]), the device authorization grant
//! ([`flows::device`]) and client credentials ([`flows::client_credentials`]).
//! Secrets (tokens, codes, the PKCE verifier, the client secret) stay in
//! [`Secrets`], in memory; the report holds exchanges, which the renderers
//! redact.

pub mod after;
pub mod callback;
pub mod flows;
pub mod requests;

use std::time::Instant;

use url::Url;

use super::{Recorded, Trace};
use crate::config::{LoginConfig, LoginFlow};
use crate::http::{Exchange, Fetched};
use crate::wire::as_metadata::AsMetadata;
use requests::LoginClient;

/// One request of the login, by what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginStep {
    /// Dynamic client registration of the login's own client.
    Register,
    /// The authorization request (sent by the browser).
    Authorize,
    /// The redirect back to the loopback listener.
    Callback,
    /// The token request that redeems the code, or the client credentials grant.
    Token,
    /// The device authorization request.
    DeviceAuthorization,
    /// One poll of the token endpoint with the device code.
    DevicePoll,
    /// Active: the refresh with the refresh token.
    Refresh,
    /// Active: the same refresh token once more, after it was used.
    RefreshReuse,
    /// Active: a token for another resource.
    ForeignToken,
    /// Active: the MCP server asked to accept the foreign token.
    ForeignUse,
    /// Active: the authorization code redeemed a second time.
    CodeReuse,
    /// RFC 7592 deletion of the login's own client.
    Unregister,
}

impl LoginStep {
    /// Why the request is sent, for the report.
    pub fn purpose(self) -> &'static str {
        match self {
            LoginStep::Register => "login: register a native public client (RFC 7591)",
            LoginStep::Authorize => {
                "login: authorization request, opened in the browser (its answer is the browser's to see)"
            }
            LoginStep::Callback => "login: the authorization response, on the loopback redirect",
            LoginStep::Token => "login: token request",
            LoginStep::DeviceAuthorization => "login: device authorization request (RFC 8628)",
            LoginStep::DevicePoll => "login: token request with the device code",
            LoginStep::Refresh => "login (active): refresh with the refresh token",
            LoginStep::RefreshReuse => {
                "login (active): the same refresh token again, after it was used"
            }
            LoginStep::ForeignToken => "login (active): a token for another resource",
            LoginStep::ForeignUse => {
                "login (active): the MCP server asked to accept the token for another resource"
            }
            LoginStep::CodeReuse => "login (active): the authorization code redeemed a second time",
            LoginStep::Unregister => "login: delete the client registered for the login (RFC 7592)",
        }
    }
}

/// Why a login stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The authorization server failed (refused, errored, answered nonsense or
    /// not at all): `LOGIN_FAILED`.
    Target(String),
    /// The response broke a rule a client must enforce (state, iss): the
    /// login stops, and the check of that rule says why.
    Rejected(String),
    /// The person or the command line is at fault (no login in time, a
    /// missing option): the scan cannot run (exit 3).
    User(String),
}

/// What a successful login holds: never shown, only used.
#[derive(Clone)]
pub struct Secrets {
    /// The access token.
    pub access_token: String,
    /// The refresh token, if one was issued.
    pub refresh_token: Option<String>,
    /// The code, verifier and redirect URI of the code flow (for the reuse probe).
    pub code: Option<(String, String, String)>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets([REDACTED])")
    }
}

/// What the login needs from the stages before it.
pub struct LoginInput<'a> {
    /// `--login` and its options.
    pub config: &'a LoginConfig,
    /// The selected authorization server's metadata.
    pub metadata: &'a AsMetadata,
    /// The canonical URI of the MCP server (RFC 8707 `resource`).
    pub resource: &'a Url,
    /// The scope: `--scope`, else the challenge's, else the PRM's `scopes_supported`.
    pub scope: Option<String>,
    /// When the scan started (for the timing of synthetic exchanges).
    pub started: Instant,
}

/// A login before its exchanges are numbered.
#[derive(Debug, Default)]
pub struct LoginRun {
    sends: Vec<(LoginStep, Fetched)>,
    /// Why it stopped, and at which request.
    pub failure: Option<(Option<LoginStep>, Failure)>,
    /// The token and what the active probes need.
    pub secrets: Option<Secrets>,
    /// The client it acted as.
    pub client: Option<LoginClient>,
    /// Round trips.
    pub depth: u32,
}

impl LoginRun {
    pub(crate) fn push(&mut self, step: LoginStep, fetched: Fetched) -> Exchange {
        self.depth += fetched.hops();
        let last = fetched.last().clone();
        self.sends.push((step, fetched));
        last
    }

    pub(crate) fn fail<T>(&mut self, step: Option<LoginStep>, failure: Failure) -> Option<T> {
        self.failure = Some((step, failure));
        None
    }

    /// Numbers the exchanges.
    pub fn record(&mut self, trace: &mut Trace) -> Vec<(LoginStep, Recorded)> {
        std::mem::take(&mut self.sends)
            .into_iter()
            .map(|(step, fetched)| (step, trace.record(fetched)))
            .collect()
    }
}

/// Everything the login did, numbered in the trace.
#[derive(Debug, Clone, Default)]
pub struct LoginFacts {
    /// The grant used.
    pub flow: LoginFlow,
    /// Each request and its exchanges, in order.
    pub recorded: Vec<(LoginStep, Recorded)>,
    /// Why it stopped, at which request.
    pub failure: Option<(Option<LoginStep>, Failure)>,
    /// How the client came to be.
    pub client_kind: Option<&'static str>,
    /// The client's id (not a secret).
    pub client_id: Option<String>,
    /// A confidential client (with a secret).
    pub confidential: bool,
    /// The login's own client could not be deleted.
    pub cleanup_failed: bool,
}

impl LoginFacts {
    /// The final exchange of the last request of `step`.
    pub fn exchange<'t>(&self, trace: &'t Trace, step: LoginStep) -> Option<&'t Exchange> {
        self.recorded
            .iter()
            .rev()
            .find(|(s, _)| *s == step)
            .and_then(|(_, r)| trace.last_of(r))
    }

    /// Every exchange id.
    pub fn ids(&self) -> Vec<u32> {
        self.recorded
            .iter()
            .flat_map(|(_, r)| r.ids.iter().copied())
            .collect()
    }

    /// Appends the requests of a later run (the active probes, the cleanup).
    pub fn extend(&mut self, run: &mut LoginRun, trace: &mut Trace) {
        self.recorded.extend(run.record(trace));
    }
}

/// Runs the login of `input.config.flow`.
pub async fn run(client: &crate::http::Client, input: &LoginInput<'_>) -> LoginRun {
    let mut run = LoginRun::default();
    match input.config.flow {
        LoginFlow::Code => flows::code(client, input, &mut run).await,
        LoginFlow::Device => flows::device(client, input, &mut run).await,
        LoginFlow::ClientCredentials => flows::client_credentials(client, input, &mut run).await,
    }
    run
}
