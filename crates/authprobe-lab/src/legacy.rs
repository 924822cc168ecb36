//! The 2024-11-05 HTTP+SSE transport: GET on the MCP URL opens an event
//! stream whose first event, `endpoint`, names the URL to POST messages to
//! (`/mcp/messages?sessionId=…`); each POST is answered 202 and its response
//! travels on the stream. POST on the MCP URL itself is 405.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::auth;
use crate::mcp::MAX_BODY;
use crate::rpc::{self, rpc_error, Message};
use crate::state::{prune, Lab};
use crate::tools::{self, RpcError};
use crate::wire::{method_not_allowed, not_found, random_id, Reply};

/// The path messages are POSTed to.
pub(crate) const MESSAGES_PATH: &str = "/mcp/messages";

/// Where this lab's 2024-11-05 messages go (under a virtual endpoint's prefix).
pub(crate) fn messages_path(lab: &Lab) -> String {
    format!("{}{MESSAGES_PATH}", lab.mount)
}
/// Messages waiting for a slow stream reader, per session.
const QUEUE: usize = 32;

/// GET (the stream) and POST (405) on the MCP URL.
pub(crate) async fn handle(lab: Arc<Lab>, req: Request) -> Response {
    if let Some(refusal) = auth::refusal(&lab, req.headers()) {
        return refusal;
    }
    let wants_stream = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    match *req.method() {
        Method::GET if wants_stream => open_stream(lab),
        Method::GET => {
            Reply::text(StatusCode::NOT_ACCEPTABLE, "Accept: text/event-stream\n").into_response()
        }
        _ => method_not_allowed("GET"),
    }
}

fn open_stream(lab: Arc<Lab>) -> Response {
    let session = random_id();
    let (tx, rx) = mpsc::channel::<String>(QUEUE);
    {
        let mut store = lab.store();
        prune(&mut store.legacy_streams, |s| s.is_closed());
        store.legacy_streams.insert(session.clone(), tx);
    }
    let first = Bytes::from(format!(
        "event: endpoint\ndata: {}?sessionId={session}\n\n",
        messages_path(&lab)
    ));
    let body = stream::unfold((lab, rx, Some(first)), |(lab, mut rx, first)| async move {
        if let Some(first) = first {
            return Some((Ok::<_, Infallible>(first), (lab, rx, None)));
        }
        tokio::select! {
            _ = lab.stopped() => None,
            message = rx.recv() => {
                let message = message?;
                let event = Bytes::from(format!("event: message\ndata: {message}\n\n"));
                Some((Ok(event), (lab, rx, None)))
            }
            _ = tokio::time::sleep(Duration::from_secs(15)) => {
                Some((Ok(Bytes::from_static(b": keep-alive\n\n")), (lab, rx, None)))
            }
        }
    });
    Reply::new(StatusCode::OK)
        .header(CONTENT_TYPE, "text/event-stream")
        .header(CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(body))
        .into_response()
}

/// POST to the messages URL of a session.
pub(crate) async fn messages(lab: Arc<Lab>, req: Request) -> Response {
    if req.method() != Method::POST {
        return method_not_allowed("POST");
    }
    if let Some(refusal) = auth::refusal(&lab, req.headers()) {
        return refusal;
    }
    let session = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("sessionId="))
        .map(str::to_owned);
    let Some(sender) = session.and_then(|s| lab.store().legacy_streams.get(&s).cloned()) else {
        return not_found();
    };
    let Ok(bytes) = to_bytes(req.into_body(), MAX_BODY).await else {
        return Reply::text(StatusCode::PAYLOAD_TOO_LARGE, "too large\n").into_response();
    };
    let value = match rpc::parse(&bytes) {
        Ok(value) => value,
        Err(reply) => return *reply,
    };
    let reply = match rpc::classify(&lab, value) {
        Ok(Message::Request { id, method, params }) => {
            let outcome = if method == "initialize" {
                tools::initialize(&lab, params.as_ref())
            } else {
                tools::call(&lab, &method, params.as_ref())
            };
            Some(rpc::response_value(id, outcome))
        }
        Ok(_) => None,
        Err((id, e)) => {
            return rpc_error(StatusCode::BAD_REQUEST, id, e.code, &e.message);
        }
    };
    if let Some(reply) = reply {
        if sender.try_send(reply.to_string()).is_err() {
            return rpc_error(
                StatusCode::SERVICE_UNAVAILABLE,
                Value::Null,
                RpcError::INTERNAL_ERROR,
                "the session's stream is closed or not being read",
            );
        }
    }
    Reply::new(StatusCode::ACCEPTED).into_response()
}
