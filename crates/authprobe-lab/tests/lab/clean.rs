//! The compliant lab: challenges, metadata and the MCP transport rules.

use serde_json::json;

use crate::http::{self, bearer};
use crate::{initialize, initialize_body, lab, PRM_ROOT, PRM_SUFFIX};

#[tokio::test]
async fn post_without_credentials_gets_exactly_one_bearer_challenge() {
    let lab = lab(&[]).await;
    let resp = http::post_json(lab.addr(), "/mcp", &[], &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 401);
    let challenges = resp.all("www-authenticate");
    assert_eq!(
        challenges,
        [format!(
            "Bearer resource_metadata=\"{}{PRM_SUFFIX}\", scope=\"mcp:tools\"",
            lab.base_url()
        )]
    );
    assert!(
        !challenges[0].contains("error="),
        "no error code without credentials"
    );
    assert!(resp
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(resp.json().is_object());
    lab.shutdown().await;
}

#[tokio::test]
async fn bogus_token_gets_invalid_token_challenge() {
    let lab = lab(&[]).await;
    let resp = http::post_json(
        lab.addr(),
        "/mcp",
        &[("Authorization", "Bearer not-a-lab-token")],
        &initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.header("www-authenticate").unwrap(),
        format!(
            "Bearer error=\"invalid_token\", error_description=\"The access token is invalid or expired\", \
             resource_metadata=\"{}{PRM_SUFFIX}\", scope=\"mcp:tools\"",
            lab.base_url()
        )
    );
    // Another scheme is not a bearer token: challenged as "no credentials".
    let resp = http::post_json(
        lab.addr(),
        "/mcp",
        &[("Authorization", "Basic dXNlcjpwYXNz")],
        &initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(resp.status, 401);
    assert!(!resp.header("www-authenticate").unwrap().contains("error="));
    // A token in the query string is not accepted either.
    let token = lab.issue_token();
    let resp = http::post_json(
        lab.addr(),
        &format!("/mcp?access_token={token}"),
        &[],
        &initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(resp.status, 401);
}

#[tokio::test]
async fn get_and_delete_are_protected_like_post() {
    let lab = lab(&[]).await;
    let post = http::post_json(lab.addr(), "/mcp", &[], &initialize_body("2025-11-25")).await;
    let challenge = post.header("www-authenticate").unwrap().to_owned();
    let get = http::get(lab.addr(), "/mcp", &[("Accept", "text/event-stream")]).await;
    assert_eq!(get.status, 401);
    assert_eq!(get.header("www-authenticate"), Some(challenge.as_str()));
    let delete = http::send(
        lab.addr(),
        "DELETE",
        "/mcp",
        &[("Mcp-Session-Id", "x")],
        b"",
    )
    .await;
    assert_eq!(delete.status, 401);
    assert_eq!(delete.header("www-authenticate"), Some(challenge.as_str()));

    let auth = bearer(&lab.issue_token());
    let get = http::get(
        lab.addr(),
        "/mcp",
        &[("Accept", "text/event-stream"), ("Authorization", &auth)],
    )
    .await;
    assert_eq!(get.status, 405);
    assert_eq!(get.header("allow"), Some("POST, DELETE"));
    let delete = http::send(
        lab.addr(),
        "DELETE",
        "/mcp",
        &[("Mcp-Session-Id", "unknown"), ("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(delete.status, 404);
}

#[tokio::test]
async fn prm_is_served_at_both_well_known_urls() {
    let lab = lab(&[]).await;
    let base = lab.base_url();
    for path in [PRM_SUFFIX, PRM_ROOT] {
        let resp = http::get(lab.addr(), path, &[]).await;
        assert_eq!(resp.status, 200, "{path}");
        assert_eq!(resp.header("content-type"), Some("application/json"));
        assert_eq!(resp.header("cache-control"), Some("public, max-age=3600"));
        assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            resp.json(),
            json!({
                "resource": format!("{base}/mcp"),
                "authorization_servers": [base],
                "scopes_supported": ["mcp:tools"],
                "bearer_methods_supported": ["header"],
                "resource_name": "authprobe lab"
            })
        );
        let pre = http::send(
            lab.addr(),
            "OPTIONS",
            path,
            &[
                ("Origin", "https://inspector.example"),
                ("Access-Control-Request-Method", "GET"),
            ],
            b"",
        )
        .await;
        assert_eq!(pre.status, 204);
        assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            pre.header("access-control-allow-methods"),
            Some("GET, OPTIONS")
        );
        let allowed = pre.header("access-control-allow-headers").unwrap();
        assert!(allowed.contains('*') && allowed.contains("mcp-protocol-version"));
        assert!(pre.header("access-control-max-age").is_some());
    }
}

#[tokio::test]
async fn authorization_server_metadata_and_unknown_paths() {
    let lab = lab(&[]).await;
    let base = lab.base_url();
    let resp = http::get(lab.addr(), "/.well-known/oauth-authorization-server", &[]).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert!(resp.header("cache-control").is_some());
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    let doc = resp.json();
    assert_eq!(doc["issuer"], json!(base));
    assert!(!base.ends_with('/'));
    assert_eq!(
        doc["authorization_endpoint"],
        json!(format!("{base}/authorize"))
    );
    assert_eq!(doc["token_endpoint"], json!(format!("{base}/token")));
    assert_eq!(
        doc["registration_endpoint"],
        json!(format!("{base}/register"))
    );
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(
        doc["grant_types_supported"],
        json!([
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code"
        ])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["none", "client_secret_basic", "client_secret_post"])
    );
    assert_eq!(
        doc["device_authorization_endpoint"],
        json!(format!("{base}/device_authorization"))
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        doc["authorization_response_iss_parameter_supported"],
        json!(true)
    );
    assert!(doc.get("jwks_uri").is_none());
    // Client ID Metadata Documents are accepted (fetched from loopback http URLs).
    assert_eq!(doc["client_id_metadata_document_supported"], json!(true));
    assert_eq!(doc["protected_resources"], json!([format!("{base}/mcp")]));

    for path in [
        "/.well-known/openid-configuration",
        "/nothing-here",
        "/.well-known/oauth-protected-resource/other",
    ] {
        let resp = http::get(lab.addr(), path, &[]).await;
        assert_eq!(resp.status, 404, "{path}");
        assert!(resp
            .header("content-type")
            .unwrap()
            .starts_with("text/plain"));
    }
}

#[tokio::test]
async fn transport_rules_inside_and_outside_a_session() {
    let lab = lab(&[]).await;
    let addr = lab.addr();
    let auth = bearer(&lab.issue_token());
    let a: (&str, &str) = ("Authorization", &auth);

    // Version negotiation and the session id's alphabet.
    let resp = http::post_json(addr, "/mcp", &[a], &initialize_body("2025-06-18")).await;
    assert_eq!(resp.json()["result"]["protocolVersion"], "2025-06-18");
    let resp = http::post_json(addr, "/mcp", &[a], &initialize_body("1999-01-01")).await;
    let result = &resp.json()["result"];
    assert_eq!(result["protocolVersion"], "2025-11-25");
    assert_eq!(
        result["capabilities"],
        json!({ "tools": { "listChanged": false } })
    );
    assert!(
        result["serverInfo"]["name"].is_string() && result["serverInfo"]["version"].is_string()
    );
    let sid = resp.header("mcp-session-id").unwrap();
    assert!(!sid.is_empty() && sid.bytes().all(|b| (0x21..=0x7e).contains(&b)));

    let list = json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" });
    let no_session = http::post_json(addr, "/mcp", &[a], &list).await;
    assert_eq!(no_session.status, 400);
    let unknown = http::post_json(
        addr,
        "/mcp",
        &[a, ("Mcp-Session-Id", "no-such-session")],
        &list,
    )
    .await;
    assert_eq!(unknown.status, 404);

    let session = initialize(&lab, Some(&auth)).await;
    let s = ("Mcp-Session-Id", session.as_str());
    let v = ("MCP-Protocol-Version", "2025-11-25");
    let bad_version = http::post_json(
        addr,
        "/mcp",
        &[a, s, ("MCP-Protocol-Version", "1999-01-01")],
        &list,
    )
    .await;
    assert_eq!(bad_version.status, 400);
    // Without the header the server assumes 2025-03-26, which it supports.
    assert_eq!(
        http::post_json(addr, "/mcp", &[a, s], &list).await.status,
        200
    );

    let ping = http::post_json(
        addr,
        "/mcp",
        &[a, s, v],
        &json!({ "jsonrpc": "2.0", "id": "p", "method": "ping" }),
    )
    .await;
    assert_eq!(
        ping.json(),
        json!({ "jsonrpc": "2.0", "id": "p", "result": {} })
    );
    let unknown = http::post_json(
        addr,
        "/mcp",
        &[a, s, v],
        &json!({ "jsonrpc": "2.0", "id": 3, "method": "resources/list" }),
    )
    .await;
    assert_eq!(unknown.json()["error"]["code"], -32601);
    assert_eq!(unknown.json()["id"], 3);

    let null_id = http::post_json(
        addr,
        "/mcp",
        &[a, s, v],
        &json!({ "jsonrpc": "2.0", "id": null, "method": "tools/list" }),
    )
    .await;
    assert_eq!(null_id.status, 400);
    assert_eq!(null_id.json()["error"]["code"], -32600);
    let null_init = http::post_json(addr, "/mcp", &[a], &json!({ "jsonrpc": "2.0", "id": null, "method": "initialize", "params": { "protocolVersion": "2025-11-25" } })).await;
    assert_eq!(null_init.status, 400);
    let batch = http::post_json(addr, "/mcp", &[a, s, v], &json!([list, list])).await;
    assert_eq!(batch.status, 400);
    assert!(batch.json()["error"].is_object());
    let noted = http::post_json(
        addr,
        "/mcp",
        &[a, s, v],
        &json!({ "jsonrpc": "2.0", "id": 9, "method": "notifications/initialized" }),
    )
    .await;
    assert_eq!(
        noted.status, 400,
        "a notification with an id is not accepted"
    );
    let parse = http::send(
        addr,
        "POST",
        "/mcp",
        &[a, s, v, ("Content-Type", "application/json")],
        b"{not json",
    )
    .await;
    assert_eq!(parse.status, 400);
    assert_eq!(parse.json()["error"]["code"], -32700);

    let evil = http::post_json(
        addr,
        "/mcp",
        &[a, s, v, ("Origin", "https://evil.example")],
        &list,
    )
    .await;
    assert_eq!(evil.status, 403);
    let local = http::post_json(
        addr,
        "/mcp",
        &[a, s, v, ("Origin", "http://localhost:6274")],
        &list,
    )
    .await;
    assert_eq!(local.status, 200);

    let delete = http::send(addr, "DELETE", "/mcp", &[a, s], b"").await;
    assert_eq!(delete.status, 204);
    assert_eq!(
        http::post_json(addr, "/mcp", &[a, s, v], &list)
            .await
            .status,
        404
    );
    lab.shutdown().await;
}

#[tokio::test]
async fn tools_list_and_call() {
    let lab = lab(&[]).await;
    let addr = lab.addr();
    let auth = bearer(&lab.issue_token());
    let session = initialize(&lab, Some(&auth)).await;
    let h = [
        ("Authorization", auth.as_str()),
        ("Mcp-Session-Id", session.as_str()),
        ("MCP-Protocol-Version", "2025-11-25"),
    ];

    let list = http::post_json(
        addr,
        "/mcp",
        &h,
        &json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" }),
    )
    .await;
    let tools = list.json()["result"]["tools"].as_array().unwrap().clone();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["echo", "add"]);
    for tool in &tools {
        assert_eq!(tool["inputSchema"]["type"], "object");
    }
    assert_eq!(
        tools
            .iter()
            .filter(|t| t.get("outputSchema").is_some())
            .count(),
        1
    );

    let call = |name: &str, arguments: serde_json::Value| json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": { "name": name, "arguments": arguments } });
    let echo = http::post_json(addr, "/mcp", &h, &call("echo", json!({ "text": "hello" }))).await;
    assert_eq!(echo.json()["result"]["content"][0]["text"], "hello");
    let add = http::post_json(addr, "/mcp", &h, &call("add", json!({ "a": 2, "b": 3 }))).await;
    assert_eq!(
        add.json()["result"]["structuredContent"],
        json!({ "sum": 5 })
    );
    assert_eq!(add.json()["result"]["isError"], false);
    let bad = http::post_json(
        addr,
        "/mcp",
        &h,
        &call("add", json!({ "a": "two", "b": 3 })),
    )
    .await;
    assert_eq!(bad.json()["result"]["isError"], true);
    let unknown = http::post_json(addr, "/mcp", &h, &call("nope", json!({}))).await;
    assert_eq!(unknown.json()["error"]["code"], -32602);
}
