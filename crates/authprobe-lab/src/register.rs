//! Open dynamic client registration (RFC 7591) and the client configuration
//! endpoint for reads and deletes (RFC 7592).

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::auth;
use crate::defects::Defect;
use crate::state::{Client, Lab};
use crate::wire::{
    is_loopback_host, method_not_allowed, not_found, random_id, scheme_and_host, Reply,
};

/// Largest registration request the lab reads.
const MAX_METADATA: usize = 64 * 1024;
/// Client metadata echoed back when present (RFC 7591 §2, plus OpenID
/// Connect's `application_type`, which MCP clients send).
const STRING_FIELDS: [&str; 10] = [
    "client_name",
    "client_uri",
    "logo_uri",
    "scope",
    "tos_uri",
    "policy_uri",
    "jwks_uri",
    "software_id",
    "software_version",
    "application_type",
];

fn refuse(lab: &Lab, error: &str, description: &str) -> Response {
    if lab.has(Defect::DcrBadErrorResponse) {
        return Reply::text(
            StatusCode::BAD_REQUEST,
            &format!("registration refused: {description}\n"),
        )
        .into_response();
    }
    Reply::json(
        StatusCode::BAD_REQUEST,
        &json!({ "error": error, "error_description": description }),
    )
    .into_response()
}

/// `POST /register`.
pub(crate) async fn register(lab: &Lab, req: Request) -> Response {
    if !lab.oauth_enabled() {
        return not_found();
    }
    if req.method() != Method::POST {
        return method_not_allowed("POST");
    }
    if lab.has(Defect::DcrRateLimited) {
        return crate::wire::rate_limited();
    }
    let Ok(body) = to_bytes(req.into_body(), MAX_METADATA).await else {
        return refuse(
            lab,
            "invalid_client_metadata",
            "the request body is too large or unreadable",
        );
    };
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(metadata)) => create(lab, &metadata),
        _ => refuse(
            lab,
            "invalid_client_metadata",
            "the body must be a JSON object of client metadata",
        ),
    }
}

/// A list of strings, or the given default when absent.
fn string_list(
    metadata: &Map<String, Value>,
    name: &str,
    default: &[&str],
) -> Result<Vec<String>, ()> {
    match metadata.get(name) {
        None => Ok(default.iter().map(|s| (*s).to_owned()).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or(()))
            .collect(),
        Some(_) => Err(()),
    }
}

/// `https:` anywhere, `http:` only on a loopback host (RFC 8252 §7.3);
/// no fragment (RFC 6749 §3.1.2); nothing outside visible ASCII. The
/// registration defects loosen or tighten exactly one of these rules.
fn redirect_uri_ok(lab: &Lab, uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    if lab.has(Defect::DcrDangerousUri)
        && ["javascript:", "data:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme))
    {
        return true;
    }
    if lab.has(Defect::DcrFileRedirect) && lower.starts_with("file:") {
        return true;
    }
    if uri.contains('#') || !uri.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return false;
    }
    match scheme_and_host(uri) {
        Some((scheme, _)) if scheme == "https" => true,
        Some((scheme, host)) if scheme == "http" && is_loopback_host(host) => {
            !lab.has(Defect::DcrRejectsLoopback)
        }
        Some((scheme, _)) if scheme == "http" => lab.has(Defect::DcrHttpRedirect),
        _ => false,
    }
}

