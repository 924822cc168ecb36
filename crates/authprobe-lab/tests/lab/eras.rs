//! The lab in each protocol era: what a client of that era sees on the wire.

use authprobe_lab::{start, Defect, Era, LabConfig, RunningLab};
use serde_json::{json, Value};

use crate::http::{self, bearer};

async fn lab_in(era: Era, defects: &[Defect]) -> RunningLab {
    start(
        LabConfig::with_defects(defects.iter().copied()).in_era(era),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("start lab")
}

fn modern(id: Value, method: &str, version: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientCapabilities": {}
    }}})
}

#[tokio::test]
async fn stateless_2026_lab_checks_headers_and_versions() {
    let lab = lab_in(Era::Stateless20260728, &[]).await;
    let auth = bearer(&lab.issue_token());
    let headers = |method: &'static str, version: &'static str| {
        vec![
            ("Authorization", auth.clone()),
            ("MCP-Protocol-Version", version.to_string()),
            ("Mcp-Method", method.to_string()),
        ]
    };
    let call = |h: Vec<(&'static str, String)>, body: Value| {
        let addr = lab.addr();
        async move {
            let h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
            http::post_json(addr, "/mcp", &h, &body).await
        }
    };
    let discover = call(
        headers("server/discover", "2026-07-28"),
        modern(json!(1), "server/discover", "2026-07-28"),
    )
    .await;
    assert_eq!(discover.status, 200, "{}", discover.text());
    let result = &discover.json()["result"];
    assert_eq!(result["supportedVersions"], json!(["2026-07-28"]));
    assert_eq!(result["resultType"], "complete");
    assert!(
        discover.header("mcp-session-id").is_none(),
        "no sessions in 2026-07-28"
    );

    let mismatch = call(
        headers("tools/list", "2026-07-28"),
        modern(json!(2), "server/discover", "2026-07-28"),
    )
    .await;
    assert_eq!(
        (mismatch.status, mismatch.json()["error"]["code"].clone()),
        (400, json!(-32020))
    );
    let unsupported = call(
        headers("server/discover", "1900-01-01"),
        modern(json!(3), "server/discover", "1900-01-01"),
    )
    .await;
    assert_eq!(unsupported.status, 400);
    assert_eq!(unsupported.json()["error"]["code"], -32022);
    assert_eq!(
        unsupported.json()["error"]["data"]["supported"],
        json!(["2026-07-28"])
    );

    let list = call(
        headers("tools/list", "2026-07-28"),
        modern(json!(4), "tools/list", "2026-07-28"),
    )
    .await;
    assert_eq!(list.header("content-type"), Some("text/event-stream"));
    assert!(list.text().contains("\"ttlMs\""), "{}", list.text());

    // GET and DELETE are not part of this revision.
    let get = http::get(
        lab.addr(),
        "/mcp",
        &[("Authorization", &auth), ("Accept", "text/event-stream")],
    )
    .await;
    assert_eq!(get.status, 405);
    // A legacy client's initialize lacks the required headers.
    let init = http::post_json(
        lab.addr(),
        "/mcp",
        &[("Authorization", &auth)],
        &crate::initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(
        (init.status, init.json()["error"]["code"].clone()),
        (400, json!(-32020))
    );
}

#[tokio::test]
async fn legacy_2024_lab_speaks_http_and_sse() {
    let lab = lab_in(Era::Legacy20241105, &[Defect::NoAuth]).await;
    let post = http::post_json(
        lab.addr(),
        "/mcp",
        &[],
        &crate::initialize_body("2024-11-05"),
    )
    .await;
    assert_eq!(post.status, 405);
    let mut stream = http::open(
        lab.addr(),
        "GET",
        "/mcp",
        &[("Accept", "text/event-stream")],
        b"",
    )
    .await;
    assert_eq!(stream.status, 200);
    let first = String::from_utf8_lossy(&stream.read_at_least(40).await).to_string();
    let endpoint = first
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .expect("an endpoint event")
        .to_string();
    assert!(first.contains("event: endpoint"), "{first}");
    let sent = http::post_json(
        lab.addr(),
        &endpoint,
        &[],
        &crate::initialize_body("2024-11-05"),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.text());
    let body = String::from_utf8_lossy(&stream.read_at_least(first.len() + 100).await).to_string();
    assert!(
        body.contains("\"protocolVersion\":\"2024-11-05\""),
        "{body}"
    );
}

#[tokio::test]
async fn stateful_eras_differ_where_their_texts_do() {
    // 2025-03-26 processes batches and knows no version header.
    let lab = lab_in(Era::Stateful20250326, &[Defect::NoAuth]).await;
    let init = http::post_json(
        lab.addr(),
        "/mcp",
        &[],
        &crate::initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(init.json()["result"]["protocolVersion"], "2025-03-26");
    let session = init.header("mcp-session-id").unwrap().to_owned();
    let batch = json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]);
    let resp = http::post_json(
        lab.addr(),
        "/mcp",
        &[
            ("Mcp-Session-Id", &session),
            ("MCP-Protocol-Version", "bogus"),
        ],
        &batch,
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json().as_array().map(Vec::len), Some(2));

    // 2025-06-18 answers requests with an SSE stream.
    let lab = lab_in(Era::Stateful20250618, &[Defect::NoAuth]).await;
    let init = http::post_json(
        lab.addr(),
        "/mcp",
        &[],
        &crate::initialize_body("2025-11-25"),
    )
    .await;
    assert_eq!(init.json()["result"]["protocolVersion"], "2025-06-18");
    let session = init.header("mcp-session-id").unwrap().to_owned();
    let ping = json!({"jsonrpc": "2.0", "id": 7, "method": "ping"});
    let resp = http::post_json(
        lab.addr(),
        "/mcp",
        &[
            ("Mcp-Session-Id", &session),
            ("MCP-Protocol-Version", "2025-06-18"),
        ],
        &ping,
    )
    .await;
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert!(
        resp.text()
            .contains("data: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}"),
        "{}",
        resp.text()
    );
}

#[test]
fn every_transport_defect_names_its_era_and_needs_a_token() {
    for d in Defect::ALL {
        let transport = d.expected_codes().iter().any(|c| {
            c.starts_with("MCP_") && !matches!(*c, "MCP_GET_NOT_SSE" | "MCP_PROBE_TIMEOUT")
        });
        assert_eq!(d.needs_token(), transport || d.is_session(), "{}", d.name());
        assert!(!(transport && d.is_session()), "{}", d.name());
    }
    assert_eq!(Defect::HeaderMismatchAccepted.era(), Era::Stateless20260728);
    assert_eq!(Defect::BatchAccepted.era(), Era::Stateful20251125);
    for era in Era::ALL {
        assert_eq!(Era::from_version(era.version()), Some(era));
    }
}
