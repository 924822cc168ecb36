//! The authorization server's endpoints: the authorization endpoint
//! (auto-approving: the lab has no users; registered clients and Client ID
//! Metadata Documents) and the token endpoint with the `authorization_code`
//! (PKCE S256 only) and `refresh_token` grants. The metadata is in `metadata`.

use std::time::Instant;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::LOCATION;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cimd;
use crate::defects::Defect;
use crate::state::{Grant, Lab, CODE_LIFETIME, SCOPE, TOKEN_LIFETIME};
use crate::wire::{
    method_not_allowed, not_found, parse_form, percent_encode, random_id, single, Reply,
};

/// Largest form body the token endpoint reads.
const MAX_FORM: usize = 64 * 1024;

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
/// (RFC 9207).
fn redirect_back(lab: &Lab, redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut location = redirect_uri.to_owned();
    let mut sep = if location.contains('?') { '&' } else { '?' };
    let issuer = lab.issuer();
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
    let registered = if cimd::is_document_id(client_id) {
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
                issued: Instant::now(),
            },
        );
    }
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_back(lab, &resolved, &params)
}

/// RFC 7636 §4.1/§4.2: 43 to 128 characters of `[A-Za-z0-9-._~]`.
fn pkce_value_ok(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// A token endpoint error (RFC 6749 §5.2): 400 JSON, never cached, unless a
/// token defect changes its shape.
fn token_error(lab: &Lab, error: &str, description: &str) -> Response {
    if lab.has(Defect::TokenErrorHtml) {
        let page =
            format!("<!doctype html><html><body><h1>Error</h1><p>{description}</p></body></html>");
        return Reply::html(StatusCode::BAD_REQUEST, &page)
            .no_store()
            .into_response();
    }
    let status = if lab.has(Defect::TokenError200) {
        StatusCode::OK
    } else if lab.has(Defect::TokenErrorStatus) {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::BAD_REQUEST
    };
    let error = if lab.has(Defect::TokenErrorCode) && error == "invalid_grant" {
        "bad_code"
    } else {
        error
    };
    Reply::json(
        status,
        &json!({ "error": error, "error_description": description }),
    )
    .no_store()
    .into_response()
}

/// `POST /token`.
pub(crate) async fn token(lab: &Lab, req: Request) -> Response {
    if !lab.oauth_enabled() {
        return not_found();
    }
    if req.method() != Method::POST {
        return method_not_allowed("POST");
    }
    let Ok(body) = to_bytes(req.into_body(), MAX_FORM).await else {
        return token_error(
            lab,
            "invalid_request",
            "the request body is too large or unreadable",
        );
    };
    let Some(pairs) = std::str::from_utf8(&body).ok().and_then(parse_form) else {
        return token_error(
            lab,
            "invalid_request",
            "the body is not valid application/x-www-form-urlencoded",
        );
    };
    let names = [
        "grant_type",
        "code",
        "code_verifier",
        "redirect_uri",
        "client_id",
        "refresh_token",
        "scope",
    ];
    let mut values = [None; 7];
    for (slot, name) in values.iter_mut().zip(names) {
        match single(&pairs, name) {
            Ok(value) => *slot = value,
            Err(()) => return token_error(lab, "invalid_request", &format!("{name} is repeated")),
        }
    }
    let [grant_type, code, verifier, redirect_uri, client_id, refresh, scope] = values;
    let resource = lab.resource();
    if pairs.iter().any(|(k, v)| k == "resource" && *v != resource) {
        return token_error(
            lab,
            "invalid_target",
            "resource must be the URL of this MCP server",
        );
    }
    match grant_type {
        Some("authorization_code") => code_grant(lab, code, verifier, redirect_uri, client_id),
        Some("refresh_token") => refresh_grant(lab, refresh, client_id, scope),
        Some(_) => token_error(
            lab,
            "unsupported_grant_type",
            "supported grants: authorization_code, refresh_token",
        ),
        None => token_error(lab, "invalid_request", "grant_type is required"),
    }
}

fn code_grant(
    lab: &Lab,
    code: Option<&str>,
    verifier: Option<&str>,
    redirect_uri: Option<&str>,
    client_id: Option<&str>,
) -> Response {
    let Some(code) = code else {
        return token_error(lab, "invalid_request", "code is required");
    };
    let (client, scope) = {
        let mut store = lab.store();
        let Some(grant) = store.codes.get(code) else {
            return token_error(
                lab,
                "invalid_grant",
                "the authorization code is unknown, used or expired",
            );
        };
        if grant.issued.elapsed() > CODE_LIFETIME {
            store.codes.remove(code);
            return token_error(lab, "invalid_grant", "the authorization code has expired");
        }
        let Some(client_id) = client_id else {
            return token_error(
                lab,
                "invalid_request",
                "client_id is required for public clients",
            );
        };
        if client_id != grant.client_id {
            return token_error(
                lab,
                "invalid_grant",
                "the code was issued to another client",
            );
        }
        match redirect_uri {
            Some(uri) if uri != grant.redirect_uri => {
                return token_error(
                    lab,
                    "invalid_grant",
                    "redirect_uri differs from the authorization request",
                );
            }
            None if grant.redirect_uri_sent => {
                return token_error(
                    lab,
                    "invalid_request",
                    "redirect_uri is required: the authorization request had one",
                );
            }
            _ => {}
        }
        let Some(verifier) = verifier else {
            return token_error(lab, "invalid_request", "code_verifier is required");
        };
        if !pkce_value_ok(verifier) {
            return token_error(lab, "invalid_request", "code_verifier is malformed");
        }
        let digest = Sha256::digest(verifier.as_bytes());
        let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        if computed != grant.code_challenge {
            return token_error(
                lab,
                "invalid_grant",
                "code_verifier does not match the code_challenge",
            );
        }
        let scope = grant.scope.clone();
        let client = grant.client_id.clone();
        store.codes.remove(code);
        (client, scope)
    };
    token_response(lab, &client, &scope)
}

fn refresh_grant(
    lab: &Lab,
    refresh: Option<&str>,
    client_id: Option<&str>,
    scope: Option<&str>,
) -> Response {
    let Some(refresh) = refresh else {
        return token_error(lab, "invalid_request", "refresh_token is required");
    };
    let record = {
        let mut store = lab.store();
        let Some(record) = store.refresh.get(refresh).cloned() else {
            return token_error(
                lab,
                "invalid_grant",
                "the refresh token is unknown or was already used",
            );
        };
        if client_id.is_some_and(|c| c != record.client_id) {
            return token_error(
                lab,
                "invalid_grant",
                "the refresh token was issued to another client",
            );
        }
        if let Some(scope) = scope {
            let granted: Vec<&str> = record.scope.split(' ').collect();
            if !scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .all(|s| granted.contains(&s))
            {
                return token_error(
                    lab,
                    "invalid_scope",
                    "the requested scope exceeds the original grant",
                );
            }
        }
        // Refresh tokens of public clients are single-use (OAuth 2.1 §4.3.1).
        store.refresh.remove(refresh);
        record
    };
    token_response(lab, &record.client_id, &record.scope)
}

fn token_response(lab: &Lab, client_id: &str, scope: &str) -> Response {
    let (access, refresh) = lab.mint(client_id, scope);
    let body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME.as_secs(),
        "refresh_token": refresh,
        "scope": scope,
    });
    Reply::json(StatusCode::OK, &body)
        .no_store()
        .into_response()
}
