//! What stages 4 to 6 were planned to do and recorded after the metadata.

use url::Url;

use super::auth_server::Issuer;
use super::registration::RegistrationFacts;
use super::token::TokenFacts;
use super::Recorded;

/// Everything the later stages recorded.
#[derive(Debug, Clone, Default)]
pub struct OauthFacts {
    /// The `jwks_uri` GET.
    pub jwks: Option<(Url, Recorded)>,
    /// Stage 5.
    pub token: TokenFacts,
    /// Stage 6 (active mode).
    pub registration: RegistrationFacts,
    /// Round trips on the longest chain of these requests that wait for each other.
    pub depth: u32,
}

/// Whether stages 4 to 6 run, and with what.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Why the stages do not run, when they do not.
    pub skip: Option<String>,
    /// The issuers to probe.
    pub issuers: Vec<Issuer>,
    /// Issuers left out (beyond the cap).
    pub left_out: Vec<String>,
    /// The `resource` of the protected resource metadata in use.
    pub resource: Option<String>,
    /// Its `scopes_supported`, and the exchange that served it.
    pub prm_scopes: Option<(Vec<String>, crate::http::ExchangeId)>,
    /// The scope a client would request.
    pub scope: Option<String>,
}

impl Plan {
    /// A plan that runs nothing, for this reason.
    pub fn skip(reason: impl Into<String>) -> Plan {
        Plan {
            skip: Some(reason.into()),
            ..Plan::default()
        }
    }
}
