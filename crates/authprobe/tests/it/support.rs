//! Helpers shared by the integration tests.

use std::time::Duration;

use authprobe_core::config::{parse_target, LoginConfig, LoginFlow, LoginFrontEnd, ScanConfig};
use authprobe_core::report::Report;
use authprobe_lab::{Defect, Era, LabConfig, RunningLab};

/// Starts the lab with these defects on a free loopback port.
pub async fn lab(defects: &[Defect]) -> RunningLab {
    authprobe_lab::start(
        LabConfig::with_defects(defects.iter().copied()),
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .expect("the lab starts on a free loopback port")
}

/// Starts the lab serving `era` with these defects on a free loopback port.
pub async fn lab_in(era: Era, defects: &[Defect]) -> RunningLab {
    authprobe_lab::start(
        LabConfig::with_defects(defects.iter().copied()).in_era(era),
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .expect("the lab starts on a free loopback port")
}

/// Scans a lab with a valid token it minted, as a logged-in client would.
pub async fn scan_with_token(lab: &RunningLab) -> Report {
    let mut cfg = config(&lab.mcp_url(), Duration::from_secs(2));
    cfg.bearer_token = Some(lab.issue_token());
    authprobe_core::scan::scan(&cfg).await.expect("scan runs")
}

/// The scan a calibrated defect is judged by: `--active` for the defects only an
/// active scan sees, with a token the lab minted for those that hide behind it.
pub async fn calibrated_scan(defect: Defect) -> Report {
    calibrated_scan_in(LabConfig::default(), defect).await
}

/// [`calibrated_scan`] of a lab built from `base` (a placement of its authorization
/// server), in the defect's era.
pub async fn calibrated_scan_in(base: LabConfig, defect: Defect) -> Report {
    let mut lab_config = base.in_era(defect.era());
    lab_config.defects.push(defect);
    let lab = authprobe_lab::start(lab_config, ([127, 0, 0, 1], 0).into())
        .await
        .expect("the lab starts on a free loopback port");
    let mut cfg = config(&lab.mcp_url(), Duration::from_secs(2));
    if defect.active() {
        cfg.mode = authprobe_core::config::ScanMode::Active;
    }
    if defect.needs_login() {
        cfg.login = Some(login_config(LoginFlow::Code));
    } else if defect.needs_token() {
        cfg.bearer_token = Some(lab.issue_token());
    } else if defect.era() == Era::Stateless20260728 {
        // A protected server's revision cannot be read without a token: the user names
        // it, as `--protocol-version 2026-07-28` does.
        cfg.protocol_version = Some("2026-07-28".to_string());
    }
    let report = authprobe_core::scan::scan(&cfg).await.expect("scan runs");
    lab.shutdown().await;
    report
}

/// The `$BROWSER` helper of the login tests: follows the authorization URL and its
/// redirects like a person whose authorization server approves at once.
pub fn browser_helper() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/login/follow.py")
}

/// The person's side of a login in the library tests: the browser is the helper.
#[derive(Debug, Default)]
pub struct HelperBrowser;

impl LoginFrontEnd for HelperBrowser {
    fn authorize(&self, url: &str) {
        let child = std::process::Command::new("python3")
            .arg(browser_helper())
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = child {
            std::thread::spawn(move || child.wait());
        }
    }
    // The lab approves a device code by itself.
    fn device_code(&self, _: &str, _: &str, _: Option<&str>) {}
    fn obtained(&self, _: &str) {}
}

/// `--login <flow>` with the helper as the browser and a short wait.
pub fn login_config(flow: LoginFlow) -> LoginConfig {
    LoginConfig {
        flow,
        client_id: None,
        client_secret: None,
        client_metadata_url: None,
        scope: None,
        timeout: Duration::from_secs(10),
        keep_client: false,
        front_end: std::sync::Arc::new(HelperBrowser),
    }
}

/// A scan configuration for a lab URL with a short timeout, so hanging defects end quickly.
pub fn config(url: &str, timeout: Duration) -> ScanConfig {
    let mut config = ScanConfig::new(parse_target(url).expect("lab URL parses"));
    config.timeout = timeout;
    config
}

/// Scans a URL with a short timeout.
pub async fn scan(url: &str) -> Report {
    authprobe_core::scan::scan(&config(url, Duration::from_secs(2)))
        .await
        .expect("scan runs")
}

/// The codes of a report, sorted.
pub fn codes(report: &Report) -> Vec<String> {
    let mut codes: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.code.as_str().to_string())
        .collect();
    codes.sort();
    codes
}

/// Path of the built binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_authprobe")
}

/// Runs the binary with these arguments (no colour) off the async threads.
pub async fn run_bin(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(bin())
            .args(&args)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("join")
}

/// Starts the lab with this configuration on a free loopback port.
pub async fn lab_with(config: LabConfig) -> RunningLab {
    authprobe_lab::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .expect("the lab starts")
}

/// A loopback URL where nothing listens.
pub fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/mcp")
}

/// Bytes of a process's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The defects the calibration matrix scans with [`calibrated_scan`].
pub fn calibration_matrix() -> Vec<Defect> {
    Defect::ALL
        .iter()
        .copied()
        .filter(|d| d.calibrated())
        .collect()
}
