//! Well-known metadata URLs built from a resource or an issuer identifier:
//! RFC 9728 §3.1 for protected resource metadata, RFC 8414 §3.1 and the
//! MCP 2025-11-25 order for authorization server metadata.
//!
//! Built for `http` and `https` URLs; other URLs give well-formed but
//! meaningless candidates rather than a panic.

use serde::{Deserialize, Serialize};
use url::Url;

const PRM_SUFFIX: &str = "/.well-known/oauth-protected-resource";
const OAUTH_SUFFIX: &str = "/.well-known/oauth-authorization-server";
const OIDC_SUFFIX: &str = "/.well-known/openid-configuration";

/// The two places RFC 9728 §3.1 and MCP 2025-11-25 look for protected resource metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrmWellKnown {
    /// `/.well-known/oauth-protected-resource` inserted before the resource's path
    /// and query; `None` when the resource has neither, since it would equal `root`.
    pub path_suffix: Option<Url>,
    /// `/.well-known/oauth-protected-resource` at the root of the resource's origin.
    pub root: Url,
}

/// Builds the protected resource metadata candidates of a resource identifier.
///
/// Only the slash that directly follows the host is removed (RFC 9728 §3.1);
/// a trailing slash at the end of a longer path is kept, because resource
/// identifiers that differ by it are different identifiers (§3.3).
pub fn prm_candidates(resource: &Url) -> PrmWellKnown {
    let root = with_path(resource, PRM_SUFFIX, None);
    let path = resource.path();
    let query = resource.query();
    let path_suffix = if (path.is_empty() || path == "/") && query.is_none() {
        None
    } else {
        let rest = if path == "/" { "" } else { path };
        Some(with_path(resource, &format!("{PRM_SUFFIX}{rest}"), query))
    };
    PrmWellKnown { path_suffix, root }
}

/// Which discovery document and which construction a candidate URL uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AsCandidateKind {
    /// RFC 8414: `/.well-known/oauth-authorization-server` inserted before the issuer's path.
    Oauth,
    /// OpenID Connect Discovery with the well-known string inserted before the path (RFC 8414 §5).
    OidcInserted,
    /// OpenID Connect Discovery 1.0 §4: `/.well-known/openid-configuration` appended to the path.
    OidcAppended,
}

/// One authorization server metadata URL to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsCandidate {
    /// How the URL was built.
    pub kind: AsCandidateKind,
    /// The URL.
    pub url: Url,
}

/// The authorization server metadata URLs of an issuer, in the order
/// MCP 2025-11-25 › Authorization Server Metadata Discovery says to try them.
///
/// A terminating `/` of the issuer is removed first (RFC 8414 §3.1, OpenID
/// Connect Discovery 1.0 §4). Query and fragment are dropped: an issuer has
/// neither (RFC 8414 §2), and judging one that does is the checks' business.
pub fn auth_server_candidates(issuer: &Url) -> Vec<AsCandidate> {
    let path = issuer.path();
    let path = path.strip_suffix('/').unwrap_or(path);
    let candidate = |kind, new_path: String| AsCandidate {
        kind,
        url: with_path(issuer, &new_path, None),
    };
    if path.is_empty() {
        return vec![
            candidate(AsCandidateKind::Oauth, OAUTH_SUFFIX.to_string()),
            candidate(AsCandidateKind::OidcInserted, OIDC_SUFFIX.to_string()),
        ];
    }
    vec![
        candidate(AsCandidateKind::Oauth, format!("{OAUTH_SUFFIX}{path}")),
        candidate(
            AsCandidateKind::OidcInserted,
            format!("{OIDC_SUFFIX}{path}"),
        ),
        candidate(
            AsCandidateKind::OidcAppended,
            format!("{path}{OIDC_SUFFIX}"),
        ),
    ]
}

/// `base` with its path and query replaced and its fragment dropped.
fn with_path(base: &Url, path: &str, query: Option<&str>) -> Url {
    let mut url = base.clone();
    url.set_fragment(None);
    url.set_query(query);
    // The path comes from an already-parsed URL, so its percent-escapes are kept as they are.
    url.set_path(path);
    url
}

#[cfg(test)]
mod tests;
