//! The stage-2 stream defects: a `tools/list` answered by an SSE stream that
//! never carries the response, or that sends 100 MB of notifications first.
//! Both are produced from one constant chunk (the lab's memory stays bounded
//! however much a client reads) and both end when the lab shuts down or the
//! client goes away.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream;
use serde_json::{json, Value};

use crate::state::Lab;
use crate::wire::Reply;

/// How much the huge stream sends before its response.
pub(crate) const HUGE_STREAM_LEN: usize = 100 * 1024 * 1024;

fn progress_events(size: usize) -> Bytes {
    let event = format!(
        "event: message\ndata: {}\n\n",
        json!({"jsonrpc": "2.0", "method": "notifications/progress",
               "params": {"progressToken": "authprobe-lab", "progress": 1, "message": "still listing"}})
    );
    let mut chunk = String::with_capacity(size + event.len());
    while chunk.len() < size {
        chunk.push_str(": keep-alive\n\n");
        chunk.push_str(&event);
    }
    Bytes::from(chunk)
}

/// Keep-alives and progress notifications, a batch every 50 ms, forever.
pub(crate) fn endless(lab: Arc<Lab>) -> Response {
    let chunk = progress_events(1024);
    let body = stream::unfold(lab, move |lab| {
        let chunk = chunk.clone();
        async move {
            tokio::select! {
                _ = lab.stopped() => None,
                _ = tokio::time::sleep(Duration::from_millis(50)) => {
                    Some((Ok::<_, Infallible>(chunk), lab))
                }
            }
        }
    });
    event_stream(Body::from_stream(body))
}

/// [`HUGE_STREAM_LEN`] bytes of notifications as fast as the client reads,
/// then the response to `id`.
pub(crate) fn huge(lab: Arc<Lab>, id: Value, result: Value) -> Response {
    let chunk = progress_events(64 * 1024);
    let rounds = HUGE_STREAM_LEN / chunk.len() + 1;
    let last = Bytes::from(format!(
        "event: message\ndata: {}\n\n",
        json!({"jsonrpc": "2.0", "id": id, "result": result})
    ));
    let body = stream::unfold((lab, 0usize), move |(lab, sent)| {
        let chunk = chunk.clone();
        let last = last.clone();
        async move {
            if lab.stopping() || sent > rounds {
                return None;
            }
            // Give the other connections of a two-core machine a turn.
            tokio::task::yield_now().await;
            let piece = if sent == rounds { last } else { chunk };
            Some((Ok::<_, Infallible>(piece), (lab, sent + 1)))
        }
    });
    event_stream(Body::from_stream(body))
}

fn event_stream(body: Body) -> Response {
    Reply::new(StatusCode::OK)
        .header(CONTENT_TYPE, "text/event-stream")
        .header(CACHE_CONTROL, "no-cache")
        .body(body)
        .into_response()
}
