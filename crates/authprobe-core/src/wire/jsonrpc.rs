//! Just enough JSON-RPC 2.0 for the probes: building requests, reading the
//! messages out of an `application/json` or `text/event-stream` body, and
//! judging the shape of a response (JSON-RPC 2.0 §5, §5.1).

use serde_json::{json, Map, Value};

use super::fields::describe;
use super::sse::{parse_all, SseEvent, SseParser};

/// Why no JSON-RPC message could be read from a body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The media type is neither `application/json` nor `text/event-stream`.
    #[error("{}", not_json_rpc(.media_type.as_deref()))]
    NotJsonRpc {
        /// The media type received, lowercased and without parameters; `None` when absent.
        media_type: Option<String>,
    },
    /// An `application/json` body with nothing in it.
    #[error("the JSON body is empty")]
    Empty,
    /// An `application/json` body that is not valid JSON.
    #[error("not valid JSON: {message} at line {line}, column {column}")]
    InvalidJson {
        /// The parser's message, without its position.
        message: String,
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
    },
    /// Valid JSON that is neither an object nor an array.
    #[error("the JSON body is {found}, not a JSON-RPC message or batch")]
    NotAMessage {
        /// The JSON type found, e.g. "a string".
        found: &'static str,
    },
    /// An event stream whose `message` events all failed to parse.
    #[error("no event of the stream carries a JSON-RPC message: {detail}")]
    NoMessageInStream {
        /// Which events failed and why (the first one, and how many).
        detail: String,
    },
}

fn not_json_rpc(media_type: Option<&str>) -> String {
    match media_type {
        None => "no Content-Type: the body cannot be read as JSON-RPC".to_string(),
        Some(m) => {
            format!("{m} is not a JSON-RPC media type (application/json or text/event-stream)")
        }
    }
}

/// Reads the JSON-RPC messages of a response body.
///
/// `application/json`: an object is one message, an array gives its elements.
/// `text/event-stream`: the data of each `message` event (other event types are
/// not JSON-RPC, as for an `EventSource`), an array again giving its elements.
/// An event whose data does not parse is only an error when no event parsed.
pub fn messages_in_body(media_type: Option<&str>, body: &str) -> Result<Vec<Value>, BodyError> {
    let media = media_type.map(|m| {
        m.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    match media.as_deref() {
        Some("application/json") => json_body(body),
        Some("text/event-stream") => stream_body(body),
        _ => Err(BodyError::NotJsonRpc { media_type: media }),
    }
}

fn json_body(body: &str) -> Result<Vec<Value>, BodyError> {
    if body.trim().is_empty() {
        return Err(BodyError::Empty);
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(object @ Value::Object(_)) => Ok(vec![object]),
        Ok(other) => Err(BodyError::NotAMessage {
            found: describe(&other),
        }),
        Err(e) => {
            let full = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            Err(BodyError::InvalidJson {
                message: full.strip_suffix(&position).unwrap_or(&full).to_string(),
                line: e.line(),
                column: e.column(),
            })
        }
    }
}

fn stream_body(body: &str) -> Result<Vec<Value>, BodyError> {
    let mut messages = Vec::new();
    let mut failures = Vec::new();
    for (index, event) in message_events(body.as_bytes()).enumerate() {
        // An event with empty data carries nothing, which is not a failure.
        if event.data.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&event.data) {
            Ok(Value::Array(items)) => messages.extend(items),
            Ok(object @ Value::Object(_)) => messages.push(object),
            Ok(other) => failures.push(format!("event {} is {}", index + 1, describe(&other))),
            Err(e) => failures.push(format!("event {} is not valid JSON ({e})", index + 1)),
        }
    }
    match failures.first() {
        Some(first) if messages.is_empty() => Err(BodyError::NoMessageInStream {
            detail: match failures.len() {
                1 => first.clone(),
                n => format!("{first}, and {} more", n - 1),
            },
        }),
        _ => Ok(messages),
    }
}

fn message_events(bytes: &[u8]) -> impl Iterator<Item = SseEvent> {
    parse_all(bytes)
        .into_iter()
        .filter(|e| e.event == "message")
}

/// The response to the request with this `id`: the first message that carries
/// the same `id` and is not itself a request (a server may send its own
/// requests, whose ids live in another space, on the same stream).
pub fn find_response<'a>(messages: &'a [Value], id: &Value) -> Option<&'a Value> {
    messages
        .iter()
        .find(|m| m.get("method").is_none() && m.get("id") == Some(id))
}

/// The shape of a response object under JSON-RPC 2.0 §5 and §5.1.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseShape<'a> {
    /// A valid success response; the `result` member.
    Result(&'a Value),
    /// A valid error response.
    Error {
        /// `error.code`.
        code: i64,
        /// `error.message`.
        message: String,
    },
    /// Not a valid response; says why.
    Invalid(String),
}

