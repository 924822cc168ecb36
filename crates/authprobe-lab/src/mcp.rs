//! The MCP endpoint: Streamable HTTP (2025-11-25) with JSON responses,
//! sessions, the protocol version header, Origin validation and the bearer
//! token check, plus the transport defects.

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::{ACCEPT, ALLOW, ORIGIN};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::auth;
use crate::defects::Defect;
use crate::hostile;
use crate::state::Lab;
use crate::tools::{self, RpcError, SUPPORTED_VERSIONS};
use crate::wire::{is_loopback_origin, method_not_allowed, Reply};

const SESSION_HEADER: HeaderName = HeaderName::from_static("mcp-session-id");
const VERSION_HEADER: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// Largest JSON-RPC message the lab reads.
const MAX_BODY: usize = 1024 * 1024;

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
    if let Some(origin) = req.headers().get(ORIGIN) {
        if !origin.to_str().is_ok_and(is_loopback_origin) {
            let error = json!({
                "jsonrpc": "2.0",
                "error": { "code": RpcError::INVALID_REQUEST, "message": "Forbidden: Origin not allowed" }
            });
            return Reply::json(StatusCode::FORBIDDEN, &error).into_response();
        }
    }
    match method {
        Method::GET | Method::HEAD => get(lab, req.headers()).await,
        Method::POST => post(&lab, req).await,
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

/// The kinds of JSON-RPC message a POST may carry.
enum Message {
    Request {
        id: Value,
        method: String,
        params: Option<Value>,
    },
    Notification,
    Response,
}

async fn post(lab: &Lab, req: Request) -> Response {
    if let Some(refusal) = auth::refusal(lab, req.headers()) {
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
    let message = match classify(&bytes) {
        Ok(message) => message,
        Err((id, error)) => {
            return rpc_error(StatusCode::BAD_REQUEST, id, error.code, &error.message)
        }
    };
    if let Message::Request { id, method, params } = &message {
        if method == "initialize" {
            return initialize(lab, id.clone(), params.as_ref());
        }
    }
    let request_id = match &message {
        Message::Request { id, .. } => id.clone(),
        _ => Value::Null,
    };
    if let Some(refusal) = session_refusal(lab, &headers, &request_id) {
        return refusal;
    }
    match message {
        Message::Notification | Message::Response => {
            Reply::new(StatusCode::ACCEPTED).into_response()
        }
        Message::Request { id, method, params } => match tools::call(&method, params.as_ref()) {
            Ok(result) => rpc_result(StatusCode::OK, id, result),
            Err(error) => rpc_error(StatusCode::OK, id, error.code, &error.message),
        },
    }
}

fn initialize(lab: &Lab, id: Value, params: Option<&Value>) -> Response {
    match tools::initialize(params) {
        Ok(result) => {
            let session = lab.new_session();
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
    let Some(session) = header_str(headers, &SESSION_HEADER) else {
        return Some(rpc_error(
            StatusCode::BAD_REQUEST,
            id.clone(),
            RpcError::INVALID_REQUEST,
            "Bad Request: Mcp-Session-Id header is required",
        ));
    };
    if !lab.store().sessions.contains_key(session) {
        return Some(rpc_error(
            StatusCode::NOT_FOUND,
            id.clone(),
            RpcError::INVALID_REQUEST,
            "Session not found",
        ));
    }
    // Absent means 2025-03-26 (MCP Transports › Protocol Version Header);
    // present but unknown is a 400.
    if let Some(version) = headers.get(VERSION_HEADER) {
        let known = version
            .to_str()
            .is_ok_and(|v| SUPPORTED_VERSIONS.contains(&v));
        if !known {
            let message = format!(
                "Bad Request: unsupported MCP-Protocol-Version (supported: {})",
                SUPPORTED_VERSIONS.join(", ")
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

/// Parses and classifies one JSON-RPC message; `Err` carries the id to
/// answer with and the error.
fn classify(bytes: &[u8]) -> Result<Message, (Value, RpcError)> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        (
            Value::Null,
            RpcError::new(RpcError::PARSE_ERROR, format!("Parse error: {e}")),
        )
    })?;
    let invalid =
        |id: Value, message: &str| (id, RpcError::new(RpcError::INVALID_REQUEST, message));
    let object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err(invalid(
                Value::Null,
                "Invalid Request: batching is not supported (removed in 2025-06-18)",
            ));
        }
        _ => {
            return Err(invalid(
                Value::Null,
                "Invalid Request: expected a JSON object",
            ))
        }
    };
    // Only a string or an integer can be echoed back (MCP Basic › Requests).
    let usable_id = match object.get("id") {
        Some(id @ Value::String(_)) => id.clone(),
        Some(id @ Value::Number(n)) if n.is_i64() || n.is_u64() => id.clone(),
        _ => Value::Null,
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(
            usable_id,
            "Invalid Request: jsonrpc must be \"2.0\"",
        ));
    }
    match (object.get("method"), object.get("id")) {
        (Some(Value::String(_)), Some(Value::Null)) => Err(invalid(
            Value::Null,
            "Invalid Request: the id of a request must not be null",
        )),
        (Some(Value::String(_)), Some(_)) if usable_id.is_null() => Err(invalid(
            Value::Null,
            "Invalid Request: the id must be a string or an integer",
        )),
        (Some(Value::String(method)), Some(_)) if method.starts_with("notifications/") => {
            Err(invalid(
                usable_id,
                "Invalid Request: a notification must not carry an id",
            ))
        }
        (Some(Value::String(method)), Some(_)) => {
            let params = object.get("params").cloned();
            if params.as_ref().is_some_and(|p| !p.is_object()) {
                return Err((
                    usable_id,
                    RpcError::new(RpcError::INVALID_PARAMS, "params must be an object"),
                ));
            }
            Ok(Message::Request {
                id: usable_id,
                method: method.clone(),
                params,
            })
        }
        (Some(Value::String(_)), None) => Ok(Message::Notification),
        (None, Some(_)) if object.contains_key("result") || object.contains_key("error") => {
            Ok(Message::Response)
        }
        _ => Err(invalid(
            usable_id,
            "Invalid Request: not a JSON-RPC request, notification or response",
        )),
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn rpc_result(status: StatusCode, id: Value, result: Value) -> Response {
    Reply::json(
        status,
        &json!({ "jsonrpc": "2.0", "id": id, "result": result }),
    )
    .into_response()
}

fn rpc_error(status: StatusCode, id: Value, code: i64, message: &str) -> Response {
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    Reply::json(status, &body).into_response()
}
