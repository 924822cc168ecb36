//! JSON-RPC plumbing shared by every era: reading one message, and building
//! JSON and SSE responses.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::defects::Defect;
use crate::state::Lab;
use crate::tools::RpcError;
use crate::wire::Reply;

/// The kinds of JSON-RPC message a POST may carry.
pub(crate) enum Message {
    Request {
        id: Value,
        method: String,
        params: Option<Value>,
    },
    Notification {
        method: String,
    },
    Response,
}

/// Parses one message (an object); `Err` carries the id to answer with and the error.
pub(crate) fn classify(lab: &Lab, value: Value) -> Result<Message, (Value, RpcError)> {
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
    let null_ok = lab.has(Defect::NullIdAccepted);
    match (object.get("method"), object.get("id")) {
        (Some(Value::String(_)), Some(Value::Null)) if !null_ok => Err(invalid(
            Value::Null,
            "Invalid Request: the id of a request must not be null",
        )),
        (Some(Value::String(_)), Some(id)) if usable_id.is_null() && !id.is_null() => Err(invalid(
            Value::Null,
            "Invalid Request: the id must be a string or an integer",
        )),
        (Some(Value::String(method)), Some(_))
            if method.starts_with("notifications/") && lab.has(Defect::NotificationIdAccepted) =>
        {
            Ok(Message::Notification {
                method: method.clone(),
            })
        }
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
        (Some(Value::String(method)), None) => Ok(Message::Notification {
            method: method.clone(),
        }),
        (None, Some(_)) if object.contains_key("result") || object.contains_key("error") => {
            Ok(Message::Response)
        }
        _ => Err(invalid(
            usable_id,
            "Invalid Request: not a JSON-RPC request, notification or response",
        )),
    }
}

/// Parses a body into JSON, or the parse-error reply (boxed: a response is large).
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, Box<Response>> {
    serde_json::from_slice(bytes).map_err(|e| {
        Box::new(rpc_error(
            StatusCode::BAD_REQUEST,
            Value::Null,
            RpcError::PARSE_ERROR,
            &format!("Parse error: {e}"),
        ))
    })
}

/// The response object to a request.
pub(crate) fn response_value(id: Value, outcome: Result<Value, RpcError>) -> Value {
    match outcome {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(e) => error_value(id, e.code, &e.message),
    }
}

/// An error response object.
pub(crate) fn error_value(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// A JSON-RPC result as `application/json`.
pub(crate) fn rpc_result(status: StatusCode, id: Value, result: Value) -> Response {
    Reply::json(
        status,
        &json!({ "jsonrpc": "2.0", "id": id, "result": result }),
    )
    .into_response()
}

/// A JSON-RPC error as `application/json`.
pub(crate) fn rpc_error(status: StatusCode, id: Value, code: i64, message: &str) -> Response {
    Reply::json(status, &error_value(id, code, message)).into_response()
}

/// One response message as an SSE stream that ends after it.
pub(crate) fn sse_message(message: &Value, priming_id: Option<&str>) -> Response {
    let mut body = String::new();
    if let Some(id) = priming_id {
        // MCP 2025-11-25: an event with an id and empty data primes reconnection.
        body.push_str(&format!("id: {id}\ndata:\n\n"));
    }
    body.push_str(&format!("event: message\ndata: {message}\n\n"));
    Reply::new(StatusCode::OK)
        .header(CONTENT_TYPE, "text/event-stream")
        .header(CACHE_CONTROL, "no-cache")
        .header(HeaderName::from_static("x-accel-buffering"), "no")
        .body(body)
        .into_response()
}