/// Judges a response: `jsonrpc` is "2.0", `id` is present, exactly one of
/// `result` and `error`, and an error has an integer `code` and a string `message`.
pub fn classify_response(v: &Value) -> ResponseShape<'_> {
    let invalid = |why: String| ResponseShape::Invalid(why);
    let Value::Object(obj) = v else {
        return invalid(format!("the response is {}, not an object", describe(v)));
    };
    match obj.get("jsonrpc") {
        Some(Value::String(s)) if s == "2.0" => {}
        Some(other) => {
            return invalid(format!("`jsonrpc` is {}, not \"2.0\"", excerpt(other)));
        }
        None => return invalid("`jsonrpc` is missing (must be \"2.0\")".to_string()),
    }
    match obj.get("id") {
        None => return invalid("`id` is missing".to_string()),
        Some(Value::String(_) | Value::Number(_) | Value::Null) => {}
        Some(other) => {
            return invalid(format!(
                "`id` is {}, not a string, number or null",
                describe(other)
            ))
        }
    }
    match (obj.get("result"), obj.get("error")) {
        (Some(_), Some(_)) => invalid("it has both `result` and `error`".to_string()),
        (None, None) => invalid("it has neither `result` nor `error`".to_string()),
        (Some(result), None) => ResponseShape::Result(result),
        (None, Some(Value::Object(error))) => classify_error(error),
        (None, Some(other)) => invalid(format!("`error` is {}, not an object", describe(other))),
    }
}

fn classify_error(error: &Map<String, Value>) -> ResponseShape<'static> {
    let code = match error.get("code") {
        Some(Value::Number(n)) => match n.as_i64() {
            Some(code) => code,
            None => {
                return ResponseShape::Invalid(format!("`error.code` is {n}, not an integer"));
            }
        },
        Some(other) => {
            return ResponseShape::Invalid(format!(
                "`error.code` is {}, not an integer",
                describe(other)
            ))
        }
        None => return ResponseShape::Invalid("`error.code` is missing".to_string()),
    };
    match error.get("message") {
        Some(Value::String(message)) => ResponseShape::Error {
            code,
            message: message.clone(),
        },
        Some(other) => ResponseShape::Invalid(format!(
            "`error.message` is {}, not a string",
            describe(other)
        )),
        None => ResponseShape::Invalid("`error.message` is missing".to_string()),
    }
}

/// A value for an error message, cut short so a hostile value cannot flood it.
fn excerpt(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// A request object; `params` is left out when it is `null`.
pub fn request(id: u64, method: &str, params: Value) -> Value {
    let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
    if let (Value::Object(obj), false) = (&mut message, params.is_null()) {
        obj.insert("params".to_string(), params);
    }
    message
}

/// A notification object (no `id`); `params` is left out when it is `null`.
pub fn notification(method: &str, params: Value) -> Value {
    let mut message = json!({"jsonrpc": "2.0", "method": method});
    if let (Value::Object(obj), false) = (&mut message, params.is_null()) {
        obj.insert("params".to_string(), params);
    }
    message
}

/// True once the bytes hold a complete `message` event whose data is a
/// JSON-RPC response (an object, or a batch containing one, with `id` and
/// `result` or `error`): the point where a streaming read can stop.
pub fn sse_has_response(bytes: &[u8]) -> bool {
    let is_response = |m: &Value| {
        m.get("id").is_some()
            && m.get("method").is_none()
            && (m.get("result").is_some() || m.get("error").is_some())
    };
    message_events(bytes).any(|event| match serde_json::from_str::<Value>(&event.data) {
        Ok(Value::Array(items)) => items.iter().any(is_response),
        Ok(message) => is_response(&message),
        Err(_) => false,
    })
}

/// An incremental form of [`sse_has_response`] for streaming reads: it remembers how
/// much of the body it has parsed, so each call costs only the new bytes (re-parsing a
/// growing stream on every chunk would be quadratic).
pub fn sse_response_watcher() -> impl Fn(&[u8]) -> bool + Send + Sync + 'static {
    let state = std::sync::Mutex::new((SseParser::new(), 0usize, false));
    move |bytes: &[u8]| {
        let mut guard = state.lock().unwrap_or_else(|e| e.into_inner());
        let (parser, seen, found) = &mut *guard;
        if *found {
            return true;
        }
        let start = (*seen).min(bytes.len());
        *seen = bytes.len();
        for event in parser.feed(&bytes[start..]) {
            if event.event != "message" {
                continue;
            }
            let hit = match serde_json::from_str::<Value>(&event.data) {
                Ok(Value::Array(items)) => items.iter().any(is_response_message),
                Ok(message) => is_response_message(&message),
                Err(_) => false,
            };
            if hit {
                *found = true;
                return true;
            }
        }
        false
    }
}

fn is_response_message(m: &Value) -> bool {
    m.get("id").is_some()
        && m.get("method").is_none()
        && (m.get("result").is_some() || m.get("error").is_some())
}

#[cfg(test)]
mod tests;
