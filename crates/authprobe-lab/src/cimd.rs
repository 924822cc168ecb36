//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document,
//! MCP 2025-11-25 › Client ID Metadata Documents): a `client_id` that is a URL
//! names a JSON document describing the client, which the authorization server
//! fetches and validates.
//!
//! The lab has no TLS client, so it fetches only `http://` documents on a
//! loopback host (what tests serve); an `https://` client id, the only kind a
//! real client uses, is refused with a reason that says so. The fetch is a
//! deliberately small HTTP/1.1 client: one request per connection, a time
//! limit and a size cap, never a redirect.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::wire::{is_loopback_host, scheme_and_host};

/// Largest metadata document read (the draft suggests servers cap it; 5 KB is typical).
const MAX_DOCUMENT: usize = 64 * 1024;
/// How long the whole fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The part of a client metadata document the lab uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientDocument {
    pub(crate) redirect_uris: Vec<String>,
}

/// True for a `client_id` that is a URL and so names a metadata document.
pub(crate) fn is_document_id(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

/// Fetches and validates the document a URL `client_id` names.
pub(crate) async fn fetch(client_id: &str) -> Result<ClientDocument, String> {
    let body = match tokio::time::timeout(FETCH_TIMEOUT, get(client_id)).await {
        Ok(result) => result?,
        Err(_) => return Err("fetching the client metadata document timed out".into()),
    };
    validate(client_id, &body)
}

/// The checks the authorization server MUST make: valid JSON, the required
/// members, and a `client_id` identical to the URL it was fetched from.
pub(crate) fn validate(client_id: &str, body: &[u8]) -> Result<ClientDocument, String> {
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the client metadata document is not JSON ({e})"))?;
    let Value::Object(doc) = doc else {
        return Err("the client metadata document is not a JSON object".into());
    };
    if doc.get("client_id").and_then(Value::as_str) != Some(client_id) {
        return Err("the document's client_id is not the URL it was fetched from".into());
    }
    if !doc.get("client_name").is_some_and(Value::is_string) {
        return Err("the document has no client_name".into());
    }
    let redirect_uris = match doc.get("redirect_uris") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<String>>>()
            .ok_or("redirect_uris must be an array of strings")?,
        _ => return Err("the document has no redirect_uris".into()),
    };
    Ok(ClientDocument { redirect_uris })
}

/// GET over plain HTTP/1.1 to a loopback host; the body of a 200 answer.
async fn get(url: &str) -> Result<Vec<u8>, String> {
    let Some((scheme, host)) = scheme_and_host(url) else {
        return Err("the client_id is not a URL the lab understands".into());
    };
    if scheme != "http" || !is_loopback_host(host) {
        return Err(
            "the lab fetches client metadata documents only from http:// URLs on loopback (it has no TLS client)"
                .into(),
        );
    }
    let rest = &url["http://".len()..];
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split('#').next().unwrap_or("/");
    let connect_to = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let connect_to = connect_to.replacen("localhost", "127.0.0.1", 1);
    let mut stream = TcpStream::connect(connect_to.as_str())
        .await
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| format!("cannot read the response: {e}"))?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&chunk[..n]);
        if raw.len() > MAX_DOCUMENT + 16 * 1024 {
            return Err("the client metadata document is too large".into());
        }
    }
    parse_response(&raw)
}

/// Splits a raw HTTP/1.1 response; the body of a 200 (chunked or not).
fn parse_response(raw: &[u8]) -> Result<Vec<u8>, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the response has no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let body = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or("the status line is malformed")?;
    if status != 200 {
        return Err(format!("the client metadata document answered {status}"));
    }
    let chunked = lines.any(|l| {
        let lower = l.to_ascii_lowercase();
        lower.starts_with("transfer-encoding:") && lower.contains("chunked")
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    if body.len() > MAX_DOCUMENT {
        return Err("the client metadata document is too large".into());
    }
    Ok(body)
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk size line is unterminated")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| "a chunk size is not hex")?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 || out.len() + size > MAX_DOCUMENT {
            return Err("a chunk is truncated or too large".into());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests;
