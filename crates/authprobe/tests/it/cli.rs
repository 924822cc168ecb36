//! Black-box tests of the binary: exit codes, JSON validity, redaction, one-line errors.

use std::net::TcpListener;
use std::process::{Command, Output};

use authprobe_lab::Defect;
use serde_json::Value;

use crate::support::{closed_port_url, lab, run_bin as run};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clean_lab_exits_0_and_json_has_the_contract_keys() {
    let lab = lab(&[]).await;
    let out = run(args(&["scan", &lab.mcp_url(), "--json", "-"])).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    for key in [
        "schema_version",
        "command",
        "target",
        "mcp_mode",
        "rfc_mode",
        "auth_required",
        "timestamp",
        "prm_ok",
        "oauth_discovery_viable",
        "authz_server_metadata_ok",
        "auth_discovery",
        "steps",
        "findings",
        "primary_finding",
        "outcome",
        "protocol",
        "exchanges",
    ] {
        assert!(json.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["outcome"], "protected-ok");
    assert!(json["primary_finding"].is_null());
    assert!(json["exchanges"].as_array().is_some_and(|a| a.len() >= 5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bug_report_exits_2_with_its_primary_finding() {
    let lab = lab(&[Defect::from_name("auth-not-advertised").unwrap()]).await;
    let out = run(args(&["scan", &lab.mcp_url()])).await;
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("AUTH_REQUIRED_BUT_NOT_ADVERTISED"), "{text}");
    assert!(text.contains("protected-broken"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when NO_COLOR is set");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fail_on_changes_the_exit_code() {
    // A low finding only: exit 0 by default, 2 with --fail-on low.
    let lab = lab(&[Defect::from_name("challenge-no-scope").unwrap()]).await;
    let default = run(args(&["scan", &lab.mcp_url(), "-q"])).await;
    assert_eq!(default.status.code(), Some(0));
    let low = run(args(&["scan", &lab.mcp_url(), "-q", "--fail-on", "low"])).await;
    assert_eq!(low.status.code(), Some(2));
    let none = run(args(&["scan", &lab.mcp_url(), "-q", "--fail-on", "none"])).await;
    assert_eq!(none.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unsafe_but_working_registration_is_ok_with_a_security_summary_and_fails_the_gate() {
    // Every client gets in, so the outcome is protected-ok; the security finding keeps its
    // severity, so the default gate (high) still fails, and the summary names it.
    let lab = lab(&[Defect::from_name("dcr-dangerous-uri").unwrap()]).await;
    let out = run(args(&["scan", &lab.mcp_url(), "--active", "--json", "-"])).await;
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    assert_eq!(json["outcome"], "protected-ok");
    let summary = json["security_summary"]
        .as_str()
        .expect("a security summary");
    assert!(
        summary.contains("DCR_DANGEROUS_URI_ACCEPTED (high)"),
        "{summary}"
    );
    let text = run(args(&[
        "scan",
        &lab.mcp_url(),
        "--active",
        "--fail-on",
        "none",
    ]))
    .await;
    assert_eq!(text.status.code(), Some(0));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Outcome: protected-ok"), "{text}");
    assert!(
        text.contains("Security: 1 security finding: DCR_DANGEROUS_URI_ACCEPTED (high)"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unreachable_port_exits_3_with_one_line() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let out = run(args(&["scan", &url, "--timeout", "2", "--json", "-"])).await;
    assert_eq!(out.status.code(), Some(3));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("error: cannot reach"), "{lines:?}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["outcome"], "unreachable");
    assert!(
        json["findings"].as_array().unwrap().is_empty(),
        "a network error is not a protocol finding"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_gets_one_line_and_exit_3() {
    for bad in [
        args(&["scan", "not a url"]),
        args(&["scan", "ftp://example.com/mcp"]),
        args(&["scan", "http://127.0.0.1:9/mcp", "--timeout", "-1"]),
        args(&["scan", "http://127.0.0.1:9/mcp", "-H", "no-colon"]),
        args(&["scan", "--no-such-flag"]),
        args(&["explain", "NO_SUCH_CODE"]),
        args(&["diff", "/nonexistent/old.json", "/nonexistent/new.json"]),
    ] {
        let out = run(bad.clone()).await;
        assert_eq!(out.status.code(), Some(3), "{bad:?}");
        let lines = stderr_lines(&out);
        assert_eq!(lines.len(), 1, "{bad:?}: {lines:?}");
        assert!(lines[0].starts_with("error: "), "{bad:?}: {lines:?}");
    }
}

/// Flag values, URLs and files a user can get wrong: each stops before any request with
/// one line naming what was wrong (exit 3), never a panic or a usage dump.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_values_name_the_mistake_in_one_line() {
    let missing = tempfile::tempdir().unwrap();
    let missing = missing.path().join("absent");
    let missing = missing.to_str().unwrap();
    let url = closed_port_url();
    for (bad, says) in [
        (args(&["scan", "http://[::1"]), "is not a valid URL"),
        (
            args(&["scan", &url, "--timeout", "abc"]),
            "'abc' for '--timeout",
        ),
        (
            args(&["scan", &url, "--timeout", "0"]),
            "above 0 and at most 3600",
        ),
        (
            args(&["scan", &url, "--timeout", "-1"]),
            "'-1' for '--timeout <SEC>': out of range",
        ),
        (
            args(&["scan", &url, "--deadline", "4000"]),
            "above 0 and at most 3600",
        ),
        (
            args(&["scan", &url, "--fail-on", "bogus"]),
            "'bogus' for '--fail-on",
        ),
        (
            args(&["scan", &url, "--concurrency", "0"]),
            "--concurrency 0 is out of range",
        ),
        (
            args(&["scan", &url, "--shard", "0/3"]),
            "is not I/N with 1 <= I <= N",
        ),
        (
            args(&["scan", &url, "--shard", "4/3"]),
            "is not I/N with 1 <= I <= N",
        ),
        (
            args(&["scan", "--targets", missing]),
            "cannot read --targets",
        ),
        (
            args(&["scan", &url, "--bearer-token-file", missing]),
            "cannot read --bearer-token-file",
        ),
        (
            args(&["scan", &url, "--baseline", missing]),
            "cannot read --baseline",
        ),
        (args(&["merge", missing]), "cannot read"),
        (args(&["explain", "NOPE"]), "unknown finding code `NOPE`"),
        (args(&["lab", "--defect", "nope"]), "unknown defect `nope`"),
        (
            args(&["lab", "--era", "1999-01-01"]),
            "is not a revision the lab serves",
        ),
        (args(&["lab", "--latency", "abc"]), "is not a latency"),
        (args(&["man", "nope"]), "no command `nope`"),
        (args(&["diff"]), "not provided: <OLD> <NEW>"),
        (args(&["merge"]), "not provided: <NDJSON>"),
        (
            args(&["scan", &url, "--fail-on", "x"]),
            "[possible values: none, low, medium, high]",
        ),
    ] {
        let out = run(bad.clone()).await;
        assert_eq!(out.status.code(), Some(3), "{bad:?}");
        let lines = stderr_lines(&out);
        assert_eq!(lines.len(), 1, "{bad:?}: {lines:?}");
        assert!(lines[0].starts_with("error: "), "{bad:?}: {lines:?}");
        assert!(lines[0].contains(says), "{bad:?}: {lines:?}");
    }
}

/// An output that cannot be written fails the run with exit 3 after the scan, naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unwritable_output_exits_3_with_one_line() {
    let lab = lab(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the output's directory should be.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let target = file.join("report.json");
    let out = run(args(&[
        "scan",
        &lab.mcp_url(),
        "-q",
        "--json",
        target.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("error: cannot create the directory"),
        "{lines:?}"
    );
    assert!(lines[0].contains("--json"), "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn secrets_never_reach_any_output() {
    let lab = lab(&[]).await;
    let secret = "sekrit-bearer-0123456789";
    let header = format!("Authorization: Bearer {secret}");
    let api_key = "apikey-abcdef-987654";
    let key_header = format!("X-Api-Key: {api_key}");
    let out = run(args(&[
        "scan",
        &lab.mcp_url(),
        "-H",
        &header,
        "-H",
        &key_header,
        "--json",
        "-",
        "-v",
    ]))
    .await;
    let everything = [out.stdout.clone(), out.stderr.clone()].concat();
    let text = String::from_utf8_lossy(&everything);
    assert!(!text.contains(secret), "bearer token leaked");
    assert!(!text.contains(api_key), "api key leaked");
    let cookie = lab.affinity_cookie();
    assert!(!text.contains(&cookie), "Set-Cookie value leaked");
    assert!(
        text.contains("lab_affinity="),
        "the cookie's name stays visible"
    );
    let terminal = run(args(&[
        "scan",
        &lab.mcp_url(),
        "-H",
        &header,
        "--trace-failure",
    ]))
    .await;
    let text = String::from_utf8_lossy(&terminal.stdout);
    assert!(
        !text.contains(secret),
        "bearer token leaked in the terminal report"
    );
    // With --no-redact the value is shown (the test proves redaction is what hid it).
    let raw = run(args(&[
        "scan",
        &lab.mcp_url(),
        "-H",
        &header,
        "--json",
        "-",
        "--no-redact",
    ]))
    .await;
    let raw = String::from_utf8_lossy(&raw.stdout);
    assert!(raw.contains(secret));
    assert!(raw.contains(&cookie));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn explain_prints_an_entry() {
    let out = run(args(&["explain", "prm-resource-mismatch"])).await;
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("PRM_RESOURCE_MISMATCH"));
    assert!(text.contains("RFC 9728"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_man_come_from_the_flag_table() {
    let bash = run(args(&["completions", "bash"])).await;
    assert_eq!(bash.status.code(), Some(0));
    let script = String::from_utf8_lossy(&bash.stdout);
    assert!(
        script.contains("--allow-private-issuers"),
        "flags are completed"
    );
    let man = run(args(&["man", "scan"])).await;
    assert_eq!(man.status.code(), Some(0));
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(".TH authprobe-scan"), "{page}");
    assert!(page.contains("fail\\-on"), "options are documented");
    let unknown = run(args(&["man", "nope"])).await;
    assert_eq!(unknown.status.code(), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_names_the_commit_it_was_built_from() {
    let out = run(args(&["--version"])).await;
    assert_eq!(out.status.code(), Some(0));
    // The test binary and the tool were built from the same checkout just now.
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let commit = std::env::var("AUTHPROBE_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or(head)
        .unwrap_or_else(|| "unknown".into());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "authprobe {} (commit {commit})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// Asserts one `error:` line on stderr and exit 3.
fn one_line_exit_3(out: &Output, what: &str) -> String {
    let lines = stderr_lines(out);
    assert_eq!(out.status.code(), Some(3), "{what}: {lines:?}");
    assert_eq!(lines.len(), 1, "{what}: {lines:?}");
    assert!(lines[0].starts_with("error: "), "{what}: {lines:?}");
    assert!(out.stdout.is_empty(), "{what}: nothing on stdout");
    lines[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_duration_value_panics() {
    // Each of these once reached `Duration::from_secs_f64` (a panic) or a zero timeout.
    for flag in [
        "--timeout",
        "--deadline",
        "--login-timeout",
        "--llm-timeout",
    ] {
        for value in ["NaN", "inf", "-inf", "-0", "0", "1e309", "-5", "3601", "8s"] {
            let word = format!("{flag}={value}");
            let out = run(args(&["scan", "--stdio-command", "true", &word])).await;
            let line = one_line_exit_3(&out, &word);
            assert!(line.contains(flag), "{word}: {line}");
            assert!(line.contains("seconds"), "{word}: {line}");
        }
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_word_that_is_not_utf8_gets_one_line_and_exit_3() {
    use std::os::unix::ffi::OsStrExt;
    // As a flag value clap would accept (a path), so only the check in `main` stops it.
    let word = std::ffi::OsStr::from_bytes(b"/tmp/token-\xff\xfe");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(crate::support::bin())
            .args(["scan", "http://127.0.0.1:9/mcp", "--bearer-token-file"])
            .arg(word)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("join");
    let line = one_line_exit_3(&out, "non-UTF-8 argument");
    assert!(line.contains("argument 4 is not valid UTF-8"), "{line}");
    assert!(!line.contains("panicked"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_secret_with_a_quote_and_a_space_is_hidden_whole_on_the_echoed_command() {
    let lab = lab(&[]).await;
    let secret = "head-part' tail-part-4242";
    let out = run(args(&[
        "scan",
        &lab.mcp_url(),
        "--bearer-token",
        secret,
        "--json",
        "-",
    ]))
    .await;
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    let command = json["command"].as_str().expect("the command is echoed");
    assert!(command.contains("--bearer-token"), "{command}");
    assert!(command.contains("[REDACTED]"), "{command}");
    for part in ["head-part", "tail-part-4242"] {
        assert!(!command.contains(part), "{part} leaked: {command}");
    }
    let everything = String::from_utf8_lossy(&out.stdout);
    assert!(!everything.contains("tail-part-4242"), "the tail leaked");
}
