//! Outcomes, family modes, merging, and the primary-finding rule.

use crate::catalog::Code;
use crate::check::outcome::order_and_merge;
use crate::config::FamilyMode;
use crate::http::ErrorKind;
use crate::report::{primary_finding, Finding, Outcome, Severity};

use super::fixtures::*;
use super::judging::*;

fn everything(reply: Reply) -> Site {
    Site::protected()
        .init(reply.clone())
        .get(reply.clone())
        .bogus(reply.clone())
        .route(PS, reply.clone())
        .route(ROOT, reply.clone())
        .preflight(PS, reply.clone())
        .preflight(ROOT, reply)
}

#[test]
fn connection_refused_is_unreachable() {
    for kind in [ErrorKind::Connect, ErrorKind::Dns, ErrorKind::Tls] {
        let scene = everything(failed(kind)).record();
        let (findings, outcome, primary) = judge(&scene);
        assert_codes(&findings, &[]);
        assert_eq!(outcome, Outcome::Unreachable, "{kind:?}");
        assert_eq!(primary, None);
    }
}

#[test]
fn nothing_answering_in_time_is_a_timeout() {
    let scene = everything(timeout()).record();
    let (findings, outcome, primary) = judge(&scene);
    // Only the observation that the GET stream was silent: never a violation.
    assert_codes(&findings, &[Code::McpProbeTimeout]);
    assert!(findings.iter().all(|f| f.severity == Severity::Info));
    assert_eq!(outcome, Outcome::Timeout);
    assert_eq!(primary, None);
}

#[test]
fn open_server_is_no_auth_even_with_broken_metadata() {
    let scene = Site::open()
        .route(PS, html_page(200))
        .route(
            ROOT,
            status(200).json(serde_json::json!(["not", "an", "object"])),
        )
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::AuthNotRequired]);
    assert_ids(&findings, Code::AuthNotRequired, &[scene.init()]);
    assert_eq!(outcome, Outcome::NoAuth);
    assert_eq!(primary, None);
}

#[test]
fn html_page_is_not_mcp() {
    let scene = Site::protected()
        .init(html_page(200))
        .get(html_page(200))
        .bogus(html_page(200))
        .route(PS, html_page(200))
        .route(ROOT, html_page(200))
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::TargetNotMcp]);
    assert_ids(&findings, Code::TargetNotMcp, &[scene.init(), scene.get()]);
    assert!(finding(&findings, Code::TargetNotMcp)
        .evidence
        .contains("an HTML page"));
    assert_eq!(outcome, Outcome::NotMcp);
    assert_eq!(primary, Some(Code::TargetNotMcp));
}

#[test]
fn not_found_everywhere_is_not_mcp() {
    let scene = everything(not_found()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::TargetNotMcp]);
    assert_ids(&findings, Code::TargetNotMcp, &[scene.init(), scene.get()]);
    assert_eq!(outcome, Outcome::NotMcp);
    assert_eq!(primary, Some(Code::TargetNotMcp));
}

fn redirect_not_followed() -> Scene {
    Site::protected()
        .redirected_from("https://old.example.com/mcp", 301, false)
        .record()
}

#[test]
fn redirect_not_followed_names_where_to_scan() {
    let scene = redirect_not_followed();
    let (findings, outcome, _) = judge(&scene);
    assert_ids(&findings, Code::TargetRedirected, &[scene.init()]);
    assert!(finding(&findings, Code::TargetRedirected)
        .evidence
        .contains(&format!("to {MCP}")));
    assert!(!codes(&findings).contains(&Code::AuthNotRequired));
    assert!(!codes(&findings).contains(&Code::TargetNotMcp));
    assert_eq!(outcome, Outcome::Redirected);
}

#[test]
fn redirect_not_followed_raises_nothing_else() {
    let scene = redirect_not_followed();
    let (findings, _, primary) = judge(&scene);
    // The URL is not the MCP endpoint: nothing was judged but where it points.
    assert_codes(&findings, &[Code::TargetRedirected]);
    assert_eq!(primary, None);
}

#[test]
fn redirect_followed_judges_the_final_url() {
    let scene = Site::protected()
        .redirected_from("https://old.example.com/mcp", 308, true)
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::TargetRedirected]);
    assert_eq!(scene.facts.initialize.ids.len(), 2);
    assert_ids(
        &findings,
        Code::TargetRedirected,
        &scene.facts.initialize.ids,
    );
    let redirected = finding(&findings, Code::TargetRedirected);
    assert!(redirected.evidence.contains("https://old.example.com/mcp"));
    assert!(redirected.evidence.contains(&format!("ended at {MCP}")));
    // The metadata judged is the final URL's; the target's own candidates are kept aside.
    assert!(scene
        .prm
        .candidates
        .iter()
        .all(|c| c.url.host_str() == Some("mcp.example.com")));
    assert_eq!(scene.prm.superseded.len(), 2);
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, None);
}

