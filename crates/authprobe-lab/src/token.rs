//! The token endpoint (RFC 6749 §3.2): the `authorization_code` (PKCE S256
//! only), `refresh_token` (rotating), `client_credentials` (the
//! pre-registered confidential client) and device code (RFC 8628) grants,
//! with RFC 8707 `resource` naming the audience of the JWT access token.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::defects::Defect;
use crate::device;
use crate::oauth::pkce_value_ok;
use crate::state::{Lab, Minted, CODE_LIFETIME, SCOPE, TOKEN_LIFETIME};
use crate::wire::{method_not_allowed, not_found, parse_form, single, Reply};

/// Largest form body the token endpoint reads.
const MAX_FORM: usize = 64 * 1024;

/// The device code grant type of RFC 8628 §3.4.
pub(crate) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A token endpoint error (RFC 6749 §5.2): 400 JSON, never cached, unless a
/// token defect changes its shape.
pub(crate) fn token_error(lab: &Lab, error: &str, description: &str) -> Response {
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
    } else if lab.has(Defect::TokenError500) {
        StatusCode::INTERNAL_SERVER_ERROR
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

/// The form parameters of a token request, each at most once.
#[derive(Default)]
pub(crate) struct Params<'a> {
    pub(crate) grant_type: Option<&'a str>,
    pub(crate) code: Option<&'a str>,
    pub(crate) code_verifier: Option<&'a str>,
    pub(crate) redirect_uri: Option<&'a str>,
    pub(crate) client_id: Option<&'a str>,
    pub(crate) client_secret: Option<&'a str>,
    pub(crate) refresh_token: Option<&'a str>,
    pub(crate) scope: Option<&'a str>,
    pub(crate) resource: Option<&'a str>,
    pub(crate) device_code: Option<&'a str>,
}

