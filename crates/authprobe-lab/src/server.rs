//! Routing: one fallback handler that dispatches on the path itself, so that
//! the defects that move or remove endpoints stay simple conditions and the
//! lab, not a framework, decides every status code (404, 405, 308).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::defects::Defect;
use crate::prm::Location;
use crate::state::{Lab, PRM_PREFIX};
use crate::wire::{not_found, Reply};
use crate::{mcp, oauth, prm, register};

/// The lab's whole HTTP surface.
pub(crate) fn router(lab: Arc<Lab>) -> Router {
    Router::new().fallback(dispatch).with_state(lab)
}

async fn dispatch(State(lab): State<Arc<Lab>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    if path == lab.mcp_path() {
        return mcp::handle(lab, req).await;
    }
    if path == "/mcp" && lab.has(Defect::Redirect) {
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
    match path.as_str() {
        PRM_PREFIX => prm::handle(&lab, &method, req.headers(), Location::Root),
        "/.well-known/oauth-authorization-server" => oauth::metadata(&lab, &method),
        "/authorize" => oauth::authorize(&lab, &method, req.uri().query()),
        "/token" => oauth::token(&lab, req).await,
        "/register" => register::register(&lab, req).await,
        _ => match path.strip_prefix("/register/") {
            Some(id) if !id.is_empty() && !id.contains('/') => {
                register::manage(&lab, &method, req.headers(), id)
            }
            _ => not_found(),
        },
    }
}
