//! Stage 1 probes: the unauthenticated `initialize`, the GET stream, and the
//! bogus-token request; and the facts the challenge checks judge.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use url::Url;

use crate::http::{BodyRead, RedirectPolicy, RequestSpec, StopWhen, Trust};
use crate::report::Stage;
use crate::wire::jsonrpc;

use crate::facts::challenge::INITIALIZE_ID;

/// How long a GET stream is read after its headers arrive: enough to see what it is.
const STREAM_PEEK: Duration = Duration::from_millis(300);

/// The JSON-RPC `initialize` request body the probes send.
pub fn initialize_body(protocol_version: &str) -> Vec<u8> {
    let request = jsonrpc::request(
        INITIALIZE_ID,
        "initialize",
        json!({
            "protocolVersion": protocol_version,
            "capabilities": {},
            "clientInfo": {"name": "authprobe", "version": env!("CARGO_PKG_VERSION")},
        }),
    );
    request.to_string().into_bytes()
}

fn post_headers() -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), "application/json".into()),
        (
            "Accept".into(),
            "application/json, text/event-stream".into(),
        ),
    ]
}

fn redirect_policy(follow: bool) -> RedirectPolicy {
    if follow {
        RedirectPolicy::Follow { max: 5 }
    } else {
        RedirectPolicy::None
    }
}

/// POST `initialize` without credentials: the primary auth probe.
pub fn initialize_request(target: &Url, protocol_version: &str, follow: bool) -> RequestSpec {
    RequestSpec {
        method: "POST".into(),
        url: target.clone(),
        headers: post_headers(),
        body: Some(initialize_body(protocol_version)),
        stage: Stage::Challenge,
        purpose: "unauthenticated initialize".into(),
        trust: Trust::Target,
        redirects: redirect_policy(follow),
        read: BodyRead::Full,
        stop_when: Some(Arc::new(jsonrpc::sse_response_watcher())),
    }
}

/// POST `initialize` with a well-formed bearer token the server cannot know.
pub fn bogus_token_request(
    target: &Url,
    protocol_version: &str,
    follow: bool,
    token: &str,
) -> RequestSpec {
    let mut headers = post_headers();
    headers.push(("Authorization".into(), format!("Bearer {token}")));
    RequestSpec {
        purpose: "initialize with an invalid bearer token".into(),
        headers,
        ..initialize_request(target, protocol_version, follow)
    }
}

/// POST `server/discover` without credentials, as a 2026-07-28 client sends it
/// (`MCP-Protocol-Version`, `Mcp-Method` and the per-request `_meta`): a client
/// that does not know the server's era tries this modern request first (MCP
/// 2026-07-28 Streamable HTTP › Backward Compatibility).
pub fn discover_request(target: &Url, follow: bool) -> RequestSpec {
    let message = crate::wire::mcp::modern_request(
        Value::from(INITIALIZE_ID),
        "server/discover",
        Value::Null,
        crate::wire::mcp::MODERN_VERSION,
    );
    let mut headers = post_headers();
    headers.push((
        "MCP-Protocol-Version".into(),
        crate::wire::mcp::MODERN_VERSION.into(),
    ));
    headers.push(("Mcp-Method".into(), "server/discover".into()));
    RequestSpec {
        headers,
        body: Some(message.to_string().into_bytes()),
        purpose: "unauthenticated server/discover (2026-07-28)".into(),
        ..initialize_request(target, crate::wire::mcp::MODERN_VERSION, follow)
    }
}

/// The same request with a well-formed bearer token the server cannot know.
pub fn with_bogus_token(spec: RequestSpec, token: &str) -> RequestSpec {
    let mut headers = spec.headers.clone();
    headers.push(("Authorization".into(), format!("Bearer {token}")));
    let method = if spec.purpose.contains("server/discover") {
        "server/discover"
    } else {
        "initialize"
    };
    // A watcher remembers what it has read: the two requests run at once, so
    // sharing one would let either answer end the other's read early.
    let stop_when = spec
        .stop_when
        .as_ref()
        .map(|_| Arc::new(jsonrpc::sse_response_watcher()) as StopWhen);
    RequestSpec {
        purpose: format!("{method} with an invalid bearer token"),
        headers,
        stop_when,
        ..spec
    }
}

/// GET with `Accept: text/event-stream` (optionally inside a session).
pub fn get_stream_request(target: &Url, follow: bool, session: Option<&str>) -> RequestSpec {
    let mut headers = vec![("Accept".to_string(), "text/event-stream".to_string())];
    let purpose = match session {
        Some(id) => {
            headers.push(("Mcp-Session-Id".into(), id.to_string()));
            "GET stream with the session id"
        }
        None => "GET stream without credentials",
    };
    RequestSpec {
        method: "GET".into(),
        url: target.clone(),
        headers,
        body: None,
        stage: Stage::Challenge,
        purpose: purpose.into(),
        trust: Trust::Target,
        redirects: redirect_policy(follow),
        read: BodyRead::Peek(STREAM_PEEK),
        stop_when: None,
    }
}

/// DELETE the session the probes opened, so a passive scan leaves nothing behind.
pub fn delete_session_request(url: &Url, session: &str) -> RequestSpec {
    RequestSpec {
        method: "DELETE".into(),
        url: url.clone(),
        headers: vec![("Mcp-Session-Id".into(), session.to_string())],
        body: None,
        stage: Stage::Challenge,
        purpose: "end the session opened by the probe".into(),
        trust: Trust::Target,
        redirects: RedirectPolicy::None,
        read: BodyRead::Full,
        stop_when: None,
    }
}

#[cfg(test)]
mod tests;
