//! The requests of a login: client registration and deletion, the token
//! requests of each grant with the client's authentication, and the
//! synthetic exchanges of the browser's part (the authorization request the
//! browser sent, the redirect the listener received).

use std::time::Instant;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use url::Url;

use super::callback::Received;
use super::LoginStep;
use crate::http::{
    BodyRead, Exchange, Fetched, Header, RecordedRequest, RecordedResponse, RedirectPolicy,
    RequestSpec, Timing, Trust,
};
use crate::report::Stage;
use crate::wire::as_metadata::AsMetadata;

/// The client the login acts as.
#[derive(Clone)]
pub struct LoginClient {
    /// `client_id`.
    pub id: String,
    /// `client_secret` of a confidential client.
    pub secret: Option<String>,
    /// RFC 7592 management (`registration_client_uri`, `registration_access_token`)
    /// of a client this login registered.
    pub management: Option<(Url, String)>,
    /// True when this login registered the client (it must be deleted afterwards).
    pub registered: bool,
    /// How the client came to be: `pre-registered`, `client metadata document`, `registered`.
    pub kind: &'static str,
}

impl std::fmt::Debug for LoginClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginClient")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// 32 random bytes, base64url: a PKCE verifier (43 characters, RFC 7636 §4.1) or a state.
pub fn random_value() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes[..]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 challenge of a verifier (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A POST of a form to an endpoint the authorization server named.
fn post_form(endpoint: &Url, step: LoginStep, pairs: &[(&str, &str)]) -> RequestSpec {
    RequestSpec::new("POST", endpoint.clone(), Stage::Session, step.purpose())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(form(pairs))
        .trust(Trust::Steered)
        .redirects(RedirectPolicy::None)
        .read(BodyRead::Full)
}

/// A token (or device authorization) request from `client`: HTTP Basic for a
/// confidential client unless the server only lists `client_secret_post`
/// (RFC 6749 §2.3.1), `client_id` in the body for a public one.
pub fn token_request(
    endpoint: &Url,
    step: LoginStep,
    client: &LoginClient,
    metadata: &AsMetadata,
    pairs: &[(&str, &str)],
) -> RequestSpec {
    let mut pairs: Vec<(&str, &str)> = pairs.to_vec();
    let methods = metadata
        .token_endpoint_auth_methods_supported
        .clone()
        .unwrap_or_default();
    let post_only = !methods.is_empty()
        && methods.iter().any(|m| m == "client_secret_post")
        && !methods.iter().any(|m| m == "client_secret_basic");
    match &client.secret {
        Some(secret) if post_only => {
            pairs.push(("client_id", &client.id));
            pairs.push(("client_secret", secret));
            post_form(endpoint, step, &pairs)
        }
        Some(secret) => {
            let enc = |v: &str| form(&[("", v)])[1..].to_string();
            let basic = STANDARD.encode(format!("{}:{}", enc(&client.id), enc(secret)));
            post_form(endpoint, step, &pairs).header("Authorization", format!("Basic {basic}"))
        }
        None => {
            pairs.push(("client_id", &client.id));
            post_form(endpoint, step, &pairs)
        }
    }
}

/// The registration of a native public client (RFC 7591), for `grant_types`.
pub fn register_request(
    endpoint: &Url,
    redirect_uri: Option<&str>,
    grants: &[&str],
) -> RequestSpec {
    let mut metadata = json!({
        "client_name": "authprobe",
        "application_type": "native",
        "token_endpoint_auth_method": "none",
        "grant_types": grants,
    });
    if let Some(uri) = redirect_uri {
        metadata["redirect_uris"] = json!([uri]);
        metadata["response_types"] = json!(["code"]);
    }
    RequestSpec::new(
        "POST",
        endpoint.clone(),
        Stage::Session,
        LoginStep::Register.purpose(),
    )
    .header("Content-Type", "application/json")
    .header("Accept", "application/json")
    .body(metadata.to_string())
    .trust(Trust::Steered)
    .redirects(RedirectPolicy::None)
}

/// RFC 7592 §2.3: DELETE the client this login registered.
pub fn unregister_request(uri: &Url, access_token: &str) -> RequestSpec {
    RequestSpec::new(
        "DELETE",
        uri.clone(),
        Stage::Session,
        LoginStep::Unregister.purpose(),
    )
    .header("Authorization", format!("Bearer {access_token}"))
    .trust(Trust::Steered)
    .redirects(RedirectPolicy::None)
}

fn millis_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// One exchange the scan did not send through its client (the browser's part).
fn synthetic(
    step: LoginStep,
    request: RecordedRequest,
    response: Option<RecordedResponse>,
    started: Instant,
) -> Fetched {
    Fetched {
        exchanges: vec![Exchange {
            id: 0,
            stage: Stage::Session,
            purpose: step.purpose().into(),
            request,
            response,
            error: None,
            redirect_of: None,
            connection: None,
            timing: Timing {
                started_ms: millis_since(started),
                total_ms: 0.0,
                ..Timing::default()
            },
        }],
        redirect_stopped: None,
    }
}

/// The authorization request, as the browser was asked to send it. Its answer
/// is the browser's to see: the exchange has no response.
pub fn authorization_exchange(url: &Url, started: Instant) -> Fetched {
    let request = RecordedRequest {
        method: "GET".into(),
        url: url.to_string(),
        headers: Vec::new(),
        body: None,
    };
    synthetic(LoginStep::Authorize, request, None, started)
}

/// The redirect the loopback listener received, and what it answered.
pub fn callback_exchange(received: &Received, redirect_uri: &str, started: Instant) -> Fetched {
    let origin = redirect_uri.trim_end_matches("/callback");
    let (status, content_type, body) = received.answer;
    let request = RecordedRequest {
        method: "GET".into(),
        url: format!("{origin}{}", received.target),
        headers: received.headers.clone(),
        body: None,
    };
    let response = RecordedResponse {
        status,
        version: "HTTP/1.1".into(),
        headers: vec![Header::new("Content-Type", content_type)],
        body: body.to_string(),
        body_bytes: body.len(),
        truncated: false,
    };
    synthetic(LoginStep::Callback, request, Some(response), started)
}

/// The JSON object of a response body, if it is one.
pub fn json_object(exchange: &Exchange) -> Option<serde_json::Map<String, Value>> {
    let response = exchange.response.as_ref()?;
    match serde_json::from_str(&response.body).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// `error` (and `error_description`) of an OAuth error response, in a few words.
pub fn oauth_error(exchange: &Exchange) -> Option<String> {
    let body = json_object(exchange)?;
    let error = body.get("error")?.as_str()?.to_string();
    Some(
        match body.get("error_description").and_then(Value::as_str) {
            Some(d) => format!(
                "error={error} ({})",
                d.chars().take(160).collect::<String>()
            ),
            None => format!("error={error}"),
        },
    )
}

#[cfg(test)]
mod tests;
