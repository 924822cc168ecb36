//! Client tests against servers on 127.0.0.1; nothing leaves the machine.

use std::time::{Duration, Instant};

use url::Url;

use super::server::{
    client, config, error_kind, names, reply, sent_header, spec, Reply, TestServer,
};
use crate::http::*;

#[tokio::test]
async fn writes_host_user_agent_and_headers_in_order() {
    let server =
        TestServer::start(|_| reply(200, &[("X-B", "1"), ("X-A", "2"), ("X-B", "3")], "hi")).await;
    let target = server.url("/mcp");
    let mut cfg = config(&target);
    cfg.extra_headers = vec![("X-Api-Key".into(), "k1".into())];
    let fetched = client(cfg)
        .send(
            spec("GET", server.url("/p?q=1#frag"))
                .header("Accept", "application/json")
                .header("X-Custom", "yes"),
        )
        .await;
    let ex = fetched.last();
    assert_eq!(
        names(&ex.request.headers),
        ["host", "user-agent", "accept", "x-custom", "x-api-key"]
    );
    assert_eq!(ex.request.headers[0].value, server.addr.to_string());
    assert_eq!(ex.request.url, format!("http://{}/p?q=1", server.addr));
    let seen = &server.requests()[0];
    assert_eq!(seen.request_line(), "GET /p?q=1 HTTP/1.1");
    let recorded: Vec<String> = ex
        .request
        .headers
        .iter()
        .map(|h| format!("{}: {}", h.name, h.value))
        .collect();
    assert_eq!(seen.header_lines(), recorded);
    assert!(!seen.head.to_ascii_lowercase().contains("accept-encoding"));
    let response = ex.response.as_ref().unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.version, "HTTP/1.1");
    assert_eq!(response.body, "hi");
    assert!(!response.truncated);
    assert_eq!(
        response.header_values("x-b").collect::<Vec<_>>(),
        ["1", "3"]
    );
    assert!(ex.error.is_none());
    assert!(ex.timing.headers_ms.is_some());
    assert!(!fetched.redirected());
}

#[tokio::test]
async fn body_gets_content_length_and_caller_framing_headers_are_ignored() {
    let server = TestServer::start(|_| reply(201, &[], "")).await;
    let fetched = client(config(&server.url("/")))
        .send(
            spec("POST", server.url("/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Content-Length", "999")
                .header("Host", "evil.example")
                .header("User-Agent", "custom/1")
                .body("a=1&b=2"),
        )
        .await;
    let ex = fetched.last();
    assert_eq!(
        names(&ex.request.headers),
        ["host", "content-type", "user-agent", "content-length"]
    );
    assert_eq!(sent_header(ex, "user-agent"), Some("custom/1"));
    assert_eq!(sent_header(ex, "content-length"), Some("7"));
    assert_eq!(ex.request.body.as_deref(), Some("a=1&b=2"));
    let seen = &server.requests()[0];
    assert_eq!(seen.body, b"a=1&b=2");
    assert!(seen.head.contains(&format!("host: {}", server.addr)));
    assert_eq!(ex.status(), Some(201));
}

#[tokio::test]
async fn extra_headers_stay_on_the_target_origin() {
    let target = TestServer::start(|_| reply(200, &[], "")).await;
    let other = TestServer::start(|_| reply(200, &[], "")).await;
    let mut cfg = config(&target.url("/mcp"));
    cfg.extra_headers = vec![("X-Api-Key".into(), "secret".into())];
    let c = client(cfg);
    let on_target = c.send(spec("GET", target.url("/other-path"))).await;
    let elsewhere = c
        .send(spec("GET", other.url("/")).trust(Trust::Steered))
        .await;
    assert_eq!(sent_header(on_target.last(), "x-api-key"), Some("secret"));
    assert_eq!(sent_header(elsewhere.last(), "x-api-key"), None);
    assert!(!other.requests()[0].head.contains("secret"));
}

#[tokio::test]
async fn body_over_the_cap_is_kept_truncated_with_too_large() {
    let big = "x".repeat(100);
    let server = TestServer::start(move |_| reply(200, &[], &big)).await;
    let mut cfg = config(&server.url("/"));
    cfg.body_cap = 10;
    let fetched = client(cfg).send(spec("GET", server.url("/"))).await;
    let ex = fetched.last();
    let response = ex.response.as_ref().unwrap();
    assert_eq!(response.body, "xxxxxxxxxx");
    assert_eq!(response.body_bytes, 10);
    assert!(response.truncated);
    assert_eq!(error_kind(ex), Some(ErrorKind::TooLarge));
}

#[tokio::test]
async fn silent_server_times_out_without_response() {
    let server = TestServer::start(|_| Reply::Hang).await;
    let mut cfg = config(&server.url("/"));
    cfg.timeout = Duration::from_millis(300);
    let fetched = client(cfg).send(spec("GET", server.url("/"))).await;
    let ex = fetched.last();
    assert!(ex.response.is_none());
    assert_eq!(error_kind(ex), Some(ErrorKind::Timeout));
    assert!(ex
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("no response headers"));
    assert_eq!(ex.timing.headers_ms, None);
}

fn sse_head() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        .to_vec()
}

fn chunk(data: &str) -> Vec<u8> {
    format!("{:x}\r\n{data}\r\n", data.len()).into_bytes()
}

#[tokio::test]
async fn endless_body_keeps_the_response_and_times_out() {
    let server = TestServer::start(|_| Reply::Endless(sse_head(), chunk(": ping\n\n"))).await;
    let mut cfg = config(&server.url("/"));
    cfg.timeout = Duration::from_millis(300);
    let fetched = client(cfg).send(spec("GET", server.url("/"))).await;
    let ex = fetched.last();
    let response = ex.response.as_ref().unwrap();
    assert_eq!(response.status, 200);
    assert!(response.truncated);
    assert!(response.body.starts_with(": ping\n\n"));
    assert_eq!(error_kind(ex), Some(ErrorKind::Timeout));
}

