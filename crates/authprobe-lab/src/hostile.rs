//! Responses that never end or are very large: the hanging and streaming
//! defects. All of them are streamed from a constant chunk (the lab's memory
//! stays bounded however long a client reads) and all of them end when the
//! lab shuts down, so that graceful shutdown cannot be held up by them.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream;

use crate::state::Lab;
use crate::wire::Reply;

/// Size of the `huge-body` response.
pub(crate) const HUGE_BODY_LEN: usize = 50 * 1024 * 1024;
const HUGE_PREFIX: &[u8] = br#"{"padding":""#;
const HUGE_SUFFIX: &[u8] = br#""}"#;
const CHUNK: usize = 64 * 1024;

/// Never sends response headers; returns 503 only when the lab shuts down.
pub(crate) async fn hang(lab: Arc<Lab>) -> Response {
    lab.stopped().await;
    Reply::text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response()
}

/// An event stream that sends one SSE comment line per second, forever.
pub(crate) fn keepalive_stream(lab: Arc<Lab>) -> Response {
    let comment = Bytes::from_static(b": keepalive\n\n");
    let body = stream::unfold((lab, true), move |(lab, first)| {
        let comment = comment.clone();
        async move {
            if !first {
                tokio::select! {
                    _ = lab.stopped() => return None,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            Some((Ok::<_, Infallible>(comment), (lab, false)))
        }
    });
    event_stream(Body::from_stream(body))
}

/// An event stream that floods keep-alives and junk events as fast as the
/// client reads them and never carries a JSON-RPC message.
pub(crate) fn endless_stream(lab: Arc<Lab>) -> Response {
    let mut junk = Vec::with_capacity(CHUNK);
    while junk.len() < 8 * 1024 {
        junk.extend_from_slice(
            b": keepalive\n\nevent: junk\ndata: this is not a JSON-RPC message\n\n",
        );
    }
    let junk = Bytes::from(junk);
    let body = stream::unfold(lab, move |lab| {
        let junk = junk.clone();
        async move {
            if lab.stopping() {
                return None;
            }
            // Give the other connections of a two-core machine a turn.
            tokio::task::yield_now().await;
            Some((Ok::<_, Infallible>(junk), lab))
        }
    });
    event_stream(Body::from_stream(body))
}

/// `200 application/json` with a [`HUGE_BODY_LEN`]-byte JSON object,
/// produced chunk by chunk with a declared `Content-Length`.
pub(crate) fn huge_json(lab: Arc<Lab>) -> Response {
    let filler = Bytes::from(vec![b'x'; CHUNK]);
    let mut remaining = HUGE_BODY_LEN;
    let mut pieces = Vec::new();
    pieces.push(Bytes::from_static(HUGE_PREFIX));
    remaining -= HUGE_PREFIX.len() + HUGE_SUFFIX.len();
    // Only the plan of the body is built here: every filler piece is a
    // reference-counted view of the same 64 KiB.
    while remaining > 0 {
        let n = remaining.min(CHUNK);
        pieces.push(filler.slice(..n));
        remaining -= n;
    }
    pieces.push(Bytes::from_static(HUGE_SUFFIX));
    let body = stream::unfold((lab, pieces.into_iter()), |(lab, mut pieces)| async move {
        if lab.stopping() {
            return None;
        }
        let next = pieces.next()?;
        Some((Ok::<_, Infallible>(next), (lab, pieces)))
    });
    Reply::new(StatusCode::OK)
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_LENGTH, &HUGE_BODY_LEN.to_string())
        .body(Body::from_stream(body))
        .into_response()
}

fn event_stream(body: Body) -> Response {
    Reply::new(StatusCode::OK)
        .header(CONTENT_TYPE, "text/event-stream")
        .header(CACHE_CONTROL, "no-cache")
        .body(body)
        .into_response()
}
