//! Stage 5 probe: an `authorization_code` grant the token endpoint must refuse
//! (a made-up code), sent the way an MCP client sends a real one.

use url::Url;

use crate::http::{BodyRead, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;

use crate::facts::token::GrantClient;

/// The PKCE verifier sent with the made-up code (RFC 7636 Appendix B's example:
/// well-formed, and it never has to match anything).
pub const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// Its S256 challenge (RFC 7636 Appendix B).
pub const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

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

#[cfg(test)]
mod tests;
