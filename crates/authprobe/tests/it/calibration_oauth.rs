//! The calibration matrix for stages 4 to 6: the clean lab in every placement of
//! its authorization server, passive and active, and what a scan leaves behind.

use std::time::Duration;

use authprobe_core::config::ScanMode;
use authprobe_core::report::{Report, Severity, StepStatus};
use authprobe_core::Code;
use authprobe_lab::{Defect, LabConfig, RunningLab};
use futures_util::future::join_all;

use crate::support::{codes, config};

/// Scans a URL with `--active` and a short timeout.
pub async fn scan_active(url: &str) -> Report {
    let mut config = config(url, Duration::from_secs(2));
    config.mode = ScanMode::Active;
    authprobe_core::scan::scan(&config)
        .await
        .expect("scan runs")
}

async fn passive(url: &str) -> Report {
    crate::support::scan(url).await
}

/// The four placements of the clean lab's authorization server.
fn variants() -> Vec<(&'static str, LabConfig)> {
    vec![
        ("same origin, pathless issuer", LabConfig::default()),
        (
            "same origin, /tenant1 issuer",
            LabConfig::default().with_issuer_path("/tenant1"),
        ),
        (
            "separate port, pathless issuer",
            LabConfig::default().with_separate_auth_server(),
        ),
        (
            "separate port, /tenant1 issuer",
            LabConfig::default()
                .with_issuer_path("/tenant1")
                .with_separate_auth_server(),
        ),
    ]
}

async fn start(config: LabConfig) -> RunningLab {
    authprobe_lab::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .expect("the lab starts on free loopback ports")
}

fn serious(report: &Report) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Low)
        .map(|f| (f.code.as_str().to_string(), f.evidence.clone()))
        .collect()
}

fn step<'r>(report: &'r Report, id: &str) -> &'r authprobe_core::report::Step {
    report
        .steps
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no step {id}: {:?}", report.steps))
}

