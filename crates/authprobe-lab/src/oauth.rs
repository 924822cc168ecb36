//! The authorization endpoint of the lab's authorization server
//! (auto-approving: the lab has no users; registered clients, the
//! pre-registered confidential client and Client ID Metadata Documents).
//! The token endpoint is in `token`, the metadata in `metadata`.

use std::time::Instant;

use axum::http::header::LOCATION;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::cimd;
use crate::defects::Defect;
use crate::state::{Grant, Lab, CODE_LIFETIME, SCOPE};
use crate::wire::{
    method_not_allowed, not_found, parse_form, percent_encode, random_id, single, Reply,
};

/// A refusal that must not redirect (RFC 6749 §4.1.2.1: the client or its
/// redirect URI cannot be trusted).
fn refuse_page(reason: &str) -> Response {
    Reply::text(
        StatusCode::BAD_REQUEST,
        &format!("Authorization request refused: {reason}\n"),
    )
    .into_response()
}

/// 302 to the client's redirect URI with the given parameters and `iss`
/// (RFC 9207; another issuer's under the `authorization-wrong-iss` defect).
fn redirect_back(lab: &Lab, redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut location = redirect_uri.to_owned();
    let mut sep = if location.contains('?') { '&' } else { '?' };
    let issuer = if lab.has(Defect::AuthorizationWrongIss) {
        format!("{}/other", lab.issuer())
    } else {
        lab.issuer()
    };
    for (name, value) in params.iter().copied().chain([("iss", issuer.as_str())]) {
        location.push(sep);
        location.push_str(name);
        location.push('=');
        location.push_str(&percent_encode(value));
        sep = '&';
    }
    Reply::new(StatusCode::FOUND)
        .header(LOCATION, &location)
        .no_store()
        .into_response()
}

/// Whether `uri` may receive the code of a client that registered `registered`:
/// exact string comparison, or (under the defect) any extension of a registered URI.
fn redirect_allowed(lab: &Lab, registered: &[String], uri: &str) -> bool {
    registered
        .iter()
        .any(|r| r == uri || (lab.has(Defect::RedirectUriNotExact) && uri.starts_with(r.as_str())))
}

/// `GET /authorize` (RFC 6749 §4.1.1 with RFC 7636 and RFC 8707).
pub(crate) async fn authorize(lab: &Lab, method: &Method, query: Option<&str>) -> Response {
    if !lab.oauth_enabled() {
        return not_found();
    }
    if method != Method::GET {
        return method_not_allowed("GET");
    }
    let Some(pairs) = parse_form(query.unwrap_or("")) else {
        return refuse_page("the query string is not valid UTF-8 form encoding");
    };
    let (Ok(client_id), Ok(redirect_uri)) =
        (single(&pairs, "client_id"), single(&pairs, "redirect_uri"))
    else {
        return refuse_page("client_id or redirect_uri is repeated");
    };
    let Some(client_id) = client_id else {
        return refuse_page("client_id is missing");
    };
    let registered = if client_id == lab.confidential.0 {
        // A pre-registered native client: any loopback port (RFC 8252 §7.3).
        match redirect_uri {
            Some(uri) if is_loopback_callback(uri) => vec![uri.to_owned()],
            _ => return refuse_page("redirect_uri must be http://127.0.0.1:<port>/callback"),
        }
    } else if cimd::is_document_id(client_id) {
        match cimd::fetch(client_id).await {
            Ok(document) => document.redirect_uris,
            Err(why) => return refuse_page(&format!("client metadata document: {why}")),
        }
    } else {
        let Some(client) = lab.store().clients.get(client_id).cloned() else {
            return refuse_page("client_id is not registered");
        };
        client.redirect_uris
    };
    // Exact string comparison: never redirect to a URI that was not registered.
    let resolved = match redirect_uri {
        Some(uri) if redirect_allowed(lab, &registered, uri) => uri.to_owned(),
        Some(_) => return refuse_page("redirect_uri is not registered for this client"),
        None => match registered.as_slice() {
            [only] => only.clone(),
            _ => return refuse_page("redirect_uri is required: the client registered several"),
        },
    };
    let state = single(&pairs, "state").ok().flatten();
    let fail = |error: &str, description: &str| {
        let mut params = vec![("error", error), ("error_description", description)];
        if let Some(state) = state {
            params.push(("state", state));
        }
        redirect_back(lab, &resolved, &params)
    };
    let (Ok(response_type), Ok(challenge), Ok(challenge_method), Ok(_), Ok(_)) = (
        single(&pairs, "response_type"),
        single(&pairs, "code_challenge"),
        single(&pairs, "code_challenge_method"),
        single(&pairs, "state"),
        single(&pairs, "scope"),
    ) else {
        return fail("invalid_request", "a parameter is repeated");
    };
    match response_type {
        Some("code") => {}
        Some(_) => {
            return fail(
                "unsupported_response_type",
                "only response_type=code is supported",
            )
        }
        None => return fail("invalid_request", "response_type is required"),
    }
    let challenge = match challenge {
        // Under the defect a missing challenge is let through; the code can then
        // never be redeemed (no verifier matches an empty challenge), but it is issued.
        None if lab.has(Defect::PkceNotEnforced) => "",
        None => {
            return fail(
                "invalid_request",
                "code_challenge is required (PKCE with S256)",
            )
        }
        Some(challenge) => {
            let plain_let_through =
                challenge_method == Some("plain") && lab.has(Defect::PkcePlainAccepted);
            if challenge_method != Some("S256") && !plain_let_through {
                return fail("invalid_request", "code_challenge_method must be S256");
            }
            if !pkce_value_ok(challenge) {
                return fail(
                    "invalid_request",
                    "code_challenge is not a valid S256 challenge",
                );
            }
            challenge
        }
    };
    if lab.has(Defect::AuthorizationDenied) {
        return fail(
            "access_denied",
            "the lab denies every authorization request",
        );
    }
    let resource = lab.resource();
    if pairs.iter().any(|(k, v)| k == "resource" && *v != resource) {
        return fail(
            "invalid_target",
            "resource must be the URL of this MCP server",
        );
    }
    let code = random_id();
    {
        let mut store = lab.store();
        crate::state::prune(&mut store.codes, |g| g.issued.elapsed() > CODE_LIFETIME);
        store.codes.insert(
            code.clone(),
            Grant {
                client_id: client_id.to_owned(),
                redirect_uri: resolved.clone(),
                redirect_uri_sent: redirect_uri.is_some(),
                code_challenge: challenge.to_owned(),
                scope: SCOPE.to_owned(),
                resource,
                issued: Instant::now(),
                redeemed: None,
            },
        );
    }
    let mut params = vec![("code", code.as_str())];
    match state {
        Some(state) if !lab.has(Defect::AuthorizationDropsState) => params.push(("state", state)),
        _ => {}
    }
    redirect_back(lab, &resolved, &params)
}

/// `http://127.0.0.1:<port>/callback` or the same on `[::1]` or `localhost`.
fn is_loopback_callback(uri: &str) -> bool {
    ["http://127.0.0.1:", "http://[::1]:", "http://localhost:"]
        .iter()
        .any(|prefix| {
            uri.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix("/callback"))
                .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// RFC 7636 §4.1/§4.2: 43 to 128 characters of `[A-Za-z0-9-._~]`.
pub(crate) fn pkce_value_ok(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}
