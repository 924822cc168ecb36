//! Where the authorization server lives (path issuer, its own port), Client ID
//! Metadata Documents, and what the stage 4–6 defects change on the wire.

use std::net::SocketAddr;

use authprobe_lab::{start, Defect, LabConfig, RunningLab};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::flow::{challenge, enc, form, param, query_of, REDIRECT, VERIFIER};
use crate::http::{self, Resp};
use crate::{lab, PRM_SUFFIX};

async fn lab_with(config: LabConfig) -> RunningLab {
    start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("start lab")
}

/// The authorization server's address and the path of its issuer.
fn auth_server(lab: &RunningLab) -> (SocketAddr, String) {
    let addr = lab.auth_addr().unwrap_or(lab.addr());
    let issuer = lab.issuer();
    let path = issuer
        .strip_prefix(&lab.auth_base_url())
        .unwrap_or("")
        .to_owned();
    (addr, path)
}

async fn register(lab: &RunningLab, metadata: &Value) -> Resp {
    let (addr, path) = auth_server(lab);
    http::post_json(addr, &format!("{path}/register"), &[], metadata).await
}

fn loopback_client() -> Value {
    json!({
        "client_name": "t",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code"],
    })
}

async fn authorize(lab: &RunningLab, query: &[(&str, &str)]) -> Resp {
    let (addr, path) = auth_server(lab);
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    http::get(addr, &format!("{path}/authorize?{}", q.join("&")), &[]).await
}

async fn token(lab: &RunningLab, pairs: &[(&str, &str)]) -> Resp {
    let (addr, path) = auth_server(lab);
    http::send(
        addr,
        "POST",
        &format!("{path}/token"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form(pairs),
    )
    .await
}

#[tokio::test]
async fn separate_port_and_path_issuer() {
    let lab = lab_with(
        LabConfig::default()
            .with_issuer_path("/tenant1")
            .with_separate_auth_server(),
    )
    .await;
    let auth = lab.auth_addr().expect("a port of its own");
    assert_ne!(auth, lab.addr());
    let issuer = lab.issuer();
    assert_eq!(issuer, format!("http://{auth}/tenant1"));
    // The protected resource names it.
    let prm = http::get(lab.addr(), PRM_SUFFIX, &[]).await.json();
    assert_eq!(prm["authorization_servers"], json!([issuer]));
    // RFC 8414 path insertion, and the host root for 2025-03-26 clients.
    for path in [
        "/.well-known/oauth-authorization-server/tenant1",
        "/.well-known/oauth-authorization-server",
    ] {
        let doc = http::get(auth, path, &[]).await;
        assert_eq!(doc.status, 200, "{path}");
        let doc = doc.json();
        assert_eq!(doc["issuer"], json!(issuer));
        assert_eq!(doc["token_endpoint"], json!(format!("{issuer}/token")));
    }
    for path in [
        "/.well-known/openid-configuration/tenant1",
        "/tenant1/.well-known/openid-configuration",
        "/token",
    ] {
        assert_eq!(http::get(auth, path, &[]).await.status, 404, "{path}");
    }
    // The MCP server's port serves no authorization server.
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server/tenant1",
        "/tenant1/register",
    ] {
        assert_eq!(http::get(lab.addr(), path, &[]).await.status, 404, "{path}");
    }
    // Registration and deletion under the issuer's path, counted by the lab.
    assert_eq!(lab.client_count(), 0);
    let created = register(&lab, &loopback_client()).await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(lab.client_count(), 1);
    let doc = created.json();
    let uri = doc["registration_client_uri"].as_str().unwrap();
    assert!(uri.starts_with(&format!("{issuer}/register/")), "{uri}");
    let target = uri.strip_prefix(&lab.auth_base_url()).unwrap();
    let token = format!(
        "Bearer {}",
        doc["registration_access_token"].as_str().unwrap()
    );
    let deleted = http::send(auth, "DELETE", target, &[("Authorization", &token)], b"").await;
    assert_eq!(deleted.status, 204);
    assert_eq!(lab.client_count(), 0);
    lab.shutdown().await;
}

/// Serves one client metadata document on a loopback port, for as many requests as come.
async fn serve_document(body: impl Fn(&str) -> String + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/client.json", listener.local_addr().unwrap());
    let doc = body(&url);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let doc = doc.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{doc}",
                    doc.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test]
