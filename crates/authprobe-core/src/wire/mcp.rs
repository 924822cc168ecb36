//! MCP revisions and the messages that differ between them: which revision
//! has which rule, the request bodies of each era (`initialize` for the
//! stateful revisions, `server/discover` with per-request `_meta` for
//! 2026-07-28), and how a modern server's errors are recognised.

use serde_json::{json, Value};

use super::jsonrpc;

/// The stateless revision the probes speak when they try a modern request.
pub const MODERN_VERSION: &str = "2026-07-28";
/// The latest stateful revision: what `initialize` offers unless one is forced.
pub const LATEST_STATEFUL_VERSION: &str = "2025-11-25";
/// The `_meta` key naming a request's protocol version (2026-07-28).
pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// The `_meta` key naming the client (2026-07-28).
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// The `_meta` key carrying the client's capabilities (2026-07-28).
pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// HeaderMismatch (MCP 2026-07-28 Streamable HTTP › Server Validation).
pub const HEADER_MISMATCH: i64 = -32020;
/// MissingRequiredClientCapability (MCP 2026-07-28 Basic › Error Codes).
pub const MISSING_CLIENT_CAPABILITY: i64 = -32021;
/// UnsupportedProtocolVersion (MCP 2026-07-28 Versioning).
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
/// JSON-RPC 2.0 "Method not found".
pub const METHOD_NOT_FOUND: i64 = -32601;

/// One MCP revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Revision {
    /// 2024-11-05: HTTP+SSE transport (deprecated).
    V2024_11_05,
    /// 2025-03-26: Streamable HTTP, sessions, batching.
    V2025_03_26,
    /// 2025-06-18: no batching, `MCP-Protocol-Version` header, Origin → 403.
    V2025_06_18,
    /// 2025-11-25: tool-name rules, icons, JSON Schema dialects, tasks.
    V2025_11_25,
    /// 2026-07-28: stateless, `server/discover`, standard request headers.
    V2026_07_28,
}

impl Revision {
    /// Every revision, oldest first.
    pub const ALL: [Revision; 5] = [
        Revision::V2024_11_05,
        Revision::V2025_03_26,
        Revision::V2025_06_18,
        Revision::V2025_11_25,
        Revision::V2026_07_28,
    ];

    /// The version string, e.g. `2025-11-25`.
    pub fn as_str(self) -> &'static str {
        match self {
            Revision::V2024_11_05 => "2024-11-05",
            Revision::V2025_03_26 => "2025-03-26",
            Revision::V2025_06_18 => "2025-06-18",
            Revision::V2025_11_25 => "2025-11-25",
            Revision::V2026_07_28 => "2026-07-28",
        }
    }

    /// The revision named exactly by `version`.
    pub fn parse(version: &str) -> Option<Revision> {
        Revision::ALL.into_iter().find(|r| r.as_str() == version)
    }

    /// The revision whose rules apply to a server that negotiated `version`:
    /// the named one, or for a version this scanner does not know, the latest
    /// known stateful revision not after it (dates compare as strings).
    pub fn rules_for(version: &str) -> Revision {
        Revision::parse(version).unwrap_or_else(|| {
            Revision::ALL
                .into_iter()
                .filter(|r| !r.is_stateless() && r.as_str() <= version)
                .max()
                .unwrap_or(Revision::V2025_03_26)
        })
    }

    /// True for 2026-07-28: no `initialize`, no sessions, per-request `_meta`.
    pub fn is_stateless(self) -> bool {
        self == Revision::V2026_07_28
    }

    /// Whether a POST body may be a JSON-RPC batch (removed in 2025-06-18).
    pub fn allows_batching(self) -> bool {
        self <= Revision::V2025_03_26
    }

    /// Whether the `MCP-Protocol-Version` header exists (since 2025-06-18).
    pub fn has_version_header(self) -> bool {
        self >= Revision::V2025_06_18
    }

    /// Whether an invalid `Origin` must be answered 403 (said since 2025-06-18).
    pub fn requires_origin_403(self) -> bool {
        self >= Revision::V2025_06_18
    }

    /// Whether `ping` exists (removed in 2026-07-28).
    pub fn has_ping(self) -> bool {
        !self.is_stateless()
    }

    /// Whether the Tool Names rules, icons and JSON Schema dialect rules exist (since 2025-11-25).
    pub fn has_tool_metadata_rules(self) -> bool {
        self >= Revision::V2025_11_25
    }

    /// Whether tasks are part of the core protocol (2025-11-25 only; an extension later).
    pub fn has_core_tasks(self) -> bool {
        self == Revision::V2025_11_25
    }
}

