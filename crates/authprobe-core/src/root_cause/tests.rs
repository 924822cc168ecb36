use super::*;
use crate::report::{
    AuthDiscovery, Outcome, PrmCandidate, ProtocolInfo, Severity, Stage, Step, StepStatus,
};

const TARGET: &str = "https://mcp.example.com/mcp";

fn report(findings: Vec<Finding>) -> Report {
    let primary = crate::report::primary_finding(&findings);
    Report {
        schema_version: 1,
        tool_version: "0".into(),
        command: String::new(),
        target: TARGET.into(),
        mode: "passive".into(),
        mcp_mode: "best-effort".into(),
        rfc_mode: "best-effort".into(),
        timestamp: "2026-01-01T00:00:00Z".into(),
        duration_ms: 1.0,
        critical_path: 1,
        outcome: if findings.is_empty() {
            Outcome::ProtectedOk
        } else {
            Outcome::ProtectedBroken
        },
        auth_required: Some(true),
        prm_ok: false,
        oauth_discovery_viable: false,
        authz_server_metadata_ok: false,
        protocol: ProtocolInfo::default(),
        auth_discovery: AuthDiscovery {
            prm_candidates: vec![
                PrmCandidate {
                    source: "path-suffix".into(),
                    url: "https://mcp.example.com/.well-known/oauth-protected-resource/mcp".into(),
                    exchange_id: Some(4),
                    status: Some(404),
                    usable: false,
                    chosen: true,
                },
                PrmCandidate {
                    source: "root".into(),
                    url: "https://mcp.example.com/.well-known/oauth-protected-resource".into(),
                    exchange_id: Some(6),
                    status: Some(404),
                    usable: false,
                    chosen: false,
                },
            ],
            ..AuthDiscovery::default()
        },
        steps: vec![Step {
            id: "challenge".into(),
            stage: Stage::Challenge,
            name: "Unauthenticated initialize".into(),
            status: StepStatus::Fail,
            detail: "401 without WWW-Authenticate".into(),
            exchange_ids: vec![1],
        }],
        findings,
        primary_finding: primary,
        exchanges: Vec::new(),
        tools: Vec::new(),
        clients: Vec::new(),
        stdio: None,
        token: None,
        root_cause: None,
    }
}

fn not_advertised() -> Vec<Finding> {
    vec![
        Finding::new(
            Code::AuthRequiredButNotAdvertised,
            "401 without a challenge, no metadata",
            vec![1, 4, 6],
        ),
        Finding::new(
            Code::DiscoveryNoWwwAuthenticate,
            "401 without WWW-Authenticate",
            vec![1],
        )
        .caused_by(Code::AuthRequiredButNotAdvertised),
    ]
}

#[test]
fn the_discovery_fix_is_built_from_the_scans_own_urls() {
    let analysis = analyse(&report(not_advertised()));
    assert_eq!(analysis.finding, Some(Code::AuthRequiredButNotAdvertised));
    assert_eq!(analysis.source, Source::Deterministic);
    let header = &analysis.fix.artifacts[0].content;
    assert_eq!(
        header,
        "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\""
    );
    let document = &analysis.fix.artifacts[1].content;
    assert!(
        document.starts_with("HTTP/1.1 200 OK\nContent-Type: application/json\n\n{"),
        "{document}"
    );
    let body: serde_json::Value = serde_json::from_str(
        document
            .split_once("\n\n")
            .map(|(_, b)| b)
            .unwrap_or_default(),
    )
    .expect("JSON body");
    assert_eq!(body["resource"], TARGET);
    assert!(analysis.text.contains(header.as_str()));
    assert!(analysis
        .summary
        .contains("DISCOVERY_NO_WWW_AUTHENTICATE follows from it"));
    assert!(analysis.client_view.contains("→ 404 (not usable)"));
}

#[test]
fn each_claim_carries_a_verified_section_from_the_catalog() {
    let analysis = analyse(&report(not_advertised()));
    let refs: Vec<&str> = analysis
        .violation
        .iter()
        .map(|c| c.reference.as_str())
        .collect();
    assert_eq!(
        refs,
        [
            "RFC 9110 §15.5.2",
            "RFC 9728 §5.1",
            "MCP 2025-11-25 Authorization › Protected Resource Metadata Discovery Requirements"
        ]
    );
    assert!(analysis.violation.iter().all(|c| c.verified));
    assert_eq!(
        analysis.violation[0].section_title.as_deref(),
        Some("401 Unauthorized")
    );
    assert!(!analysis.citations.is_empty());
    assert!(
        analysis.citations.iter().all(|c| c.verified),
        "{:?}",
        analysis.citations
    );
}

#[test]
fn a_finding_without_a_written_claim_gets_its_condition_and_the_section_title() {
    let analysis = analyse(&report(vec![Finding::new(
        Code::TokenErrorStatusInvalid,
        "200 with an error",
        vec![],
    )]));
    let first = &analysis.violation[0];
    assert_eq!(
        first.claim,
        Code::TokenErrorStatusInvalid.entry().fires_when
    );
    assert!(first.section_title.is_some() && first.verified);
    assert!(analysis.fix.artifacts.is_empty());
    assert_eq!(
        analysis.fix.text,
        Code::TokenErrorStatusInvalid.entry().remediation
    );
}

#[test]
fn without_a_primary_finding_the_analysis_says_so() {
    let analysis = analyse(&report(Vec::new()));
    assert_eq!(analysis.finding, None);
    assert!(analysis
        .text
        .starts_with("No root-cause analysis: the scan raised no finding"));
    let mut info = Finding::new(Code::AuthServerCimdNotSupported, "x", vec![]);
    info.severity = Severity::Info;
    let analysis = analyse(&report(vec![info]));
    assert!(
        analysis.text.contains("only observations"),
        "{}",
        analysis.text
    );
}

#[test]
fn marking_replaces_a_wrong_title_and_flags_what_does_not_hold() {
    let answer =
        "Per RFC 9728 (OAuth Security Best Practices) the metadata lives in RFC 8414 §9.9; \
                  RFC 9728 §3.3 requires an identical resource.";
    let (marked, checked) = mark_citations(answer);
    assert_eq!(
        marked,
        "Per RFC 9728 (OAuth 2.0 Protected Resource Metadata) [unverified citation] the metadata lives in \
         RFC 8414 §9.9 [unverified citation]; RFC 9728 §3.3 requires an identical resource."
    );
    assert_eq!(checked.len(), 3);
    assert_eq!(checked[0].text, "RFC 9728 (OAuth Security Best Practices)");
    assert_eq!(
        checked[0].title.as_deref(),
        Some("OAuth 2.0 Protected Resource Metadata")
    );
    assert!(!checked[0].verified && !checked[1].verified && checked[2].verified);
    assert_eq!(checked[1].reason.as_deref(), Some("no such section"));
    assert_eq!(
        checked[2].section_title.as_deref(),
        Some("Protected Resource Metadata Validation")
    );
}

#[test]
fn a_wrong_section_in_a_list_is_marked_where_it_stands() {
    let (marked, checked) = mark_citations("RFC 9728 §3.1 and §3.9 say so.");
    assert_eq!(
        marked,
        "RFC 9728 §3.1 and §3.9 [unverified citation] say so."
    );
    assert_eq!(checked[1].text, "RFC 9728 §3.9");
}
