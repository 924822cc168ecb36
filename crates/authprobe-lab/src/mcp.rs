//! The MCP endpoint: Streamable HTTP of the stateful revisions (2025-03-26 to
//! 2025-11-25) with sessions, the protocol version header, Origin validation
//! and the bearer token check, plus the transport defects. The other eras
//! are served by `stateless` (2026-07-28) and `legacy` (2024-11-05).

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::{ACCEPT, ALLOW, ORIGIN};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::auth;
use crate::defects::Defect;
use crate::era::Era;
use crate::hostile;
use crate::rpc::{self, rpc_error, rpc_result, Message};
use crate::state::Lab;
use crate::tools::{self, RpcError};
use crate::wire::{is_loopback_origin, method_not_allowed, Reply};
use crate::{legacy, stateless, streams};

const SESSION_HEADER: HeaderName = HeaderName::from_static("mcp-session-id");
const VERSION_HEADER: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// Largest JSON-RPC message the lab reads.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

const MARKETING_PAGE: &str = "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
<title>Acme Cloud: the platform for everything</title></head>\n<body><h1>Acme Cloud</h1>\
<p>Sign up today for a free trial.</p></body>\n</html>\n";

/// Every request to the MCP endpoint, whatever its method.
pub(crate) async fn handle(lab: Arc<Lab>, req: Request) -> Response {
    if lab.has(Defect::HangHeaders) {
        return hostile::hang(lab).await;
    }
    if lab.has(Defect::HtmlPage) {
        return Reply::html(StatusCode::OK, MARKETING_PAGE).into_response();
    }
    let method = req.method().clone();
    if method == Method::POST && lab.has(Defect::EndlessBody) {
        return hostile::endless_stream(lab);
    }
    if method == Method::POST && lab.has(Defect::HugeBody) {
        return hostile::huge_json(lab);
    }
    // DNS-rebinding protection comes before anything else: a page on another
    // origin must learn nothing, not even whether authentication is needed.
    if let Some(refusal) = foreign_origin(&lab, req.headers()) {
        return refusal;
    }
    match lab.era {
        Era::Stateless20260728 => return stateless::handle(lab, req).await,
        Era::Legacy20241105 => return legacy::handle(lab, req).await,
        _ => {}
    }
    match method {
        Method::GET | Method::HEAD => get(lab, req.headers()).await,
        Method::POST => post(lab, req).await,
        Method::DELETE => delete(&lab, req.headers()),
        // A CORS preflight never carries credentials, so it is not challenged.
        Method::OPTIONS => Reply::new(StatusCode::NO_CONTENT)
            .header(ALLOW, "POST, DELETE, OPTIONS")
            .into_response(),
        _ => {
            auth::refusal(&lab, req.headers()).unwrap_or_else(|| method_not_allowed("POST, DELETE"))
        }
    }
}

/// 403 for a present Origin that is not a loopback one.
pub(crate) fn foreign_origin(lab: &Lab, headers: &HeaderMap) -> Option<Response> {
    let origin = headers.get(ORIGIN)?;
    if lab.has(Defect::OriginNotValidated) || origin.to_str().is_ok_and(is_loopback_origin) {
        return None;
    }
    let error = json!({
        "jsonrpc": "2.0",
        "error": { "code": RpcError::INVALID_REQUEST, "message": "Forbidden: Origin not allowed" }
    });
    Some(Reply::json(StatusCode::FORBIDDEN, &error).into_response())
}

/// GET: the lab offers no server-initiated stream, so an authorised GET is
/// 405 (MCP Transports › Listening for Messages from the Server).
async fn get(lab: Arc<Lab>, headers: &HeaderMap) -> Response {
    if lab.has(Defect::GetHangs) {
        return hostile::hang(lab).await;
    }
    if lab.has(Defect::GetNotSse) {
        return Reply::json(StatusCode::OK, &json!({})).into_response();
    }
    let wants_stream = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    if lab.has(Defect::GetSseWithoutAuth) && wants_stream {
        return hostile::keepalive_stream(lab);
    }
    if let Some(refusal) = auth::refusal(&lab, headers) {
        return refusal;
    }
    method_not_allowed("POST, DELETE")
}

