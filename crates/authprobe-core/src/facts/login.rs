//! What `--login` did: each request by what it does, why it stopped, and the
//! client it acted as.

use crate::config::LoginFlow;
use crate::http::Exchange;

use super::{Recorded, Trace};

/// The path of the made-up resource the foreign-token probe asks a token for.
pub const FOREIGN_PATH: &str = "/authprobe-foreign-resource";

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
}
