//! The Streamable HTTP transport: the SDK's service mounted in axum, answering only
//! loopback `Host` names (and those allowed by flag) and refusing foreign `Origin`s, the
//! DNS-rebinding protection the transport specification asks of local servers.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::server::Face;
use crate::cli::McpArgs;
use crate::exit::{Failure, EXIT_OK};

/// The JSON-RPC error code of an unsupported protocol version (MCP 2026-07-28).
const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
/// The most of a refused request's body read to find its id.
const MAX_PEEK: usize = 1 << 20;

/// Serves until Ctrl-C.
pub async fn serve(args: &McpArgs, face: Face) -> Result<i32, Failure> {
    let addr: SocketAddr = args.http_addr.parse().map_err(|_| {
        Failure::new(format!(
            "--http-addr `{}` is not an address and port, e.g. 127.0.0.1:8765",
            args.http_addr
        ))
    })?;
    if !args.http_path.starts_with('/') || args.http_path.contains(['?', '#', ' ']) {
        return Err(Failure::new(format!(
            "--http-path `{}` is not a path; give one like /mcp",
            args.http_path
        )));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::new(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::new(format!("cannot read the bound address: {e}")))?;
    let stop = CancellationToken::new();
    let gate = Arc::new(Gate {
        hosts: allowed_hosts(local, &args.allow_host),
        origins: allowed_origins(local, &args.allow_origin),
    });
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(gate.hosts.clone())
        .with_allowed_origins(gate.origins.clone())
        .enforce_origin_validation()
        .with_cancellation_token(stop.child_token());
    let service = StreamableHttpService::new(
        move || Ok(face.clone()),
        LocalSessionManager::default().into(),
        config,
    );
    let router = Router::new()
        .route_service(&args.http_path, service)
        .layer(middleware::from_fn_with_state(
            gate.clone(),
            supported_version_only,
        ))
        .layer(middleware::from_fn_with_state(
            gate,
            no_stream_without_session,
        ));
    eprintln!(
        "authprobe mcp: Streamable HTTP on http://{local}{}",
        args.http_path
    );
    if !local.ip().is_loopback() {
        eprintln!(
            "authprobe mcp: warning: listening on {local}, beyond loopback; requests must still name an allowed Host"
        );
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        })
        .await
        .map_err(|e| Failure::new(format!("the HTTP server stopped: {e}")))?;
    Ok(EXIT_OK)
}

/// The `Host` and `Origin` values the SDK is told to accept. The two layers below act
/// only on requests that match them exactly, and leave every other request to the SDK,
/// which refuses a foreign `Host` or `Origin` with 403 before anything else is said.
struct Gate {
    hosts: Vec<String>,
    origins: Vec<String>,
}

impl Gate {
    fn admits(&self, request: &Request) -> bool {
        let header = |name| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_ascii_lowercase)
        };
        let host_ok = header(HOST).is_some_and(|h| self.hosts.contains(&h));
        let origin_ok = header(ORIGIN).is_none_or(|o| self.origins.contains(&o));
        host_ok && origin_ok
    }
}

/// 405 for GET or DELETE without `Mcp-Session-Id`: there is no stream and no session
/// to end outside a session. Revision 2026-07-28 (Streamable HTTP › Backward
/// Compatibility) asks exactly this; 2025-11-25 allows it ("or else return HTTP 405").
/// The SDK would answer 400 "Session ID is required".
async fn no_stream_without_session(
    State(gate): State<Arc<Gate>>,
    request: Request,
    next: Next,
) -> Response {
    let stateless = gate.admits(&request)
        && matches!(*request.method(), Method::GET | Method::DELETE)
        && !request.headers().contains_key("mcp-session-id");
    if stateless {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(ALLOW, "POST")],
            "Method Not Allowed: open a session with initialize, or POST requests",
        )
            .into_response();
    }
    next.run(request).await
}

/// 400 for a request declaring an `MCP-Protocol-Version` the SDK knows but this
/// server does not speak (2025-03-26, 2024-11-05): the SDK would serve it, though
/// initialize never negotiates it here, and the transport specification (2025-06-18
/// and later, "Protocol Version Header") says such a request MUST get 400 Bad Request.
/// Versions the SDK does not know it refuses itself.
async fn supported_version_only(
    State(gate): State<Arc<Gate>>,
    request: Request,
    next: Next,
) -> Response {
    if !gate.admits(&request) {
        return next.run(request).await;
    }
    let Some(requested) = request
        .headers()
        .get("mcp-protocol-version")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return next.run(request).await;
    };
    if super::server::speaks(&requested) || !super::server::sdk_knows(&requested) {
        return next.run(request).await;
    }
    // The error names the request's id when the body has one (JSON-RPC 2.0 §5).
    let id = match axum::body::to_bytes(request.into_body(), MAX_PEEK).await {
        Ok(body) => serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("id").cloned())
            .unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {
            "code": UNSUPPORTED_PROTOCOL_VERSION,
            "message": "Unsupported protocol version",
            "data": {"requested": requested, "supported": super::server::VERSION_NAMES},
        }
    });
    (
        StatusCode::BAD_REQUEST,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The loopback authorities of this port, each after `prefix`.
fn loopback(prefix: &str, port: u16) -> Vec<String> {
    ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .map(|h| format!("{prefix}{h}:{port}"))
        .collect()
}

/// The loopback names with this port, the bound address itself when it is a specific
/// one, and the names given by `--allow-host`.
fn allowed_hosts(local: SocketAddr, extra: &[String]) -> Vec<String> {
    let mut hosts = loopback("", local.port());
    if !local.ip().is_unspecified() && !local.ip().is_loopback() {
        hosts.push(local.to_string());
    }
    hosts.extend(extra.iter().cloned());
    hosts
}

/// Pages served from this very server's origin, and those given by `--allow-origin`;
/// requests without `Origin` (every non-browser client) pass.
fn allowed_origins(local: SocketAddr, extra: &[String]) -> Vec<String> {
    let mut origins = loopback("http://", local.port());
    origins.extend(extra.iter().cloned());
    origins
}
#[cfg(test)]
mod tests;
