//! Small HTTP helpers: a response builder that never panics on a header
//! value derived from a request, form/query decoding, percent-encoding,
//! random identifiers and the URL shape checks the OAuth endpoints need.

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

/// Builds a response; an invalid dynamic header value turns the whole reply
/// into a 500 instead of a panic.
pub(crate) struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Body,
    broken: bool,
}

impl Reply {
    pub(crate) fn new(status: StatusCode) -> Self {
        Reply {
            status,
            headers: HeaderMap::new(),
            body: Body::empty(),
            broken: false,
        }
    }

    /// A JSON body with `Content-Type: application/json`.
    pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Self {
        Reply::new(status)
            .header(CONTENT_TYPE, "application/json")
            .body(value.to_string())
    }

    /// A plain-text body.
    pub(crate) fn text(status: StatusCode, text: &str) -> Self {
        Reply::new(status)
            .header(CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(text.to_owned())
    }

    /// An HTML body.
    pub(crate) fn html(status: StatusCode, html: &str) -> Self {
        Reply::new(status)
            .header(CONTENT_TYPE, "text/html; charset=utf-8")
            .body(html.to_owned())
    }

    /// Appends a header (several values of one name stay separate lines).
    pub(crate) fn header(mut self, name: HeaderName, value: &str) -> Self {
        match HeaderValue::from_str(value) {
            Ok(v) => {
                self.headers.append(name, v);
            }
            Err(_) => self.broken = true,
        }
        self
    }

    pub(crate) fn body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }

    /// `Cache-Control: no-store`, for anything carrying a secret.
    pub(crate) fn no_store(self) -> Self {
        self.header(CACHE_CONTROL, "no-store")
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        if self.broken {
            return (StatusCode::INTERNAL_SERVER_ERROR, "invalid header value").into_response();
        }
        let mut response = Response::new(self.body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// The lab's plain-text 404.
pub(crate) fn not_found() -> Response {
    Reply::text(StatusCode::NOT_FOUND, "404 Not Found\n").into_response()
}

/// 405 with the methods the resource does support.
pub(crate) fn method_not_allowed(allow: &str) -> Response {
    Reply::text(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n")
        .header(axum::http::header::ALLOW, allow)
        .into_response()
}

/// A fresh unguessable identifier: 32 random bytes, base64url without
/// padding, so only visible ASCII (also valid as an `Mcp-Session-Id`).
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes `application/x-www-form-urlencoded` (also query strings) into
/// ordered pairs. `None` when a pair is not valid UTF-8 after decoding.
pub(crate) fn parse_form(input: &str) -> Option<Vec<(String, String)>> {
    input
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode_component(k)?, decode_component(v)?))
        })
        .collect()
}

fn decode_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hi = (hex[0] as char).to_digit(16)?;
                let lo = (hex[1] as char).to_digit(16)?;
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The single value of a form parameter. `Err(())` when it is repeated,
/// which RFC 6749 §3.1 forbids.
pub(crate) fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, ()> {
    let mut found = None;
    for (k, v) in pairs {
        if k == name {
            if found.is_some() {
                return Err(());
            }
            found = Some(v.as_str());
        }
    }
    Ok(found)
}

/// The host of a loopback name or literal as it appears in a URL authority.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]"
}

/// Splits an absolute `scheme://authority...` URL into its lowercased scheme
/// and its host (port and path removed). `None` for anything else,
/// including URLs with userinfo.
pub(crate) fn scheme_and_host(url: &str) -> Option<(String, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains('@') {
        return None;
    }
    let host = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, port) = authority.split_at(close + 1);
        valid_port(port.strip_prefix(':').unwrap_or(port))?;
        host
    } else {
        let (host, port) = authority.split_once(':').unwrap_or((authority, ""));
        valid_port(port)?;
        host
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme.to_ascii_lowercase(), host))
}

fn valid_port(port: &str) -> Option<()> {
    port.chars().all(|c| c.is_ascii_digit()).then_some(())
}

/// Whether a browser origin is a loopback one (`http://localhost:*`,
/// `http://127.0.0.1:*`, `http://[::1]:*`, or their https forms).
pub(crate) fn is_loopback_origin(origin: &str) -> bool {
    match scheme_and_host(origin) {
        Some((scheme, host)) => {
            (scheme == "http" || scheme == "https")
                && is_loopback_host(host)
                && !origin[scheme.len() + 3..].contains('/')
        }
        None => false,
    }
}

/// 429 with `Retry-After: 60`: how authorization servers rate-limit a caller (RFC 6585 §4).
pub(crate) fn rate_limited() -> Response {
    Reply::json(
        StatusCode::TOO_MANY_REQUESTS,
        &serde_json::json!({"error": "slow_down", "error_description": "too many requests"}),
    )
    .header(HeaderName::from_static("retry-after"), "60")
    .into_response()
}