impl<'a> Params<'a> {
    /// Reads the pairs; `Err(name)` for a repeated parameter (RFC 6749 §3.2).
    pub(crate) fn read(pairs: &'a [(String, String)]) -> Result<Self, &'static str> {
        let get = |name: &'static str| single(pairs, name).map_err(|()| name);
        Ok(Params {
            grant_type: get("grant_type")?,
            code: get("code")?,
            code_verifier: get("code_verifier")?,
            redirect_uri: get("redirect_uri")?,
            client_id: get("client_id")?,
            client_secret: get("client_secret")?,
            refresh_token: get("refresh_token")?,
            scope: get("scope")?,
            resource: get("resource")?,
            device_code: get("device_code")?,
        })
    }
}

/// The headers and form pairs of a POST to the token or the device
/// authorization endpoint; `Err` is the complete refusal.
pub(crate) async fn read_post(
    lab: &Lab,
    req: Request,
) -> Result<(HeaderMap, Vec<(String, String)>), Box<Response>> {
    if !lab.oauth_enabled() {
        return Err(Box::new(not_found()));
    }
    if req.method() != Method::POST {
        return Err(Box::new(method_not_allowed("POST")));
    }
    let headers = req.headers().clone();
    let Ok(body) = to_bytes(req.into_body(), MAX_FORM).await else {
        return Err(Box::new(token_error(
            lab,
            "invalid_request",
            "the request body is too large or unreadable",
        )));
    };
    let pairs = std::str::from_utf8(&body).ok().and_then(parse_form);
    let pairs = pairs.ok_or_else(|| {
        Box::new(token_error(
            lab,
            "invalid_request",
            "the body is not valid application/x-www-form-urlencoded",
        ))
    })?;
    Ok((headers, pairs))
}

/// The pre-registered confidential client, when the request authenticates
/// as it (HTTP Basic, RFC 6749 §2.3.1, or `client_secret` in the body).
/// `Err` when credentials are present but wrong (401 `invalid_client`).
pub(crate) fn confidential(
    lab: &Lab,
    headers: &HeaderMap,
    params: &Params<'_>,
) -> Result<bool, Box<Response>> {
    let (id, secret) = &lab.confidential;
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let given = match (&basic, params.client_secret) {
        (Some(pair), _) => pair.split_once(':').map(|(i, s)| {
            let decode = |v: &str| parse_form(&format!("v={v}")).and_then(|p| p.into_iter().next());
            (
                decode(i).map(|(_, v)| v).unwrap_or_default(),
                decode(s).map(|(_, v)| v).unwrap_or_default(),
            )
        }),
        (None, Some(s)) => Some((params.client_id.unwrap_or("").to_owned(), s.to_owned())),
        (None, None) => return Ok(false),
    };
    match given {
        Some((i, s)) if &i == id && &s == secret => Ok(true),
        _ => Err(Box::new(
            Reply::json(
            StatusCode::UNAUTHORIZED,
            &json!({ "error": "invalid_client", "error_description": "client authentication failed" }),
        )
        .header(
            axum::http::header::WWW_AUTHENTICATE,
            "Basic realm=\"lab\"",
        )
        .no_store()
        .into_response(),
        )),
    }
}

/// The audience a token request may name: this MCP server, or under
/// `refresh_token` and `client_credentials` any other resource on the lab's
/// origin (the authorization server serves them all).
fn audience(
    lab: &Lab,
    requested: Option<&str>,
    others_allowed: bool,
) -> Result<String, Box<Response>> {
    let own = lab.resource();
    match requested {
        None => Ok(own),
        Some(r) if r == own => Ok(own),
        Some(r)
            if others_allowed && r.starts_with(&format!("{}/", lab.base)) && !r.contains('#') =>
        {
            Ok(r.to_owned())
        }
        Some(_) => Err(Box::new(token_error(
            lab,
            "invalid_target",
            "resource must be the URL of this MCP server",
        ))),
    }
}

/// `POST /token`.
pub(crate) async fn token(lab: &Lab, req: Request) -> Response {
    if lab.has(Defect::TokenRateLimited) {
        return crate::wire::rate_limited();
    }
    let (headers, pairs) = match read_post(lab, req).await {
        Ok(read) => read,
        Err(response) => return *response,
    };
    let params = match Params::read(&pairs) {
        Ok(params) => params,
        Err(name) => return token_error(lab, "invalid_request", &format!("{name} is repeated")),
    };
    let authenticated = match confidential(lab, &headers, &params) {
        Ok(authenticated) => authenticated,
        Err(refusal) => return *refusal,
    };
    let client_id = if authenticated {
        Some(lab.confidential.0.as_str())
    } else {
        params.client_id
    };
    match params.grant_type {
        Some("authorization_code") => {
            let response = code_grant(lab, &params, client_id);
            if lab.has(Defect::TokenEndpointHangs) && response.status() == StatusCode::OK {
                // The code was good: instead of the token, nothing, until the lab stops.
                lab.stopped().await;
                return Reply::text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
                    .into_response();
            }
            response
        }
        Some("refresh_token") => refresh_grant(lab, &params, client_id),
        Some("client_credentials") if authenticated => match audience(lab, params.resource, true) {
            Ok(aud) => token_response(lab, client_id.unwrap_or(""), SCOPE, &aud, false),
            Err(refusal) => *refusal,
        },
        Some("client_credentials") => token_error(
            lab,
            "unauthorized_client",
            "client_credentials needs an authenticated confidential client",
        ),
        Some(DEVICE_GRANT) => device::poll(lab, params.device_code, client_id),
        Some(_) => token_error(
            lab,
            "unsupported_grant_type",
            "supported grants: authorization_code, refresh_token, client_credentials, device_code",
        ),
        None => token_error(lab, "invalid_request", "grant_type is required"),
    }
}

fn code_grant(lab: &Lab, params: &Params<'_>, client_id: Option<&str>) -> Response {
    let Some(code) = params.code else {
        return token_error(lab, "invalid_request", "code is required");
    };
    let (client, scope, resource) = {
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
        if let (Some(used), false) = (&grant.redeemed, lab.has(Defect::AuthorizationCodeReusable)) {
            // A second redemption: revoke what the first one bought (RFC 6749 §4.1.2).
            let used = used.clone();
            store.access.remove(&used.jti);
            if let Some(refresh) = &used.refresh {
                store.refresh.remove(refresh);
            }
            return token_error(
                lab,
                "invalid_grant",
                "the authorization code is unknown, used or expired",
            );
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
        match params.redirect_uri {
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
        if params.resource.is_some_and(|r| r != grant.resource) {
            return token_error(
                lab,
                "invalid_target",
                "resource differs from the authorization request",
            );
        }
        let Some(verifier) = params.code_verifier else {
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
        (
            grant.client_id.clone(),
            grant.scope.clone(),
            grant.resource.clone(),
        )
    };
    let audience = if lab.has(Defect::TokenAudienceIssuer) {
        lab.issuer()
    } else {
        resource
    };
    let minted = lab.mint(&client, &scope, &audience, true);
    if let Some(grant) = lab.store().codes.get_mut(code) {
        grant.redeemed = Some(minted.clone());
    }
    respond(lab, &minted, &scope)
}

fn refresh_grant(lab: &Lab, params: &Params<'_>, client_id: Option<&str>) -> Response {
    let Some(refresh) = params.refresh_token else {
        return token_error(lab, "invalid_request", "refresh_token is required");
    };
    let rotate = !lab.has(Defect::RefreshTokenNotRotated);
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
        if let Some(scope) = params.scope {
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
        if rotate {
            store.refresh.remove(refresh);
        }
        record
    };
    // Without `resource` the new token keeps the grant's audience (RFC 8707 §2.2).
    let audience = match params.resource {
        _ if lab.has(Defect::ResourceParameterIgnored) => record.audience.clone(),
        None => record.audience.clone(),
        Some(_) => match audience(lab, params.resource, true) {
            Ok(audience) => audience,
            Err(refusal) => return *refusal,
        },
    };
    token_response(lab, &record.client_id, &record.scope, &audience, rotate)
}

/// Mints and answers a token response.
pub(crate) fn token_response(
    lab: &Lab,
    client_id: &str,
    scope: &str,
    audience: &str,
    refresh: bool,
) -> Response {
    let minted = lab.mint(client_id, scope, audience, refresh);
    respond(lab, &minted, scope)
}

/// The token response of RFC 6749 §5.1, with the response defects applied.
fn respond(lab: &Lab, minted: &Minted, scope: &str) -> Response {
    let token_type = if lab.has(Defect::TokenTypeNotBearer) {
        "JWT"
    } else {
        "Bearer"
    };
    let mut body = json!({
        "access_token": minted.access,
        "token_type": token_type,
        "expires_in": TOKEN_LIFETIME.as_secs(),
        "scope": scope,
    });
    if let Some(refresh) = &minted.refresh {
        body["refresh_token"] = json!(refresh);
    }
    let reply = Reply::json(StatusCode::OK, &body);
    if lab.has(Defect::TokenResponseCacheable) {
        reply.into_response()
    } else {
        reply.no_store().into_response()
    }
}
