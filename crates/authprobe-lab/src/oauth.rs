//! The authorization server: RFC 8414 metadata, the authorization endpoint
//! (auto-approving: the lab has no users) and the token endpoint with the
//! `authorization_code` (PKCE S256 only) and `refresh_token` grants.

use std::time::Instant;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, LOCATION,
};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::state::{Grant, Lab, CODE_LIFETIME, SCOPE, TOKEN_LIFETIME};
use crate::wire::{
    method_not_allowed, not_found, parse_form, percent_encode, random_id, single, Reply,
};

/// Largest form body the token endpoint reads.
const MAX_FORM: usize = 64 * 1024;

/// `GET /.well-known/oauth-authorization-server` (RFC 8414 §3).
pub(crate) fn metadata(lab: &Lab, method: &Method) -> Response {
    if !lab.oauth_enabled() {
        return not_found();
    }
    if method == Method::OPTIONS {
        return Reply::new(StatusCode::NO_CONTENT)
            .header(ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .header(ACCESS_CONTROL_ALLOW_METHODS, "GET, OPTIONS")
            .header(ACCESS_CONTROL_ALLOW_HEADERS, "*, mcp-protocol-version")
            .header(ACCESS_CONTROL_MAX_AGE, "86400")
            .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET, HEAD, OPTIONS");
    }
    let base = &lab.base;
    // Client ID Metadata Documents are not offered: fetching them needs an
    // HTTPS client, which the lab does not have, so the member is left out
    // rather than set to a value the lab could not honour.
    let document = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "registration_endpoint": format!("{base}/register"),
        "scopes_supported": [SCOPE],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
    });
    Reply::json(StatusCode::OK, &document)
        .header(CACHE_CONTROL, "public, max-age=3600")
        .header(ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .into_response()
}

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
    for (name, value) in params.iter().copied().chain([("iss", lab.base.as_str())]) {
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

/// `GET /authorize` (RFC 6749 §4.1.1 with RFC 7636 and RFC 8707).
pub(crate) fn authorize(lab: &Lab, method: &Method, query: Option<&str>) -> Response {
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
    let Some(client) = lab.store().clients.get(client_id).cloned() else {
        return refuse_page("client_id is not registered");
    };
    // Exact string comparison: never redirect to a URI that was not registered.
    let resolved = match redirect_uri {
        Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => uri.to_owned(),
        Some(_) => return refuse_page("redirect_uri is not registered for this client"),
        None => match client.redirect_uris.as_slice() {
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
    let Some(challenge) = challenge else {
        return fail(
            "invalid_request",
            "code_challenge is required (PKCE with S256)",
        );
    };
    if challenge_method != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    if !pkce_value_ok(challenge) {
        return fail(
            "invalid_request",
            "code_challenge is not a valid S256 challenge",
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

/// A token endpoint error (RFC 6749 §5.2): always 400 JSON, never cached.
fn token_error(error: &str, description: &str) -> Response {
    Reply::json(
        StatusCode::BAD_REQUEST,
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
            "invalid_request",
            "the request body is too large or unreadable",
        );
    };
    let Some(pairs) = std::str::from_utf8(&body).ok().and_then(parse_form) else {
        return token_error(
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
            Err(()) => return token_error("invalid_request", &format!("{name} is repeated")),
        }
    }
    let [grant_type, code, verifier, redirect_uri, client_id, refresh, scope] = values;
    let resource = lab.resource();
    if pairs.iter().any(|(k, v)| k == "resource" && *v != resource) {
        return token_error(
            "invalid_target",
            "resource must be the URL of this MCP server",
        );
    }
    match grant_type {
        Some("authorization_code") => code_grant(lab, code, verifier, redirect_uri, client_id),
        Some("refresh_token") => refresh_grant(lab, refresh, client_id, scope),
        Some(_) => token_error(
            "unsupported_grant_type",
            "supported grants: authorization_code, refresh_token",
        ),
        None => token_error("invalid_request", "grant_type is required"),
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
        return token_error("invalid_request", "code is required");
    };
    let (client, scope) = {
        let mut store = lab.store();
        let Some(grant) = store.codes.get(code) else {
            return token_error(
                "invalid_grant",
                "the authorization code is unknown, used or expired",
            );
        };
        if grant.issued.elapsed() > CODE_LIFETIME {
            store.codes.remove(code);
            return token_error("invalid_grant", "the authorization code has expired");
        }
        let Some(client_id) = client_id else {
            return token_error(
                "invalid_request",
                "client_id is required for public clients",
            );
        };
        if client_id != grant.client_id {
            return token_error("invalid_grant", "the code was issued to another client");
        }
        match redirect_uri {
            Some(uri) if uri != grant.redirect_uri => {
                return token_error(
                    "invalid_grant",
                    "redirect_uri differs from the authorization request",
                );
            }
            None if grant.redirect_uri_sent => {
                return token_error(
                    "invalid_request",
                    "redirect_uri is required: the authorization request had one",
                );
            }
            _ => {}
        }
        let Some(verifier) = verifier else {
            return token_error("invalid_request", "code_verifier is required");
        };
        if !pkce_value_ok(verifier) {
            return token_error("invalid_request", "code_verifier is malformed");
        }
        let digest = Sha256::digest(verifier.as_bytes());
        let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        if computed != grant.code_challenge {
            return token_error(
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
        return token_error("invalid_request", "refresh_token is required");
    };
    let record = {
        let mut store = lab.store();
        let Some(record) = store.refresh.get(refresh).cloned() else {
            return token_error(
                "invalid_grant",
                "the refresh token is unknown or was already used",
            );
        };
        if client_id.is_some_and(|c| c != record.client_id) {
            return token_error(
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