fn create(lab: &Lab, metadata: &Map<String, Value>) -> Response {
    if lab.has(Defect::DcrRejectsAll) {
        return refuse(lab, "invalid_client_metadata", "registration is closed");
    }
    let Ok(grant_types) = string_list(metadata, "grant_types", &["authorization_code"]) else {
        return refuse(
            lab,
            "invalid_client_metadata",
            "grant_types must be an array of strings",
        );
    };
    if let Some(bad) = grant_types.iter().find(|g| {
        !matches!(
            g.as_str(),
            "authorization_code" | "refresh_token" | crate::token::DEVICE_GRANT
        )
    }) {
        return refuse(
            lab,
            "invalid_client_metadata",
            &format!("unsupported grant type: {bad}"),
        );
    }
    // A device-only client has no redirect and no response type.
    let default_types: &[&str] = if grant_types.iter().any(|g| g == "authorization_code") {
        &["code"]
    } else {
        &[]
    };
    let Ok(response_types) = string_list(metadata, "response_types", default_types) else {
        return refuse(
            lab,
            "invalid_client_metadata",
            "response_types must be an array of strings",
        );
    };
    if response_types.iter().any(|r| r != "code") {
        return refuse(
            lab,
            "invalid_client_metadata",
            "only the code response type is supported",
        );
    }
    let Ok(redirect_uris) = string_list(metadata, "redirect_uris", &[]) else {
        return refuse(
            lab,
            "invalid_redirect_uri",
            "redirect_uris must be an array of strings",
        );
    };
    if redirect_uris.is_empty()
        && grant_types.iter().any(|g| g == "authorization_code")
        && !lab.has(Defect::DcrEmptyRedirectUris)
    {
        return refuse(
            lab,
            "invalid_redirect_uri",
            "redirect_uris is required for the authorization_code grant",
        );
    }
    if let Some(bad) = redirect_uris.iter().find(|u| !redirect_uri_ok(lab, u)) {
        return refuse(
            lab,
            "invalid_redirect_uri",
            &format!("redirect URI refused (https, or http on a loopback host only): {bad}"),
        );
    }
    let mut document = Map::new();
    let client_id = random_id();
    let registration_token = random_id();
    let issued_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    document.insert("client_id".into(), json!(client_id));
    document.insert("client_id_issued_at".into(), json!(issued_at));
    document.insert("redirect_uris".into(), json!(redirect_uris));
    // The lab only has public clients; RFC 7591 §3.2.1 lets the server
    // substitute a value it supports for the requested one.
    document.insert("token_endpoint_auth_method".into(), json!("none"));
    document.insert("grant_types".into(), json!(grant_types));
    document.insert("response_types".into(), json!(response_types));
    for name in STRING_FIELDS {
        match metadata.get(name) {
            None => {}
            Some(Value::String(s)) => {
                document.insert(name.into(), json!(s));
            }
            Some(_) => {
                return refuse(
                    lab,
                    "invalid_client_metadata",
                    &format!("{name} must be a string"),
                )
            }
        }
    }
    if let Some(contacts) = metadata.get("contacts") {
        if !contacts
            .as_array()
            .is_some_and(|c| c.iter().all(Value::is_string))
        {
            return refuse(
                lab,
                "invalid_client_metadata",
                "contacts must be an array of strings",
            );
        }
        document.insert("contacts".into(), contacts.clone());
    }
    if !lab.has(Defect::DcrNoDelete) {
        document.insert(
            "registration_client_uri".into(),
            json!(lab.as_url(&format!("/register/{client_id}"))),
        );
        document.insert(
            "registration_access_token".into(),
            json!(registration_token),
        );
    }
    let document = Value::Object(document);
    {
        let mut store = lab.store();
        if lab.has(Defect::DcrReusesClientId) {
            // The first client's identity, whatever was asked for this time.
            if let Some(existing) = store.clients.values().next() {
                let reused = existing.document.clone();
                drop(store);
                return Reply::json(StatusCode::CREATED, &reused)
                    .no_store()
                    .into_response();
            }
        }
        crate::state::prune(&mut store.clients, |_| false);
        store.clients.insert(
            client_id,
            Client {
                redirect_uris,
                registration_token,
                document: document.clone(),
            },
        );
    }
    Reply::json(StatusCode::CREATED, &document)
        .no_store()
        .into_response()
}

/// `GET` and `DELETE /register/{client_id}` with the registration access token.
pub(crate) fn manage(lab: &Lab, method: &Method, headers: &HeaderMap, client_id: &str) -> Response {
    if !lab.oauth_enabled() {
        return not_found();
    }
    if method != Method::GET && method != Method::DELETE {
        return method_not_allowed("GET, DELETE");
    }
    let token = auth::bearer(headers);
    let mut store = lab.store();
    // RFC 7592 §2.1: an unknown client and a wrong token get the same 401.
    let document = match store.clients.get(client_id) {
        Some(client) if Some(client.registration_token.as_str()) == token => {
            client.document.clone()
        }
        _ => {
            return Reply::json(
                StatusCode::UNAUTHORIZED,
                &json!({ "error": "invalid_token", "error_description": "unknown client or wrong registration access token" }),
            )
            .header(WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
            .into_response();
        }
    };
    if method == Method::GET {
        return Reply::json(StatusCode::OK, &document)
            .no_store()
            .into_response();
    }
    // Deleting a client invalidates everything issued to it (RFC 7592 §2.3).
    store.clients.remove(client_id);
    store.codes.retain(|_, g| g.client_id != client_id);
    store.access.retain(|_, t| t.client_id != client_id);
    store.refresh.retain(|_, t| t.client_id != client_id);
    Reply::new(StatusCode::NO_CONTENT).into_response()
}
