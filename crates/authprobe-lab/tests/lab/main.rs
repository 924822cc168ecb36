//! Integration tests of the lab: one test crate (one link), split into
//! modules. Every test starts its own lab on 127.0.0.1:0 and talks to it
//! with the raw client in `http.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is a failure"
)]

mod catalog;
mod clean;
mod defects;
mod endpoints;
mod eras;
mod flow;
mod http;
mod oauth;
mod session;

use authprobe_lab::{start, Defect, LabConfig, RunningLab};
use serde_json::{json, Value};

pub const PRM_SUFFIX: &str = "/.well-known/oauth-protected-resource/mcp";
pub const PRM_ROOT: &str = "/.well-known/oauth-protected-resource";

pub async fn lab(defects: &[Defect]) -> RunningLab {
    start(
        LabConfig::with_defects(defects.iter().copied()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("start lab")
}

pub fn initialize_body(version: &str) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": { "name": "lab-tests", "version": "0" }
        }
    })
}

/// Initializes a session with `authorization` (a full header value, or
/// none) and returns the session id.
pub async fn initialize(lab: &RunningLab, authorization: Option<&str>) -> String {
    let headers: Vec<(&str, &str)> = authorization
        .map(|a| ("Authorization", a))
        .into_iter()
        .collect();
    let resp = http::post_json(lab.addr(), "/mcp", &headers, &initialize_body("2025-11-25")).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let session = resp
        .header("mcp-session-id")
        .expect("session id")
        .to_owned();
    let note = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    let mut headers = headers.clone();
    headers.push(("Mcp-Session-Id", &session));
    headers.push(("MCP-Protocol-Version", "2025-11-25"));
    let resp = http::post_json(lab.addr(), "/mcp", &headers, &note).await;
    assert_eq!(resp.status, 202);
    assert!(resp.body.is_empty());
    session
}
