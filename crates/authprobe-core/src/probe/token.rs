//! Stage 5 probe: an `authorization_code` grant the token endpoint must refuse
//! (a made-up code), sent the way an MCP client sends a real one.

use url::Url;

use crate::http::{BodyRead, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;

use super::Recorded;

/// The PKCE verifier sent with the made-up code (RFC 7636 Appendix B's example:
/// well-formed, and it never has to match anything).
pub const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// Its S256 challenge (RFC 7636 Appendix B).
pub const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

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

/// A short string unique to this process and moment, so that made-up values
/// (codes, client ids) can never be ones a server or a cache has seen.
pub(crate) fn unique_suffix() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{nanos:x}{n:x}")
}

/// A `client_id` no server has issued, unique per scan.
pub fn made_up_client_id() -> String {
    format!("authprobe-unknown-client-{}", unique_suffix())
}

/// The form body of the invalid grant.
pub fn grant_body(client: &GrantClient, redirect_uri: &str, resource: &Url) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair(
            "code",
            &format!("authprobe-invalid-code-{}", unique_suffix()),
        )
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("client_id", client.client_id())
        .append_pair("code_verifier", PKCE_VERIFIER)
        .append_pair("resource", resource.as_str())
        .finish()
}

/// POST the invalid grant to the token endpoint.
pub fn grant_request(
    endpoint: &Url,
    client: &GrantClient,
    redirect_uri: &str,
    resource: &Url,
) -> RequestSpec {
    RequestSpec::new(
        "POST",
        endpoint.clone(),
        Stage::Token,
        format!(
            "token request with a made-up authorization code from {}",
            client.describe()
        ),
    )
    .header("Content-Type", "application/x-www-form-urlencoded")
    .header("Accept", "application/json")
    .body(grant_body(client, redirect_uri, resource))
    .trust(Trust::Steered)
    // 307 and 308 keep the POST; an endpoint that moved is still reachable that way.
    .redirects(RedirectPolicy::HttpsOnly { max: 5 })
    .read(BodyRead::Full)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_body_is_form_encoded() {
        let body = grant_body(
            &GrantClient::MadeUp("c 1&x".into()),
            "http://127.0.0.1:47813/callback",
            &Url::parse("https://mcp.example.com/mcp").unwrap(),
        );
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("grant_type"), Some("authorization_code"));
        assert_eq!(get("client_id"), Some("c 1&x"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:47813/callback"));
        assert_eq!(get("code_verifier"), Some(PKCE_VERIFIER));
        assert_eq!(get("resource"), Some("https://mcp.example.com/mcp"));
        assert!(get("code").unwrap().starts_with("authprobe-invalid-code-"));
        assert!(!body.contains(' '));
    }
}