/// The protocol era of a server, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Era {
    /// 2026-07-28: stateless.
    Stateless,
    /// 2025-03-26 to 2025-11-25: `initialize` and sessions.
    Stateful,
    /// 2024-11-05: HTTP+SSE (GET yields an `endpoint` event).
    LegacySse,
    /// Not determined (the server refused every request, or never answered).
    #[default]
    Unknown,
}

impl Era {
    /// The report's name: `2026-07-28`, `2025-stateful`, `2024-11-05-sse` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Stateless => "2026-07-28",
            Era::Stateful => "2025-stateful",
            Era::LegacySse => "2024-11-05-sse",
            Era::Unknown => "unknown",
        }
    }
}

fn client_info() -> Value {
    json!({"name": "authprobe", "version": env!("CARGO_PKG_VERSION")})
}

/// The `initialize` request of the stateful revisions.
pub fn initialize(id: Value, version: &str) -> Value {
    let params = json!({
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": client_info(),
    });
    with_id(jsonrpc::request(0, "initialize", params), id)
}

/// The per-request `_meta` of 2026-07-28 (protocol version, client, capabilities).
pub fn request_meta(version: &str) -> Value {
    json!({
        META_PROTOCOL_VERSION: version,
        META_CLIENT_INFO: client_info(),
        META_CLIENT_CAPABILITIES: {},
    })
}

/// A 2026-07-28 request: `params` gains the `_meta` of `version`.
pub fn modern_request(id: Value, method: &str, params: Value, version: &str) -> Value {
    let mut params = match params {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    params.insert("_meta".into(), request_meta(version));
    with_id(jsonrpc::request(0, method, Value::Object(params)), id)
}

/// A request for a stateful session: no `_meta`, params left out when null.
pub fn stateful_request(id: Value, method: &str, params: Value) -> Value {
    with_id(jsonrpc::request(0, method, params), id)
}

/// Replaces the `id` of a request object (so that `null` and strings can be sent).
fn with_id(mut message: Value, id: Value) -> Value {
    if let Value::Object(obj) = &mut message {
        obj.insert("id".into(), id);
    }
    message
}

/// The JSON-RPC error codes only a 2026-07-28 (modern) server sends: a body
/// carrying one identifies a modern server (MCP 2026-07-28 Streamable HTTP ›
/// Backward Compatibility).
pub fn is_modern_error(code: i64) -> bool {
    matches!(
        code,
        HEADER_MISMATCH | MISSING_CLIENT_CAPABILITY | UNSUPPORTED_PROTOCOL_VERSION
    )
}

/// `error.data.supported` of an UnsupportedProtocolVersionError, if it is a list of strings.
pub fn supported_versions(error: &Value) -> Option<Vec<String>> {
    let list = error.get("data")?.get("supported")?.as_array()?;
    list.iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Why a tool name is outside MCP 2025-11-25 Server › Tools › Tool Names, if it is.
pub fn tool_name_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if length == 0 {
        return Some("is empty".into());
    }
    if length > 128 {
        return Some(format!("is {length} characters long (at most 128)"));
    }
    let bad: String = name
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .take(5)
        .collect();
    if bad.is_empty() {
        return None;
    }
    let shown: Vec<String> = bad.chars().map(|c| format!("{c:?}")).collect();
    Some(format!(
        "contains {} (only A-Z, a-z, 0-9, `_`, `-` and `.`)",
        shown.join(", ")
    ))
}

/// The scheme of an icon `src`, lowercased, when it is neither `https:` nor
/// `data:` (MCP 2025-11-25 Basic › Icons). `http:` on a loopback host is
/// allowed: a development server, as for every other HTTPS rule.
pub fn unsafe_icon_scheme(src: &str) -> Option<String> {
    let scheme = match src.split_once(':') {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            scheme.to_ascii_lowercase()
        }
        _ => return Some("none (a relative reference)".into()),
    };
    match scheme.as_str() {
        "https" | "data" => None,
        "http" if is_loopback_url(src) => None,
        _ => Some(scheme),
    }
}

fn is_loopback_url(src: &str) -> bool {
    match url::Url::parse(src) {
        Ok(u) => match u.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests;
