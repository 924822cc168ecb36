//! Routing: one fallback handler that dispatches on the path itself, so that
//! the defects that move or remove endpoints stay simple conditions and the
//! lab, not a framework, decides every status code (404, 405, 308).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::defects::Defect;
use crate::era::Era;
use crate::prm::Location;
use crate::state::{Lab, PRM_PREFIX};
use crate::wire::{not_found, Reply};
use crate::{device, legacy, mcp, metadata, oauth, prm, register, token};

/// The lab's whole HTTP surface (the authorization server's too, unless it has
/// a port of its own).
pub(crate) fn router(lab: Arc<Lab>) -> Router {
    Router::new().fallback(dispatch).with_state(lab)
}

/// The authorization server on a port of its own.
pub(crate) fn auth_router(lab: Arc<Lab>) -> Router {
    Router::new().fallback(dispatch_auth).with_state(lab)
}

async fn dispatch_auth(State(lab): State<Arc<Lab>>, req: Request) -> Response {
    lab.requests.fetch_add(1, Ordering::Relaxed);
    lab.latency.wait().await;
    let lab = lab.endpoint_for(req.uri().path()).unwrap_or(lab);
    auth_server(&lab, req).await.unwrap_or_else(|_| not_found())
}

/// The authorization server's endpoints, all under the issuer's path; `Err`
/// gives the request back when the path is not one of them.
async fn auth_server(lab: &Lab, req: Request) -> Result<Response, Request> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    if let Some(response) = metadata::route(lab, &path, &method) {
        return Ok(response);
    }
    let Some(endpoint) = path.strip_prefix(lab.issuer_path.as_str()) else {
        return Err(req);
    };
    Ok(match endpoint {
        "/authorize" => oauth::authorize(lab, &method, req.uri().query()).await,
        "/token" => token::token(lab, req).await,
        "/device_authorization" => device::authorize(lab, req).await,
        "/device" => device::page(lab, &method),
        "/register" => register::register(lab, req).await,
        "/jwks" => metadata::jwks(lab, &method),
        _ => match endpoint.strip_prefix("/register/") {
            Some(id) if !id.is_empty() && !id.contains('/') => {
                register::manage(lab, &method, req.headers(), id)
            }
            _ => return Err(req),
        },
    })
}

async fn dispatch(State(lab): State<Arc<Lab>>, req: Request) -> Response {
    lab.requests.fetch_add(1, Ordering::Relaxed);
    lab.latency.wait().await;
    let lab = lab.endpoint_for(req.uri().path()).unwrap_or(lab);
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    if path == lab.mcp_path() {
        return mcp::handle(lab, req).await;
    }
    if path == legacy::messages_path(&lab) && lab.era == Era::Legacy20241105 {
        return legacy::messages(lab, req).await;
    }
    if path == lab.advertised_mcp_path() && lab.has(Defect::Redirect) {
        let mut location = format!("{}{}", lab.base, lab.mcp_path());
        if let Some(query) = req.uri().query() {
            location.push('?');
            location.push_str(query);
        }
        return Reply::text(StatusCode::PERMANENT_REDIRECT, "308 Permanent Redirect\n")
            .header(LOCATION, &location)
            .into_response();
    }
    if path == lab.prm_suffix_path() {
        return prm::handle(&lab, &method, req.headers(), Location::PathSuffix);
    }
    if path == PRM_PREFIX {
        return prm::handle(&lab, &method, req.headers(), Location::Root);
    }
    if lab.separate_auth_server() {
        return not_found();
    }
    auth_server(&lab, req).await.unwrap_or_else(|_| not_found())
}