/// Scope missing (MCP family, SHOULD) and no `invalid_token` on the bad token (RFC family, SHOULD).
fn two_should_findings() -> Scene {
    Site::protected()
        .init(unauthorized(
            r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#,
        ))
        .bogus(unauthorized(GOOD_CHALLENGE))
        .record()
}

#[test]
fn mcp_off_drops_the_mcp_family() {
    let scene = two_should_findings();
    let (findings, _, primary) = judge(&scene);
    assert_codes(
        &findings,
        &[
            Code::ChallengeScopeMissing,
            Code::InvalidTokenErrorCodeMissing,
        ],
    );
    assert_eq!(primary, Some(Code::ChallengeScopeMissing));

    let (findings, outcome, primary) =
        judge_in_modes(&scene, FamilyMode::Off, FamilyMode::BestEffort);
    assert_codes(&findings, &[Code::InvalidTokenErrorCodeMissing]);
    assert_eq!(primary, Some(Code::InvalidTokenErrorCodeMissing));
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn families_off_do_not_change_what_happened_on_the_wire() {
    // 401 without a challenge and no metadata anywhere: every answer came back.
    let scene = Site::protected()
        .init(bare_401())
        .get(bare_401())
        .bogus(bare_401())
        .route(PS, not_found())
        .route(ROOT, not_found())
        .record();
    let (_, outcome, _) = judge(&scene);
    assert_eq!(outcome, Outcome::ProtectedBroken);
    for (mcp, rfc) in [
        (FamilyMode::Off, FamilyMode::Off),
        (FamilyMode::Off, FamilyMode::BestEffort),
        (FamilyMode::BestEffort, FamilyMode::Off),
    ] {
        let (_, in_modes, _) = judge_in_modes(&scene, mcp, rfc);
        assert_eq!(in_modes, outcome, "--mcp {mcp:?} --rfc {rfc:?}");
    }
}

#[test]
fn consequences_leave_with_their_root_cause() {
    let scene = Site::protected()
        .init(bare_401())
        .get(bare_401())
        .bogus(bare_401())
        .route(PS, not_found())
        .route(ROOT, not_found())
        .record();
    let (all, _, _) = judge(&scene);
    assert!(all.iter().any(|f| f.caused_by.is_some()), "{all:?}");
    for (mcp, rfc) in [
        (FamilyMode::Off, FamilyMode::BestEffort),
        (FamilyMode::BestEffort, FamilyMode::Off),
        (FamilyMode::Off, FamilyMode::Off),
    ] {
        let (findings, _, _) = judge_in_modes(&scene, mcp, rfc);
        for f in &findings {
            if let Some(root) = f.caused_by {
                assert!(
                    findings.iter().any(|r| r.code == root),
                    "--mcp {mcp:?} --rfc {rfc:?}: {:?} kept without its root {root:?}",
                    f.code
                );
            }
        }
    }
}

#[test]
fn mcp_off_keeps_policy_observations() {
    let scene = Site::protected()
        .redirected_from("https://old.example.com/mcp", 308, true)
        .record();
    let (findings, _, _) = judge_in_modes(&scene, FamilyMode::Off, FamilyMode::Off);
    assert_codes(&findings, &[Code::TargetRedirected]);
}

#[test]
fn rfc_strict_raises_should_level_rfc_findings_only() {
    let scene = two_should_findings();
    let (findings, outcome, _) = judge(&scene);
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(
        finding(&findings, Code::InvalidTokenErrorCodeMissing).severity,
        Severity::Low
    );

    let (findings, outcome, primary) =
        judge_in_modes(&scene, FamilyMode::BestEffort, FamilyMode::Strict);
    assert_eq!(
        finding(&findings, Code::InvalidTokenErrorCodeMissing).severity,
        Severity::Medium
    );
    assert_eq!(
        finding(&findings, Code::ChallengeScopeMissing).severity,
        Severity::Low
    );
    assert_eq!(primary, Some(Code::InvalidTokenErrorCodeMissing));
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn rfc_strict_leaves_must_level_findings_alone() {
    // No resource_metadata hint, so the missing root URL is noted (an observation).
    let challenge = r#"Bearer scope="mcp:tools""#;
    let scene = Site::protected()
        .init(unauthorized(challenge))
        .get(unauthorized(challenge))
        .route(
            PS,
            prm_ok(prm_with(
                "resource",
                Some(serde_json::json!("https://mcp.example.com/mcp/")),
            )),
        )
        .route(ROOT, not_found())
        .record();
    let (findings, _, _) = judge_in_modes(&scene, FamilyMode::BestEffort, FamilyMode::Strict);
    assert_codes(
        &findings,
        &[
            Code::DiscoveryResourceMetadataMissing,
            Code::PrmResourceTrailingSlash,
            Code::DiscoveryRootWellknown404,
        ],
    );
    // RFC MUST (medium) stays; the MCP observation is untouched by --rfc.
    assert_eq!(
        finding(&findings, Code::PrmResourceTrailingSlash).severity,
        Severity::Medium
    );
    assert_eq!(
        finding(&findings, Code::DiscoveryRootWellknown404).severity,
        Severity::Info
    );
    let (findings, _, _) = judge_in_modes(&scene, FamilyMode::Strict, FamilyMode::BestEffort);
    assert_eq!(
        finding(&findings, Code::DiscoveryRootWellknown404).severity,
        Severity::Info
    );
}

fn f(code: Code) -> Finding {
    Finding::new(code, code.as_str(), vec![1])
}

#[test]
fn primary_prefers_severity_over_confidence() {
    let list = [
        f(Code::PrmCacheControlMissing),
        f(Code::HeaderStrippedByProxySuspected),
    ];
    assert_eq!(
        primary_finding(&list),
        Some(Code::HeaderStrippedByProxySuspected)
    );
    let list = [
        f(Code::PrmResourceTrailingSlash),
        f(Code::PrmResourceMismatch).with_confidence(0.6),
    ];
    assert_eq!(primary_finding(&list), Some(Code::PrmResourceMismatch));
}

#[test]
fn primary_prefers_confidence_over_stage() {
    // Both high: the stage-1 heuristic (0.90) loses to the direct stage-3 observation.
    let list = [f(Code::TargetNotMcp), f(Code::PrmResourceMismatch)];
    assert_eq!(primary_finding(&list), Some(Code::PrmResourceMismatch));
}

#[test]
fn primary_prefers_the_earliest_stage_then_catalog_order() {
    let list = [f(Code::PrmResourceMismatch), f(Code::InvalidTokenAccepted)];
    assert_eq!(primary_finding(&list), Some(Code::InvalidTokenAccepted));
    let list = [
        f(Code::DiscoveryNoWwwAuthenticate),
        f(Code::AuthRequiredButNotAdvertised),
    ];
    assert_eq!(
        primary_finding(&list),
        Some(Code::AuthRequiredButNotAdvertised)
    );
}

#[test]
fn consequences_and_observations_are_never_primary() {
    let list = [
        f(Code::OauthDiscoveryUnavailable).caused_by(Code::PrmHttpStatusNot200),
        f(Code::ChallengeScopeMissing),
        f(Code::AuthNotRequired),
    ];
    assert_eq!(primary_finding(&list), Some(Code::ChallengeScopeMissing));
    assert_eq!(
        primary_finding(&[f(Code::AuthNotRequired), f(Code::TargetRedirected)]),
        None
    );
    assert_eq!(primary_finding(&[]), None);
}

#[test]
fn merging_keeps_one_finding_per_code_in_catalog_order() {
    let mut low = Finding::new(Code::PrmCacheControlMissing, "first", vec![4]);
    low.severity = Severity::Low;
    let mut raised = Finding::new(Code::PrmCacheControlMissing, "second", vec![6, 4]);
    raised.severity = Severity::Medium;
    let merged = order_and_merge(vec![low, f(Code::DiscoveryNoWwwAuthenticate), raised]);
    assert_eq!(
        codes(&merged),
        vec![
            Code::DiscoveryNoWwwAuthenticate,
            Code::PrmCacheControlMissing
        ]
    );
    let cache = finding(&merged, Code::PrmCacheControlMissing);
    assert_eq!(cache.exchange_ids, vec![4, 6]);
    assert_eq!(cache.evidence, "first second");
    assert_eq!(cache.severity, Severity::Medium);
}

#[test]
fn revision_rules_apply_only_to_servers_of_that_revision() {
    let list = || {
        vec![
            f(Code::ChallengeOfflineAccess),
            f(Code::PrmScopesOfflineAccess),
            f(Code::ChallengeScopeMissing),
        ]
    };
    let mut stateful = list();
    super::super::outcome::keep_rules_of_revision(&mut stateful, None);
    let codes: Vec<Code> = stateful.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::ChallengeScopeMissing]);
    let mut older = list();
    super::super::outcome::keep_rules_of_revision(&mut older, Some("2025-11-25"));
    assert_eq!(older.len(), 1);
    let mut modern = list();
    super::super::outcome::keep_rules_of_revision(&mut modern, Some("2026-07-28"));
    assert_eq!(modern.len(), 3);
}
