//! The MCP methods the lab implements once a request has passed the
//! transport: `initialize`, `ping`, `tools/list` and `tools/call` with two
//! small tools, `echo` and `add`.

use serde_json::{json, Map, Value};

use crate::defects::Defect;
use crate::state::Lab;

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
    pub(crate) const INTERNAL_ERROR: i64 = -32603;

    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
        }
    }
}

/// The version to answer: the requested one when the lab supports it,
/// otherwise the latest the lab supports (MCP Lifecycle › Version Negotiation).
pub(crate) fn negotiate(lab: &Lab, requested: &str) -> &'static str {
    let supported = lab.era.supported();
    if lab.has(Defect::VersionDowngrade) && requested == "2025-11-25" {
        return "2025-06-18";
    }
    supported
        .iter()
        .copied()
        .find(|v| *v == requested)
        .unwrap_or(supported[0])
}

/// Whether the lab accepts this protocol version (in a header or `_meta`).
pub(crate) fn supports(lab: &Lab, version: &str) -> bool {
    lab.era.supported().contains(&version)
}

/// The `initialize` result for a request's params.
pub(crate) fn initialize(lab: &Lab, params: Option<&Value>) -> Result<Value, RpcError> {
    if lab.has(Defect::InitializeError) {
        return Err(RpcError::new(
            RpcError::INTERNAL_ERROR,
            "Internal error: initialization failed",
        ));
    }
    let requested = params
        .and_then(|p| p.get("protocolVersion"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            RpcError::new(
                RpcError::INVALID_PARAMS,
                "initialize requires params.protocolVersion (a string)",
            )
        })?;
    let version = negotiate(lab, requested);
    let mut result = json!({
        "protocolVersion": version,
        "capabilities": capabilities(lab),
        "serverInfo": server_info(version),
        "instructions": INSTRUCTIONS,
    });
    if lab.has(Defect::InitializeNoServerInfo) {
        result.as_object_mut().map(|r| r.remove("serverInfo"));
    }
    if lab.has(Defect::InitializeNoProtocolVersion) {
        result.as_object_mut().map(|r| r.remove("protocolVersion"));
    }
    Ok(result)
}

const INSTRUCTIONS: &str =
    "A reference MCP server for calibrating authprobe. It offers two tools: echo and add.";

/// The server's capabilities.
pub(crate) fn capabilities(lab: &Lab) -> Value {
    if lab.has(Defect::CapabilitiesNotObject) {
        return json!(["tools"]);
    }
    let mut caps = json!({ "tools": { "listChanged": false } });
    if lab.has(Defect::TasksMethodMissing) {
        caps["tasks"] = json!({ "list": {} });
    }
    caps
}

/// `serverInfo` (icons only where the revision defines them).
pub(crate) fn server_info(version: &str) -> Value {
    let mut info = json!({
        "name": "authprobe-lab",
        "title": "authprobe lab",
        "version": env!("CARGO_PKG_VERSION"),
    });
    if version >= "2025-11-25" {
        info["icons"] = json!([{ "src": ICON, "mimeType": "image/svg+xml", "sizes": ["any"] }]);
    }
    info
}

/// A one-pixel SVG, inline: the only kind of icon URI besides https that clients accept.
const ICON: &str =
    "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=";

/// Dispatches every request method but `initialize` (and `server/discover`).
pub(crate) fn call(lab: &Lab, method: &str, params: Option<&Value>) -> Result<Value, RpcError> {
    match method {
        "ping" if lab.has(Defect::PingNotEmpty) => Ok(json!({ "status": "ok" })),
        "ping" => Ok(json!({})),
        "tools/list" if lab.has(Defect::ToolsListError) => Err(RpcError::new(
            RpcError::INTERNAL_ERROR,
            "Internal error: the tool registry is unavailable",
        )),
        "tools/list" if lab.has(Defect::ToolsListInvalid) => Ok(json!({ "items": tools(lab) })),
        "tools/list" => Ok(json!({ "tools": tools(lab) })),
        "tools/call" => call_tool(params),
        _ => Err(RpcError::new(
            RpcError::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )),
    }
}

/// The tools, as `tools/list` lists them.
pub(crate) fn tools(lab: &Lab) -> Vec<Value> {
    let mut echo = echo_tool();
    if lab.has(Defect::ToolInputSchemaMissing) {
        echo.as_object_mut().map(|t| t.remove("inputSchema"));
    }
    if lab.has(Defect::ToolInputSchemaInvalid) {
        echo["inputSchema"]["required"] = json!("text");
    }
    if lab.has(Defect::ToolNameInvalid) {
        echo["name"] = json!("echo text!");
    }
    if lab.has(Defect::ToolIconUnsafe) {
        echo["icons"] = json!([{ "src": "javascript:alert(1)" }]);
    }
    vec![echo, add_tool()]
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
