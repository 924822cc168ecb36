//! Stage-2 checks on recorded inputs: each rule fires on its deviation, stays
//! quiet on a compliant server, and runs only in the revisions that have it.

use serde_json::{json, Value};

use super::findings;
use crate::catalog::Code;
use crate::facts::transport::tests::{empty, facts, json, no_answer, sse, Answer};
use crate::facts::transport::Probe;
use crate::http::ErrorKind;
use crate::report::Finding;
use crate::wire::mcp::{Era, Revision};

fn result(id: Value, result: Value) -> Answer {
    json(200, json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

fn error(status: u16, id: Value, code: i64) -> Answer {
    json(
        status,
        json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": "refused"}}),
    )
}

fn init_result(version: &str) -> Value {
    json!({
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": false}},
        "serverInfo": {"name": "s", "version": "1"}
    })
}

fn tool(name: &str) -> Value {
    json!({"name": name, "inputSchema": {"type": "object"}})
}

/// A compliant 2025-11-25 session, every probe answered as the texts say.
fn clean_stateful(version: Revision) -> Vec<(Probe, Answer)> {
    let v = version.as_str();
    let mut list = vec![
        (Probe::Discover, error(400, json!(1), -32600)),
        (Probe::Ordering, error(400, json!(20), -32600)),
        (
            Probe::Initialize,
            result(json!(1), init_result(v)).header("mcp-session-id", "abc-123"),
        ),
        (Probe::Initialized, empty(202)),
        (
            Probe::ToolsList(0),
            result(json!(10), json!({"tools": [tool("echo"), tool("add")]})),
        ),
        (Probe::Ping, result(json!(2), json!({}))),
        (Probe::NullIdInitialize, error(400, Value::Null, -32600)),
        (Probe::NullIdToolsList, error(400, Value::Null, -32600)),
        (Probe::NotificationWithId, error(400, json!(3), -32600)),
        (Probe::Batch, error(400, Value::Null, -32600)),
        (Probe::BadVersionHeader, error(400, json!(5), -32600)),
        (Probe::UnknownSession, error(404, json!(7), -32600)),
        (Probe::NoSession, error(400, json!(8), -32600)),
        (Probe::Origin, error(403, Value::Null, -32600)),
        (Probe::Delete, empty(204)),
    ];
    if !version.has_version_header() {
        list.retain(|(p, _)| *p != Probe::BadVersionHeader);
    }
    list
}

fn clean_stateless() -> Vec<(Probe, Answer)> {
    vec![
        (
            Probe::Discover,
            result(
                json!(1),
                json!({
                    "resultType": "complete", "supportedVersions": ["2026-07-28"],
                    "capabilities": {"tools": {}}, "ttlMs": 0, "cacheScope": "public"
                }),
            ),
        ),
        (
            Probe::ToolsList(0),
            sse(
                200,
                &format!(
                    "data: {}\n\n",
                    json!({"jsonrpc": "2.0", "id": 10, "result": {
            "resultType": "complete", "tools": [tool("echo")], "ttlMs": 0, "cacheScope": "public"}})
                ),
            ),
        ),
        (Probe::NullIdDiscover, error(400, Value::Null, -32600)),
        (Probe::NullIdToolsList, error(400, Value::Null, -32600)),
        (Probe::HeaderMissing, error(400, json!(21), -32020)),
        (Probe::HeaderMismatch, error(400, json!(22), -32020)),
        (
            Probe::UnsupportedVersion,
            json(
                400,
                json!({"jsonrpc": "2.0", "id": 23, "error": {
            "code": -32022, "message": "Unsupported protocol version",
            "data": {"supported": ["2026-07-28"], "requested": "1900-01-01"}}}),
            ),
        ),
        (Probe::NotificationWithId, error(404, json!(3), -32601)),
        (Probe::Batch, error(400, Value::Null, -32600)),
        (Probe::Origin, empty(403)),
    ]
}

fn replace(list: &mut [(Probe, Answer)], probe: Probe, answer: Answer) {
    for (p, a) in list.iter_mut() {
        if *p == probe {
            *a = answer.clone();
        }
    }
}

fn judge(era: Era, revision: Revision, answers: &[(Probe, Answer)]) -> Vec<Finding> {
    let (f, trace) = facts(era, Some(revision), answers);
    findings(&f, &trace)
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    let mut c: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    c.sort();
    c
}

#[test]
fn compliant_servers_raise_nothing_in_every_era() {
    for r in [
        Revision::V2025_03_26,
        Revision::V2025_06_18,
        Revision::V2025_11_25,
    ] {
        let found = judge(Era::Stateful, r, &clean_stateful(r));
        assert!(found.is_empty(), "{r:?}: {:?}", codes(&found));
    }
    let found = judge(Era::Stateless, Revision::V2026_07_28, &clean_stateless());
    assert!(found.is_empty(), "{:?}", codes(&found));
}

#[test]
fn each_stateful_deviation_raises_its_code() {
    let r = Revision::V2025_11_25;
    let cases: Vec<(Probe, Answer, &str)> = vec![
        (
            Probe::Initialize,
            error(200, json!(1), -32603),
            "MCP_INITIALIZE_FAILED",
        ),
        (
            Probe::Initialize,
            result(
                json!(1),
                json!({"protocolVersion": "2025-11-25", "capabilities": {}}),
            ),
            "MCP_INITIALIZE_RESULT_INVALID",
        ),
        (
            Probe::Initialize,
            result(
                json!(1),
                json!({"protocolVersion": "2025-11-25", "capabilities": [], "serverInfo": {"name": "s", "version": "1"}}),
            ),
            "MCP_CAPABILITIES_INVALID",
        ),
        (
            Probe::Initialized,
            error(400, Value::Null, -32600),
            "MCP_NOTIFICATION_FAILED",
        ),
        (
            Probe::Initialized,
            empty(200),
            "MCP_NOTIFICATION_STATUS_INVALID",
        ),
        (
            Probe::Initialized,
            json(202, json!({"ok": true})),
            "MCP_NOTIFICATION_BODY_PRESENT",
        ),
        (
            Probe::NotificationWithId,
            empty(202),
            "MCP_NOTIFICATION_WITH_ID_ACCEPTED",
        ),
        (
            Probe::NullIdToolsList,
            result(Value::Null, json!({"tools": []})),
            "MCP_JSONRPC_ID_NULL_ACCEPTED",
        ),
        (
            Probe::NullIdInitialize,
            empty(202),
            "MCP_JSONRPC_ID_NULL_ACCEPTED",
        ),
        (
            Probe::Ping,
            json(200, json!({"id": 2, "result": {}})),
            "MCP_JSONRPC_RESPONSE_INVALID",
        ),
        (
            Probe::Ping,
            result(json!(99), json!({})),
            "MCP_JSONRPC_RESPONSE_ID_MISMATCH",
        ),
        (
            Probe::Batch,
            json(200, json!([{"jsonrpc": "2.0", "id": 4, "result": {}}])),
            "MCP_BATCH_ACCEPTED",
        ),
        (
            Probe::UnknownSession,
            error(400, json!(7), -32600),
            "MCP_SESSION_ID_REJECTION_MISSING",
        ),
        (Probe::Delete, empty(500), "MCP_SESSION_DELETE_INVALID"),
        (
            Probe::Origin,
            result(json!(9), json!({})),
            "MCP_ORIGIN_NOT_VALIDATED",
        ),
        (
            Probe::BadVersionHeader,
            result(json!(5), json!({})),
            "MCP_PROTOCOL_VERSION_REJECTION_MISSING",
        ),
        (
            Probe::Ping,
            result(json!(2), json!({"status": "ok"})),
            "MCP_PING_INVALID_RESPONSE",
        ),
        (
            Probe::ToolsList(0),
            error(200, json!(10), -32603),
            "MCP_TOOLS_LIST_FAILED",
        ),
        (
            Probe::ToolsList(0),
            result(json!(10), json!({"items": []})),
            "MCP_TOOLS_LIST_INVALID",
        ),
        (
            Probe::ToolsList(0),
            result(json!(10), json!({"tools": [{"name": "x"}]})),
            "MCP_TOOL_INPUT_SCHEMA_MISSING",
        ),
        (
            Probe::ToolsList(0),
            result(
                json!(10),
                json!({"tools": [{"name": "x", "inputSchema": {"type": "object", "required": "a"}}]}),
            ),
            "MCP_TOOL_INPUT_SCHEMA_INVALID",
        ),
        (
            Probe::ToolsList(0),
            result(json!(10), json!({"tools": [tool("echo text!")]})),
            "MCP_TOOL_NAME_INVALID",
        ),
        (
            Probe::ToolsList(0),
            result(json!(10), json!({"tools": [tool("a"), tool("a")]})),
            "MCP_TOOL_NAME_INVALID",
        ),
        (
            Probe::ToolsList(0),
            result(
                json!(10),
                json!({"tools": [{"name": "a", "inputSchema": {"type": "object"}, "icons": [{"src": "javascript:alert(1)"}]}]}),
            ),
            "MCP_ICON_UNSAFE_SCHEME",
        ),
        (
            Probe::ToolsList(0),
            sse(200, ": keep\n\n").cut(ErrorKind::Timeout),
            "MCP_RESPONSE_INCOMPLETE",
        ),
    ];
    for (probe, answer, code) in cases {
        let mut list = clean_stateful(r);
        replace(&mut list, probe, answer);
        let found = judge(Era::Stateful, r, &list);
        assert_eq!(codes(&found), [code], "{probe:?} → {code}");
        assert!(found
            .iter()
            .all(|f| !f.exchange_ids.is_empty() && f.evidence.contains('#')));
    }
}

#[test]
fn a_missing_protocol_version_is_the_root_cause() {
    let r = Revision::V2025_11_25;
    let mut list = clean_stateful(r);
    replace(
        &mut list,
        Probe::Initialize,
        result(
            json!(1),
            json!({"capabilities": {}, "serverInfo": {"name": "s", "version": "1"}}),
        ),
    );
    let found = judge(Era::Stateful, r, &list);
    assert_eq!(
        codes(&found),
        [
            "MCP_INITIALIZE_RESULT_INVALID",
            "MCP_PROTOCOL_VERSION_MISSING"
        ]
    );
    let invalid = found
        .iter()
        .find(|f| f.code == Code::McpInitializeResultInvalid)
        .unwrap();
    assert_eq!(invalid.caused_by, Some(Code::McpProtocolVersionMissing));
}

#[test]
fn session_rules() {
    let r = Revision::V2025_11_25;
    let mut list = clean_stateful(r);
    replace(
        &mut list,
        Probe::NoSession,
        result(json!(8), json!({"tools": []})),
    );
    replace(
        &mut list,
        Probe::Ordering,
        result(json!(20), json!({"tools": []})),
    );
    let found = judge(Era::Stateful, r, &list);
    assert_eq!(
        codes(&found),
        [
            "MCP_INITIALIZE_ORDERING_NOT_ENFORCED",
            "MCP_SESSION_ID_REQUIRED_NOT_ENFORCED"
        ]
    );
    let ordering = found
        .iter()
        .find(|f| f.code == Code::McpInitializeOrderingNotEnforced)
        .unwrap();
    assert_eq!(
        ordering.caused_by,
        Some(Code::McpSessionIdRequiredNotEnforced)
    );

    let mut list = clean_stateful(r);
    replace(
        &mut list,
        Probe::Initialize,
        result(json!(1), init_result("2025-11-25")).header("mcp-session-id", "has space"),
    );
    assert_eq!(
        codes(&judge(Era::Stateful, r, &list)),
        ["MCP_SESSION_ID_INVALID_CHARS"]
    );

    // Without a session, the session rules have nothing to judge.
    let mut list = clean_stateful(r);
    replace(
        &mut list,
        Probe::Initialize,
        result(json!(1), init_result("2025-11-25")),
    );
    replace(
        &mut list,
        Probe::NoSession,
        result(json!(8), json!({"tools": []})),
    );
    replace(
        &mut list,
        Probe::UnknownSession,
        result(json!(7), json!({})),
    );
    assert!(judge(Era::Stateful, r, &list).is_empty());
}

#[test]
fn rules_apply_only_in_their_revisions() {
    // 2025-03-26 allowed batches and did not say 403 for a bad Origin.
    let r = Revision::V2025_03_26;
    let mut list = clean_stateful(r);
    replace(
        &mut list,
        Probe::Batch,
        json(200, json!([{"jsonrpc": "2.0", "id": 4, "result": {}}])),
    );
    replace(&mut list, Probe::Origin, result(json!(9), json!({})));
    replace(
        &mut list,
        Probe::ToolsList(0),
        result(json!(10), json!({"tools": [tool("echo text!")]})),
    );
    assert!(judge(Era::Stateful, r, &list).is_empty());
    // 2025-06-18 did: the same answers are findings there (tool names are still not a rule).
    let r = Revision::V2025_06_18;
    let mut list = clean_stateful(r);
    replace(
        &mut list,
        Probe::Batch,
        json(200, json!([{"jsonrpc": "2.0", "id": 4, "result": {}}])),
    );
    replace(&mut list, Probe::Origin, result(json!(9), json!({})));
    replace(
        &mut list,
        Probe::ToolsList(0),
        result(json!(10), json!({"tools": [tool("echo text!")]})),
    );
    assert_eq!(
        codes(&judge(Era::Stateful, r, &list)),
        ["MCP_BATCH_ACCEPTED", "MCP_ORIGIN_NOT_VALIDATED"]
    );
}

#[test]
fn stateless_deviations() {
    let cases: Vec<(Probe, Answer, &str)> = vec![
        (
            Probe::HeaderMissing,
            result(json!(21), json!({})),
            "MCP_HEADER_MISMATCH_NOT_REJECTED",
        ),
        (
            Probe::HeaderMismatch,
            error(400, json!(22), -32600),
            "MCP_HEADER_MISMATCH_NOT_REJECTED",
        ),
        (
            Probe::UnsupportedVersion,
            error(400, json!(23), -32602),
            "MCP_UNSUPPORTED_VERSION_ERROR_INVALID",
        ),
        (
            Probe::UnsupportedVersion,
            error(400, json!(23), -32022),
            "MCP_UNSUPPORTED_VERSION_ERROR_INVALID",
        ),
        (
            Probe::NullIdDiscover,
            result(Value::Null, json!({})),
            "MCP_JSONRPC_ID_NULL_ACCEPTED",
        ),
        (
            Probe::Discover,
            result(
                json!(1),
                json!({"capabilities": {}, "resultType": "complete"}),
            ),
            "MCP_INITIALIZE_RESULT_INVALID",
        ),
        (Probe::Origin, empty(200), "MCP_ORIGIN_NOT_VALIDATED"),
    ];
    for (probe, answer, code) in cases {
        let mut list = clean_stateless();
        replace(&mut list, probe, answer);
        let found = judge(Era::Stateless, Revision::V2026_07_28, &list);
        assert_eq!(codes(&found), [code], "{probe:?}");
    }
    // A bare 400 from an intermediary is a rejection too.
    let mut list = clean_stateless();
    replace(&mut list, Probe::HeaderMissing, empty(400));
    assert!(judge(Era::Stateless, Revision::V2026_07_28, &list).is_empty());
}

#[test]
fn timeouts_are_never_violations() {
    let r = Revision::V2025_11_25;
    let mut list = clean_stateful(r);
    replace(&mut list, Probe::Initialize, no_answer(ErrorKind::Timeout));
    assert!(judge(Era::Stateful, r, &list).is_empty());
    let mut list = clean_stateful(r);
    for p in [
        Probe::Ping,
        Probe::Origin,
        Probe::Delete,
        Probe::UnknownSession,
        Probe::BadVersionHeader,
    ] {
        replace(&mut list, p, no_answer(ErrorKind::Timeout));
    }
    assert!(judge(Era::Stateful, r, &list).is_empty());
    let mut list = clean_stateful(r);
    replace(
        &mut list,
        Probe::ToolsList(0),
        sse(200, &": x\n\n".repeat(10)).cut(ErrorKind::TooLarge),
    );
    let found = judge(Era::Stateful, r, &list);
    assert_eq!(codes(&found), ["MCP_RESPONSE_INCOMPLETE"]);
    assert!(
        found[0].evidence.contains("body cap"),
        "{}",
        found[0].evidence
    );
}

#[test]
fn legacy_sse_is_an_observation() {
    let endpoint = sse(200, "event: endpoint\ndata: /messages?sessionId=1\n\n");
    let list = vec![
        (Probe::Discover, empty(405)),
        (Probe::Initialize, empty(405)),
        (Probe::LegacyGet, endpoint),
    ];
    let found = judge(Era::LegacySse, Revision::V2024_11_05, &list);
    assert_eq!(codes(&found), ["MCP_LEGACY_SSE_TRANSPORT"]);
    assert!(found[0].evidence.contains("/messages?sessionId=1"));
    assert_eq!(found[0].exchange_ids, [1, 2, 3]);
}

#[test]
fn through_the_stdio_bridge_only_json_rpc_rules_are_judged() {
    let r = Revision::V2025_11_25;
    let mut list = clean_stateful(r);
    replace(&mut list, Probe::Origin, result(json!(9), json!({})));
    replace(&mut list, Probe::Initialized, empty(200));
    replace(&mut list, Probe::NullIdToolsList, empty(202));
    let (mut f, trace) = facts(Era::Stateful, Some(r), &list);
    f.stdio = true;
    assert!(findings(&f, &trace).is_empty());
    replace(
        &mut list,
        Probe::NullIdToolsList,
        result(Value::Null, json!({"tools": []})),
    );
    let (mut f, trace) = facts(Era::Stateful, Some(r), &list);
    f.stdio = true;
    assert_eq!(
        codes(&findings(&f, &trace)),
        ["MCP_JSONRPC_ID_NULL_ACCEPTED"]
    );
}

#[test]
fn version_mismatch_needs_proof_that_the_requested_version_is_supported() {
    let mut list = clean_stateful(Revision::V2025_06_18);
    replace(
        &mut list,
        Probe::Initialize,
        result(json!(1), init_result("2025-06-18")).header("mcp-session-id", "abc"),
    );
    list.push((Probe::RequestedVersionHeader, result(json!(6), json!({}))));
    let (mut f, trace) = facts(Era::Stateful, Some(Revision::V2025_06_18), &list);
    f.requested = "2025-11-25".into();
    assert_eq!(
        codes(&findings(&f, &trace)),
        ["MCP_PROTOCOL_VERSION_MISMATCH"]
    );
    // Refused in the header: the server really does not support it.
    replace(
        &mut list,
        Probe::RequestedVersionHeader,
        error(400, json!(6), -32600),
    );
    let (mut f, trace) = facts(Era::Stateful, Some(Revision::V2025_06_18), &list);
    f.requested = "2025-11-25".into();
    assert!(findings(&f, &trace).is_empty());
}

#[test]
fn tasks_methods() {
    let r = Revision::V2025_11_25;
    let mut list = clean_stateful(r);
    let mut init = init_result("2025-11-25");
    init["capabilities"]["tasks"] = json!({"list": {}, "cancel": {}});
    replace(
        &mut list,
        Probe::Initialize,
        result(json!(1), init).header("mcp-session-id", "abc"),
    );
    list.push((Probe::TasksList, error(200, json!(30), -32601)));
    list.push((Probe::TasksCancel, error(200, json!(32), -32602)));
    assert_eq!(
        codes(&judge(Era::Stateful, r, &list)),
        ["MCP_TASKS_METHOD_MISSING"]
    );
}
