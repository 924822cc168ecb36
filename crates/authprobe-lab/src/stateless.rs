//! The 2026-07-28 MCP endpoint: stateless Streamable HTTP. Every request
//! carries its protocol version, client capabilities and client info in
//! `_meta`, mirrored in the `MCP-Protocol-Version`, `Mcp-Method` and
//! `Mcp-Name` headers, which the lab checks against the body (400 with
//! -32020 HeaderMismatch, 400 with -32022 for an unsupported version).
//! No `initialize`, no sessions (an `Mcp-Session-Id` is ignored), GET and
//! DELETE answer 405, `server/discover` advertises what the lab speaks.

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::ALLOW;
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::auth;
use crate::defects::Defect;
use crate::mcp::{header_str, MAX_BODY};
use crate::rpc::{self, rpc_error, Message};
use crate::state::Lab;
use crate::tools::{self, RpcError};
use crate::wire::{method_not_allowed, Reply};

const VERSION_HEADER: HeaderName = HeaderName::from_static("mcp-protocol-version");
const METHOD_HEADER: HeaderName = HeaderName::from_static("mcp-method");
const NAME_HEADER: HeaderName = HeaderName::from_static("mcp-name");
const HEADER_MISMATCH: i64 = -32020;
const UNSUPPORTED_VERSION: i64 = -32022;

/// Every request to the MCP endpoint of the 2026-07-28 lab.
pub(crate) async fn handle(lab: Arc<Lab>, req: Request) -> Response {
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return Reply::new(StatusCode::NO_CONTENT)
            .header(ALLOW, "POST, OPTIONS")
            .into_response();
    }
    if let Some(refusal) = auth::refusal(&lab, req.headers()) {
        return refusal;
    }
    if method != Method::POST {
        // No GET stream and no sessions to end in this revision.
        return method_not_allowed("POST");
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
    let message = match rpc::classify(&lab, value.clone()) {
        Ok(message) => message,
        Err((id, error)) => {
            return rpc_error(StatusCode::BAD_REQUEST, id, error.code, &error.message)
        }
    };
    match message {
        Message::Notification { .. } | Message::Response => {
            Reply::new(StatusCode::ACCEPTED).into_response()
        }
        Message::Request { id, method, params } => {
            if let Some(refusal) = validate(&lab, &headers, &id, &method, params.as_ref()) {
                return refusal;
            }
            answer(&lab, id, &method, params.as_ref())
        }
    }
}

/// Header and `_meta` validation (MCP 2026-07-28 Streamable HTTP › Server
/// Validation, Basic › `_meta`): `Some` is the refusal.
fn validate(
    lab: &Lab,
    headers: &HeaderMap,
    id: &Value,
    method: &str,
    params: Option<&Value>,
) -> Option<Response> {
    let mismatch = |message: &str| {
        Some(rpc_error(
            StatusCode::BAD_REQUEST,
            id.clone(),
            HEADER_MISMATCH,
            message,
        ))
    };
    let meta = params.and_then(|p| p.get("_meta"));
    let body_version = meta
        .and_then(|m| m.get("io.modelcontextprotocol/protocolVersion"))
        .and_then(Value::as_str);
    let Some(header_version) = header_str(headers, &VERSION_HEADER) else {
        return mismatch("Header mismatch: MCP-Protocol-Version is required");
    };
    if !lab.has(Defect::HeaderMismatchAccepted) {
        match header_str(headers, &METHOD_HEADER) {
            None => return mismatch("Header mismatch: Mcp-Method is required"),
            Some(m) if m != method => {
                return mismatch(&format!(
                    "Header mismatch: Mcp-Method header value '{m}' does not match body value '{method}'"
                ))
            }
            Some(_) => {}
        }
        let name = params
            .and_then(|p| p.get("name").or_else(|| p.get("uri")))
            .and_then(Value::as_str);
        if matches!(method, "tools/call" | "resources/read" | "prompts/get")
            && header_str(headers, &NAME_HEADER) != name
        {
            return mismatch("Header mismatch: Mcp-Name does not match the body");
        }
    }
    let (Some(body_version), Some(_)) = (
        body_version,
        meta.and_then(|m| m.get("io.modelcontextprotocol/clientCapabilities")),
    ) else {
        return Some(rpc_error(
            StatusCode::BAD_REQUEST,
            id.clone(),
            RpcError::INVALID_PARAMS,
            "Invalid params: _meta must carry io.modelcontextprotocol/protocolVersion and clientCapabilities",
        ));
    };
    if body_version != header_version {
        return mismatch("Header mismatch: MCP-Protocol-Version does not match _meta");
    }
    if !tools::supports(lab, body_version) {
        if lab.has(Defect::UnsupportedVersionErrorInvalid) {
            return Some(rpc_error(
                StatusCode::BAD_REQUEST,
                id.clone(),
                RpcError::INVALID_PARAMS,
                "Unsupported protocol version",
            ));
        }
        let body = json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {
                "code": UNSUPPORTED_VERSION,
                "message": "Unsupported protocol version",
                "data": { "supported": lab.era.supported(), "requested": body_version }
            }
        });
        return Some(Reply::json(StatusCode::BAD_REQUEST, &body).into_response());
    }
    None
}

/// Every result names itself complete and the server (MCP 2026-07-28 Basic).
fn complete(mut result: Value, cacheable: bool) -> Value {
    if let Value::Object(map) = &mut result {
        map.insert("resultType".into(), json!("complete"));
        map.insert(
            "_meta".into(),
            json!({ "io.modelcontextprotocol/serverInfo": tools::server_info("2026-07-28") }),
        );
        if cacheable {
            map.insert("ttlMs".into(), json!(60_000));
            map.insert("cacheScope".into(), json!("private"));
        }
    }
    result
}

fn answer(lab: &Lab, id: Value, method: &str, params: Option<&Value>) -> Response {
    let outcome = match method {
        "server/discover" => Ok(complete(
            json!({
                "supportedVersions": lab.era.supported(),
                "capabilities": tools::capabilities(lab),
                "instructions": "A reference MCP server for calibrating authprobe. It offers two tools: echo and add.",
            }),
            true,
        )),
        // Removed in this revision: unknown like any other method.
        "ping" | "initialize" => Err(RpcError::new(
            RpcError::METHOD_NOT_FOUND,
            format!(
                "Method not found: {method} (this server speaks 2026-07-28; use server/discover)"
            ),
        )),
        _ => tools::call(lab, method, params).map(|r| complete(r, method == "tools/list")),
    };
    match outcome {
        // The tool list is streamed: a client reads both response forms.
        Ok(result) if method == "tools/list" => rpc::sse_message(
            &json!({ "jsonrpc": "2.0", "id": id, "result": result }),
            None,
        ),
        Ok(result) => rpc::rpc_result(StatusCode::OK, id, result),
        Err(e) if e.code == RpcError::METHOD_NOT_FOUND => {
            rpc_error(StatusCode::NOT_FOUND, id, e.code, &e.message)
        }
        Err(e) => rpc_error(StatusCode::OK, id, e.code, &e.message),
    }
}
