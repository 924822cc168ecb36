//! The output flags of the binary: `--output-dir`, `-` for stdout, `-v`, `--trace-failure`,
//! `-e`, `authprobe diff` and `--baseline`.

use std::path::Path;

use authprobe_lab::Defect;
use serde_json::Value;

use crate::support::{lab, run_bin as run};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn defect_lab(name: &str) -> authprobe_lab::RunningLab {
    lab(&[Defect::from_name(name).unwrap()]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn output_dir_alone_writes_every_format() {
    let lab = defect_lab("auth-not-advertised").await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("nested/out");
    let out_dir = out_dir.to_str().unwrap();
    let out = run(args(&[
        "scan",
        &lab.mcp_url(),
        "--output-dir",
        out_dir,
        "-q",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "--quiet prints nothing");
    let mut names: Vec<String> = std::fs::read_dir(out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bundle.zip",
            "report.html",
            "report.json",
            "report.junit.xml",
            "report.md",
            "report.sarif",
            "trace.txt"
        ]
    );
    let read = |name: &str| std::fs::read(Path::new(out_dir).join(name)).unwrap();
    let json: Value = serde_json::from_slice(&read("report.json")).unwrap();
    assert_eq!(json["outcome"], "protected-broken");
    let sarif: Value = serde_json::from_slice(&read("report.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(text(&read("report.md")).contains("AUTH_REQUIRED_BUT_NOT_ADVERTISED"));
    assert!(text(&read("trace.txt")).starts_with("authprobe call trace"));
    assert!(read("bundle.zip").starts_with(b"PK"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn formats_to_stdout_and_relative_paths_in_the_output_dir() {
    let lab = defect_lab("challenge-no-scope").await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = run(args(&[
        "scan",
        &lab.mcp_url(),
        "--md",
        "-",
        "--output-dir",
        out_dir,
        "--junit",
        "ci/junit.xml",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("## authprobe: protected-ok"), "{stdout}");
    assert!(
        !stdout.contains("Summary:"),
        "no terminal report mixed into the Markdown"
    );
    let junit = std::fs::read_to_string(dir.path().join("ci/junit.xml")).unwrap();
    assert!(junit.contains("CHALLENGE_SCOPE_MISSING"));
    // Only the requested outputs: nothing else appeared.
    assert_eq!(std::fs::read_dir(out_dir).unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn verbose_prints_each_exchange_live_and_redacted() {
    let lab = lab(&[]).await;
    let secret = "live-secret-abcdef123456";
    let header = format!("Authorization: Bearer {secret}");
    let out = run(args(&["scan", &lab.mcp_url(), "-v", "-q", "-H", &header])).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains(secret), "the token leaked on stderr");
    assert!(
        !stderr.contains(&lab.affinity_cookie()),
        "the cookie leaked on stderr"
    );
    assert!(
        stderr.contains("stage 1 Challenge · unauthenticated initialize"),
        "{stderr}"
    );
    assert!(stderr.contains("POST /mcp HTTP/1.1\n"));
    assert!(
        stderr.contains("authorization: Bearer [REDACTED]"),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP/1.1 401\n"));
    assert!(stderr.contains("GET /.well-known/oauth-protected-resource/mcp HTTP/1.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trace_failure_and_explain() {
    let lab = defect_lab("auth-not-advertised").await;
    let out = run(args(&["scan", &lab.mcp_url(), "--trace-failure", "-e"])).await;
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    let section = stdout
        .split("\nExchanges of the failed steps\n")
        .nth(1)
        .expect("the exchanges section");
    // The failed challenge (#1) and the missing metadata (#4, #6) are shown; the
    // invalid-token request (#3) passed and is not.
    assert!(section.contains("\n#1  stage 1 Challenge"), "{section}");
    assert!(section.contains("\n#4  stage 3"), "{section}");
    assert!(!section.contains("\n#3  stage 1"), "{section}");
    let explain = stdout
        .split("Why each step, and what the specifications require\n")
        .nth(1)
        .expect("the explanation");
    assert!(explain.contains("(RFC 9110 §15.5.2)"));
    assert!(explain.contains("raised:    HIGH AUTH_REQUIRED_BUT_NOT_ADVERTISED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn diff_and_baseline_report_regressions() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let clean = lab(&[]).await;
    let out = run(args(&[
        "scan",
        &clean.mcp_url(),
        "--json",
        &path("clean.json"),
        "-q",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let broken = defect_lab("auth-not-advertised").await;
    let out = run(args(&[
        "scan",
        &broken.mcp_url(),
        "--json",
        &path("broken.json"),
        "-q",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));

    let out = run(args(&["diff", &path("clean.json"), &path("broken.json")])).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("outcome: protected-ok → protected-broken"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ HIGH   AUTH_REQUIRED_BUT_NOT_ADVERTISED"),
        "{stdout}"
    );
    assert!(stdout.ends_with("Verdict: regressed\n"));

    let out = run(args(&["diff", &path("broken.json"), &path("clean.json")])).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("- HIGH   AUTH_REQUIRED_BUT_NOT_ADVERTISED"));

    // A low finding passes the default gate, but it is new since the baseline.
    let scope = defect_lab("challenge-no-scope").await;
    let out = run(args(&[
        "scan",
        &scope.mcp_url(),
        "--baseline",
        &path("clean.json"),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("+ LOW    CHALLENGE_SCOPE_MISSING"),
        "{stdout}"
    );
    let out = run(args(&[
        "scan",
        &clean.mcp_url(),
        "--baseline",
        &path("broken.json"),
        "-q",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Fixed findings (4)"));

    std::fs::write(path("bad.json"), "{\"hello\": 1}").unwrap();
    let out = run(args(&[
        "scan",
        &clean.mcp_url(),
        "--baseline",
        &path("bad.json"),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not an authprobe report"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_outputs_on_stdout_are_refused_before_scanning() {
    // A closed port: refusing must come before any scan, which would fail differently.
    let url = crate::support::closed_port_url();
    for pair in [["--json", "--md"], ["--sarif", "--junit"]] {
        let out = run(args(&["scan", &url, pair[0], "-", pair[1], "-"])).await;
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        assert!(
            out.stdout.is_empty(),
            "nothing written: {}",
            text(&out.stdout)
        );
        let err = text(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains(pair[0]) && err.contains(pair[1]), "{err}");
        assert!(err.contains("stdout"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn skipped_transport_names_every_way_to_give_a_token() {
    let lab = defect_lab("auth-not-advertised").await;
    let out = run(args(&["scan", &lab.mcp_url(), "--json", "-"])).await;
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = json["steps"].as_array().unwrap();
    let transport = steps.iter().find(|s| s["id"] == "transport").unwrap();
    assert_eq!(transport["status"], "SKIP");
    let detail = transport["detail"].as_str().unwrap();
    for flag in ["--bearer-token", "--bearer-token-file", "--login"] {
        assert!(detail.contains(flag), "{flag} missing: {detail}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn families_off_keep_the_outcome_of_the_wire() {
    let lab = defect_lab("auth-not-advertised").await;
    let outcome = |extra: &'static [&'static str]| {
        let mut list = vec![
            "scan".to_string(),
            lab.mcp_url(),
            "--json".into(),
            "-".into(),
        ];
        list.extend(extra.iter().map(|s| s.to_string()));
        async move {
            let out = run(list).await;
            let json: Value = serde_json::from_slice(&out.stdout).unwrap();
            json["outcome"].clone()
        }
    };
    let full = outcome(&[]).await;
    assert_eq!(full, "protected-broken");
    assert_eq!(outcome(&["--mcp", "off", "--rfc", "off"]).await, full);
    assert_eq!(outcome(&["--mcp", "off"]).await, full);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_get_stream_without_an_answer_is_not_a_pass() {
    let lab = defect_lab("get-hangs").await;
    let out = run(args(&[
        "scan",
        &lab.mcp_url(),
        "--timeout",
        "1",
        "--json",
        "-",
    ]))
    .await;
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = json["steps"].as_array().unwrap();
    let get = steps.iter().find(|s| s["id"] == "get-stream").unwrap();
    assert_ne!(get["status"], "PASS", "{get}");
    assert!(
        get["detail"].as_str().unwrap().contains("no answer"),
        "{get}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_step_whose_findings_a_family_left_out_is_not_a_pass() {
    let lab = defect_lab("auth-not-advertised").await;
    let steps = |extra: &'static [&'static str]| {
        let mut list = vec![
            "scan".to_string(),
            lab.mcp_url(),
            "--json".into(),
            "-".into(),
        ];
        list.extend(extra.iter().map(|s| s.to_string()));
        async move {
            let out = run(list).await;
            let json: Value = serde_json::from_slice(&out.stdout).unwrap();
            json["steps"].as_array().unwrap().clone()
        }
    };
    let full = steps(&[]).await;
    let off = steps(&["--mcp", "off", "--rfc", "off"]).await;
    let mut judged_before = 0;
    for step in &off {
        let before = full.iter().find(|s| s["id"] == step["id"]).unwrap();
        if before["status"] == "FAIL" || before["status"] == "WARN" {
            judged_before += 1;
            assert_ne!(step["status"], "PASS", "{step} was {before}");
        }
    }
    assert!(judged_before > 0, "{full:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_html_page_is_not_a_passing_get_stream() {
    let lab = defect_lab("html-page").await;
    let out = run(args(&["scan", &lab.mcp_url(), "--json", "-"])).await;
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["outcome"], "not-mcp");
    let steps = json["steps"].as_array().unwrap();
    let get = steps.iter().find(|s| s["id"] == "get-stream").unwrap();
    assert_ne!(get["status"], "PASS", "{get}");
}
