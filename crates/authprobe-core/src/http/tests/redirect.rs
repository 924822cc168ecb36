//! Redirect and SSRF-guard tests against servers on 127.0.0.1.

use url::Url;

use super::server::{
    client, config, error_kind, names, redirect, reply, sent_header, spec, TestServer,
};
use crate::http::*;

#[tokio::test]
async fn redirect_307_keeps_post_and_body() {
    let server = TestServer::start(|r| match r.path() {
        "/a" => redirect(307, "/b"),
        _ => reply(200, &[], "done"),
    })
    .await;
    let fetched = client(config(&server.url("/")))
        .send(
            spec("POST", server.url("/a"))
                .header("Content-Type", "application/json")
                .body(r#"{"x":1}"#)
                .redirects(RedirectPolicy::Follow { max: 5 }),
        )
        .await;
    assert_eq!(fetched.exchanges.len(), 2);
    assert!(fetched.redirected());
    let second = fetched.last();
    assert_eq!(second.request.method, "POST");
    assert_eq!(second.request.url, server.url("/b").to_string());
    assert_eq!(second.request.body.as_deref(), Some(r#"{"x":1}"#));
    assert_eq!(
        sent_header(second, "content-type"),
        Some("application/json")
    );
    let seen = server.requests();
    assert_eq!(seen[1].request_line(), "POST /b HTTP/1.1");
    assert_eq!(seen[1].body, br#"{"x":1}"#);
    assert_eq!(fetched.redirect_stopped, None);
    assert_eq!(fetched.exchanges.iter().map(|e| e.id).max(), Some(0));
}

#[tokio::test]
async fn redirect_302_turns_post_into_get_without_body() {
    let server = TestServer::start(|r| match r.path() {
        "/a" => redirect(302, "/b"),
        _ => reply(200, &[], "done"),
    })
    .await;
    let fetched = client(config(&server.url("/")))
        .send(
            spec("POST", server.url("/a"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .body("{}")
                .redirects(RedirectPolicy::Follow { max: 5 }),
        )
        .await;
    let second = fetched.last();
    assert_eq!(second.request.method, "GET");
    assert_eq!(second.request.body, None);
    assert_eq!(
        names(&second.request.headers),
        ["host", "user-agent", "accept"]
    );
    let seen = server.requests();
    assert_eq!(seen[1].request_line(), "GET /b HTTP/1.1");
    assert!(seen[1].body.is_empty());
}

#[tokio::test]
async fn redirect_limit_is_reported() {
    let server = TestServer::start(|_| redirect(302, "/loop")).await;
    let fetched = client(config(&server.url("/")))
        .send(spec("GET", server.url("/loop")).redirects(RedirectPolicy::Follow { max: 2 }))
        .await;
    assert_eq!(fetched.exchanges.len(), 3);
    assert_eq!(fetched.redirect_stopped, Some(RedirectStop::Limit(2)));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn relative_location_resolves_against_the_request_url() {
    let server = TestServer::start(|r| match r.path() {
        "/dir/a" => redirect(301, "b?x=1"),
        _ => reply(200, &[], ""),
    })
    .await;
    let fetched = client(config(&server.url("/")))
        .send(spec("GET", server.url("/dir/a")).redirects(RedirectPolicy::Follow { max: 1 }))
        .await;
    assert_eq!(
        fetched.last().request.url,
        server.url("/dir/b?x=1").to_string()
    );
    assert_eq!(server.requests()[1].path(), "/dir/b?x=1");
}

#[tokio::test]
async fn redirects_not_followed_say_why() {
    let server = TestServer::start(|r| match r.path() {
        "/elsewhere" => redirect(302, "http://192.0.2.1/x"),
        "/nowhere" => reply(302, &[], ""),
        "/local" => redirect(302, "http://localhost:1/"),
        _ => redirect(302, "/next"),
    })
    .await;
    let c = client(config(&server.url("/")));
    let no_follow = c.send(spec("GET", server.url("/a"))).await;
    assert_eq!(no_follow.redirect_stopped, Some(RedirectStop::NoFollow));
    assert_eq!(no_follow.exchanges.len(), 1);
    let https_only = RedirectPolicy::HttpsOnly { max: 3 };
    let scheme = c
        .send(spec("GET", server.url("/elsewhere")).redirects(https_only))
        .await;
    assert!(matches!(
        scheme.redirect_stopped,
        Some(RedirectStop::PolicyScheme { ref to, .. }) if to == "http://192.0.2.1/x"
    ));
    assert_eq!(scheme.exchanges.len(), 1);
    let missing = c
        .send(spec("GET", server.url("/nowhere")).redirects(https_only))
        .await;
    assert!(matches!(
        missing.redirect_stopped,
        Some(RedirectStop::BadLocation(_))
    ));
    // Plain http between loopback hosts is followed under HttpsOnly.
    let local = c
        .send(spec("GET", server.url("/local")).redirects(https_only))
        .await;
    assert_eq!(local.exchanges.len(), 2);
    assert_eq!(error_kind(local.last()), Some(ErrorKind::Connect));
}

#[tokio::test]
async fn cross_origin_redirect_drops_credentials() {
    let other = TestServer::start(|_| reply(200, &[], "")).await;
    let to_other = other.url("/landing").to_string();
    let server = TestServer::start(move |_| redirect(307, &to_other)).await;
    let fetched = client(config(&server.url("/")))
        .send(
            spec("GET", server.url("/"))
                .header("Authorization", "Bearer t")
                .header("Accept", "*/*")
                .redirects(RedirectPolicy::Follow { max: 1 }),
        )
        .await;
    assert_eq!(fetched.exchanges.len(), 2);
    assert_eq!(
        sent_header(&fetched.exchanges[0], "authorization"),
        Some("Bearer t")
    );
    assert_eq!(sent_header(fetched.last(), "authorization"), None);
    assert!(!other.requests()[0].head.contains("Bearer"));
}

fn public_target() -> Url {
    Url::parse("https://8.8.8.8/mcp").unwrap()
}

#[tokio::test]
async fn steered_loopback_is_blocked_without_connecting_when_target_is_public() {
    let server = TestServer::start(|_| reply(200, &[], "")).await;
    let c = client(config(&public_target()));
    let fetched = c
        .send(spec("GET", server.url("/doc")).trust(Trust::Steered))
        .await;
    let ex = fetched.last();
    assert_eq!(error_kind(ex), Some(ErrorKind::Blocked));
    assert!(ex.response.is_none());
    let message = &ex.error.as_ref().unwrap().message;
    assert!(
        message.contains("127.0.0.1") && message.contains("loopback"),
        "{message}"
    );
    assert!(message.contains("--allow-private-issuers"), "{message}");
    let by_name = c
        .send(spec("GET", Url::parse("http://api.localhost:1/").unwrap()).trust(Trust::Steered))
        .await;
    assert_eq!(error_kind(by_name.last()), Some(ErrorKind::Blocked));
    assert_eq!(server.connection_count(), 0);
}

#[tokio::test]
async fn allow_private_lifts_the_guard() {
    let server = TestServer::start(|_| reply(200, &[], "")).await;
    let mut cfg = config(&public_target());
    cfg.allow_private = true;
    let fetched = client(cfg)
        .send(spec("GET", server.url("/doc")).trust(Trust::Steered))
        .await;
    assert_eq!(fetched.last().status(), Some(200));
}

#[tokio::test]
async fn target_redirect_to_loopback_is_guarded() {
    let server = TestServer::start(|r| match r.path() {
        "/start" => redirect(302, "/internal"),
        _ => reply(200, &[], "secret"),
    })
    .await;
    // The user's own URL is trusted; the hop it redirects to is not.
    let fetched = client(config(&public_target()))
        .send(spec("GET", server.url("/start")).redirects(RedirectPolicy::Follow { max: 3 }))
        .await;
    assert_eq!(fetched.exchanges.len(), 2);
    assert_eq!(fetched.exchanges[0].status(), Some(302));
    assert_eq!(error_kind(fetched.last()), Some(ErrorKind::Blocked));
    assert_eq!(server.connection_count(), 1);
}