/// DELETE ends a session (MCP Transports › Session Management).
fn delete(lab: &Lab, headers: &HeaderMap) -> Response {
    if let Some(refusal) = auth::refusal(lab, headers) {
        return refusal;
    }
    let Some(id) = header_str(headers, &SESSION_HEADER) else {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            Value::Null,
            RpcError::INVALID_REQUEST,
            "Bad Request: Mcp-Session-Id header is required",
        );
    };
    if lab.has(Defect::DeleteRejected) {
        return Reply::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error\n",
        )
        .into_response();
    }
    if lab.store().sessions.remove(id).is_none() {
        return rpc_error(
            StatusCode::NOT_FOUND,
            Value::Null,
            RpcError::INVALID_REQUEST,
            "Session not found",
        );
    }
    Reply::new(StatusCode::NO_CONTENT).into_response()
}

async fn post(lab: Arc<Lab>, req: Request) -> Response {
    if let Some(refusal) = auth::request_refusal(&lab, req.headers(), req.uri().query()) {
        return refusal;
    }
    let headers = req.headers().clone();
    let Ok(bytes) = to_bytes(req.into_body(), MAX_BODY).await else {
        return rpc_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            Value::Null,
            RpcError::INVALID_REQUEST,
            "Request body too large or unreadable",
        );
    };
    let value = match rpc::parse(&bytes) {
        Ok(value) => value,
        Err(reply) => return *reply,
    };
    let batching = lab.era == Era::Stateful20250326 || lab.has(Defect::BatchAccepted);
    if let (Value::Array(items), true) = (&value, batching) {
        return batch(&lab, &headers, items.clone());
    }
    let message = match rpc::classify(&lab, value) {
        Ok(message) => message,
        Err((id, error)) => {
            return rpc_error(StatusCode::BAD_REQUEST, id, error.code, &error.message)
        }
    };
    if let Message::Request { id, method, params } = &message {
        if method == "initialize" {
            return initialize(&lab, id.clone(), params.as_ref());
        }
    }
    let request_id = match &message {
        Message::Request { id, .. } => id.clone(),
        _ => Value::Null,
    };
    if let Some(refusal) = session_refusal(&lab, &headers, &request_id) {
        return refusal;
    }
    if let Message::Request { method, .. } = &message {
        if let Some(refusal) = auth::method_refusal(&lab, method) {
            return refusal;
        }
    }
    match message {
        Message::Notification { method } => notification(&lab, &method),
        Message::Response => Reply::new(StatusCode::ACCEPTED).into_response(),
        Message::Request { id, method, params } => request(lab, id, &method, params.as_ref()),
    }
}

fn notification(lab: &Lab, method: &str) -> Response {
    if method == "notifications/initialized" && lab.has(Defect::InitializedRejected) {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            Value::Null,
            RpcError::INVALID_REQUEST,
            "Bad Request: unexpected notification",
        );
    }
    if lab.has(Defect::Notification200) {
        return Reply::new(StatusCode::OK).into_response();
    }
    if lab.has(Defect::NotificationBody) {
        return Reply::json(StatusCode::ACCEPTED, &json!({ "ok": true })).into_response();
    }
    Reply::new(StatusCode::ACCEPTED).into_response()
}

/// One request after the session checks.
fn request(lab: Arc<Lab>, id: Value, method: &str, params: Option<&Value>) -> Response {
    if method == "tools/list" && lab.has(Defect::ToolsListEndlessStream) {
        return streams::endless(lab);
    }
    if method == "tools/list" && lab.has(Defect::ToolsListHugeStream) {
        let result = json!({ "tools": tools::tools(&lab) });
        return streams::huge(lab, id, result);
    }
    let mut response = rpc::response_value(id.clone(), tools::call(&lab, method, params));
    if method == "ping" {
        if lab.has(Defect::ResponseInvalid) {
            response["error"] =
                json!({ "code": RpcError::INTERNAL_ERROR, "message": "and also an error" });
        }
        if lab.has(Defect::ResponseIdMismatch) {
            response["id"] = Value::String(id.to_string());
        }
    }
    if lab.era == Era::Stateful20250618 {
        // This era answers with SSE streams: a client must read both forms.
        return rpc::sse_message(&response, None);
    }
    Reply::json(StatusCode::OK, &response).into_response()
}

