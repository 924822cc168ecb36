//! What each defect changes on the wire.

use authprobe_lab::Defect;
use serde_json::{json, Value};

use crate::http::{self, bearer};
use crate::{initialize_body, lab, PRM_ROOT, PRM_SUFFIX};

/// The challenge on a POST without credentials (`None` when absent).
async fn anonymous_challenge(lab: &authprobe_lab::RunningLab) -> Option<String> {
    let resp = http::post_json(lab.addr(), "/mcp", &[], &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 401);
    resp.header("www-authenticate").map(str::to_owned)
}

async fn prm_statuses(lab: &authprobe_lab::RunningLab) -> (u16, u16) {
    let suffix = http::get(lab.addr(), PRM_SUFFIX, &[]).await.status;
    let root = http::get(lab.addr(), PRM_ROOT, &[]).await.status;
    (suffix, root)
}

#[tokio::test]
async fn auth_not_advertised_is_the_original_bug() {
    let lab = lab(&[Defect::AuthNotAdvertised]).await;
    assert_eq!(anonymous_challenge(&lab).await, None);
    let bogus = http::post_json(
        lab.addr(),
        "/mcp",
        &[("Authorization", "Bearer bogus")],
        &initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(bogus.status, 401);
    assert!(bogus.header("www-authenticate").is_none());
    assert_eq!(prm_statuses(&lab).await, (404, 404));
}

#[tokio::test]
async fn no_www_authenticate_keeps_the_metadata() {
    let lab = lab(&[Defect::NoWwwAuthenticate]).await;
    assert_eq!(anonymous_challenge(&lab).await, None);
    let get = http::get(lab.addr(), "/mcp", &[("Accept", "text/event-stream")]).await;
    assert_eq!((get.status, get.header("www-authenticate")), (401, None));
    let bogus = http::post_json(
        lab.addr(),
        "/mcp",
        &[("Authorization", "Bearer bogus")],
        &initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(
        (bogus.status, bogus.header("www-authenticate")),
        (401, None)
    );
    assert_eq!(prm_statuses(&lab).await, (200, 200));
}

#[tokio::test]
async fn challenge_defects_change_only_the_header() {
    for (defect, expected, prm) in [
        (Defect::NoPrm, "Bearer scope=\"mcp:tools\"".to_owned(), (404, 404)),
        (Defect::ChallengeBasic, "Basic realm=\"lab\"".to_owned(), (404, 404)),
        (Defect::ChallengeNoScope, "Bearer resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp\"".to_owned(), (200, 200)),
        (Defect::ChallengeNoResourceMetadata, "Bearer scope=\"mcp:tools\"".to_owned(), (200, 200)),
        (Defect::ChallengeRelativeMetadata, "Bearer resource_metadata=\"/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:tools\"".to_owned(), (200, 200)),
        (Defect::ChallengeMalformed, "Bearer resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp, scope=mcp:tools".to_owned(), (200, 200)),
        (Defect::ChallengeErrorWithoutCredentials, "Bearer error=\"invalid_token\", error_description=\"No access token was provided\", resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:tools\"".to_owned(), (200, 200)),
        (Defect::ChallengeOfflineAccess, "Bearer resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:tools offline_access\"".to_owned(), (200, 200)),
        (Defect::PrmRootOnly, "Bearer scope=\"mcp:tools\"".to_owned(), (404, 200)),
        (Defect::PrmPathSuffixOnly, "Bearer scope=\"mcp:tools\"".to_owned(), (200, 404)),
    ] {
        let lab = lab(&[defect]).await;
        let expected = expected.replace("{base}", &lab.base_url());
        assert_eq!(anonymous_challenge(&lab).await.as_deref(), Some(expected.as_str()), "{defect}");
        assert_eq!(prm_statuses(&lab).await, prm, "{defect}");
        lab.shutdown().await;
    }
    let basic = lab(&[Defect::ChallengeBasic]).await;
    let as_meta = http::get(basic.addr(), "/.well-known/oauth-authorization-server", &[]).await;
    assert_eq!(
        as_meta.status, 404,
        "an API-key server has no OAuth metadata"
    );
    // Defects combine: no metadata and no scope leaves a bare scheme.
    let both = lab(&[Defect::NoPrm, Defect::ChallengeNoScope]).await;
    assert_eq!(anonymous_challenge(&both).await.as_deref(), Some("Bearer"));
}

#[tokio::test]
async fn prm_document_defects() {
    type Check = fn(&Value, &str) -> bool;
    let cases: [(Defect, Check); 15] = [
        (Defect::PrmResourceTrailingSlash, |d, b| {
            d["resource"] == format!("{b}/mcp/")
        }),
        (Defect::PrmResourceParent, |d, b| {
            d["resource"] == format!("{b}/")
        }),
        (Defect::PrmResourceOther, |d, _| {
            d["resource"] == "https://other.example/mcp"
        }),
        (Defect::PrmResourceMissing, |d, _| {
            d.get("resource").is_none()
        }),
        (Defect::PrmResourceFragment, |d, b| {
            d["resource"] == format!("{b}/mcp#main")
        }),
        (Defect::PrmResourceNotCanonical, |d, b| {
            d["resource"] == format!("HTTP://{}/mcp", &b["http://".len()..])
        }),
        (Defect::PrmNoAuthorizationServers, |d, _| {
            d.get("authorization_servers").is_none()
        }),
        (Defect::PrmAuthorizationServersRelative, |d, _| {
            d["authorization_servers"] == json!(["/"])
        }),
        (Defect::PrmAuthorizationServerHttp, |d, _| {
            d["authorization_servers"] == json!(["http://auth.example"])
        }),
        (Defect::PrmBearerMethodsInvalid, |d, _| {
            d["bearer_methods_supported"] == json!(["header", "cookie"])
        }),
        (Defect::PrmFieldType, |d, _| {
            d["scopes_supported"] == "mcp:tools"
        }),
        (Defect::PrmJwksUriHttp, |d, _| {
            d["jwks_uri"] == "http://keys.example/jwks.json"
        }),
        (Defect::PrmSigningAlgNone, |d, _| {
            d["resource_signing_alg_values_supported"] == json!(["RS256", "none"])
        }),
        (Defect::PrmOfflineAccess, |d, _| {
            d["scopes_supported"] == json!(["mcp:tools", "offline_access"])
        }),
        (Defect::PrmNoCacheControl, |d, b| {
            d["resource"] == format!("{b}/mcp")
        }),
    ];
    for (defect, check) in cases {
        let lab = lab(&[defect]).await;
        for path in [PRM_SUFFIX, PRM_ROOT] {
            let resp = http::get(lab.addr(), path, &[]).await;
            assert_eq!(resp.status, 200, "{defect} {path}");
            assert_eq!(resp.header("content-type"), Some("application/json"));
            assert!(
                check(&resp.json(), &lab.base_url()),
                "{defect} {path}: {}",
                resp.text()
            );
            assert_eq!(
                resp.header("cache-control").is_some(),
                defect != Defect::PrmNoCacheControl,
                "{defect}"
            );
        }
        lab.shutdown().await;
    }
}

#[tokio::test]
async fn prm_response_defects() {
    let html = lab(&[Defect::PrmHtmlCatchAll]).await;
    let resp = http::get(html.addr(), PRM_SUFFIX, &[]).await;
    assert_eq!(resp.status, 200);
    assert!(resp
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(resp.text().starts_with("<!doctype html>"));

    let array = lab(&[Defect::PrmNotObject]).await;
    let resp = http::get(array.addr(), PRM_ROOT, &[]).await;
    assert_eq!(
        (resp.status, resp.header("content-type")),
        (200, Some("application/json"))
    );
    assert_eq!(resp.json(), json!(["not", "an", "object"]));

    let locked = lab(&[Defect::PrmRequiresAuth]).await;
    for path in [PRM_SUFFIX, PRM_ROOT] {
        let resp = http::get(locked.addr(), path, &[]).await;
        assert_eq!(resp.status, 401);
        assert!(resp
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer "));
    }
    let token = bearer(&locked.issue_token());
    assert_eq!(
        http::get(locked.addr(), PRM_SUFFIX, &[("Authorization", &token)])
            .await
            .status,
        200
    );

    let closed = lab(&[Defect::PrmNoCors]).await;
    let resp = http::get(
        closed.addr(),
        PRM_SUFFIX,
        &[("Origin", "https://inspector.example")],
    )
    .await;
    assert_eq!(resp.status, 200);
    assert!(resp
        .headers
        .iter()
        .all(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-")));
    let pre = http::send(
        closed.addr(),
        "OPTIONS",
        PRM_SUFFIX,
        &[("Origin", "https://inspector.example")],
        b"",
    )
    .await;
    assert_eq!(pre.status, 405);
    assert!(pre
        .headers
        .iter()
        .all(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-")));
}

#[tokio::test]
async fn invalid_token_defects() {
    let bogus = [("Authorization", "Bearer bogus-token")];
    let accepted = lab(&[Defect::InvalidTokenAccepted]).await;
    let resp = http::post_json(
        accepted.addr(),
        "/mcp",
        &bogus,
        &initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(resp.status, 200);
    assert!(resp.json()["result"]["protocolVersion"].is_string());
    assert_eq!(
        http::post_json(accepted.addr(), "/mcp", &[], &initialize_body("2025-11-25"))
            .await
            .status,
        401
    );

    let crashed = lab(&[Defect::InvalidToken500]).await;
    assert_eq!(
        http::post_json(
            crashed.addr(),
            "/mcp",
            &bogus,
            &initialize_body("2025-11-25")
        )
        .await
        .status,
        500
    );

    let terse = lab(&[Defect::InvalidTokenNoError]).await;
    let resp = http::post_json(terse.addr(), "/mcp", &bogus, &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 401);
    let challenge = resp.header("www-authenticate").unwrap();
    assert!(challenge.starts_with("Bearer ") && !challenge.contains("error="));
}

#[tokio::test]
async fn get_defects() {
    let json_get = lab(&[Defect::GetNotSse]).await;
    let resp = http::get(json_get.addr(), "/mcp", &[("Accept", "text/event-stream")]).await;
    assert_eq!(
        (resp.status, resp.header("content-type")),
        (200, Some("application/json"))
    );
    assert_eq!(resp.json(), json!({}));

    let sse = lab(&[Defect::GetSseWithoutAuth]).await;
    assert_eq!(
        http::post_json(sse.addr(), "/mcp", &[], &initialize_body("2025-11-25"))
            .await
            .status,
        401
    );
    let mut stream = http::open(
        sse.addr(),
        "GET",
        "/mcp",
        &[("Accept", "text/event-stream")],
        b"",
    )
    .await;
    assert_eq!(stream.status, 200);
    assert_eq!(stream.header("content-type"), Some("text/event-stream"));
    let first = stream.read_at_least(12).await;
    assert!(String::from_utf8_lossy(&first).contains(": keepalive"));
    // Shutdown must end the endless stream, or this read never returns.
    sse.shutdown().await;
    // A deadlock guard, not a timing assertion: without it a regression
    // would hang the test run instead of failing it.
    let (_, tail) = tokio::time::timeout(std::time::Duration::from_secs(60), stream.count_to_end())
        .await
        .expect("the stream did not end at shutdown");
    assert!(
        tail.ends_with(b"0\r\n\r\n"),
        "stream ended cleanly: {:?}",
        String::from_utf8_lossy(&tail)
    );
}

#[tokio::test]
async fn redirect_moves_the_server_and_its_metadata() {
    let lab = lab(&[Defect::Redirect]).await;
    let base = lab.base_url();
    assert_eq!(lab.mcp_url(), format!("{base}/mcp"));
    for method in ["POST", "GET"] {
        let resp = http::send(lab.addr(), method, "/mcp", &[], b"").await;
        assert_eq!(resp.status, 308, "{method}");
        assert_eq!(
            resp.header("location"),
            Some(format!("{base}/v2/mcp").as_str())
        );
    }
    let resp = http::post_json(lab.addr(), "/v2/mcp", &[], &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 401);
    let metadata = format!("{base}/.well-known/oauth-protected-resource/v2/mcp");
    assert!(resp
        .header("www-authenticate")
        .unwrap()
        .contains(&format!("resource_metadata=\"{metadata}\"")));
    let prm = http::get(
        lab.addr(),
        "/.well-known/oauth-protected-resource/v2/mcp",
        &[],
    )
    .await;
    assert_eq!(prm.json()["resource"], json!(format!("{base}/v2/mcp")));
    assert_eq!(http::get(lab.addr(), PRM_SUFFIX, &[]).await.status, 404);
    let token = bearer(&lab.issue_token());
    let resp = http::post_json(
        lab.addr(),
        "/v2/mcp",
        &[("Authorization", &token)],
        &initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(resp.status, 200);
}

#[tokio::test]
async fn html_page_and_no_auth() {
    let page = lab(&[Defect::HtmlPage]).await;
    for method in ["GET", "POST", "DELETE"] {
        let resp = http::send(page.addr(), method, "/mcp", &[], b"").await;
        assert_eq!(resp.status, 200, "{method}");
        assert!(resp
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
    }
    assert_eq!(prm_statuses(&page).await, (404, 404));

    let open = lab(&[Defect::NoAuth]).await;
    let resp = http::post_json(open.addr(), "/mcp", &[], &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(prm_statuses(&open).await, (404, 404));
    assert_eq!(
        http::get(open.addr(), "/.well-known/oauth-authorization-server", &[])
            .await
            .status,
        404
    );
    let session = crate::initialize(&open, None).await;
    let list = http::post_json(
        open.addr(),
        "/mcp",
        &[("Mcp-Session-Id", &session)],
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" }),
    )
    .await;
    assert_eq!(list.status, 200);
}

#[tokio::test]
async fn huge_body_is_fifty_mebibytes() {
    let lab = lab(&[Defect::HugeBody]).await;
    let mut resp = http::open(
        lab.addr(),
        "POST",
        "/mcp",
        &[("Content-Type", "application/json")],
        &initialize_body("2025-11-25").to_string().into_bytes(),
    )
    .await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.header("content-length"), Some("52428800"));
    let head = resp.read_at_least(16).await;
    assert!(head.starts_with(br#"{"padding":"xxx"#));
    let (total, tail) = resp.count_to_end().await;
    assert_eq!(total, 50 * 1024 * 1024);
    assert!(tail.ends_with(br#"xx"}"#));
}

#[tokio::test]
async fn endless_body_never_answers_json_rpc() {
    let lab = lab(&[Defect::EndlessBody]).await;
    let mut resp = http::open(
        lab.addr(),
        "POST",
        "/mcp",
        &[("Content-Type", "application/json")],
        &initialize_body("2025-11-25").to_string().into_bytes(),
    )
    .await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    let seen = resp.read_at_least(256 * 1024).await;
    assert!(seen.len() >= 256 * 1024, "the stream keeps going");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains(": keepalive") && !text.contains("jsonrpc"));
    lab.shutdown().await;
    resp.count_to_end().await;
}

#[tokio::test]
async fn hanging_requests_end_at_shutdown() {
    let lab = lab(&[Defect::HangHeaders]).await;
    let addr = lab.addr();
    // The PRM still answers: the lab is up and only /mcp hangs.
    assert_eq!(http::get(addr, PRM_SUFFIX, &[]).await.status, 200);
    let pending = tokio::spawn(http::send_raw(addr, "POST", "/mcp"));
    tokio::task::yield_now().await;
    lab.shutdown().await;
    let raw = pending.await.unwrap();
    // Either the request reached its handler (503 on shutdown) or the
    // connection was closed before it was read; never any other answer.
    let text = String::from_utf8_lossy(&raw);
    assert!(raw.is_empty() || text.starts_with("HTTP/1.1 503"), "{text}");
}