/// The exchanges that registered a client or asked for authorization.
fn state_creating(report: &Report, lab: &RunningLab) -> Vec<String> {
    let register = format!("{}/register", lab.issuer());
    let authorize = format!("{}/authorize", lab.issuer());
    report
        .exchanges
        .iter()
        .filter(|e| {
            (e.request.method == "POST" && e.request.url == register)
                || e.request.url.starts_with(&authorize)
        })
        .map(|e| format!("#{} {} {}", e.id, e.request.method, e.request.url))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clean_lab_is_clean_wherever_its_authorization_server_is() {
    let runs = variants().into_iter().map(|(name, config)| async move {
        let lab = start(config).await;
        let report = passive(&lab.mcp_url()).await;
        let issuer = lab.issuer();
        let auth_base = lab.auth_base_url();
        let base = lab.base_url();
        let left = lab.client_count();
        lab.shutdown().await;
        (name, report, issuer, auth_base, base, left)
    });
    for (name, report, issuer, auth_base, base, left) in join_all(runs).await {
        assert_eq!(
            report.outcome.as_str(),
            "protected-ok",
            "{name}: {:?}",
            codes(&report)
        );
        assert!(report.findings.is_empty(), "{name}: {:?}", serious(&report));
        assert!(report.authz_server_metadata_ok, "{name}");
        for id in ["auth-server", "token", "registration"] {
            assert_eq!(
                step(&report, id).status,
                StepStatus::Pass,
                "{name}: {:?}",
                step(&report, id)
            );
        }
        // The authorization server really is where the variant puts it.
        assert_eq!(name.starts_with("separate"), auth_base != base, "{name}");
        assert_eq!(
            name.ends_with("/tenant1 issuer"),
            issuer.ends_with("/tenant1"),
            "{name}"
        );
        let servers = &report.auth_discovery.authorization_server_metadata;
        assert_eq!(servers.len(), 1, "{name}");
        assert_eq!(servers[0].issuer, issuer);
        assert!(servers[0].selected && servers[0].usable);
        let chosen: Vec<&str> = servers[0]
            .candidates
            .iter()
            .filter(|c| c.chosen)
            .map(|c| c.kind.as_str())
            .collect();
        assert_eq!(chosen, ["oauth"], "{name}");
        assert_eq!(servers[0].code_challenge_methods_supported, ["S256"]);
        assert_eq!(
            report.auth_discovery.registration_paths,
            ["client-id-metadata-document", "dynamic-client-registration"]
        );
        // Passive: nothing created, nothing even attempted.
        assert_eq!(left, 0, "{name}");
        assert!(report.auth_discovery.test_clients.is_empty());
        let registration = step(&report, "registration");
        assert!(registration.detail.contains("passive"), "{registration:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn passive_scan_never_registers_or_starts_an_authorization() {
    for (name, config) in variants() {
        let lab = start(config).await;
        let report = passive(&lab.mcp_url()).await;
        let created = state_creating(&report, &lab);
        assert!(created.is_empty(), "{name}: passive scan sent {created:?}");
        // The registration endpoint and the token endpoint were known: the scan
        // chose not to register, and the token probe is a plain POST to /token.
        let posts: Vec<&str> = report
            .exchanges
            .iter()
            .filter(|e| e.request.method == "POST")
            .map(|e| e.request.url.as_str())
            .collect();
        assert!(
            posts
                .iter()
                .any(|u| *u == format!("{}/token", lab.issuer())),
            "{name}: {posts:?}"
        );
        assert_eq!(lab.client_count(), 0, "{name}");
        lab.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn active_scan_deletes_every_client_it_created() {
    let runs = variants().into_iter().map(|(name, config)| async move {
        let lab = start(config).await;
        let report = scan_active(&lab.mcp_url()).await;
        let left = lab.client_count();
        let attempts = state_creating(&report, &lab);
        lab.shutdown().await;
        (name, report, left, attempts)
    });
    for (name, report, left, attempts) in join_all(runs).await {
        assert_eq!(report.mode, "active");
        assert_eq!(
            report.outcome.as_str(),
            "protected-ok",
            "{name}: {:?}",
            serious(&report)
        );
        // Open registration is context, never a problem.
        assert_eq!(codes(&report), ["DCR_ENDPOINT_OPEN"], "{name}");
        let open = &report.findings[0];
        assert_eq!(open.severity, Severity::Info);
        let clients = &report.auth_discovery.test_clients;
        assert_eq!(clients.len(), 2, "{name}: {clients:?}");
        assert!(clients.iter().all(|c| c.deleted), "{name}: {clients:?}");
        assert_eq!(left, 0, "{name}: the lab still holds clients");
        // Registrations (realistic, five unsafe ones, a second client) and four
        // authorization requests (control, no PKCE, plain PKCE at an S256-only
        // server, unregistered redirect URI), none followed.
        assert_eq!(attempts.len(), 11, "{name}: {attempts:?}");
        let deletes = report
            .exchanges
            .iter()
            .filter(|e| e.request.method == "DELETE" && e.status() == Some(204))
            .count();
        assert_eq!(deletes, 2, "{name}");
        for id in ["auth-server", "token", "registration"] {
            assert_eq!(step(&report, id).status, StepStatus::Pass, "{name}");
        }
        assert!(step(&report, "registration")
            .detail
            .contains("2/2 test clients deleted"));
        // The token endpoint was asked twice: by a made-up client and by the registered one.
        assert_eq!(step(&report, "token").exchange_ids.len(), 2, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_that_cannot_be_deleted_are_counted_and_listed() {
    // The same count on a server without RFC 7592 proves the zero above is earned.
    let lab = start(LabConfig::with_defects([Defect::DcrNoDelete])).await;
    let report = scan_active(&lab.mcp_url()).await;
    let left = lab.client_count();
    lab.shutdown().await;
    let clients = &report.auth_discovery.test_clients;
    assert_eq!(clients.len(), 2, "{clients:?}");
    assert!(clients.iter().all(|c| !c.deleted));
    assert_eq!(left, 2);
    let cleanup = report
        .findings
        .iter()
        .find(|f| f.code == Code::DcrCleanupIncomplete)
        .expect("DCR_CLEANUP_INCOMPLETE");
    for client in clients {
        assert!(
            cleanup.evidence.contains(&client.client_id),
            "{}",
            cleanup.evidence
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn open_registration_and_loopback_redirects_are_never_held_against_a_server() {
    let defects: Vec<Defect> = Defect::ALL.iter().copied().filter(|d| d.active()).collect();
    let runs = defects.iter().map(|d| async move {
        let lab = start(LabConfig::with_defects([*d])).await;
        let mut config = config(&lab.mcp_url(), Duration::from_secs(2));
        config.mode = ScanMode::Active;
        // Strict modes raise SHOULD-level findings; these must stay where they are.
        config.rfc_mode = authprobe_core::FamilyMode::Strict;
        config.mcp_mode = authprobe_core::FamilyMode::Strict;
        let report = authprobe_core::scan::scan(&config)
            .await
            .expect("scan runs");
        lab.shutdown().await;
        (*d, report)
    });
    for (defect, report) in join_all(runs).await {
        for f in &report.findings {
            assert_ne!(f.code, Code::DcrLocalhostRedirectAccepted, "{defect}");
            if f.code == Code::DcrEndpointOpen {
                assert_eq!(f.severity, Severity::Info, "{defect}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_active_defect_is_invisible_to_a_passive_scan() {
    // Passive mode never registers, so a defect that only registration shows
    // leaves the passive report of the clean lab.
    let defects: Vec<Defect> = Defect::ALL.iter().copied().filter(|d| d.active()).collect();
    assert!(defects.len() >= 10);
    let runs = defects.iter().map(|d| async move {
        let lab = start(LabConfig::with_defects([*d])).await;
        let report = passive(&lab.mcp_url()).await;
        let left = lab.client_count();
        lab.shutdown().await;
        (*d, report, left)
    });
    for (defect, report, left) in join_all(runs).await {
        assert!(report.findings.is_empty(), "{defect}: {:?}", codes(&report));
        assert_eq!(left, 0, "{defect}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limiting_is_reported_as_such_never_as_a_defect() {
    // Real authorization servers rate-limit registrations per address: a 429 is "not
    // now", with the Retry-After it gave, and no finding about the endpoint.
    for (defect, step_id) in [
        (Defect::TokenRateLimited, "token"),
        (Defect::DcrRateLimited, "registration"),
    ] {
        let lab = start(LabConfig::with_defects([defect])).await;
        let report = scan_active(&lab.mcp_url()).await;
        lab.shutdown().await;
        assert!(
            report.findings.iter().all(|f| f.severity == Severity::Info),
            "{defect}: {:?}",
            codes(&report)
        );
        assert_eq!(
            report.outcome.as_str(),
            defect.expected_outcome(),
            "{defect}"
        );
        let detail = &step(&report, step_id).detail;
        assert!(
            detail.contains("429 rate-limited (Retry-After: 60)"),
            "{defect}: {detail}"
        );
    }
}
