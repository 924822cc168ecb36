//! Why a finding is a violation: one claim per section its catalog entry cites.
//!
//! For the sections the discovery findings rest on, the claim says in our words what
//! the section requires (written from the reference texts). For any other section the
//! claim names the section by its title from the section table, and the finding's own
//! condition (`fires_when`) says what was broken.

use super::Claim;
use crate::catalog::{Code, Reference};
use crate::citations::{self, Resolution};
use crate::report::Finding;

/// What a section requires, keyed by the citation as the catalog writes it, for the
/// codes whose rule it states (an empty list: every code citing the section).
const CLAIMS: &[(&[Code], &str, &str)] = &[
    (
        &[],
        "RFC 9110 §15.5.2",
        "A server that answers 401 MUST send a WWW-Authenticate header field with at least one challenge applicable to the target resource.",
    ),
    (
        &[Code::HeaderStrippedByProxySuspected],
        "RFC 9110 §11.6.1",
        "A 401 response MUST carry a WWW-Authenticate header field with at least one challenge, and a proxy forwarding a response MUST NOT modify its WWW-Authenticate fields.",
    ),
    (
        &[Code::WwwAuthenticateMalformed],
        "RFC 9110 §11.6.1",
        "The WWW-Authenticate value is a comma-separated list of challenges, each with its own comma-separated parameters, which clients parse by that grammar.",
    ),
    (
        &[Code::DiscoveryNoWwwAuthenticate, Code::WwwAuthenticateNoBearer],
        "RFC 6750 §3",
        "A resource server MUST include WWW-Authenticate when a request carries no credentials or no usable access token, and the challenges RFC 6750 defines use the Bearer scheme.",
    ),
    (
        &[Code::ChallengeScopeMissing],
        "RFC 6750 §3",
        "The Bearer challenge's scope attribute lists the scopes an access token needs for the resource (RFC 6750 itself makes it OPTIONAL).",
    ),
    (
        &[Code::InvalidTokenErrorCodeMissing],
        "RFC 6750 §3",
        "When a request carried an access token that failed authentication, the resource server SHOULD include the error attribute saying why.",
    ),
    (
        &[],
        "RFC 9728 §5.1",
        "The resource_metadata parameter of the WWW-Authenticate challenge is how a protected resource gives clients the URL of its protected resource metadata.",
    ),
    (
        &[],
        "RFC 9728 §3",
        "A protected resource that supports metadata MUST make its metadata document available at the URL formed by inserting /.well-known/oauth-protected-resource between the host and the path of its resource identifier.",
    ),
    (
        &[],
        "RFC 9728 §3.2",
        "A successful metadata response MUST use 200 OK and return a JSON object with the application/json content type.",
    ),
    (
        &[],
        "RFC 9728 §3.3",
        "The resource value in the metadata MUST be identical to the resource identifier the metadata URL was built from (or, for a URL taken from the challenge, to the URL the client requested); otherwise the client MUST NOT use the metadata.",
    ),
    (
        &[Code::PrmResourceMissing, Code::PrmAuthorizationServersInvalid],
        "RFC 9728 §2",
        "The metadata's resource member is REQUIRED, and authorization_servers lists the issuer identifiers of the authorization servers a client can use.",
    ),
    (
        &[
            Code::AuthRequiredButNotAdvertised,
            Code::DiscoveryResourceMetadataMissing,
            Code::PrmWellknownPathSuffixMissing,
            Code::DiscoveryRootWellknown404,
        ],
        "MCP 2025-11-25 Authorization › Protected Resource Metadata Discovery Requirements",
        "MCP servers MUST either give the resource metadata URL in the resource_metadata parameter of WWW-Authenticate on 401 responses, or serve the metadata at a well-known URI (at the MCP endpoint's path or at the root).",
    ),
    (
        &[Code::ChallengeScopeMissing],
        "MCP 2025-11-25 Authorization › Protected Resource Metadata Discovery Requirements",
        "MCP servers SHOULD include a scope parameter in the WWW-Authenticate header to tell clients which scopes the resource needs.",
    ),
    (
        &[],
        "MCP 2025-11-25 Authorization › Authorization Server Location",
        "MCP servers MUST implement RFC 9728 protected resource metadata, and the document MUST include authorization_servers with at least one authorization server.",
    ),
];

/// One claim per reference of the finding's catalog entry, in catalog order. A
/// section without a written claim carries the finding's condition the first time,
/// and only its title after that.
pub(super) fn claims(finding: &Finding) -> Vec<Claim> {
    let entry = finding.code.entry();
    let mut condition = Some(entry.fires_when);
    entry
        .references
        .iter()
        .map(|reference| claim(finding.code, reference, &mut condition))
        .collect()
}

fn claim(code: Code, reference: &Reference, condition: &mut Option<&str>) -> Claim {
    let cited = reference.to_string();
    let resolution = citations::check_reference(reference);
    let section_title = match &resolution {
        Resolution::Verified { section_title, .. } => section_title.map(str::to_string),
        Resolution::Unverified { .. } => None,
    };
    let written = CLAIMS
        .iter()
        .find(|(codes, key, _)| *key == cited && (codes.is_empty() || codes.contains(&code)));
    let text = match written {
        Some((_, _, text)) => text.to_string(),
        None => match (condition.take(), &section_title) {
            (Some(fires_when), _) => fires_when.to_string(),
            (None, Some(title)) => format!("See also “{title}”."),
            (None, None) => "See also this section.".to_string(),
        },
    };
    Claim {
        claim: text,
        reference: cited,
        url: reference.url.to_string(),
        section_title,
        verified: resolution.is_verified(),
    }
}
