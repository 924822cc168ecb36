//! Many virtual endpoints on one port, and injected latency.

use std::time::Duration;

use authprobe_lab::{start, LabConfig, Latency};

use crate::http;
use crate::initialize_body;

#[tokio::test]
async fn each_virtual_endpoint_is_a_lab_of_its_own() {
    let lab = start(
        LabConfig::default().with_endpoints(3),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let base = lab.base_url();
    assert_eq!(lab.endpoint_url(2), Some(format!("{base}/t/2/mcp")));
    assert_eq!(lab.endpoint_url(3), None);

    // Its challenge names its own metadata, which names its own resource and issuer.
    let resp = http::post_json(lab.addr(), "/t/2/mcp", &[], &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 401);
    let prm_path = "/.well-known/oauth-protected-resource/t/2/mcp";
    assert_eq!(
        resp.header("www-authenticate").unwrap(),
        format!("Bearer resource_metadata=\"{base}{prm_path}\", scope=\"mcp:tools\"")
    );
    let prm = http::get(lab.addr(), prm_path, &[]).await.json();
    assert_eq!(prm["resource"], format!("{base}/t/2/mcp"));
    assert_eq!(prm["authorization_servers"][0], format!("{base}/t/2"));
    let metadata = http::get(
        lab.addr(),
        "/.well-known/oauth-authorization-server/t/2",
        &[],
    )
    .await
    .json();
    assert_eq!(metadata["issuer"], format!("{base}/t/2"));
    assert_eq!(metadata["token_endpoint"], format!("{base}/t/2/token"));
    let token = http::send(
        lab.addr(),
        "POST",
        "/t/2/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"grant_type=authorization_code&code=nope&client_id=x&code_verifier=y",
    )
    .await;
    assert_eq!(token.status, 400, "{}", token.text());
    assert_eq!(token.json()["error"], "invalid_grant");

    // A token of the lab itself is not one of endpoint 2: tokens are not shared.
    let own = lab.issue_token();
    let resp = http::post_json(
        lab.addr(),
        "/t/2/mcp",
        &[("Authorization", &http::bearer(&own))],
        &initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(resp.status, 401);

    // The lab itself is unchanged, and endpoints past the last one do not exist.
    let resp = http::post_json(lab.addr(), "/mcp", &[], &initialize_body("2025-11-25")).await;
    assert!(resp.header("www-authenticate").unwrap().contains(&format!(
        "\"{base}/.well-known/oauth-protected-resource/mcp\""
    )));
    for missing in [
        "/t/3/mcp",
        "/t/x/mcp",
        "/t//mcp",
        "/.well-known/oauth-protected-resource/t/9/mcp",
    ] {
        let resp = http::get(lab.addr(), missing, &[]).await;
        assert_eq!(resp.status, 404, "{missing}");
    }
    lab.shutdown().await;
}

#[tokio::test]
async fn without_endpoints_the_prefix_is_just_a_path() {
    let lab = crate::lab(&[]).await;
    assert_eq!(lab.endpoint_url(0), None);
    let resp = http::post_json(lab.addr(), "/t/0/mcp", &[], &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 404);
    lab.shutdown().await;
}

#[tokio::test]
async fn latency_is_configured_and_still_answers() {
    // Only that a delayed lab answers correctly: how long it waits is a benchmark's
    // business, not a test's.
    let latency: Latency = "1ms..3ms".parse().unwrap();
    assert_eq!(latency.max(), Duration::from_millis(3));
    let lab = start(
        LabConfig::default().with_latency(latency).with_endpoints(1),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let resp = http::post_json(lab.addr(), "/t/0/mcp", &[], &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 401);
    lab.shutdown().await;
}
