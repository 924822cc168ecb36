//! The evidence record: one request as sent and the response as received.

use serde::{Deserialize, Serialize};

use crate::report::Stage;

/// Identifies one exchange within a scan; findings point at these.
pub type ExchangeId = u32;

/// A header as it travelled on the wire: name and value, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Header name as sent or received (HTTP/1 names arrive lowercased by hyper).
    pub name: String,
    /// Header value, lossily decoded as UTF-8 for display.
    pub value: String,
}

impl Header {
    /// Builds a header from a name and a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Header {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// The request exactly as the client put it on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Absolute URL requested.
    pub url: String,
    /// Headers in the order they were written.
    pub headers: Vec<Header>,
    /// Request body (UTF-8 text for JSON and form bodies), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The response as received, with its body capped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// HTTP status code.
    pub status: u16,
    /// Protocol version, e.g. `HTTP/1.1` or `HTTP/2`.
    pub version: String,
    /// Headers in the order they were received.
    pub headers: Vec<Header>,
    /// Body, lossily decoded as UTF-8, up to the cap.
    pub body: String,
    /// Number of body bytes read (before lossy decoding).
    pub body_bytes: usize,
    /// True when reading stopped at the body cap, the body deadline, or a stop condition
    /// before the server ended the body.
    pub truncated: bool,
}

impl RecordedResponse {
    /// All values of the header `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The first value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The media type of `Content-Type`, lowercased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// True for 2xx statuses.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why an exchange produced no (complete) response. A timeout is never a protocol answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// No response headers within the per-request timeout or the scan deadline.
    Timeout,
    /// The host name did not resolve.
    Dns,
    /// TCP connection refused or failed.
    Connect,
    /// TLS handshake or certificate failure.
    Tls,
    /// Refused by the SSRF guard or the redirect policy before any connection.
    Blocked,
    /// The response headers exceeded their limit.
    TooLarge,
    /// The peer spoke broken HTTP or closed the connection mid-message.
    Protocol,
}

impl ErrorKind {
    /// Stable lowercase name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Dns => "dns",
            ErrorKind::Connect => "connect",
            ErrorKind::Tls => "tls",
            ErrorKind::Blocked => "blocked",
            ErrorKind::TooLarge => "too-large",
            ErrorKind::Protocol => "protocol",
        }
    }
}

/// A failed exchange: the kind, and a one-line human explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// One line saying what went wrong.
    pub message: String,
}

/// Milliseconds since the scan started, and durations of the phases.
///
/// A phase that did not happen is absent: no DNS lookup for an address literal or
/// `localhost`, no TCP connect or TLS handshake on a reused connection, no TLS over
/// `http`. A phase that failed is absent too; `total_ms` still counts its time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// When the request started, relative to the scan start.
    pub started_ms: f64,
    /// The DNS lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_ms: Option<f64>,
    /// The TCP connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<f64>,
    /// The TLS handshake (and, over HTTP/2, the connection preface).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_ms: Option<f64>,
    /// From sending the request to the first byte of the response head: the
    /// server's time plus one round trip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_byte_ms: Option<f64>,
    /// Time until response headers arrived (absent if they never did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers_ms: Option<f64>,
    /// Total time including the body.
    pub total_ms: f64,
}

/// The connection an exchange travelled on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    /// Numbered 1, 2, … in the order connections first appear in the trace.
    pub id: u32,
    /// True when an earlier exchange had already used this connection.
    pub reused: bool,
    /// True when the connection was opened ahead of the request, as soon as its
    /// origin was known, off the scan's critical path.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub speculative: bool,
    /// The HTTP version spoken on it: `HTTP/1.1` or `HTTP/2`.
    pub version: String,
    /// The address connected to: the one the SSRF guard checked.
    pub address: String,
    /// For TLS: whether the handshake resumed an earlier session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_resumed: Option<bool>,
}

/// One request/response pair, the unit of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// Identifier, unique within the scan, in a deterministic order.
    pub id: ExchangeId,
    /// The funnel stage that sent it.
    pub stage: Stage,
    /// Why it was sent, e.g. "PRM path-suffix candidate".
    pub purpose: String,
    /// The request as sent.
    pub request: RecordedRequest,
    /// The response, if headers were received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// Why there is no (complete) response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ExchangeError>,
    /// The exchange whose redirect led to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_of: Option<ExchangeId>,
    /// The connection used; absent when none was (blocked, DNS or connect failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<ConnectionInfo>,
    /// Timings.
    pub timing: Timing,
}

impl Exchange {
    /// The response status, if any.
    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }

    /// One line saying what happened: `POST http://… → 401 application/json`.
    pub fn summary(&self) -> String {
        let outcome = match (&self.response, &self.error) {
            (Some(r), _) => match r.media_type() {
                Some(mt) if !mt.is_empty() => format!("{} {}", r.status, mt),
                _ => r.status.to_string(),
            },
            (None, Some(e)) => format!("{} ({})", e.kind.as_str(), e.message),
            (None, None) => "no response".to_string(),
        };
        format!(
            "#{} {} {} → {}",
            self.id, self.request.method, self.request.url, outcome
        )
    }
}

/// Renumbers the connections of `exchanges` 1, 2, … in the order they first appear,
/// so that a report names connections the same way whatever order they opened in.
pub fn number_connections(exchanges: &mut [Exchange]) {
    let mut seen: Vec<u32> = Vec::new();
    for connection in exchanges.iter_mut().filter_map(|e| e.connection.as_mut()) {
        let index = match seen.iter().position(|id| *id == connection.id) {
            Some(index) => index,
            None => {
                seen.push(connection.id);
                seen.len() - 1
            }
        };
        connection.id = u32::try_from(index + 1).unwrap_or(u32::MAX);
    }
}
