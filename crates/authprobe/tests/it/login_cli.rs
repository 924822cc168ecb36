//! `authprobe scan --login` end to end: the binary, the lab, and a `$BROWSER`
//! helper program that follows the authorization URL like a person would.

use std::time::{Duration, Instant};

use authprobe_lab::Defect;
use serde_json::Value;

use crate::support::{bin, browser_helper, lab, text};

/// `$BROWSER`: the helper, run by python3, with the URL as its one argument.
fn browser() -> String {
    format!("python3 {}", browser_helper().display())
}

async fn authprobe(args: &[&str], browser: Option<&str>) -> (i32, String, String, Duration) {
    let mut command = tokio::process::Command::new(bin());
    command.args(args).env_remove("BROWSER");
    if let Some(browser) = browser {
        command.env("BROWSER", browser);
    }
    let started = Instant::now();
    let output = command.output().await.expect("authprobe runs");
    (
        output.status.code().unwrap_or(-1),
        text(&output.stdout),
        text(&output.stderr),
        started.elapsed(),
    )
}

fn step<'v>(report: &'v Value, id: &str) -> &'v Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_a_browser_helper_passes_stage_7() {
    let lab = lab(&[]).await;
    let url = lab.mcp_url();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("token.json");
    let saved_arg = saved.display().to_string();
    let (code, stdout, stderr, took) = authprobe(
        &[
            "scan",
            &url,
            "--login",
            "--json",
            "-",
            "--token-out",
            &saved_arg,
        ],
        Some(&browser()),
    )
    .await;
    assert_eq!(code, 0, "{stderr}\n{stdout}");
    // The done-when figure is under a second; the bound here leaves room for a busy machine.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    for id in ["login", "session", "session-tokens"] {
        assert_eq!(
            step(&report, id)["status"],
            "PASS",
            "{id}: {}",
            step(&report, id)
        );
    }
    assert_eq!(report["outcome"], "protected-ok");
    assert_eq!(report["token"]["source"], "login");
    assert_eq!(report["token"]["aud"][0], url.as_str());
    assert!(stderr.contains("log in at http://127.0.0.1:"), "{stderr}");
    // The client registered for the login is kept: deleting it would revoke the saved token.
    assert_eq!(lab.client_count(), 1);
    assert!(
        step(&report, "login")["detail"]
            .as_str()
            .unwrap()
            .contains("was kept"),
        "{}",
        step(&report, "login")
    );

    // --token-out: the token response, owner-only, reusable with --bearer-token-file.
    let saved_text = std::fs::read_to_string(&saved).unwrap();
    let response: Value = serde_json::from_str(&saved_text).unwrap();
    let token = response["access_token"].as_str().unwrap().to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    for secret in [token.as_str(), response["refresh_token"].as_str().unwrap()] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    let (code, stdout, stderr, _) = authprobe(
        &[
            "scan",
            &url,
            "--bearer-token-file",
            &saved_arg,
            "--json",
            "-",
        ],
        None,
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(step(&report, "session")["status"], "PASS");
    assert_eq!(report["token"]["source"], "given");
    assert!(!stdout.contains(&token));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_browser_prints_the_url_and_opens_nothing() {
    let lab = lab(&[]).await;
    // Were the helper opened, it would complete the login; it is not, so the wait ends.
    let (code, stdout, stderr, _) = authprobe(
        &[
            "scan",
            &lab.mcp_url(),
            "--login",
            "--no-browser",
            "--login-timeout",
            "1",
        ],
        Some(&browser()),
    )
    .await;
    assert_eq!(code, 3, "{stderr}\n{stdout}");
    assert!(
        stderr.contains(&format!("log in at {}/authorize?", lab.base_url())),
        "{stderr}"
    );
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("never redirected back") && last.contains("--login-timeout"),
        "{stderr}"
    );
    assert_eq!(
        lab.client_count(),
        0,
        "the login's client is deleted even so"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_and_client_credentials_logins() {
    let lab = lab(&[]).await;
    let (code, stdout, stderr, _) = authprobe(
        &["scan", &lab.mcp_url(), "--login", "device", "--json", "-"],
        None,
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("enter the code"), "{stderr}");
    assert_eq!(
        lab.client_count(),
        0,
        "the login's client is deleted afterwards"
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(step(&report, "login")["status"], "PASS");
    assert_eq!(step(&report, "session")["status"], "PASS");

    let (id, secret) = lab.confidential_client();
    let args = [
        "scan",
        &lab.mcp_url(),
        "--login",
        "client-credentials",
        "--client-id",
        &id,
        "--client-secret",
        &secret,
        "--json",
        "-",
    ];
    let (code, stdout, stderr, _) = authprobe(&args, None).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains(&secret) && !stderr.contains(&secret));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(step(&report, "session")["status"], "PASS");
    assert_eq!(report["token"]["client_id"], id.as_str());

    // A wrong secret is the user's to fix: one line, exit 3, the secret not repeated.
    let args = [
        "scan",
        &lab.mcp_url(),
        "--login",
        "client-credentials",
        "--client-id",
        &id,
        "--client-secret",
        "wrong-secret-5f6e7d",
    ];
    let (code, stdout, stderr, _) = authprobe(&args, None).await;
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("invalid_client"), "{stderr}");
    assert!(!stderr.contains("wrong-secret-5f6e7d") && !stdout.contains("wrong-secret-5f6e7d"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_one_clear_line_or_login_failed() {
    // A client id the authorization server does not know: the redirect never comes.
    let clean = lab(&[]).await;
    let (code, _, stderr, _) = authprobe(
        &[
            "scan",
            &clean.mcp_url(),
            "--login",
            "--client-id",
            "nobody",
            "--login-timeout",
            "1",
        ],
        Some(&browser()),
    )
    .await;
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr
            .trim()
            .lines()
            .last()
            .unwrap()
            .contains("check --client-id"),
        "{stderr}"
    );
    // Options that make no sense without --login, or with the wrong grant.
    for args in [
        vec!["scan", "http://127.0.0.1:9/mcp", "--client-id", "x"],
        vec![
            "scan",
            "http://127.0.0.1:9/mcp",
            "--login",
            "client-credentials",
        ],
        vec![
            "scan",
            "http://127.0.0.1:9/mcp",
            "--login",
            "--login-timeout",
            "0",
        ],
    ] {
        let (code, _, stderr, _) = authprobe(&args, None).await;
        assert_eq!(code, 3, "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    }
    clean.shutdown().await;

    // The authorization server refuses to register the login's client (with a
    // text/plain answer where JSON is due): the target's fault, LOGIN_FAILED.
    let refusing = lab(&[Defect::DcrRejectsAll, Defect::DcrBadErrorResponse]).await;
    let (code, stdout, stderr, _) = authprobe(
        &["scan", &refusing.mcp_url(), "--login", "--json", "-"],
        Some(&browser()),
    )
    .await;
    assert_eq!(code, 2, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["primary_finding"]["code"], "LOGIN_FAILED");
    let evidence = report["primary_finding"]["evidence"].as_str().unwrap();
    assert!(evidence.contains("/register → 400"), "{evidence}");
    assert_eq!(step(&report, "session")["status"], "SKIP");
    refusing.shutdown().await;

    // A token endpoint that never answers: bounded by --timeout, LOGIN_FAILED naming it.
    let hanging = lab(&[Defect::TokenEndpointHangs]).await;
    let (code, stdout, stderr, took) = authprobe(
        &[
            "scan",
            &hanging.mcp_url(),
            "--login",
            "--timeout",
            "1",
            "--json",
            "-",
        ],
        Some(&browser()),
    )
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["primary_finding"]["code"], "LOGIN_FAILED");
    let evidence = report["primary_finding"]["evidence"].as_str().unwrap();
    assert!(evidence.contains("/token → timeout"), "{evidence}");
    hanging.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_to_a_server_without_authorization_is_not_a_failure() {
    let lab = lab(&[Defect::from_name("no-auth").unwrap()]).await;
    let (_, stdout, stderr, _) = authprobe(
        &["scan", &lab.mcp_url(), "--login", "--json", "-"],
        Some("true"),
    )
    .await;
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(report["outcome"], "no-auth");
    let login = step(&report, "login");
    assert_ne!(login["status"], "FAIL", "{login}");
}
