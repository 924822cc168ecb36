//! A small hand-built report shared by the tests of every format.

use authprobe_core::catalog::Code;
use authprobe_core::http::{Exchange, Header, RecordedRequest, RecordedResponse, Timing};
use authprobe_core::report::{
    AuthDiscovery, Finding, Outcome, PrmCandidate, ProtocolInfo, Report, Severity, Stage, Step,
    StepStatus, SCHEMA_VERSION,
};

pub(crate) const TARGET: &str = "http://127.0.0.1:8931/mcp";
pub(crate) const PRM_URL: &str = "http://127.0.0.1:8931/.well-known/oauth-protected-resource/mcp";

pub(crate) fn exchange(
    id: u32,
    stage: Stage,
    method: &str,
    url: &str,
    status: u16,
    body: &str,
) -> Exchange {
    Exchange {
        id,
        stage,
        purpose: format!("exchange {id}"),
        request: RecordedRequest {
            method: method.to_string(),
            url: url.to_string(),
            headers: vec![Header::new("accept", "application/json, text/event-stream")],
            body: None,
        },
        response: Some(RecordedResponse {
            status,
            version: "HTTP/1.1".to_string(),
            headers: vec![Header::new("content-type", "application/json")],
            body: body.to_string(),
            body_bytes: body.len(),
            truncated: false,
        }),
        error: None,
        redirect_of: None,
        connection: None,
        timing: Timing {
            started_ms: 0.0,
            headers_ms: Some(3.0),
            total_ms: 4.0,
            ..Timing::default()
        },
    }
}

fn finding(
    code: Code,
    severity: Severity,
    confidence: f32,
    stage: Stage,
    evidence: &str,
    ids: Vec<u32>,
) -> Finding {
    Finding {
        code,
        severity,
        confidence,
        stage,
        evidence: evidence.to_string(),
        exchange_ids: ids,
        caused_by: None,
    }
}

/// Two steps, three findings (one a consequence), two exchanges.
pub(crate) fn sample_report() -> Report {
    let mut initialize = exchange(
        1,
        Stage::Challenge,
        "POST",
        TARGET,
        401,
        r#"{"error":"unauthorized"}"#,
    );
    initialize.request.body = Some(r#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#.to_string());
    let prm = exchange(2, Stage::Prm, "GET", PRM_URL, 404, "<html>not found</html>");
    Report {
        schema_version: SCHEMA_VERSION,
        tool_version: "0.1.0".to_string(),
        command: format!("authprobe scan {TARGET}"),
        target: TARGET.to_string(),
        mode: "passive".to_string(),
        mcp_mode: "best-effort".to_string(),
        rfc_mode: "best-effort".to_string(),
        timestamp: "2026-01-02T03:04:05Z".to_string(),
        duration_ms: 42.0,
        critical_path: 3,
        outcome: Outcome::ProtectedBroken,
        auth_required: Some(true),
        prm_ok: false,
        oauth_discovery_viable: false,
        authz_server_metadata_ok: false,
        protocol: ProtocolInfo {
            era: "2025-stateful".to_string(),
            negotiated_version: Some("2025-11-25".to_string()),
            requested_version: "2025-11-25".to_string(),
        },
        auth_discovery: AuthDiscovery {
            prm_candidates: vec![PrmCandidate {
                source: "path-suffix".to_string(),
                url: PRM_URL.to_string(),
                exchange_id: Some(2),
                status: Some(404),
                usable: false,
                chosen: true,
            }],
            ..AuthDiscovery::default()
        },
        steps: vec![
            Step {
                id: "challenge".to_string(),
                stage: Stage::Challenge,
                name: "Challenge: unauthenticated initialize".to_string(),
                status: StepStatus::Fail,
                detail: "401 without WWW-Authenticate".to_string(),
                exchange_ids: vec![1],
            },
            Step {
                id: "auth-server".to_string(),
                stage: Stage::AuthServer,
                name: "Authorization server metadata".to_string(),
                status: StepStatus::Skip,
                detail: "not yet implemented".to_string(),
                exchange_ids: vec![],
            },
        ],
        findings: vec![
            finding(
                Code::AuthRequiredButNotAdvertised,
                Severity::High,
                1.0,
                Stage::Challenge,
                "POST /mcp answered 401 with no WWW-Authenticate header, so a client cannot learn where to authenticate.",
                vec![1],
            ),
            finding(
                Code::PrmHttpStatusNot200,
                Severity::Medium,
                0.9,
                Stage::Prm,
                "GET the path-suffix PRM URL answered 404 (expected 200 with a JSON document).",
                vec![2],
            )
            .caused_by(Code::AuthRequiredButNotAdvertised),
            finding(
                Code::PrmCorsMissing,
                Severity::Low,
                1.0,
                Stage::Prm,
                "The PRM response has no Access-Control-Allow-Origin header.",
                vec![2],
            ),
        ],
        primary_finding: Some(Code::AuthRequiredButNotAdvertised),
        exchanges: vec![initialize, prm],
        tools: vec![],
        clients: Vec::new(),
        stdio: None,
        token: None,
        root_cause: None,
    }
}
