//! The bridge's loopback endpoint: POST /mcp into the server's stdin, its
//! answers back; GET /mcp as an SSE stream of what the server sends unasked.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, ALLOW, CACHE_CONTROL, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::{oneshot, watch};

use super::{id_key, Shared};

/// Largest request body forwarded.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Serves until `stop` turns true.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let app = Router::new().fallback(dispatch).with_state(shared);
    let _ = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await;
}

fn text(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

fn rpc_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Host and Origin must be loopback ones: a web page must not reach the
/// server through the bridge (DNS rebinding).
fn foreign(headers: &HeaderMap, port: u16) -> Option<Response> {
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let allowed_hosts = [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    if !allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Some(text(
            StatusCode::FORBIDDEN,
            "Forbidden: the stdio bridge answers only on its loopback address",
        ));
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let loopback = origin
            .to_str()
            .ok()
            .and_then(|o| url::Url::parse(o).ok())
            .is_some_and(|u| matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")));
        if !loopback {
            return Some(text(StatusCode::FORBIDDEN, "Forbidden: Origin not allowed"));
        }
    }
    None
}

async fn dispatch(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    if req.uri().path() != "/mcp" {
        return text(
            StatusCode::NOT_FOUND,
            "404 Not Found: the MCP endpoint is /mcp",
        );
    }
    if let Some(refusal) = foreign(req.headers(), shared.port) {
        return refusal;
    }
    let wants_stream = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    match *req.method() {
        Method::POST => post(shared, req).await,
        Method::GET if wants_stream => stream(shared),
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(ALLOW, "GET, POST")],
            "405 Method Not Allowed\n",
        )
            .into_response(),
    }
}

/// How long a request with `"id": null` waits for an answer through the bridge.
const NULL_ID_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

async fn post(shared: Arc<Shared>, req: Request) -> Response {
    let Ok(bytes) = to_bytes(req.into_body(), MAX_BODY).await else {
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large for the stdio bridge",
        );
    };
    // Only valid JSON reaches the server: stdio forbids writing anything else to its stdin.
    let message: Value = match serde_json::from_slice(&bytes) {
        Ok(message) => message,
        Err(e) => {
            return rpc_error(
                StatusCode::BAD_REQUEST,
                -32700,
                &format!("Parse error: {e}"),
            )
        }
    };
    let Value::Object(object) = &message else {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            -32600,
            "the stdio bridge forwards one JSON-RPC message per POST (no batches)",
        );
    };
    let is_request = object.contains_key("method") && object.contains_key("id");
    let waiter = if is_request {
        let key = object.get("id").map(id_key).unwrap_or_default();
        let (tx, rx) = oneshot::channel();
        let mut pending = shared.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.contains_key(&key) {
            return text(
                StatusCode::CONFLICT,
                "a request with this id is already waiting for its response",
            );
        }
        pending.insert(key.clone(), tx);
        Some((key, rx))
    } else {
        None
    };
    if *shared.gone.borrow() || !write_line(&shared, &message).await {
        if let Some((key, _)) = &waiter {
            shared
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(key);
        }
        return text(
            StatusCode::BAD_GATEWAY,
            "the stdio server is not running (its stdin or stdout is closed)",
        );
    }
    let Some((key, rx)) = waiter else {
        return StatusCode::ACCEPTED.into_response();
    };
    // A request with a null id is one a server may rightly leave unanswered (MCP
    // forbids null ids): a short wait, then "no answer", not the full timeout.
    let wait = if object.get("id").is_some_and(Value::is_null) {
        shared.wait.min(NULL_ID_WAIT)
    } else {
        shared.wait
    };
    match tokio::time::timeout(wait, rx).await {
        Ok(Ok(response)) => (
            StatusCode::OK,
            [(CONTENT_TYPE, "application/json")],
            response.to_string(),
        )
            .into_response(),
        Ok(Err(_)) => text(
            StatusCode::BAD_GATEWAY,
            "the stdio server closed its stdout before answering",
        ),
        Err(_) => {
            shared
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
            text(
                StatusCode::GATEWAY_TIMEOUT,
                "the stdio server did not answer in time",
            )
        }
    }
}

/// Writes one message and a newline to the server's stdin; false when it is closed.
async fn write_line(shared: &Shared, message: &Value) -> bool {
    let mut line = message.to_string();
    line.push('\n');
    let mut stdin = shared.stdin.lock().await;
    let Some(pipe) = stdin.as_mut() else {
        return false;
    };
    pipe.write_all(line.as_bytes()).await.is_ok() && pipe.flush().await.is_ok()
}

/// The server's own messages (requests and notifications) as an SSE stream.
fn stream(shared: Arc<Shared>) -> Response {
    let events = shared.events.subscribe();
    let gone = shared.gone.subscribe();
    let body = futures_util::stream::unfold((events, gone), |(mut events, mut gone)| async move {
        loop {
            let received = tokio::select! {
                received = events.recv() => received,
                _ = gone.wait_for(|g| *g) => return None,
            };
            match received {
                Ok(message) => {
                    let event = Bytes::from(format!("event: message\ndata: {message}\n\n"));
                    return Some((Ok::<_, Infallible>(event), (events, gone)));
                }
                // A slow reader misses messages rather than growing a queue.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return None,
            }
        }
    });
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "text/event-stream"),
            (CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
