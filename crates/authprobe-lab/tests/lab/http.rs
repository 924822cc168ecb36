//! A deliberately minimal HTTP/1.1 client for the tests: one request per
//! connection (`Connection: close`), raw bytes on a TcpStream, so that the
//! tests see exactly what the lab puts on the wire.

use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    /// Every value of a header, in order (names compared case-insensitively).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The single value of a header; panics when it is repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(all.len() <= 1, "{name} repeated: {all:?}");
        all.first().copied()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }
}

/// The request line, headers and body as bytes.
fn encode(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Header lines as (name, value) pairs, in order.
pub type Headers = Vec<(String, String)>;

/// Splits the status line and headers off `raw`; returns them and the
/// offset of the body.
fn parse_head(raw: &[u8]) -> Option<(u16, Headers, usize)> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).expect("head is not UTF-8");
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("header line without colon");
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    Some((status, headers, end + 4))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = std::str::from_utf8(&data[..line_end]).expect("chunk size is text");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("hex chunk size");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Sends one request and reads the whole response.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(&encode(addr, method, target, headers, body))
        .await
        .expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let (status, headers, start) = parse_head(&raw)
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(&raw)));
    let rest = &raw[start..];
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Resp {
        status,
        headers,
        body,
    }
}

pub async fn get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Resp {
    send(addr, "GET", target, headers, b"").await
}

/// POSTs a JSON value with the headers a Streamable HTTP client sends.
pub async fn post_json(
    addr: SocketAddr,
    target: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> Resp {
    let mut all = vec![
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    all.extend_from_slice(headers);
    send(addr, "POST", target, &all, body.to_string().as_bytes()).await
}

/// A response whose head has arrived and whose body is still streaming.
pub struct Open {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Body bytes (still chunk-framed, if chunked) read along with the head.
    pub early: Vec<u8>,
    pub stream: TcpStream,
}

impl Open {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads until at least `n` raw body bytes have arrived (or EOF).
    pub async fn read_at_least(&mut self, n: usize) -> Vec<u8> {
        let mut buf = [0u8; 16 * 1024];
        while self.early.len() < n {
            let got = self.stream.read(&mut buf).await.expect("read body");
            if got == 0 {
                break;
            }
            self.early.extend_from_slice(&buf[..got]);
        }
        self.early.clone()
    }

    /// Reads to EOF and counts raw body bytes, without keeping them.
    pub async fn count_to_end(&mut self) -> (usize, Vec<u8>) {
        let mut total = self.early.len();
        let mut tail = self.early.clone();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let got = self.stream.read(&mut buf).await.expect("read body");
            if got == 0 {
                return (total, tail);
            }
            total += got;
            tail.extend_from_slice(&buf[..got]);
            if tail.len() > 64 {
                tail.drain(..tail.len() - 64);
            }
        }
    }
}

/// Sends a request and returns as soon as the response head has arrived.
pub async fn open(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Open {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(&encode(addr, method, target, headers, body))
        .await
        .expect("write");
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if let Some((status, headers, start)) = parse_head(&raw) {
            let early = raw[start..].to_vec();
            return Open {
                status,
                headers,
                early,
                stream,
            };
        }
        let got = stream.read(&mut buf).await.expect("read head");
        assert!(got > 0, "connection closed before the response head");
        raw.extend_from_slice(&buf[..got]);
    }
}

/// Sends a request that may never be answered and reads until the server
/// closes the connection; returns what arrived.
pub async fn send_raw(addr: SocketAddr, method: &str, target: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(&encode(addr, method, target, &[], b""))
        .await
        .expect("write");
    let mut raw = Vec::new();
    // A reset counts as a close here: only the bytes matter.
    let _ = stream.read_to_end(&mut raw).await;
    raw
}

/// `Authorization: Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
