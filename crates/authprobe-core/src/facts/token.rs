//! What stage 5 sent: the invalid `authorization_code` grants and who they claimed
//! to come from.

use url::Url;

use super::Recorded;

/// Which client the grant claims to come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantClient {
    /// A public client the server cannot know (passive mode).
    MadeUp(String),
    /// The client registered in stage 6 (active mode).
    Registered(String),
}

impl GrantClient {
    /// The `client_id` sent.
    pub fn client_id(&self) -> &str {
        match self {
            GrantClient::MadeUp(id) | GrantClient::Registered(id) => id,
        }
    }

    /// "a made-up public client" or "the client registered by the scan", for evidence.
    pub fn describe(&self) -> &'static str {
        match self {
            GrantClient::MadeUp(_) => "a made-up public client",
            GrantClient::Registered(_) => "the client registered by the scan",
        }
    }
}

/// One invalid grant and its answer.
#[derive(Debug, Clone)]
pub struct TokenProbe {
    /// Who the grant claimed to come from.
    pub client: GrantClient,
    /// The POST, all hops.
    pub fetch: Recorded,
}

/// Everything stage 5 sent.
#[derive(Debug, Clone, Default)]
pub struct TokenFacts {
    /// The token endpoint, when the metadata names a usable one.
    pub endpoint: Option<Url>,
    /// The probes: the made-up client first, then (active mode) the registered one.
    pub probes: Vec<TokenProbe>,
}