#[tokio::test]
async fn peek_ends_quietly() {
    let server = TestServer::start(|_| Reply::Endless(sse_head(), chunk(": ping\n\n"))).await;
    let fetched = client(config(&server.url("/")))
        .send(spec("GET", server.url("/")).read(BodyRead::Peek(Duration::from_millis(100))))
        .await;
    let ex = fetched.last();
    let response = ex.response.as_ref().unwrap();
    assert!(response.truncated);
    assert!(response.body.starts_with(": ping"));
    assert!(ex.error.is_none());
}

#[tokio::test]
async fn stop_when_ends_reading_once_it_holds() {
    let server = TestServer::start(|_| {
        let events = vec![chunk("event: message\n"), chunk("data: {\"id\":1}\n\n")];
        Reply::Trickle(sse_head(), events)
    })
    .await;
    let fetched = client(config(&server.url("/")))
        .send(
            spec("POST", server.url("/"))
                .body("{}")
                .stop_when(|bytes| bytes.windows(2).any(|w| w == b"\n\n")),
        )
        .await;
    let ex = fetched.last();
    let response = ex.response.as_ref().unwrap();
    assert_eq!(response.body, "event: message\ndata: {\"id\":1}\n\n");
    assert!(response.truncated);
    assert!(ex.error.is_none());
}

#[tokio::test]
async fn chunked_body_is_read_to_its_end() {
    let server = TestServer::start(|_| {
        let mut bytes = sse_head();
        bytes.extend(chunk("hello "));
        bytes.extend(chunk("world"));
        bytes.extend(b"0\r\n\r\n");
        Reply::Raw(bytes)
    })
    .await;
    let fetched = client(config(&server.url("/")))
        .send(spec("GET", server.url("/")))
        .await;
    let response = fetched.last().response.as_ref().unwrap();
    assert_eq!(response.body, "hello world");
    assert!(!response.truncated);
    assert!(fetched.last().error.is_none());
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = Url::parse(&format!("http://{addr}/")).unwrap();
    let fetched = client(config(&url)).send(spec("GET", url)).await;
    let ex = fetched.last();
    assert_eq!(error_kind(ex), Some(ErrorKind::Connect));
    assert_eq!(
        ex.error.as_ref().unwrap().message,
        format!("connection refused by {addr}")
    );
    assert_eq!(names(&ex.request.headers), ["host", "user-agent"]);
}

#[tokio::test]
async fn passed_deadline_sends_nothing() {
    let server = TestServer::start(|_| reply(200, &[], "")).await;
    let mut cfg = config(&server.url("/"));
    cfg.deadline = Instant::now();
    let fetched = client(cfg).send(spec("GET", server.url("/"))).await;
    assert_eq!(error_kind(fetched.last()), Some(ErrorKind::Timeout));
    assert_eq!(server.connection_count(), 0);
}

#[tokio::test]
async fn broken_responses_are_typed() {
    let huge = format!(
        "HTTP/1.1 200 OK\r\nX-Big: {}\r\n\r\n",
        "a".repeat(HEADER_CAP)
    );
    let server = TestServer::start(move |r| match r.path() {
        "/huge" => Reply::Raw(huge.clone().into_bytes()),
        "/garbage" => Reply::Raw(b"hello there\r\n\r\n".to_vec()),
        "/cut-head" => Reply::Raw(b"HTTP/1.1 200 OK\r\nX-A: ".to_vec()),
        _ => Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this".to_vec()),
    })
    .await;
    let c = client(config(&server.url("/")));
    for (path, kind) in [
        ("/huge", ErrorKind::TooLarge),
        ("/garbage", ErrorKind::Protocol),
        ("/cut-head", ErrorKind::Protocol),
    ] {
        let fetched = c.send(spec("GET", server.url(path))).await;
        assert!(fetched.last().response.is_none(), "{path}");
        assert_eq!(error_kind(fetched.last()), Some(kind), "{path}");
    }
    let cut_body = c.send(spec("GET", server.url("/cut-body"))).await;
    let ex = cut_body.last();
    assert_eq!(ex.response.as_ref().unwrap().body, "only this");
    assert!(ex.response.as_ref().unwrap().truncated);
    assert_eq!(error_kind(ex), Some(ErrorKind::Protocol));
}

#[tokio::test]
async fn unusable_requests_are_recorded_not_sent() {
    let server = TestServer::start(|_| reply(200, &[], "")).await;
    let c = client(config(&server.url("/")));
    let ftp = c
        .send(spec("GET", Url::parse("ftp://127.0.0.1/x").unwrap()))
        .await;
    assert_eq!(error_kind(ftp.last()), Some(ErrorKind::Blocked));
    let method = c.send(spec("GE T", server.url("/"))).await;
    assert_eq!(error_kind(method.last()), Some(ErrorKind::Protocol));
    let header = c
        .send(spec("GET", server.url("/")).header("Bad Name", "v"))
        .await;
    assert_eq!(error_kind(header.last()), Some(ErrorKind::Protocol));
    assert_eq!(server.connection_count(), 0);
}

#[test]
fn client_new_rejects_bad_targets_and_headers() {
    let ftp = Url::parse("ftp://example.com/").unwrap();
    assert!(matches!(
        Client::new(config(&ftp)),
        Err(ClientError::Target(_))
    ));
    let mut cfg = config(&Url::parse("https://example.com/").unwrap());
    cfg.extra_headers = vec![("X-Ok".into(), "line\nbreak".into())];
    assert!(matches!(Client::new(cfg), Err(ClientError::Header { .. })));
}
