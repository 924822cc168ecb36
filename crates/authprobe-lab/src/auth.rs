//! Bearer token checks on the protected resource and the `WWW-Authenticate`
//! challenges of RFC 6750 §3 and RFC 9728 §5.1, with the challenge defects.

use axum::http::header::{AUTHORIZATION, SET_COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::defects::Defect;
use crate::state::{Lab, SCOPE};
use crate::wire::Reply;

/// Why a request is being refused.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The request carried no bearer token (or another scheme entirely).
    NoCredentials,
    /// The request carried a bearer token the lab does not know.
    InvalidToken,
}

/// The bearer token of a request. A missing header or a non-Bearer scheme
/// both count as "no credentials" (RFC 6750 §3.1: the client may simply be
/// unaware that authentication is needed).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Whether the `Authorization` header is a Bearer one whose credential is
/// empty or not a token68 string (RFC 6750 §2.1's `b64token`).
fn malformed_bearer(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let scheme_len = value.find(' ').unwrap_or(value.len());
    if !value[..scheme_len].eq_ignore_ascii_case("bearer") {
        return false;
    }
    let credential = value[scheme_len..].trim();
    let body = credential.trim_end_matches('=');
    body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// The `access_token` query parameter, if any.
fn query_token(query: Option<&str>) -> Option<String> {
    crate::wire::parse_form(query?)?
        .into_iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v)
}

/// [`refusal`] for a whole request: the session and query defects look past
/// the `Authorization` header.
pub(crate) fn request_refusal(
    lab: &Lab,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Option<Response> {
    if lab.has(Defect::QueryTokenAccepted) && headers.get(AUTHORIZATION).is_none() {
        if let Some(token) = query_token(query) {
            if lab.token_valid(&token) {
                return None;
            }
        }
    }
    if lab.has(Defect::SessionWithoutToken) && headers.get(AUTHORIZATION).is_none() {
        let session = headers.get("mcp-session-id").and_then(|v| v.to_str().ok());
        if session.is_some_and(|id| lab.store().sessions.contains_key(id)) {
            return None;
        }
    }
    refusal(lab, headers)
}

/// The refusal of one method to a request whose token passed: the defects
/// where `tools/list` is guarded apart from the rest.
pub(crate) fn method_refusal(lab: &Lab, method: &str) -> Option<Response> {
    if method != "tools/list" {
        return None;
    }
    if lab.has(Defect::ToolsListRefusedWithToken) {
        return Some(unauthorized(lab, Refusal::InvalidToken));
    }
    if lab.has(Defect::InsufficientScopeBare403) {
        let body = json!({ "error": "forbidden", "message": "tools/list needs mcp:admin" });
        return Some(Reply::json(StatusCode::FORBIDDEN, &body).into_response());
    }
    None
}

/// Checks the credentials of a request to the MCP endpoint: `None` lets it
/// through, `Some` is the complete refusal.
pub(crate) fn refusal(lab: &Lab, headers: &HeaderMap) -> Option<Response> {
    if lab.has(Defect::NoAuth) {
        return None;
    }
    if lab.has(Defect::MalformedBearerAccepted) && malformed_bearer(headers) {
        return None;
    }
    let Some(token) = bearer(headers) else {
        return Some(unauthorized(lab, Refusal::NoCredentials));
    };
    if lab.token_valid(token) || lab.has(Defect::InvalidTokenAccepted) {
        return None;
    }
    if lab.has(Defect::InvalidToken500) {
        return Some(
            Reply::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "500 Internal Server Error\n",
            )
            .into_response(),
        );
    }
    if lab.has(Defect::InvalidTokenNoError) {
        return Some(unauthorized(lab, Refusal::NoCredentials));
    }
    Some(unauthorized(lab, Refusal::InvalidToken))
}

/// A 401 with the lab's challenge (or none, under the defects that drop it).
pub(crate) fn unauthorized(lab: &Lab, why: Refusal) -> Response {
    let message = match why {
        Refusal::NoCredentials => {
            "This MCP server requires an OAuth access token: see the WWW-Authenticate header"
        }
        Refusal::InvalidToken => "The access token is invalid or expired",
    };
    let cookie = format!("lab_affinity={}; Path=/; HttpOnly", lab.affinity_cookie);
    let mut reply = Reply::json(StatusCode::UNAUTHORIZED, &json!({ "message": message }))
        .header(SET_COOKIE, &cookie);
    if let Some(challenge) = challenge(lab, why) {
        reply = reply.header(WWW_AUTHENTICATE, &challenge);
    }
    reply.into_response()
}

/// The `WWW-Authenticate` value for a refusal, `None` when a defect drops it.
pub(crate) fn challenge(lab: &Lab, why: Refusal) -> Option<String> {
    if lab.has(Defect::AuthNotAdvertised) || lab.has(Defect::NoWwwAuthenticate) {
        return None;
    }
    if lab.has(Defect::ChallengeBasic) {
        return Some("Basic realm=\"lab\"".to_owned());
    }
    let metadata = metadata_url(lab);
    if lab.has(Defect::ChallengeMalformed) {
        // The closing quote is missing on purpose: the rest of the header
        // becomes part of an unterminated quoted string.
        return Some(format!(
            "Bearer resource_metadata=\"{metadata}, scope={SCOPE}"
        ));
    }
    let mut params: Vec<String> = Vec::new();
    let error_description = match why {
        Refusal::InvalidToken => Some("The access token is invalid or expired"),
        Refusal::NoCredentials if lab.has(Defect::ChallengeErrorWithoutCredentials) => {
            Some("No access token was provided")
        }
        Refusal::NoCredentials => None,
    };
    if let Some(description) = error_description {
        params.push("error=\"invalid_token\"".to_owned());
        params.push(format!("error_description=\"{description}\""));
    }
    if !(lab.has(Defect::NoPrm)
        || lab.has(Defect::ChallengeNoResourceMetadata)
        || lab.has(Defect::PrmRootOnly)
        || lab.has(Defect::PrmPathSuffixOnly))
    {
        params.push(format!("resource_metadata=\"{metadata}\""));
    }
    if !lab.has(Defect::ChallengeNoScope) {
        if lab.has(Defect::ChallengeOfflineAccess) {
            params.push(format!("scope=\"{SCOPE} offline_access\""));
        } else {
            params.push(format!("scope=\"{SCOPE}\""));
        }
    }
    if params.is_empty() {
        return Some("Bearer".to_owned());
    }
    Some(format!("Bearer {}", params.join(", ")))
}

/// The metadata URL the challenge advertises.
fn metadata_url(lab: &Lab) -> String {
    if lab.has(Defect::ChallengeRelativeMetadata) {
        lab.prm_suffix_path()
    } else {
        format!("{}{}", lab.base, lab.prm_suffix_path())
    }
}
