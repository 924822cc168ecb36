//! Reading a response body within the cap, the budget and the caller's stop rules.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::{Body, Incoming};
use tokio::time::Instant;

use super::connect::{fail, Budget};
use super::exchange::{ErrorKind, ExchangeError};

/// A predicate over the body bytes read so far; reading stops once it holds.
pub type StopWhen = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// How much of a response body to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyRead {
    /// Until the body ends (or the cap, or the request's timeout).
    #[default]
    Full,
    /// For at most this long after the headers arrived; for streams that may
    /// never end, such as a server-sent event stream answering a GET.
    Peek(Duration),
}

/// What was read, and whether and why it is incomplete.
#[derive(Debug)]
pub(crate) struct BodyOutcome {
    /// The bytes kept, at most the cap.
    pub bytes: Vec<u8>,
    /// True when the body had not ended when reading stopped.
    pub truncated: bool,
    /// Why the body is incomplete, when that is a failure (not a peek or a stop rule).
    pub error: Option<ExchangeError>,
}

/// Where and how to stop reading.
pub(crate) struct ReadLimits<'a> {
    /// Largest number of bytes kept.
    pub cap: usize,
    /// The request's budget; reaching its end is a timeout.
    pub budget: &'a Budget,
    /// End of the peek window, if any; reaching it is not an error.
    pub peek_end: Option<Instant>,
    /// Stop once this holds for the bytes read so far.
    pub stop_when: Option<&'a StopWhen>,
}

/// Reads `body` until it ends or a limit says stop.
pub(crate) async fn read_body(mut body: Incoming, limits: ReadLimits<'_>) -> BodyOutcome {
    let mut bytes = Vec::new();
    let (until, peeking) = match limits.peek_end {
        Some(peek_end) if peek_end < limits.budget.end => (peek_end, true),
        _ => (limits.budget.end, false),
    };
    let incomplete = |bytes: Vec<u8>, error: Option<ExchangeError>| BodyOutcome {
        bytes,
        truncated: true,
        error,
    };
    loop {
        if body.is_end_stream() {
            break;
        }
        let frame = match tokio::time::timeout_at(until, body.frame()).await {
            Err(_) if peeking => return incomplete(bytes, None),
            Err(_) => {
                let error = limits.budget.timeout("body still arriving, not finished");
                return incomplete(bytes, Some(error));
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                let error = fail(
                    ErrorKind::Protocol,
                    format!("body cut short: {}", describe_hyper(&e)),
                );
                return incomplete(bytes, Some(error));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        // Trailers carry no body bytes; they are not recorded.
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let room = limits.cap.saturating_sub(bytes.len());
        if data.len() > room {
            bytes.extend_from_slice(&data[..room]);
            let error = fail(
                ErrorKind::TooLarge,
                format!("body larger than {} bytes; kept the first {0}", limits.cap),
            );
            return incomplete(bytes, Some(error));
        }
        bytes.extend_from_slice(&data);
        if limits.stop_when.is_some_and(|stop| stop(&bytes)) {
            let truncated = !body.is_end_stream();
            return BodyOutcome {
                bytes,
                truncated,
                error: None,
            };
        }
    }
    BodyOutcome {
        bytes,
        truncated: false,
        error: None,
    }
}

/// One line for a hyper error and its causes, without repeating itself.
pub(crate) fn describe_hyper(err: &hyper::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}
