//! Connection reuse: what may share a connection, and what closes one.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::server::{client, config, reply, self_signed_acceptor, spec, TestServer};
use super::tls::start_h2;
use crate::http::*;
use crate::report::Stage;

/// What the keep-alive server writes for a request path.
type Answer = fn(&str) -> Vec<u8>;

/// An HTTP/1.1 server that keeps connections open between requests (requests
/// without bodies only) and counts the connections it accepted.
struct KeepAlive {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl KeepAlive {
    async fn start(ip: Ipv4Addr, port: u16, answer: Answer) -> KeepAlive {
        let listener = TcpListener::bind((ip, port)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, answer));
            }
        });
        KeepAlive {
            addr,
            connections,
            task,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }
}

async fn serve(mut stream: TcpStream, answer: Answer) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            buf.drain(..end + 4);
            let path = head.split(' ').nth(1).unwrap_or_default().to_string();
            if stream.write_all(&answer(&path)).await.is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn ok(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// `/open` promises 100 bytes and sends 5; `/big` sends more than the test cap;
/// anything else is a short 200.
fn answer(path: &str) -> Vec<u8> {
    match path {
        "/open" => b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello".to_vec(),
        "/big" => ok(&"x".repeat(4096)),
        _ => ok("fine"),
    }
}

fn connection(exchange: &Exchange) -> &ConnectionInfo {
    exchange.connection.as_ref().expect("a connection was used")
}

async fn get(client: &Client, url: Url) -> Exchange {
    client.send(spec("GET", url)).await.last().clone()
}

#[tokio::test]
async fn sequential_requests_share_one_kept_alive_connection() {
    let server = KeepAlive::start(Ipv4Addr::LOCALHOST, 0, answer).await;
    let client = client(config(&server.url("/")));
    let first = get(&client, server.url("/a")).await;
    let second = get(&client, server.url("/b")).await;
    assert_eq!(second.response.as_ref().unwrap().body, "fine");
    let (a, b) = (connection(&first), connection(&second));
    assert!(!a.reused && b.reused);
    assert_eq!((a.id, a.version.as_str()), (b.id, "HTTP/1.1"));
    assert_eq!(a.address, server.addr.to_string());
    assert_eq!(server.connections(), 1);
    // The new connection's phases are timed; the reused one had none.
    assert!(first.timing.connect_ms.is_some() && first.timing.first_byte_ms.is_some());
    assert!(first.timing.dns_ms.is_none() && first.timing.tls_ms.is_none());
    assert!(second.timing.connect_ms.is_none() && second.timing.first_byte_ms.is_some());
}

#[tokio::test]
async fn a_pooled_connection_never_carries_a_request_to_another_address() {
    // One name, two servers on the same port: what the name resolves to changes
    // between two requests (as DNS rebinding would make it).
    let first = KeepAlive::start(Ipv4Addr::LOCALHOST, 0, |_| ok("first")).await;
    let port = first.addr.port();
    let Ok(second) = tokio::time::timeout(Duration::from_secs(1), async {
        KeepAlive::start(Ipv4Addr::new(127, 0, 0, 2), port, |_| ok("second")).await
    })
    .await
    else {
        panic!("cannot bind 127.0.0.2");
    };
    let url = Url::parse(&format!("http://pinned.test:{port}/x")).unwrap();
    let client = client(config(&url));
    let pin = |ip: [u8; 4]| {
        *client.inner.hosts.lock().unwrap() = vec![("pinned.test".into(), vec![IpAddr::from(ip)])];
    };
    pin([127, 0, 0, 1]);
    let a = get(&client, url.clone()).await;
    pin([127, 0, 0, 2]);
    let b = get(&client, url.clone()).await;
    assert_eq!(a.response.as_ref().unwrap().body, "first");
    assert_eq!(b.response.as_ref().unwrap().body, "second");
    assert_ne!(connection(&a).id, connection(&b).id);
    assert!(!connection(&b).reused);
    assert_eq!(connection(&b).address, format!("127.0.0.2:{port}"));
    assert_eq!((first.connections(), second.connections()), (1, 1));
    // Back on the first address, the connection checked for it is found again.
    pin([127, 0, 0, 1]);
    let c = get(&client, url).await;
    assert_eq!(connection(&c).id, connection(&a).id);
    assert!(connection(&c).reused);
}

#[tokio::test]
async fn a_pooled_connection_does_not_bypass_the_guard() {
    let server = KeepAlive::start(Ipv4Addr::LOCALHOST, 0, answer).await;
    let port = server.addr.port();
    // The target is on loopback, so steered loopback URLs are allowed.
    let client = client(config(&server.url("/mcp")));
    let url = Url::parse(&format!("http://rebind.test:{port}/meta")).unwrap();
    let pin =
        |ip: IpAddr| *client.inner.hosts.lock().unwrap() = vec![("rebind.test".into(), vec![ip])];
    pin(IpAddr::from([127, 0, 0, 1]));
    let steered = || RequestSpec::new("GET", url.clone(), Stage::Prm, "test");
    let allowed = client.send(steered()).await;
    assert!(allowed.last().error.is_none(), "{:?}", allowed.last().error);
    // Now the name points at the cloud metadata address: refused before any pool
    // lookup, although a connection to rebind.test is open and idle.
    pin(IpAddr::from([169, 254, 169, 254]));
    let refused = client.send(steered()).await;
    let ex = refused.last();
    assert_eq!(ex.error.as_ref().map(|e| e.kind), Some(ErrorKind::Blocked));
    assert!(ex.connection.is_none() && ex.response.is_none());
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn other_hosts_and_ports_get_their_own_connections() {
    let a = KeepAlive::start(Ipv4Addr::LOCALHOST, 0, answer).await;
    let b = KeepAlive::start(Ipv4Addr::LOCALHOST, 0, answer).await;
    let client = client(config(&a.url("/")));
    let one = get(&client, a.url("/")).await;
    let two = get(&client, b.url("/")).await;
    // `localhost` reaches the same address as 127.0.0.1, but is another host.
    let three = get(
        &client,
        Url::parse(&format!("http://localhost:{}/", a.addr.port())).unwrap(),
    )
    .await;
    let ids: Vec<u32> = [&one, &two, &three].map(|e| connection(e).id).to_vec();
    assert!(
        ids[0] != ids[1] && ids[0] != ids[2] && ids[1] != ids[2],
        "{ids:?}"
    );
    assert_eq!((a.connections(), b.connections()), (2, 1));
}

#[tokio::test]
async fn a_connection_that_misbehaved_is_not_reused() {
    let server = KeepAlive::start(Ipv4Addr::LOCALHOST, 0, answer).await;
    let mut cfg = config(&server.url("/"));
    cfg.timeout = Duration::from_millis(300);
    cfg.body_cap = 1024;
    let client = client(cfg);
    // A body left open until the timeout.
    let open = get(&client, server.url("/open")).await;
    assert_eq!(
        open.error.as_ref().map(|e| e.kind),
        Some(ErrorKind::Timeout)
    );
    let after_open = get(&client, server.url("/")).await;
    assert!(!connection(&after_open).reused);
    // A body cut at the cap.
    let big = get(&client, server.url("/big")).await;
    assert_eq!(
        big.error.as_ref().map(|e| e.kind),
        Some(ErrorKind::TooLarge)
    );
    let after_big = get(&client, server.url("/")).await;
    assert!(!connection(&after_big).reused);
    // The clean exchange's connection carried the oversized body, then closed.
    assert!(connection(&big).reused);
    let ids = [&open, &after_open, &after_big].map(|e| connection(e).id);
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
        "{ids:?}"
    );
    assert_eq!(server.connections(), 3);
}

#[tokio::test]
async fn a_server_closing_after_each_answer_costs_no_failed_request() {
    // The test server closes every connection once it has answered.
    let server = TestServer::start(|_| reply(200, &[], "ok")).await;
    let client = client(config(&server.url("/")));
    for _ in 0..5 {
        let ex = client
            .send(spec("POST", server.url("/token")).body("a=1"))
            .await
            .last()
            .clone();
        assert!(ex.error.is_none(), "{:?}", ex.error);
        assert_eq!(ex.status(), Some(200));
    }
    assert_eq!(server.connection_count(), 5);
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn concurrent_requests_share_one_http2_connection() {
    let (addr, seen) = start_h2(self_signed_acceptor(&[b"h2"])).await;
    let url = Url::parse(&format!("https://localhost:{}/mcp", addr.port())).unwrap();
    let mut cfg = config(&url);
    cfg.insecure = true;
    cfg.http2 = true;
    let client = client(cfg);
    let sends = (0..4).map(|_| get(&client, url.clone()));
    let exchanges = futures_util::future::join_all(sends).await;
    let ids: Vec<u32> = exchanges.iter().map(|e| connection(e).id).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(
        exchanges.iter().filter(|e| !connection(e).reused).count(),
        1
    );
    assert!(exchanges.iter().all(|e| connection(e).version == "HTTP/2"));
    assert_eq!(seen.lock().unwrap().len(), 4);
    // A TLS connection records its handshake; only the first one had any.
    let timed = exchanges
        .iter()
        .filter(|e| e.timing.tls_ms.is_some())
        .count();
    assert_eq!(timed, 1);
}

#[tokio::test]
async fn a_second_tls_connection_resumes_the_session() {
    let server = TestServer::start_tls(self_signed_acceptor(&[b"http/1.1"]), |_| {
        reply(200, &[], "ok")
    })
    .await;
    let url = Url::parse(&format!("https://localhost:{}/", server.addr.port())).unwrap();
    let mut cfg = config(&url);
    cfg.insecure = true;
    let client = client(cfg);
    let first = get(&client, url.clone()).await;
    // The server closed the first connection; the second is new but resumed.
    let second = get(&client, url).await;
    assert_eq!(connection(&first).tls_resumed, Some(false));
    assert_eq!(connection(&second).tls_resumed, Some(true));
    assert!(second.timing.tls_ms.is_some());
}

#[test]
fn connections_are_numbered_in_trace_order() {
    let mut exchanges: Vec<Exchange> = [7, 3, 7, 9, 3]
        .iter()
        .map(|id| Exchange {
            id: 0,
            stage: Stage::Challenge,
            purpose: String::new(),
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://a.example/".into(),
                headers: Vec::new(),
                body: None,
            },
            response: None,
            error: None,
            redirect_of: None,
            connection: Some(ConnectionInfo {
                id: *id,
                reused: false,
                speculative: false,
                version: "HTTP/1.1".into(),
                address: "192.0.2.1:80".into(),
                tls_resumed: None,
            }),
            timing: Timing::default(),
        })
        .collect();
    number_connections(&mut exchanges);
    let ids: Vec<u32> = exchanges.iter().map(|e| connection(e).id).collect();
    assert_eq!(ids, [1, 2, 1, 3, 2]);
}

#[tokio::test]
async fn a_warmed_connection_carries_the_request_that_needed_it() {
    let server = KeepAlive::start(Ipv4Addr::LOCALHOST, 0, answer).await;
    let client = client(config(&server.url("/mcp")));
    client.warm(&server.url("/issuer"));
    // Whether the warm has finished or is still opening, the request uses it.
    let ex = get(
        &client,
        server.url("/.well-known/oauth-authorization-server"),
    )
    .await;
    assert!(ex.error.is_none(), "{:?}", ex.error);
    let used = connection(&ex);
    assert!(used.speculative && !used.reused, "{used:?}");
    // Its handshakes happened before the request: none is on the request's clock.
    assert!(ex.timing.connect_ms.is_none());
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn warming_goes_through_the_guard() {
    let server = KeepAlive::start(Ipv4Addr::LOCALHOST, 0, answer).await;
    // A public target: loopback URLs it names are refused.
    let target = Url::parse("http://8.8.8.8/mcp").unwrap();
    let client = client(config(&target));
    client.warm(&server.url("/issuer"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.connections(), 0);
}
