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

use crate::config::{LoginConfig, LoginFlow};
use crate::facts::login::{Failure, LoginFacts, LoginStep};
use crate::facts::{Recorded, Trace};
use crate::http::{Exchange, Fetched};
use crate::wire::as_metadata::AsMetadata;
use requests::LoginClient;

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

impl LoginFacts {
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
