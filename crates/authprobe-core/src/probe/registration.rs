//! Stage 6 probes (`--active` only): dynamic client registrations (RFC 7591),
//! the authorization requests made with the registered client, and the RFC 7592
//! deletes that leave nothing behind.
//!
//! Authorization requests never follow the redirect they get: the answer itself
//! (where the server would send the browser) is the evidence.

use serde_json::{json, Value};
use url::Url;

use crate::http::{BodyRead, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;

use super::token::{unique_suffix, PKCE_CHALLENGE};
use crate::facts::registration::{AuthorizeCase, Case};

/// The client metadata (RFC 7591 §2) the scan registers for a case.
pub fn client_metadata(case: Case) -> Value {
    let name = match case {
        Case::Realistic => "authprobe test client (deleted after the scan)".to_string(),
        Case::Mirror => "authprobe second test client (deleted after the scan)".to_string(),
        other => format!("authprobe test client: {}", other.as_str()),
    };
    let mut metadata = json!({
        "client_name": name,
        "redirect_uris": case.redirect_uris(),
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "software_id": "authprobe",
        "software_version": env!("CARGO_PKG_VERSION"),
    });
    // OpenID Connect's `application_type`: native for loopback clients; the https
    // control is what a web client would send.
    if case != Case::HttpsControl {
        metadata["application_type"] = json!("native");
    }
    metadata
}

/// POST one registration, without an initial access token.
pub fn register_request(endpoint: &Url, case: Case) -> RequestSpec {
    RequestSpec::new(
        "POST",
        endpoint.clone(),
        Stage::Registration,
        format!("dynamic client registration ({})", case.as_str()),
    )
    .header("Content-Type", "application/json")
    .header("Accept", "application/json")
    .body(client_metadata(case).to_string())
    .trust(Trust::Steered)
    .redirects(RedirectPolicy::None)
    .read(BodyRead::Full)
}

/// The authorization request URL of a case.
pub fn authorize_url(
    endpoint: &Url,
    case: AuthorizeCase,
    client_id: &str,
    resource: &Url,
    scope: Option<&str>,
) -> Url {
    let mut url = endpoint.clone();
    url.set_fragment(None);
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", &case.redirect_uri())
            .append_pair("state", &format!("authprobe-{}", unique_suffix()));
        match case {
            AuthorizeCase::WithoutPkce => {}
            // With `plain` the challenge is the verifier itself; any valid one will do.
            AuthorizeCase::PlainPkce => {
                query
                    .append_pair("code_challenge", PKCE_CHALLENGE)
                    .append_pair("code_challenge_method", "plain");
            }
            _ => {
                query
                    .append_pair("code_challenge", PKCE_CHALLENGE)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        if let Some(scope) = scope {
            query.append_pair("scope", scope);
        }
        query.append_pair("resource", resource.as_str());
    }
    url
}

/// GET one authorization request; the redirect is recorded, never followed.
pub fn authorize_request(url: Url, case: AuthorizeCase) -> RequestSpec {
    RequestSpec::new(
        "GET",
        url,
        Stage::Registration,
        format!("authorization request ({})", case.as_str()),
    )
    .header("Accept", "text/html")
    .trust(Trust::Steered)
    .redirects(RedirectPolicy::None)
    .read(BodyRead::Full)
}

/// DELETE a registered client (RFC 7592 §2.3).
pub fn delete_request(uri: &Url, access_token: &str, client_id: &str) -> RequestSpec {
    RequestSpec::new(
        "DELETE",
        uri.clone(),
        Stage::Registration,
        format!("delete the test client {client_id} (RFC 7592)"),
    )
    .header("Authorization", format!("Bearer {access_token}"))
    .trust(Trust::Steered)
    .redirects(RedirectPolicy::None)
}

#[cfg(test)]
mod tests;
