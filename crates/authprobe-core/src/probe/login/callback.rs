//! The loopback redirect listener of the authorization code flow (RFC 8252
//! §7.3): bound to `127.0.0.1` on a port the system picks, it serves
//! `GET /callback` once and answers anything else 404, bounded in time and
//! size, then closes.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::http::Header;

/// Largest request head the listener reads.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The page the browser shows once the redirect came back.
const DONE_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>authprobe</title></head>\
<body><p>authprobe received the authorization response. You can close this tab.</p></body></html>\n";

/// A bound listener waiting for the redirect.
#[derive(Debug)]
pub struct Callback {
    listener: TcpListener,
    port: u16,
}

/// The redirect as the browser sent it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request target (`/callback?code=…&state=…`).
    pub target: String,
    /// The request headers, in order.
    pub headers: Vec<Header>,
    /// What the listener answered (status, content type, body).
    pub answer: (u16, &'static str, &'static str),
}

impl Callback {
    /// Binds `127.0.0.1:0`.
    pub async fn bind() -> std::io::Result<Callback> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Callback { listener, port })
    }

    /// `http://127.0.0.1:<port>/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    /// Waits for `GET /callback…`; other requests (a favicon) get 404 and the
    /// wait goes on. The caller bounds the whole wait.
    pub async fn wait(self) -> std::io::Result<Received> {
        loop {
            let (stream, _) = self.listener.accept().await?;
            if let Some(received) = serve(stream).await {
                return Ok(received);
            }
        }
    }
}

/// Reads one request; answers it; `Some` when it was the callback.
async fn serve(mut stream: TcpStream) -> Option<Received> {
    let head = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream))
        .await
        .ok()??;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, target) = (request_line.next()?, request_line.next()?);
    let headers: Vec<Header> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| Header::new(n.trim(), v.trim()))
        .collect();
    let path = target.split('?').next().unwrap_or("");
    if method != "GET" || path != "/callback" {
        let _ = respond(&mut stream, 404, "text/plain; charset=utf-8", "not found\n").await;
        return None;
    }
    let answer = (200, "text/html; charset=utf-8", DONE_PAGE);
    let _ = respond(&mut stream, answer.0, answer.1, answer.2).await;
    Some(Received {
        target: target.to_string(),
        headers,
        answer,
    })
}

/// The request head, up to the blank line (`None` if too large or cut).
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return String::from_utf8(buf[..end].to_vec()).ok();
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
    }
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
) -> std::io::Result<()> {
    let reason = if status == 200 { "OK" } else { "Not Found" };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests;
