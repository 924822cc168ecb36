//! What stage 4 observed: every authorization server metadata candidate of every
//! issuer, with its document.

use url::Url;

use crate::http::Exchange;
use crate::wire::as_metadata::{parse_as_metadata, AsMetadata};
use crate::wire::prm::NotAnObject;
use crate::wire::wellknown::AsCandidateKind;

use super::{Recorded, Trace};

/// Kebab-case name of a candidate kind, for reports.
pub fn kind_name(kind: AsCandidateKind) -> &'static str {
    match kind {
        AsCandidateKind::Oauth => "oauth",
        AsCandidateKind::OidcInserted => "oidc-inserted",
        AsCandidateKind::OidcAppended => "oidc-appended",
    }
}

/// An issuer identifier from `authorization_servers`, as written and as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Issuer {
    /// The string exactly as the protected resource metadata gives it.
    pub raw: String,
    /// The parsed URL the candidates are built from.
    pub url: Url,
}

/// One metadata URL and what it answered.
#[derive(Debug, Clone)]
pub struct AsFetch {
    /// How the URL was built (the root probe counts as `Oauth`).
    pub kind: AsCandidateKind,
    /// The URL.
    pub url: Url,
    /// The GET, all hops.
    pub fetch: Recorded,
    /// The body, when the final answer was 200.
    pub document: Option<Result<AsMetadata, NotAnObject>>,
}

impl AsFetch {
    /// Reads a candidate out of its recorded exchanges.
    pub fn new(trace: &Trace, kind: AsCandidateKind, url: Url, fetch: Recorded) -> Self {
        let document = trace
            .last_of(&fetch)
            .and_then(|e| e.response.as_ref())
            .filter(|r| r.status == 200)
            .map(|r| parse_as_metadata(&r.body));
        AsFetch {
            kind,
            url,
            fetch,
            document,
        }
    }

    /// The final exchange.
    pub fn exchange<'t>(&self, trace: &'t Trace) -> Option<&'t Exchange> {
        trace.last_of(&self.fetch)
    }

    /// The status of the final answer.
    pub fn status(&self, trace: &Trace) -> Option<u16> {
        self.exchange(trace).and_then(|e| e.status())
    }

    /// The metadata, when the body is a JSON object.
    pub fn doc(&self) -> Option<&AsMetadata> {
        self.document.as_ref().and_then(|d| d.as_ref().ok())
    }
}

/// Everything fetched for one issuer.
#[derive(Debug, Clone)]
pub struct IssuerFacts {
    /// The issuer.
    pub issuer: Issuer,
    /// Its candidates, in the MCP 2025-11-25 order.
    pub candidates: Vec<AsFetch>,
    /// The root well-known URL, for an issuer with a path.
    pub root: Option<AsFetch>,
}

/// Everything stage 4 fetched.
#[derive(Debug, Clone, Default)]
pub struct AuthServerFacts {
    /// One entry per probed issuer, in document order.
    pub issuers: Vec<IssuerFacts>,
    /// Issuers beyond the number the scan probes, not probed.
    pub left_out: Vec<String>,
}