async fn client_id_metadata_documents() {
    let lab = lab(&[]).await;
    let client_id = serve_document(|url| {
        json!({"client_id": url, "client_name": "doc client", "redirect_uris": [REDIRECT]})
            .to_string()
    })
    .await;
    let resp = authorize(
        &lab,
        &[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", REDIRECT),
            ("code_challenge", &challenge(VERIFIER)),
            ("code_challenge_method", "S256"),
            ("state", "s1"),
        ],
    )
    .await;
    assert_eq!(resp.status, 302, "{}", resp.text());
    let location = resp.header("location").unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let pairs = query_of(location);
    let code = param(&pairs, "code").expect("a code").to_owned();
    let issued = token(
        &lab,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(issued.status, 200, "{}", issued.text());
    assert!(issued.json()["access_token"].is_string());
    // Nothing was registered: the document is the registration.
    assert_eq!(lab.client_count(), 0);

    // A redirect URI the document does not list is refused without a redirect.
    let resp = authorize(
        &lab,
        &[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", "http://127.0.0.1:1/elsewhere"),
            ("code_challenge", &challenge(VERIFIER)),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(resp.status, 400);
    assert!(resp.header("location").is_none());

    // A document whose client_id is not its own URL is refused.
    let impostor = serve_document(|_| {
        json!({"client_id": "http://127.0.0.1:1/other.json", "client_name": "x", "redirect_uris": [REDIRECT]})
            .to_string()
    })
    .await;
    let resp = authorize(
        &lab,
        &[
            ("response_type", "code"),
            ("client_id", &impostor),
            ("redirect_uri", REDIRECT),
            ("code_challenge", &challenge(VERIFIER)),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(resp.status, 400);
    assert!(resp.text().contains("client_id"), "{}", resp.text());
    lab.shutdown().await;
}

#[tokio::test]
async fn metadata_defects_move_or_change_the_document() {
    let meta = |lab: &RunningLab, path: &'static str| {
        let addr = lab.addr();
        async move { http::get(addr, path, &[]).await }
    };
    let l = lab(&[Defect::AsCandidate5xx]).await;
    assert_eq!(
        meta(&l, "/.well-known/oauth-authorization-server")
            .await
            .status,
        500
    );
    assert_eq!(
        meta(&l, "/.well-known/openid-configuration").await.status,
        200
    );
    l.shutdown().await;

    let l = lab(&[Defect::AsOidcOnly]).await;
    assert!(l.issuer().ends_with("/tenant1"));
    assert_eq!(
        meta(&l, "/.well-known/oauth-authorization-server")
            .await
            .status,
        404
    );
    assert_eq!(
        meta(&l, "/.well-known/oauth-authorization-server/tenant1")
            .await
            .status,
        404
    );
    let doc = meta(&l, "/tenant1/.well-known/openid-configuration").await;
    assert_eq!(doc.status, 200);
    assert_eq!(
        doc.json()["code_challenge_methods_supported"],
        json!(["S256"])
    );
    l.shutdown().await;

    let l = lab(&[Defect::AsMetadataHtml]).await;
    let page = meta(&l, "/.well-known/oauth-authorization-server").await;
    assert_eq!(
        (page.status, page.header("content-type")),
        (200, Some("text/html; charset=utf-8"))
    );
    l.shutdown().await;

    for (defect, member, expected) in [
        (
            Defect::AsNoPkce,
            "code_challenge_methods_supported",
            Value::Null,
        ),
        (
            Defect::AsPkcePlainOnly,
            "code_challenge_methods_supported",
            json!(["plain"]),
        ),
        (
            Defect::AsNoCimd,
            "client_id_metadata_document_supported",
            Value::Null,
        ),
        (
            Defect::AsNoIssParameter,
            "authorization_response_iss_parameter_supported",
            Value::Null,
        ),
        (
            Defect::AsMetadataNoTokenEndpoint,
            "token_endpoint",
            Value::Null,
        ),
    ] {
        let l = lab(&[defect]).await;
        let doc = meta(&l, "/.well-known/oauth-authorization-server")
            .await
            .json();
        assert_eq!(
            doc.get(member).cloned().unwrap_or(Value::Null),
            expected,
            "{defect}"
        );
        l.shutdown().await;
    }

    let l = lab(&[Defect::JwksPrivateKey]).await;
    let doc = meta(&l, "/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(doc["jwks_uri"], json!(format!("{}/jwks", l.base_url())));
    let jwks = meta(&l, "/jwks").await.json();
    assert!(jwks["keys"][0]["d"].is_string());
    l.shutdown().await;
    let clean = lab(&[]).await;
    assert_eq!(meta(&clean, "/jwks").await.status, 404);
    clean.shutdown().await;
}

#[tokio::test]
async fn token_error_defects() {
    let bad_code = [
        ("grant_type", "authorization_code"),
        ("code", "made-up"),
        ("client_id", "nobody"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let clean = lab(&[]).await;
    let resp = token(&clean, &bad_code).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["error"], "invalid_grant");
    clean.shutdown().await;
    for (defect, status, kind) in [
        (Defect::TokenErrorHtml, 400, "text/html; charset=utf-8"),
        (Defect::TokenError200, 200, "application/json"),
        (Defect::TokenErrorStatus, 403, "application/json"),
        (Defect::TokenErrorCode, 400, "application/json"),
    ] {
        let l = lab(&[defect]).await;
        let resp = token(&l, &bad_code).await;
        assert_eq!(
            (resp.status, resp.header("content-type")),
            (status, Some(kind)),
            "{defect}"
        );
        if defect == Defect::TokenErrorCode {
            assert_eq!(resp.json()["error"], "bad_code");
        }
        l.shutdown().await;
    }
}

#[tokio::test]
async fn registration_defects() {
    let with = |uris: Value| {
        let mut m = loopback_client();
        m["redirect_uris"] = uris;
        m
    };
    let clean = lab(&[]).await;
    for uris in [
        json!(["javascript:alert(1)//"]),
        json!(["http://evil.example/cb"]),
        json!([]),
    ] {
        let resp = register(&clean, &with(uris.clone())).await;
        assert_eq!(resp.status, 400, "{uris}");
        assert_eq!(resp.json()["error"], "invalid_redirect_uri");
    }
    assert_eq!(clean.client_count(), 0);
    clean.shutdown().await;

    for (defect, uris) in [
        (Defect::DcrDangerousUri, json!(["data:text/html,x"])),
        (Defect::DcrFileRedirect, json!(["file:///tmp/cb"])),
        (Defect::DcrHttpRedirect, json!(["http://evil.example/cb"])),
        (Defect::DcrEmptyRedirectUris, json!([])),
    ] {
        let l = lab(&[defect]).await;
        assert_eq!(register(&l, &with(uris)).await.status, 201, "{defect}");
        l.shutdown().await;
    }

    let l = lab(&[Defect::DcrRejectsLoopback]).await;
    assert_eq!(register(&l, &loopback_client()).await.status, 400);
    assert_eq!(
        register(&l, &with(json!(["https://app.example/cb"])))
            .await
            .status,
        201
    );
    l.shutdown().await;

    let l = lab(&[Defect::DcrReusesClientId]).await;
    let first = register(&l, &loopback_client()).await.json();
    let second = register(&l, &with(json!(["http://127.0.0.1:9/other"])))
        .await
        .json();
    assert_eq!(first["client_id"], second["client_id"]);
    assert_eq!(l.client_count(), 1);
    l.shutdown().await;

    let l = lab(&[Defect::DcrBadErrorResponse]).await;
    let refused = register(&l, &with(json!(["file:///x"]))).await;
    assert_eq!(
        (refused.status, refused.header("content-type")),
        (400, Some("text/plain; charset=utf-8"))
    );
    l.shutdown().await;

    let l = lab(&[Defect::DcrNoDelete]).await;
    let doc = register(&l, &loopback_client()).await.json();
    assert!(doc.get("registration_client_uri").is_none());
    assert!(doc.get("registration_access_token").is_none());
    l.shutdown().await;
}

#[tokio::test]
async fn authorization_defects() {
    for (defect, query_extra, redirect) in [
        (Defect::PkceNotEnforced, false, REDIRECT.to_owned()),
        (
            Defect::RedirectUriNotExact,
            true,
            format!("{REDIRECT}/extra"),
        ),
    ] {
        for broken in [false, true] {
            let l = if broken {
                lab(&[defect]).await
            } else {
                lab(&[]).await
            };
            let client = register(&l, &loopback_client()).await.json();
            let id = client["client_id"].as_str().unwrap().to_owned();
            let pkce = challenge(VERIFIER);
            let mut query = vec![
                ("response_type", "code"),
                ("client_id", id.as_str()),
                ("redirect_uri", redirect.as_str()),
            ];
            if query_extra {
                query.push(("code_challenge", &pkce));
                query.push(("code_challenge_method", "S256"));
            }
            let resp = authorize(&l, &query).await;
            let location = resp.header("location").unwrap_or("").to_owned();
            let coded =
                location.starts_with(&redirect) && param(&query_of(&location), "code").is_some();
            assert_eq!(
                coded, broken,
                "{defect} broken={broken}: {} {location}",
                resp.status
            );
            l.shutdown().await;
        }
    }
}
