//! The OAuth flow end to end, and the authorization server's refusals.

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::http::{self, bearer, Resp};
use crate::{initialize, lab};

pub(crate) const REDIRECT: &str = "http://127.0.0.1:43210/callback";
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

pub(crate) fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

async fn register(addr: std::net::SocketAddr, metadata: &Value) -> Resp {
    http::post_json(addr, "/register", &[], metadata).await
}

async fn token(addr: std::net::SocketAddr, pairs: &[(&str, &str)]) -> Resp {
    http::send(
        addr,
        "POST",
        "/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form(pairs),
    )
    .await
}

/// The query parameters of a redirect's Location.
pub(crate) fn query_of(location: &str) -> Vec<(String, String)> {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            let bytes = v.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            (k.to_owned(), String::from_utf8(out).unwrap())
        })
        .collect()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn register_authorize_token_then_mcp() {
    let lab = lab(&[]).await;
    let addr = lab.addr();
    let base = lab.base_url();
    let reg = register(
        addr,
        &json!({
            "client_name": "lab tests",
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "none",
            "application_type": "native"
        }),
    )
    .await;
    assert_eq!(reg.status, 201, "{}", reg.text());
    let client = reg.json();
    let client_id = client["client_id"].as_str().unwrap().to_owned();
    assert_eq!(client["redirect_uris"], json!([REDIRECT]));
    assert_eq!(
        client["registration_client_uri"],
        json!(format!("{base}/register/{client_id}"))
    );
    let reg_token = client["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let resource = format!("{base}/mcp");
    let target = format!(
        "/authorize?response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=S256&state=xyz&scope=mcp%3Atools&resource={}",
        enc(&client_id), enc(REDIRECT), challenge(VERIFIER), enc(&resource)
    );
    let auth = http::get(addr, &target, &[]).await;
    assert_eq!(auth.status, 302, "{}", auth.text());
    let location = auth.header("location").unwrap();
    assert!(location.starts_with(&format!("{REDIRECT}?")));
    let q = query_of(location);
    assert_eq!(param(&q, "state"), Some("xyz"));
    assert_eq!(param(&q, "iss"), Some(base.as_str()));
    let code = param(&q, "code").unwrap().to_owned();

    let wrong = token(
        addr,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", &"x".repeat(43)),
        ],
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.json()["error"], "invalid_grant");

    let granted = token(
        addr,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", VERIFIER),
            ("resource", &resource),
        ],
    )
    .await;
    assert_eq!(granted.status, 200, "{}", granted.text());
    assert_eq!(granted.header("cache-control"), Some("no-store"));
    let t = granted.json();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["scope"], "mcp:tools");
    assert!(t["expires_in"].as_u64().unwrap() > 0);
    let access = t["access_token"].as_str().unwrap().to_owned();

    let session = initialize(&lab, Some(&bearer(&access))).await;
    let list = http::post_json(
        addr,
        "/mcp",
        &[
            ("Authorization", &bearer(&access)),
            ("Mcp-Session-Id", &session),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" }),
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["result"]["tools"].as_array().unwrap().len(), 2);

    let refreshed = token(
        addr,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text());
    let reused = token(
        addr,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(
        reused.json()["error"],
        "invalid_grant",
        "refresh tokens rotate"
    );

    let again = token(
        addr,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(
        again.json()["error"],
        "invalid_grant",
        "a code is single-use"
    );
    // Redeeming it again revokes what it bought (RFC 6749 §4.1.2).
    let revoked = http::post_json(
        addr,
        "/mcp",
        &[("Authorization", &bearer(&access))],
        &crate::initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(revoked.status, 401);

    // RFC 7592 read and delete; deleting the client revokes its tokens.
    let path = format!("/register/{client_id}");
    assert_eq!(
        http::get(addr, &path, &[("Authorization", "Bearer wrong")])
            .await
            .status,
        401
    );
    let read = http::get(addr, &path, &[("Authorization", &bearer(&reg_token))]).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["client_id"], json!(client_id));
    let deleted = http::send(
        addr,
        "DELETE",
        &path,
        &[("Authorization", &bearer(&reg_token))],
        b"",
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        http::get(addr, &path, &[("Authorization", &bearer(&reg_token))])
            .await
            .status,
        401
    );
    let after = http::post_json(
        addr,
        "/mcp",
        &[("Authorization", &bearer(&access))],
        &crate::initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(after.status, 401);
    lab.shutdown().await;
}

#[tokio::test]
async fn authorization_endpoint_refusals() {
    let lab = lab(&[]).await;
    let addr = lab.addr();
    let reg = register(addr, &json!({ "redirect_uris": [REDIRECT] })).await;
    let client_id = reg.json()["client_id"].as_str().unwrap().to_owned();
    let c = challenge(VERIFIER);
    let url = |extra: &str| {
        format!(
            "/authorize?response_type=code&client_id={}&state=s1{extra}",
            enc(&client_id)
        )
    };

    // Unregistered redirect URI: an error page, never a redirect.
    let evil = http::get(
        addr,
        &url(&format!(
            "&redirect_uri={}&code_challenge={c}&code_challenge_method=S256",
            enc("https://evil.example/cb")
        )),
        &[],
    )
    .await;
    assert_eq!(evil.status, 400);
    assert!(evil.header("location").is_none());
    let unknown_client = http::get(
        addr,
        &format!(
            "/authorize?response_type=code&client_id=nobody&redirect_uri={}",
            enc(REDIRECT)
        ),
        &[],
    )
    .await;
    assert_eq!(unknown_client.status, 400);
    assert!(unknown_client.header("location").is_none());

    let plain = format!("&code_challenge={c}&code_challenge_method=plain");
    let no_method = format!("&code_challenge={c}");
    for extra in [
        "",
        "&code_challenge_method=S256",
        plain.as_str(),
        no_method.as_str(),
    ] {
        let resp = http::get(
            addr,
            &url(&format!("&redirect_uri={}{extra}", enc(REDIRECT))),
            &[],
        )
        .await;
        assert_eq!(resp.status, 302, "{extra}");
        let q = query_of(resp.header("location").unwrap());
        assert_eq!(param(&q, "error"), Some("invalid_request"), "{extra}");
        assert_eq!(param(&q, "state"), Some("s1"));
        assert!(param(&q, "code").is_none());
    }
    let other_resource = http::get(
        addr,
        &url(&format!(
            "&redirect_uri={}&code_challenge={c}&code_challenge_method=S256&resource={}",
            enc(REDIRECT),
            enc("https://other.example/mcp")
        )),
        &[],
    )
    .await;
    assert_eq!(
        param(
            &query_of(other_resource.header("location").unwrap()),
            "error"
        ),
        Some("invalid_target")
    );

    // Token endpoint errors are 400 JSON with RFC 6749 codes.
    for (pairs, expected) in [
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", "made-up"),
                ("redirect_uri", REDIRECT),
            ],
            "invalid_grant",
        ),
        (
            vec![("grant_type", "password"), ("username", "u")],
            "unsupported_grant_type",
        ),
        (vec![("code", "made-up")], "invalid_request"),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", "made-up"),
            ],
            "invalid_grant",
        ),
    ] {
        let resp = token(addr, &pairs).await;
        assert_eq!(resp.status, 400);
        assert!(resp
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        assert_eq!(resp.json()["error"], expected, "{pairs:?}");
        assert!(resp.json()["error_description"].is_string());
    }
}

