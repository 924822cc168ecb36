//! What one MCP request got back, read out of its exchange: the response to
//! our `id` (from an `application/json` body or an SSE stream), or why there is none.

use serde_json::Value;

use crate::http::{ErrorKind, Exchange};
use crate::wire::jsonrpc::{self, ResponseShape};

/// A JSON-RPC error object, as received.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// `error.code`.
    pub code: i64,
    /// `error.message`.
    pub message: String,
    /// The whole `error` object (for `data`).
    pub raw: Value,
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Got {
    /// No response headers: a timeout or a network error, never a protocol answer.
    NoAnswer(Option<ErrorKind>),
    /// The headers came but the body was cut (timeout, body cap, broken
    /// connection) before it carried the response to this request.
    Cut {
        /// HTTP status.
        status: u16,
        /// Why reading stopped.
        kind: ErrorKind,
        /// Body bytes read before it stopped.
        bytes: usize,
    },
    /// A status outside 2xx, and the JSON-RPC error of the body if it has one.
    Status(u16, Option<RpcError>),
    /// 2xx, but the body cannot be read as JSON-RPC (says why).
    Unreadable(u16, String),
    /// 2xx without any JSON-RPC response (an empty body, e.g. a 202).
    NoResponse(u16),
    /// A valid result for this request.
    Result(Value),
    /// A valid error for this request.
    Error(RpcError),
    /// The response to this request is not a valid JSON-RPC response (says why).
    Invalid(String),
    /// The only response in the body carries another `id`.
    WrongId(Value),
}

impl Got {
    /// Reads the answer to the request with `id` out of `exchange`.
    pub fn of(exchange: &Exchange, id: &Value) -> Got {
        let Some(response) = &exchange.response else {
            return Got::NoAnswer(exchange.error.as_ref().map(|e| e.kind));
        };
        let status = response.status;
        let messages = jsonrpc::messages_in_body(response.media_type().as_deref(), &response.body);
        let found = match &messages {
            Ok(list) => pick(list, id),
            Err(_) => None,
        };
        if let Some(got) = found {
            return if (200..300).contains(&status) {
                got
            } else {
                Got::Status(status, error_of(&got))
            };
        }
        if let Some(e) = &exchange.error {
            return Got::Cut {
                status,
                kind: e.kind,
                bytes: response.body_bytes,
            };
        }
        if !(200..300).contains(&status) {
            return Got::Status(status, None);
        }
        if response.body.trim().is_empty() {
            return Got::NoResponse(status);
        }
        match messages {
            Ok(_) => Got::NoResponse(status),
            Err(e) => Got::Unreadable(status, e.to_string()),
        }
    }

    /// The result, if this is one.
    pub fn result(&self) -> Option<&Value> {
        match self {
            Got::Result(v) => Some(v),
            _ => None,
        }
    }

    /// The JSON-RPC error, whatever the status.
    pub fn error(&self) -> Option<&RpcError> {
        match self {
            Got::Error(e) | Got::Status(_, Some(e)) => Some(e),
            _ => None,
        }
    }

    /// True when nothing can be judged: no headers, or a body cut before the answer.
    pub fn is_inconclusive(&self) -> bool {
        matches!(self, Got::NoAnswer(_) | Got::Cut { .. })
    }
}

fn error_of(got: &Got) -> Option<RpcError> {
    match got {
        Got::Error(e) => Some(e.clone()),
        _ => None,
    }
}

/// The response to `id` among `messages`, judged; or the only response when
/// it carries another id; `None` when there is no response at all.
fn pick(messages: &[Value], id: &Value) -> Option<Got> {
    if let Some(m) = jsonrpc::find_response(messages, id) {
        return Some(judge(m));
    }
    let responses: Vec<&Value> = messages
        .iter()
        .filter(|m| {
            m.get("method").is_none() && (m.get("result").is_some() || m.get("error").is_some())
        })
        .collect();
    match responses.as_slice() {
        [only] => match only.get("id") {
            // An error without an id: the server could not read ours; the error still answers.
            None if only.get("error").is_some() => Some(judge(only)),
            Some(other) if other != id => Some(Got::WrongId(other.clone())),
            _ => Some(judge(only)),
        },
        _ => None,
    }
}

fn judge(message: &Value) -> Got {
    // MCP lets an error answer a request whose id could not be read: judge the
    // rest of the object as if the id were null.
    if let Value::Object(obj) = message {
        if !obj.contains_key("id") && obj.contains_key("error") {
            let mut copy = obj.clone();
            copy.insert("id".into(), Value::Null);
            return judge(&Value::Object(copy));
        }
    }
    match jsonrpc::classify_response(message) {
        ResponseShape::Result(v) => Got::Result(v.clone()),
        ResponseShape::Error {
            code,
            message: text,
        } => Got::Error(RpcError {
            code,
            message: text,
            raw: message.get("error").cloned().unwrap_or(Value::Null),
        }),
        ResponseShape::Invalid(why) => Got::Invalid(why),
    }
}

#[cfg(test)]
mod tests;
