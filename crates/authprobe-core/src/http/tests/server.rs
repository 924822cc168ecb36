//! Tiny HTTP/1.1 servers on 127.0.0.1 for the client tests, writing raw bytes so
//! that tests control exactly what arrives and can see exactly what was sent.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use url::Url;

use crate::http::{Client, ClientConfig, ErrorKind, Exchange, Header, RequestSpec, Trust};
use crate::report::Stage;

/// A request as it arrived: head text (request line and headers) and body.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub head: String,
    pub body: Vec<u8>,
}

impl RawRequest {
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    pub fn path(&self) -> &str {
        self.request_line().split(' ').nth(1).unwrap_or_default()
    }

    /// Header lines in order, as written.
    pub fn header_lines(&self) -> Vec<String> {
        self.head.lines().skip(1).map(str::to_string).collect()
    }
}

/// What the server does with a request.
pub enum Reply {
    /// Writes these bytes and closes.
    Raw(Vec<u8>),
    /// Never answers; keeps the connection open.
    Hang,
    /// Writes the head, then each chunk with a pause, then keeps the connection open.
    Trickle(Vec<u8>, Vec<Vec<u8>>),
    /// Writes the head, then the chunk again and again, forever.
    Endless(Vec<u8>, Vec<u8>),
}

/// A complete response with a Content-Length.
pub fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut out = format!("HTTP/1.1 {status} X\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    Reply::Raw(out.into_bytes())
}

/// A redirect with `status` to `location`.
pub fn redirect(status: u16, location: &str) -> Reply {
    reply(status, &[("Location", location)], "")
}

type Handler = Arc<dyn Fn(&RawRequest) -> Reply + Send + Sync>;

pub struct TestServer {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<RawRequest>>>,
    pub connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    pub async fn start(handler: impl Fn(&RawRequest) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_inner(Arc::new(handler), None).await
    }

    pub async fn start_tls(
        acceptor: TlsAcceptor,
        handler: impl Fn(&RawRequest) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::start_inner(Arc::new(handler), Some(acceptor)).await
    }

    async fn start_inner(handler: Handler, tls: Option<TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (seen, count) = (requests.clone(), connections.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let (handler, seen, tls) = (handler.clone(), seen.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve(stream, handler, seen).await;
                            }
                        }
                        None => serve(stream, handler, seen).await,
                    }
                });
            }
        });
        TestServer {
            addr,
            requests,
            connections,
            task,
        }
    }

    pub fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().unwrap().clone()
    }

    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    handler: Handler,
    seen: Arc<Mutex<Vec<RawRequest>>>,
) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    seen.lock().unwrap().push(request.clone());
    let forever = Duration::from_secs(3600);
    match handler(&request) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::Hang => tokio::time::sleep(forever).await,
        Reply::Trickle(head, chunks) => {
            let _ = stream.write_all(&head).await;
            for chunk in chunks {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = stream.write_all(&chunk).await;
                let _ = stream.flush().await;
            }
            tokio::time::sleep(forever).await;
        }
        Reply::Endless(mut head, chunk) => {
            // The first chunk goes out with the head, so it is there when headers are.
            head.extend_from_slice(&chunk);
            let _ = stream.write_all(&head).await;
            loop {
                if stream.write_all(&chunk).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<RawRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(RawRequest { head, body })
}

/// A self-signed certificate for `localhost` and 127.0.0.1, and a TLS acceptor
/// offering `alpn`.
pub fn self_signed_acceptor(alpn: &[&[u8]]) -> TlsAcceptor {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let certified = rcgen::generate_simple_self_signed(names).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    TlsAcceptor::from(Arc::new(config))
}

// Shared helpers of the client tests.

pub fn config(target: &Url) -> ClientConfig {
    ClientConfig::new(target.clone(), Duration::from_secs(10))
}

pub fn client(config: ClientConfig) -> Client {
    Client::new(config).unwrap()
}

pub fn spec(method: &str, url: Url) -> RequestSpec {
    RequestSpec::new(method, url, Stage::Challenge, "test").trust(Trust::Target)
}

pub fn names(headers: &[Header]) -> Vec<&str> {
    headers.iter().map(|h| h.name.as_str()).collect()
}

pub fn sent_header<'a>(exchange: &'a Exchange, name: &str) -> Option<&'a str> {
    exchange
        .request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

pub fn error_kind(exchange: &Exchange) -> Option<ErrorKind> {
    exchange.error.as_ref().map(|e| e.kind)
}