#[tokio::test]
async fn registration_refuses_dangerous_redirect_uris() {
    let lab = lab(&[]).await;
    let addr = lab.addr();
    for uri in [
        "javascript:alert(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
        "http://example.com/cb",
        "https://ok.example/cb#frag",
    ] {
        let resp = register(addr, &json!({ "redirect_uris": [uri] })).await;
        assert_eq!(resp.status, 400, "{uri}");
        assert_eq!(resp.json()["error"], "invalid_redirect_uri", "{uri}");
    }
    let empty = register(addr, &json!({ "redirect_uris": [] })).await;
    assert_eq!(empty.status, 400);
    let not_json = http::send(
        addr,
        "POST",
        "/register",
        &[("Content-Type", "application/json")],
        b"[1,2]",
    )
    .await;
    assert_eq!(not_json.json()["error"], "invalid_client_metadata");

    let mut ids = Vec::new();
    for uri in [
        "http://localhost:1234/cb",
        "http://[::1]:9/cb",
        "https://app.example/callback",
    ] {
        let resp = register(addr, &json!({ "redirect_uris": [uri], "client_name": uri })).await;
        assert_eq!(resp.status, 201, "{uri}: {}", resp.text());
        ids.push(resp.json()["client_id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "every registration gets a new client_id");
}
