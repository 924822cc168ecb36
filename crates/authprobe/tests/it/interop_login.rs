//! `--login` against the real authorization server of the interop suite
//! (oidc-provider, its development login and consent pages filled in by the
//! `fill_forms.py` helper as `$BROWSER`), then stage 7 against the real resource
//! servers of the TypeScript and Python SDKs.

use std::sync::Arc;
use std::time::Duration;

use authprobe_core::config::{
    parse_target, LoginConfig, LoginFlow, LoginFrontEnd, ScanConfig, ScanMode,
};
use authprobe_core::report::{Report, Severity, Stage};

use super::fixture::{workspace_root, Runtime};
use super::{deploy, Issuer};

/// A person at a browser: the form-filling helper, run with the authorization URL.
#[derive(Debug)]
struct FormBrowser;

impl LoginFrontEnd for FormBrowser {
    fn authorize(&self, url: &str) {
        let helper = workspace_root().join("crates/authprobe/tests/login/fill_forms.py");
        let child = std::process::Command::new("python3")
            .arg(helper)
            .arg(url)
            .stdout(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = child {
            std::thread::spawn(move || child.wait());
        }
    }
    fn device_code(&self, _: &str, _: &str, _: Option<&str>) {}
    fn obtained(&self, _: &str) {}
}

async fn login_scan(url: &str, mode: ScanMode) -> Report {
    let mut config = ScanConfig::new(parse_target(url).expect("a fixture URL parses"));
    config.timeout = Duration::from_secs(5);
    config.mode = mode;
    config.login = Some(LoginConfig {
        flow: LoginFlow::Code,
        client_id: None,
        client_secret: None,
        client_metadata_url: None,
        scope: None,
        timeout: Duration::from_secs(30),
        keep_client: false,
        front_end: Arc::new(FormBrowser),
    });
    authprobe_core::scan::scan(&config)
        .await
        .expect("the scan runs")
}

/// The login and the session pass, and stage 7 raises nothing at medium or above.
fn assert_stage_7_passes(report: &Report, url: &str) {
    for id in ["login", "session", "session-tokens"] {
        let step = report.steps.iter().find(|s| s.id == id).expect("the step");
        assert_eq!(step.status.as_str(), "PASS", "{step:?}");
    }
    let token = report.token.as_ref().expect("a token object");
    assert_eq!(token.source, "login");
    assert_eq!(token.kind, "jwt");
    assert_eq!(
        token.aud,
        [url],
        "oidc-provider binds the token to the resource"
    );
    let serious: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.stage == Stage::Session && f.severity >= Severity::Medium)
        .map(|f| format!("{}: {}", f.code, f.evidence))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_through_oidc_provider_to_the_ts_and_python_sdk_servers() {
    Runtime::Node.require_installed();
    Runtime::Python.require_installed();
    for (runtime, config) in [
        (Runtime::Node, "ts-stateful"),
        (Runtime::Python, "py-protected"),
    ] {
        let deployment = deploy(runtime, config, "/mcp", Some(Issuer::Plain));
        for mode in [ScanMode::Passive, ScanMode::Active] {
            let report = login_scan(&deployment.mcp_url, mode).await;
            assert_stage_7_passes(&report, &deployment.mcp_url);
        }
    }
}
