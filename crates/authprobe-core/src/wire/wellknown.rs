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
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn prm(s: &str) -> (Option<String>, String) {
        let wk = prm_candidates(&u(s));
        (wk.path_suffix.map(String::from), wk.root.into())
    }

    fn as_urls(s: &str) -> Vec<(AsCandidateKind, String)> {
        auth_server_candidates(&u(s))
            .into_iter()
            .map(|c| (c.kind, c.url.to_string()))
            .collect()
    }

    const ROOT: &str = "https://r.example/.well-known/oauth-protected-resource";

    #[test]
    fn prm_without_path_has_only_root() {
        assert_eq!(prm("https://r.example"), (None, ROOT.into()));
        assert_eq!(prm("https://r.example/"), (None, ROOT.into()));
        assert_eq!(prm("https://r.example/#frag"), (None, ROOT.into()));
    }

    #[test]
    fn prm_rfc9728_example() {
        assert_eq!(
            prm("https://resource.example.com/resource1"),
            (
                Some(
                    "https://resource.example.com/.well-known/oauth-protected-resource/resource1"
                        .into()
                ),
                "https://resource.example.com/.well-known/oauth-protected-resource".into()
            )
        );
    }

    #[test]
    fn prm_mcp_example_with_several_segments() {
        assert_eq!(
            prm("https://example.com/public/mcp").0.as_deref(),
            Some("https://example.com/.well-known/oauth-protected-resource/public/mcp")
        );
    }

    #[test]
    fn prm_keeps_port_and_drops_default_port() {
        assert_eq!(
            prm("http://localhost:8080/mcp"),
            (
                Some("http://localhost:8080/.well-known/oauth-protected-resource/mcp".into()),
                "http://localhost:8080/.well-known/oauth-protected-resource".into()
            )
        );
        assert_eq!(prm("https://r.example:443/").1, ROOT);
    }

    #[test]
    fn prm_keeps_query_on_path_suffix_only() {
        assert_eq!(
            prm("https://r.example/mcp?tenant=a#x"),
            (
                Some("https://r.example/.well-known/oauth-protected-resource/mcp?tenant=a".into()),
                ROOT.into()
            )
        );
        // The slash after the host is removed, the query still makes a distinct candidate.
        assert_eq!(
            prm("https://r.example/?tenant=a").0.as_deref(),
            Some("https://r.example/.well-known/oauth-protected-resource?tenant=a")
        );
    }

    #[test]
    fn prm_keeps_trailing_slash_of_longer_path() {
        assert_eq!(
            prm("https://r.example/api/mcp/").0.as_deref(),
            Some("https://r.example/.well-known/oauth-protected-resource/api/mcp/")
        );
    }

    #[test]
    fn prm_keeps_percent_escapes() {
        assert_eq!(
            prm("https://r.example/a%20b/%C3%A9").0.as_deref(),
            Some("https://r.example/.well-known/oauth-protected-resource/a%20b/%C3%A9")
        );
    }

    #[test]
    fn as_issuer_with_path() {
        assert_eq!(
            as_urls("https://auth.example.com/tenant1"),
            vec![
                (
                    AsCandidateKind::Oauth,
                    "https://auth.example.com/.well-known/oauth-authorization-server/tenant1"
                        .into()
                ),
                (
                    AsCandidateKind::OidcInserted,
                    "https://auth.example.com/.well-known/openid-configuration/tenant1".into()
                ),
                (
                    AsCandidateKind::OidcAppended,
                    "https://auth.example.com/tenant1/.well-known/openid-configuration".into()
                ),
            ]
        );
    }

    #[test]
    fn as_issuer_without_path() {
        let expected = vec![
            (
                AsCandidateKind::Oauth,
                "https://auth.example.com/.well-known/oauth-authorization-server".to_string(),
            ),
            (
                AsCandidateKind::OidcInserted,
                "https://auth.example.com/.well-known/openid-configuration".to_string(),
            ),
        ];
        assert_eq!(as_urls("https://auth.example.com"), expected);
        assert_eq!(as_urls("https://auth.example.com/"), expected);
    }

    #[test]
    fn as_issuer_trailing_slash_and_several_segments() {
        let urls = as_urls("https://auth.example.com/realms/acme/");
        assert_eq!(urls.len(), 3);
        assert_eq!(
            urls[0].1,
            "https://auth.example.com/.well-known/oauth-authorization-server/realms/acme"
        );
        assert_eq!(
            urls[1].1,
            "https://auth.example.com/.well-known/openid-configuration/realms/acme"
        );
        assert_eq!(
            urls[2].1,
            "https://auth.example.com/realms/acme/.well-known/openid-configuration"
        );
    }

    #[test]
    fn as_issuer_port_kept_query_and_fragment_dropped() {
        let urls = as_urls("http://127.0.0.1:9000/t1?x=1#f");
        assert_eq!(
            urls[0].1,
            "http://127.0.0.1:9000/.well-known/oauth-authorization-server/t1"
        );
        assert_eq!(
            urls[2].1,
            "http://127.0.0.1:9000/t1/.well-known/openid-configuration"
        );
        let root = as_urls("https://auth.example.com:8443?x=1");
        assert_eq!(
            root[0].1,
            "https://auth.example.com:8443/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn non_http_urls_do_not_panic() {
        let _ = prm_candidates(&u("mailto:someone@example.com"));
        let _ = auth_server_candidates(&u("urn:ietf:x"));
        let _ = prm_candidates(&u("file:///tmp/x"));
    }
}
