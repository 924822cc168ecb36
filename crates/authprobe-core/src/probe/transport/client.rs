//! A Streamable HTTP client over the recording client: it builds the POSTs an
//! MCP client sends (the `Accept` both media types, the bearer token, the
//! session id once issued, `MCP-Protocol-Version` once negotiated, and for
//! 2026-07-28 the `Mcp-Method` / `Mcp-Name` headers), and reads each answer
//! as JSON or as an SSE stream that stops at the response, within the
//! client's timeout and body cap.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::http::{BodyRead, Client, Fetched, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;
use crate::wire::jsonrpc;
use crate::wire::sse::SseParser;

/// How long a GET stream is read when looking for the 2024-11-05 `endpoint` event.
const LEGACY_PEEK: Duration = Duration::from_millis(1500);

/// The per-scan state of an MCP client talking to one endpoint.
#[derive(Debug, Clone)]
pub struct McpHttp {
    client: Client,
    url: Url,
    token: Option<String>,
    /// The session id the server issued at initialization.
    pub session: Option<String>,
    /// The `MCP-Protocol-Version` header value, once negotiated.
    pub version_header: Option<String>,
    /// True for 2026-07-28: mirror `method` and `params.name` into headers.
    pub modern: bool,
    /// The funnel stage its requests are recorded under.
    stage: Stage,
}

impl McpHttp {
    /// A client for `url`, sending `token` as a bearer token when given.
    pub fn new(client: Client, url: Url, token: Option<String>) -> Self {
        McpHttp {
            client,
            url,
            token,
            session: None,
            version_header: None,
            modern: false,
            stage: Stage::Transport,
        }
    }

    /// The same client recording its requests under another stage.
    pub fn in_stage(mut self, stage: Stage) -> Self {
        self.stage = stage;
        self
    }

    /// The endpoint.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Sends a request built by one of the methods below.
    pub async fn send(&self, spec: RequestSpec) -> Fetched {
        self.client.send(spec).await
    }

    /// POST one JSON-RPC message (or a batch) with every header an MCP client sends.
    pub fn post(&self, message: &Value, purpose: &str) -> RequestSpec {
        let mut spec = self.base("POST", purpose);
        spec.headers
            .push(("Content-Type".into(), "application/json".into()));
        spec.headers.push((
            "Accept".into(),
            "application/json, text/event-stream".into(),
        ));
        self.common_headers(&mut spec);
        if self.modern {
            if let Some(method) = message.get("method").and_then(Value::as_str) {
                spec.headers.push(("Mcp-Method".into(), method.to_string()));
            }
            let params = message.get("params");
            let name = params
                .and_then(|p| p.get("name").or_else(|| p.get("uri")))
                .and_then(Value::as_str);
            if let Some(name) = name.filter(|n| header_safe(n)) {
                spec.headers.push(("Mcp-Name".into(), name.to_string()));
            }
        }
        spec.body = Some(message.to_string().into_bytes());
        // A JSON body ends by itself; an SSE stream is read until it carries a
        // response, so a stream kept open after the answer does not cost the timeout.
        spec.stop_when = Some(Arc::new(jsonrpc::sse_response_watcher()));
        spec
    }

    /// GET with `Accept: text/event-stream`, read until the first event (the
    /// 2024-11-05 transport opens with `endpoint`) or a short window.
    pub fn legacy_get(&self, purpose: &str) -> RequestSpec {
        let mut spec = self.base("GET", purpose);
        spec.headers
            .push(("Accept".into(), "text/event-stream".into()));
        self.common_headers(&mut spec);
        spec.read = BodyRead::Peek(LEGACY_PEEK);
        let parser = std::sync::Mutex::new((SseParser::new(), 0usize, false));
        spec.stop_when = Some(Arc::new(move |bytes: &[u8]| {
            let mut guard = parser.lock().unwrap_or_else(|e| e.into_inner());
            let (parser, seen, done) = &mut *guard;
            if !*done {
                let start = (*seen).min(bytes.len());
                *seen = bytes.len();
                *done = !parser.feed(&bytes[start..]).is_empty();
            }
            *done
        }));
        spec
    }

    /// DELETE with a session id.
    pub fn delete(&self, session: &str, purpose: &str) -> RequestSpec {
        let mut spec = self.base("DELETE", purpose);
        if let Some(token) = &self.token {
            spec.headers
                .push(("Authorization".into(), format!("Bearer {token}")));
        }
        spec.headers
            .push(("Mcp-Session-Id".into(), session.to_string()));
        if let Some(v) = &self.version_header {
            spec.headers
                .push(("MCP-Protocol-Version".into(), v.clone()));
        }
        spec
    }

    fn base(&self, method: &str, purpose: &str) -> RequestSpec {
        RequestSpec::new(method, self.url.clone(), self.stage, purpose)
            .trust(Trust::Target)
            .redirects(RedirectPolicy::None)
    }

    fn common_headers(&self, spec: &mut RequestSpec) {
        if let Some(token) = &self.token {
            spec.headers
                .push(("Authorization".into(), format!("Bearer {token}")));
        }
        if let Some(session) = &self.session {
            spec.headers
                .push(("Mcp-Session-Id".into(), session.clone()));
        }
        if let Some(v) = &self.version_header {
            spec.headers
                .push(("MCP-Protocol-Version".into(), v.clone()));
        }
    }
}

/// Replaces (or with `None` removes) every header `name` of a request.
pub fn set_header(spec: &mut RequestSpec, name: &str, value: Option<&str>) {
    spec.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    if let Some(value) = value {
        spec.headers.push((name.to_string(), value.to_string()));
    }
}

/// Whether a value can be sent as a plain header value (visible ASCII and
/// inner spaces); others would need the Base64 form, which the probes never need.
fn header_safe(value: &str) -> bool {
    let padded = value.starts_with(' ') || value.ends_with(' ');
    let sentinel = value.starts_with("=?base64?") && value.ends_with("?=");
    let visible = value.bytes().all(|b| (0x20..=0x7e).contains(&b));
    !value.is_empty() && !padded && !sentinel && visible
}
