//! TLS and HTTP/2 tests against self-signed servers on 127.0.0.1.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use url::Url;

use super::server::{reply, self_signed_acceptor, TestServer};
use crate::http::*;
use crate::report::Stage;

fn https(addr: SocketAddr) -> Url {
    Url::parse(&format!("https://localhost:{}/mcp", addr.port())).unwrap()
}

async fn fetch(url: Url, insecure: bool, http2: bool) -> Fetched {
    let mut config = ClientConfig::new(url.clone(), Duration::from_secs(10));
    config.insecure = insecure;
    config.http2 = http2;
    let spec = RequestSpec::new("GET", url, Stage::Transport, "tls").trust(Trust::Target);
    Client::new(config).unwrap().send(spec).await
}

#[tokio::test]
async fn strict_tls_rejects_a_self_signed_certificate() {
    let server = TestServer::start_tls(self_signed_acceptor(&[b"http/1.1"]), |_| {
        reply(200, &[], "")
    })
    .await;
    let fetched = fetch(https(server.addr), false, false).await;
    let ex = fetched.last();
    assert!(ex.response.is_none());
    let error = ex.error.as_ref().unwrap();
    assert_eq!(error.kind, ErrorKind::Tls);
    assert!(error.message.contains("certificate"), "{}", error.message);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn insecure_tls_accepts_it_and_speaks_http1() {
    let server = TestServer::start_tls(self_signed_acceptor(&[b"http/1.1"]), |_| {
        reply(200, &[("Content-Type", "application/json")], "{}")
    })
    .await;
    // Offering h2 is harmless when the server only picks http/1.1.
    let fetched = fetch(https(server.addr), true, true).await;
    let ex = fetched.last();
    assert!(ex.error.is_none(), "{:?}", ex.error);
    let response = ex.response.as_ref().unwrap();
    assert_eq!(response.version, "HTTP/1.1");
    assert_eq!(response.body, "{}");
    let seen = &server.requests()[0];
    assert_eq!(seen.request_line(), "GET /mcp HTTP/1.1");
    assert!(seen
        .header_lines()
        .contains(&format!("host: localhost:{}", server.addr.port())));
}

/// What the HTTP/2 server saw: the request URI and header names.
pub(super) type SeenH2 = Arc<Mutex<Vec<(String, Vec<String>)>>>;

pub(super) async fn start_h2(acceptor: TlsAcceptor) -> (SocketAddr, SeenH2) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: SeenH2 = Arc::default();
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, record) = (acceptor.clone(), record.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut conn) = h2::server::handshake(tls).await else {
                    return;
                };
                while let Some(Ok((request, mut respond))) = conn.accept().await {
                    let names = request.headers().keys().map(|k| k.to_string()).collect();
                    record
                        .lock()
                        .unwrap()
                        .push((request.uri().to_string(), names));
                    let response = http::Response::builder()
                        .status(200)
                        .header("content-type", "text/plain")
                        .body(())
                        .unwrap();
                    let mut body = respond.send_response(response, false).unwrap();
                    body.send_data(Bytes::from_static(b"over h2"), true)
                        .unwrap();
                }
            });
        }
    });
    (addr, seen)
}

#[tokio::test]
async fn http2_is_used_when_offered_and_chosen() {
    let (addr, seen) = start_h2(self_signed_acceptor(&[b"h2"])).await;
    let fetched = fetch(https(addr), true, true).await;
    let ex = fetched.last();
    assert!(ex.error.is_none(), "{:?}", ex.error);
    let response = ex.response.as_ref().unwrap();
    assert_eq!(response.version, "HTTP/2");
    assert_eq!(response.body, "over h2");
    let names: Vec<&str> = ex.request.headers.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["user-agent"]);
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].0, format!("https://localhost:{}/mcp", addr.port()));
    assert_eq!(seen[0].1, ["user-agent"]);
}

#[tokio::test]
async fn http2_is_not_offered_by_default() {
    let (addr, seen) = start_h2(self_signed_acceptor(&[b"h2"])).await;
    let fetched = fetch(https(addr), true, false).await;
    assert_eq!(
        fetched.last().error.as_ref().map(|e| e.kind),
        Some(ErrorKind::Tls)
    );
    assert!(seen.lock().unwrap().is_empty());
}
