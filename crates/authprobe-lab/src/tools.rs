//! The MCP methods the lab implements once a request has passed the
//! transport: `initialize`, `ping`, `tools/list` and `tools/call` with two
//! small tools, `echo` and `add`.

use serde_json::{json, Map, Value};

/// Protocol revisions the lab speaks over Streamable HTTP, latest first.
pub(crate) const SUPPORTED_VERSIONS: [&str; 3] = ["2025-11-25", "2025-06-18", "2025-03-26"];

/// A JSON-RPC error: code and message.
pub(crate) struct RpcError {
    pub(crate) code: i64,
    pub(crate) message: String,
}

impl RpcError {
    pub(crate) const PARSE_ERROR: i64 = -32700;
    pub(crate) const INVALID_REQUEST: i64 = -32600;
    pub(crate) const METHOD_NOT_FOUND: i64 = -32601;
    pub(crate) const INVALID_PARAMS: i64 = -32602;

    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
        }
    }
}

/// The version to answer: the requested one when the lab supports it,
/// otherwise the latest the lab supports (MCP Lifecycle › Version Negotiation).
pub(crate) fn negotiate(requested: &str) -> &'static str {
    SUPPORTED_VERSIONS
        .iter()
        .copied()
        .find(|v| *v == requested)
        .unwrap_or(SUPPORTED_VERSIONS[0])
}

/// The `initialize` result for a request's params.
pub(crate) fn initialize(params: Option<&Value>) -> Result<Value, RpcError> {
    let requested = params
        .and_then(|p| p.get("protocolVersion"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            RpcError::new(
                RpcError::INVALID_PARAMS,
                "initialize requires params.protocolVersion (a string)",
            )
        })?;
    let version = negotiate(requested);
    let result = json!({
        "protocolVersion": version,
        "capabilities": { "tools": { "listChanged": false } },
        "serverInfo": {
            "name": "authprobe-lab",
            "title": "authprobe lab",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "instructions": "A reference MCP server for calibrating authprobe. It offers two tools: echo and add.",
    });
    Ok(result)
}

/// Dispatches every request method but `initialize`.
pub(crate) fn call(method: &str, params: Option<&Value>) -> Result<Value, RpcError> {
    match method {
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({ "tools": [echo_tool(), add_tool()] })),
        "tools/call" => call_tool(params),
        _ => Err(RpcError::new(
            RpcError::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )),
    }
}

fn echo_tool() -> Value {
    json!({
        "name": "echo",
        "title": "Echo",
        "description": "Returns the given text unchanged.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "text": { "type": "string", "description": "The text to echo." }
            },
            "required": ["text"],
            "additionalProperties": false
        },
        "annotations": { "readOnlyHint": true, "idempotentHint": true, "openWorldHint": false }
    })
}

fn add_tool() -> Value {
    json!({
        "name": "add",
        "title": "Add",
        "description": "Adds two numbers.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "a": { "type": "number", "description": "The first addend." },
                "b": { "type": "number", "description": "The second addend." }
            },
            "required": ["a", "b"],
            "additionalProperties": false
        },
        "outputSchema": {
            "type": "object",
            "properties": {
                "sum": { "type": "number" }
            },
            "required": ["sum"],
            "additionalProperties": false
        },
        "annotations": { "readOnlyHint": true, "idempotentHint": true, "openWorldHint": false }
    })
}

fn call_tool(params: Option<&Value>) -> Result<Value, RpcError> {
    let params = params
        .and_then(Value::as_object)
        .ok_or_else(|| RpcError::new(RpcError::INVALID_PARAMS, "tools/call requires params"))?;
    let name = params.get("name").and_then(Value::as_str).ok_or_else(|| {
        RpcError::new(RpcError::INVALID_PARAMS, "tools/call requires params.name")
    })?;
    let empty = Map::new();
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(RpcError::new(
                RpcError::INVALID_PARAMS,
                "params.arguments must be an object",
            ));
        }
    };
    // Unknown tools are protocol errors; bad arguments are tool execution
    // errors (MCP Server › Tools › Error Handling).
    match name {
        "echo" => Ok(echo(arguments)),
        "add" => Ok(add(arguments)),
        _ => Err(RpcError::new(
            RpcError::INVALID_PARAMS,
            format!("Unknown tool: {name}"),
        )),
    }
}

fn echo(arguments: &Map<String, Value>) -> Value {
    if let Some(extra) = arguments.keys().find(|k| *k != "text") {
        return tool_error(&format!("Unexpected argument: {extra}"));
    }
    match arguments.get("text").and_then(Value::as_str) {
        Some(text) => json!({
            "content": [{ "type": "text", "text": text }],
            "isError": false
        }),
        None => tool_error("Argument \"text\" is required and must be a string."),
    }
}

fn add(arguments: &Map<String, Value>) -> Value {
    if let Some(extra) = arguments.keys().find(|k| *k != "a" && *k != "b") {
        return tool_error(&format!("Unexpected argument: {extra}"));
    }
    let (Some(a), Some(b)) = (arguments.get("a"), arguments.get("b")) else {
        return tool_error("Arguments \"a\" and \"b\" are required.");
    };
    let sum = match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x.checked_add(y).map(Value::from),
        _ => None,
    };
    let sum = match sum {
        Some(sum) => sum,
        None => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) if (x + y).is_finite() => Value::from(x + y),
            (Some(_), Some(_)) => return tool_error("The sum is not a finite number."),
            _ => return tool_error("Arguments \"a\" and \"b\" must be numbers."),
        },
    };
    let structured = json!({ "sum": sum });
    json!({
        "content": [{ "type": "text", "text": structured.to_string() }],
        "structuredContent": structured,
        "isError": false
    })
}

fn tool_error(message: &str) -> Value {
    json!({
        "content": [{ "type": "text", "text": message }],
        "isError": true
    })
}
