//! The device authorization grant (RFC 8628): the device authorization
//! endpoint, the verification page, and the polling of the token endpoint.
//! The lab has no users: its imaginary user approves right after the first
//! poll, so a client sees `authorization_pending` once and then its token.

use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::{DeviceGrant, Lab, SCOPE};
use crate::token::{confidential, read_post, token_error, token_response, Params};
use crate::wire::{method_not_allowed, not_found, random_id, Reply};

/// How long a device code lives.
const DEVICE_LIFETIME: Duration = Duration::from_secs(600);
/// The polling interval the lab asks for, in seconds (RFC 8628 §3.2).
const INTERVAL: u64 = 1;

/// `POST /device_authorization` (RFC 8628 §3.1, §3.2).
pub(crate) async fn authorize(lab: &Lab, req: Request) -> Response {
    let (headers, pairs) = match read_post(lab, req).await {
        Ok(read) => read,
        Err(response) => return *response,
    };
    let params = match Params::read(&pairs) {
        Ok(params) => params,
        Err(name) => return token_error(lab, "invalid_request", &format!("{name} is repeated")),
    };
    let client_id = match confidential(lab, &headers, &params) {
        Ok(true) => lab.confidential.0.clone(),
        Ok(false) => match params.client_id {
            Some(id) if lab.store().clients.contains_key(id) => id.to_owned(),
            _ => return token_error(lab, "invalid_client", "client_id is not registered"),
        },
        Err(refusal) => return *refusal,
    };
    let resource = lab.resource();
    if params.resource.is_some_and(|r| r != resource) {
        return token_error(
            lab,
            "invalid_target",
            "resource must be the URL of this MCP server",
        );
    }
    let device_code = random_id();
    let user_code = user_code();
    {
        let mut store = lab.store();
        crate::state::prune(&mut store.devices, |d| d.issued.elapsed() > DEVICE_LIFETIME);
        store.devices.insert(
            device_code.clone(),
            DeviceGrant {
                client_id,
                scope: SCOPE.to_owned(),
                resource,
                polled: false,
                issued: Instant::now(),
            },
        );
    }
    let verification = lab.as_url("/device");
    let body = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification,
        "verification_uri_complete": format!("{verification}?user_code={user_code}"),
        "expires_in": DEVICE_LIFETIME.as_secs(),
        "interval": INTERVAL,
    });
    Reply::json(StatusCode::OK, &body)
        .no_store()
        .into_response()
}

/// Eight letters from RFC 8628 §6.1's base-20 alphabet, as `XXXX-XXXX`.
fn user_code() -> String {
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes[..]);
    let letters: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// `GET /device`: where a person would type the user code.
pub(crate) fn page(lab: &Lab, method: &Method) -> Response {
    if !lab.oauth_enabled() {
        return not_found();
    }
    if method != Method::GET {
        return method_not_allowed("GET");
    }
    Reply::html(
        StatusCode::OK,
        "<!doctype html><html><body><p>The lab approves every device code by itself.</p></body></html>",
    )
    .into_response()
}

/// The device code grant at the token endpoint (RFC 8628 §3.4, §3.5).
pub(crate) fn poll(lab: &Lab, device_code: Option<&str>, client_id: Option<&str>) -> Response {
    let Some(device_code) = device_code else {
        return token_error(lab, "invalid_request", "device_code is required");
    };
    let grant = {
        let mut store = lab.store();
        let Some(grant) = store.devices.get_mut(device_code) else {
            return token_error(lab, "invalid_grant", "the device code is unknown or used");
        };
        if grant.issued.elapsed() > DEVICE_LIFETIME {
            store.devices.remove(device_code);
            return token_error(lab, "expired_token", "the device code has expired");
        }
        if client_id != Some(grant.client_id.as_str()) {
            return token_error(
                lab,
                "invalid_grant",
                "the device code belongs to another client",
            );
        }
        if !grant.polled {
            grant.polled = true;
            return token_error(
                lab,
                "authorization_pending",
                "the user has not approved the request yet",
            );
        }
        store.devices.remove(device_code)
    };
    match grant {
        Some(grant) => token_response(lab, &grant.client_id, &grant.scope, &grant.resource, true),
        None => token_error(lab, "invalid_grant", "the device code is unknown or used"),
    }
}