/// A 2025-03-26 batch: every request answered, in one JSON array.
fn batch(lab: &Lab, headers: &HeaderMap, items: Vec<Value>) -> Response {
    if items.is_empty() {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            Value::Null,
            RpcError::INVALID_REQUEST,
            "Invalid Request: empty batch",
        );
    }
    if let Some(refusal) = session_refusal(lab, headers, &Value::Null) {
        return refusal;
    }
    let mut responses = Vec::new();
    for item in items {
        match rpc::classify(lab, item) {
            Ok(Message::Request { id, method, params }) if method != "initialize" => {
                responses.push(rpc::response_value(
                    id,
                    tools::call(lab, &method, params.as_ref()),
                ));
            }
            Ok(Message::Request { id, .. }) => responses.push(rpc::error_value(
                id,
                RpcError::INVALID_REQUEST,
                "initialize must not be part of a batch",
            )),
            Ok(_) => {}
            Err((id, e)) => responses.push(rpc::error_value(id, e.code, &e.message)),
        }
    }
    if responses.is_empty() {
        return Reply::new(StatusCode::ACCEPTED).into_response();
    }
    Reply::json(StatusCode::OK, &Value::Array(responses)).into_response()
}

fn initialize(lab: &Lab, id: Value, params: Option<&Value>) -> Response {
    match tools::initialize(lab, params) {
        Ok(result) => {
            let mut session = lab.new_session();
            if lab.has(Defect::SessionIdInvalidChars) {
                session = format!("lab session {session}");
                lab.store()
                    .sessions
                    .insert(session.clone(), std::time::Instant::now());
            }
            let mut response = rpc_result(StatusCode::OK, id, result);
            if let Ok(value) = session.parse() {
                response.headers_mut().insert(SESSION_HEADER, value);
            }
            response
        }
        Err(error) => rpc_error(StatusCode::OK, id, error.code, &error.message),
    }
}

/// Session and protocol version checks for everything after `initialize`:
/// `Some` is the refusal.
fn session_refusal(lab: &Lab, headers: &HeaderMap, id: &Value) -> Option<Response> {
    match header_str(headers, &SESSION_HEADER) {
        None if lab.has(Defect::SessionNotRequired) => {}
        None => {
            return Some(rpc_error(
                StatusCode::BAD_REQUEST,
                id.clone(),
                RpcError::INVALID_REQUEST,
                "Bad Request: Mcp-Session-Id header is required",
            ))
        }
        Some(session) if !lab.store().sessions.contains_key(session) => {
            let status = if lab.has(Defect::UnknownSessionNot404) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::NOT_FOUND
            };
            return Some(rpc_error(
                status,
                id.clone(),
                RpcError::INVALID_REQUEST,
                "Session not found",
            ));
        }
        Some(_) => {}
    }
    // Absent means 2025-03-26 (MCP Transports › Protocol Version Header);
    // present but unknown is a 400. The 2025-03-26 lab predates the header.
    if lab.era == Era::Stateful20250326 || lab.has(Defect::VersionHeaderIgnored) {
        return None;
    }
    if let Some(version) = headers.get(VERSION_HEADER) {
        let known = version.to_str().is_ok_and(|v| tools::supports(lab, v));
        if !known {
            let message = format!(
                "Bad Request: unsupported MCP-Protocol-Version (supported: {})",
                lab.era.supported().join(", ")
            );
            return Some(rpc_error(
                StatusCode::BAD_REQUEST,
                id.clone(),
                RpcError::INVALID_REQUEST,
                &message,
            ));
        }
    }
    None
}

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
