//! `authprobe mcp` driven by the official MCP SDK clients (TypeScript `Client`, Python
//! `ClientSession`) over stdio and Streamable HTTP, against the lab; its HTTP face scanned
//! by authprobe itself; cancellation stopping a scan's requests.
//!
//! The clients are tests/interop/node/mcp_client.mjs and tests/interop/python/mcp_client.py,
//! installed with the interop fixtures (tests/interop/install, run by ./scripts/test).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use authprobe_core::report::{Outcome, Severity};
use authprobe_lab::{Defect, LabConfig, Latency, RunningLab};
use serde_json::{json, Value};

use crate::interop::fixture::{workspace_root, Runtime};
use crate::support::{self, bin};

/// Every tool, dotted and with its underscore alias.
const TOOLS: [&str; 12] = [
    "authprobe.scan_http",
    "authprobe_scan_http",
    "authprobe.scan_http_with_credentials",
    "authprobe_scan_http_with_credentials",
    "authprobe.scan_resume",
    "authprobe_scan_resume",
    "authprobe.render_markdown",
    "authprobe_render_markdown",
    "authprobe.bundle_evidence",
    "authprobe_bundle_evidence",
    "authprobe.explain",
    "authprobe_explain",
];

/// `authprobe mcp --transport http` on a free loopback port; killed on drop.
struct HttpFace {
    child: Child,
    url: String,
}

impl HttpFace {
    fn start(env: &[(&str, &str)]) -> HttpFace {
        let mut child = Command::new(bin())
            .args(["mcp", "--transport", "http", "--http-addr", "127.0.0.1:0"])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("authprobe mcp starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stderr).lines();
        let first = lines
            .next()
            .and_then(Result::ok)
            .expect("authprobe mcp says where it listens");
        let url = first
            .split_once(" on ")
            .map(|(_, url)| url.trim().to_string())
            .unwrap_or_else(|| panic!("no URL in {first:?}"));
        // Keep draining, so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        HttpFace { child, url }
    }

    fn port(&self) -> u16 {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.port())
            .expect("the URL has a port")
    }
}

impl Drop for HttpFace {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the client reaches the server.
enum Reach<'a> {
    /// The client launches `authprobe mcp` itself.
    Stdio,
    /// The client connects to this running server.
    Http(&'a HttpFace),
}

/// The client program of `runtime` with the plan, ready to spawn.
fn client(runtime: Runtime, reach: &Reach<'_>, plan: &Value) -> (Command, tempfile::TempPath) {
    runtime.require_installed();
    let plan_file = tempfile::NamedTempFile::new().expect("a temporary plan file");
    std::fs::write(plan_file.path(), plan.to_string()).expect("the plan is written");
    let plan_path = plan_file.into_temp_path();
    let root = workspace_root();
    let (program, script) = match runtime {
        Runtime::Node => (
            Path::new("node").to_path_buf(),
            root.join("tests/interop/node/mcp_client.mjs"),
        ),
        Runtime::Python => (
            root.join("target/interop-venv/bin/python"),
            root.join("tests/interop/python/mcp_client.py"),
        ),
    };
    let mut command = Command::new(program);
    command
        .arg(&script)
        .arg("--plan")
        .arg(&plan_path)
        .current_dir(script.parent().expect("the script has a folder"));
    match reach {
        Reach::Stdio => command.args(["--stdio", bin()]),
        Reach::Http(face) => command.args(["--http", &face.url]),
    };
    (command, plan_path)
}

/// Runs the plan to its end and returns the client's `RESULT` object.
fn run_plan(runtime: Runtime, reach: &Reach<'_>, plan: &Value) -> Value {
    let (mut command, _plan) = client(runtime, reach, plan);
    let output = command
        .stdin(Stdio::null())
        .output()
        .expect("the client program runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
        panic!(
            "{runtime:?} client printed no result ({}).\nstdout:\n{stdout}\nstderr:\n{stderr}",
            output.status
        );
    };
    serde_json::from_str(line).expect("the result is JSON")
}

/// The plan that calls every tool against a clean lab and `auth-not-advertised`, with
/// the errors a caller can make.
fn every_tool_plan(labs: &Labs, flow: &str, with_ref: bool) -> Value {
    let (clean, broken) = (&labs.clean, &labs.broken);
    let mut plan = vec![
        json!({"call": "authprobe.scan_http", "arguments": {"url": clean.mcp_url(), "timeout_seconds": 5}}),
        json!({"call": "authprobe_scan_http", "arguments": {"url": broken.mcp_url(), "mode": "passive", "mcp": "strict"}}),
        json!({"call": "authprobe.scan_http_with_credentials", "arguments": {"url": clean.mcp_url(), "bearer_token": clean.issue_token()}}),
        json!({"call": "authprobe.scan_resume", "arguments": {"scan_id": "${0.scan_id}", "flow": flow}}),
        json!({"call": "authprobe.render_markdown", "arguments": {"scan_id": "${1.scan_id}"}}),
        json!({"call": "authprobe_render_markdown", "arguments": {"report": "${1.report}"}}),
        json!({"call": "authprobe.bundle_evidence", "arguments": {"scan_id": "${0.scan_id}"}}),
        json!({"call": "authprobe.explain", "arguments": {"code": "auth_required_but_not_advertised"}}),
        json!({"call": "authprobe_explain", "arguments": {"code": "PRM_RESOURCE_MISMATCH"}}),
        json!({"call": "authprobe.scan_http", "arguments": {"url": "not a url"}}),
        json!({"call": "authprobe.scan_http", "arguments": {"url": format!("http://127.0.0.1:{}/mcp", closed_port())}}),
        json!({"call": "authprobe_bundle_evidence", "arguments": {"scan_id": "scan-unknown"}}),
        json!({"call": "authprobe.scan_http", "arguments": {"url": clean.mcp_url(), "colour": "blue"}}),
        json!({"call": "authprobe.scan_http", "arguments": {"url": labs.link_local.mcp_url()}}),
    ];
    // The user logs in: with the code flow the client opens the URL (the lab approves at
    // once); the lab approves device codes by itself.
    plan.push(if flow == "code" {
        json!({"follow": 3})
    } else {
        json!({"ping": true})
    });
    plan.push(json!({"call": "authprobe_scan_resume", "arguments": {"scan_id": "${0.scan_id}"}}));
    plan.push(json!({"call": "authprobe.scan_resume", "arguments": {"scan_id": "${1.scan_id}"}}));
    if with_ref {
        plan.push(json!({"call": "authprobe_scan_http_with_credentials", "arguments": {"url": clean.mcp_url(), "credential_ref": "lab"}}));
    }
    Value::Array(plan)
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound").port()
}

fn step(result: &Value, i: usize) -> &Value {
    &result["results"][i]
}

fn text(step: &Value) -> &str {
    step["text"].as_str().unwrap_or_default()
}

fn ok(result: &Value, i: usize) -> &Value {
    let s = step(result, i);
    assert!(
        s.get("thrown").is_none() && s["is_error"] == false,
        "step {i} failed: {s}"
    );
    &s["structured"]
}

fn tool_error(result: &Value, i: usize, expected: &str) {
    let s = step(result, i);
    assert_eq!(s["is_error"], true, "step {i} must be a tool error: {s}");
    let message = text(s);
    assert!(
        message.contains(expected) && !message.contains('\n'),
        "step {i}: one sentence containing {expected:?}, got {message:?}"
    );
}

/// Checks the result of [`every_tool_plan`].
fn check_every_tool(result: &Value, token: &str, flow: &str, with_ref: bool) {
    assert_eq!(
        result["server"]["name"], "authprobe",
        "{}",
        result["server"]
    );
    let names: Vec<&str> = result["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, TOOLS);
    assert!(result["tools"]
        .as_array()
        .is_some_and(|t| t.iter().all(|t| t["has_output_schema"] == true)));
    assert_eq!(result["schema_errors"], json!([]), "every schema is valid");

    // The clean lab: protected, discovery works, no finding; how to continue.
    let clean = ok(result, 0);
    assert_eq!(clean["status"], "auth_required");
    assert_eq!(clean["report"]["outcome"], "protected-ok");
    assert_eq!(clean["report"]["findings"], json!([]));
    assert!(clean["scan_id"]
        .as_str()
        .is_some_and(|id| id.starts_with("scan-")));
    assert_eq!(
        clean["continue_with"]["tool"],
        "authprobe.scan_http_with_credentials"
    );
    assert!(text(step(result, 0)).starts_with("No finding at low severity or above."));

    // auth-not-advertised: the primary finding comes first, in the text and the report.
    let broken = ok(result, 1);
    assert_eq!(broken["report"]["outcome"], "protected-broken");
    assert_eq!(
        broken["report"]["primary_finding"]["code"],
        "AUTH_REQUIRED_BUT_NOT_ADVERTISED"
    );
    assert!(text(step(result, 1))
        .starts_with("Primary finding: AUTH_REQUIRED_BUT_NOT_ADVERTISED (high)"));

    // With the lab's token, the scan runs as with `--bearer-token`: the MCP checks behind
    // authorization list the tools (the scan without credentials could not), and the
    // authenticated session (stage 7) passes. The token appears nowhere.
    let authed = ok(result, 2);
    assert_eq!(authed["status"], "complete");
    let session = authed["report"]["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "Authenticated session"))
        .expect("an authenticated-session step");
    assert_eq!(session["status"], "PASS", "{session}");
    assert_eq!(clean["report"]["tools"], json!([]));
    assert!(
        authed["report"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty()),
        "{}",
        authed["report"]["steps"]
    );
    assert!(!result.to_string().contains(token), "the token leaked");
    // No JWT at all (the lab's access tokens are JWTs): neither the given token nor the
    // one the login obtained leaves the server.
    assert!(!result.to_string().contains("eyJ"), "a token leaked");

    // The login: first what to show the user, then (after they logged in) the report.
    let pending = ok(result, 3);
    assert_eq!(pending["status"], "login_pending", "{pending}");
    let shown = if flow == "code" {
        "authorization_url"
    } else {
        "user_code"
    };
    assert!(pending["login"][shown].is_string(), "{pending}");
    let resumed = ok(result, 15);
    assert_eq!(resumed["status"], "complete", "{resumed}");
    let login_session = resumed["report"]["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "Authenticated session"))
        .expect("an authenticated-session step");
    assert_eq!(login_session["status"], "PASS", "{login_session}");
    assert_ne!(resumed["scan_id"], clean["scan_id"], "a new scan");
    // Nothing to log in with at auth-not-advertised: the scan says why, no prompt.
    let nowhere = step(result, 16);
    assert_ne!(
        nowhere["structured"]["status"], "login_pending",
        "{nowhere}"
    );
    let md = ok(result, 4)["markdown"].as_str().unwrap_or_default();
    assert!(md.contains("AUTH_REQUIRED_BUT_NOT_ADVERTISED"), "{md}");
    assert_eq!(
        ok(result, 5)["markdown"],
        md,
        "the same report renders the same"
    );
    let bundle = ok(result, 6);
    let path = bundle["path"].as_str().expect("a path");
    let zip = std::fs::read(path).expect("the bundle exists");
    assert!(zip.starts_with(b"PK") && bundle["bytes"] == zip.len());
    assert_eq!(ok(result, 7)["code"], "AUTH_REQUIRED_BUT_NOT_ADVERTISED");
    assert_eq!(ok(result, 8)["severity"], "high");
    tool_error(result, 9, "not a url");
    tool_error(result, 10, "cannot reach");
    tool_error(result, 11, "unknown scan_id");
    tool_error(result, 12, "colour");
    // The SSRF guard: the lab names a link-local issuer, which is never contacted.
    let guarded = ok(result, 13);
    assert!(guarded["report"]["findings"].as_array().is_some_and(|f| f
        .iter()
        .any(|f| f["code"] == "AUTH_SERVER_ISSUER_PRIVATE_BLOCKED")));
    let reached: Vec<&Value> = guarded["report"]["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter(|e| {
            e["request"]["url"]
                .as_str()
                .is_some_and(|u| u.contains("169.254.169.254"))
                && !e["response"].is_null()
        })
        .collect();
    assert!(reached.is_empty(), "the guard let through {reached:?}");
    if with_ref {
        assert_eq!(ok(result, 17)["status"], "complete");
    }
}

/// The labs the tools are called against.
struct Labs {
    clean: RunningLab,
    broken: RunningLab,
    link_local: RunningLab,
}

async fn labs() -> Labs {
    Labs {
        clean: support::lab(&[]).await,
        broken: support::lab(&[Defect::AuthNotAdvertised]).await,
        link_local: support::lab(&[Defect::AsIssuerLinkLocal]).await,
    }
}

async fn every_tool(runtime: Runtime, http: bool) {
    // Each client logs in its own way: the TypeScript one by the URL, the Python one by
    // the device code.
    let flow = match runtime {
        Runtime::Node => "code",
        Runtime::Python => "device",
    };
    let labs = labs().await;
    let token = labs.clean.issue_token();
    let face = http.then(|| HttpFace::start(&[("AUTHPROBE_CREDENTIAL_LAB", &token)]));
    let plan = every_tool_plan(&labs, flow, http);
    let result = tokio::task::spawn_blocking(move || {
        let reach = face.as_ref().map_or(Reach::Stdio, Reach::Http);
        run_plan(runtime, &reach, &plan)
    })
    .await
    .expect("the client thread");
    check_every_tool(&result, &token, flow, http);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_client_calls_every_tool_over_stdio() {
    every_tool(Runtime::Node, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_client_calls_every_tool_over_streamable_http() {
    every_tool(Runtime::Node, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_calls_every_tool_over_stdio() {
    every_tool(Runtime::Python, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_calls_every_tool_over_streamable_http() {
    every_tool(Runtime::Python, true).await;
}

/// A client cancels a scan of a slow lab (2 s per response): the call ends at once, and
/// no request reaches the lab afterwards although the scan had many more to make.
async fn cancel(http: bool) {
    let lab = authprobe_lab::start(
        LabConfig::with_defects([]).with_latency(Latency::fixed(Duration::from_secs(2))),
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .expect("the lab starts");
    let lab = std::sync::Arc::new(lab);
    let plan = json!([
        {"call": "authprobe.scan_http", "arguments": {"url": lab.mcp_url()}, "cancel_after_ms": 3000},
        {"ping": true},
        {"signal": "cancelled"},
        {"call": "authprobe.explain", "arguments": {"code": "AUTH_NOT_REQUIRED"}},
    ]);
    let counter = lab.clone();
    let (before, after, result) = tokio::task::spawn_blocking(move || {
        let face = http.then(|| HttpFace::start(&[]));
        let reach = face.as_ref().map_or(Reach::Stdio, Reach::Http);
        let (mut command, _plan) = client(Runtime::Node, &reach, &plan);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the client starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        while !line.starts_with("SIGNAL cancelled") {
            line.clear();
            let n = stdout.read_line(&mut line).expect("the client's output");
            assert!(n > 0, "the client ended before cancelling");
        }
        let before = counter.request_count();
        // Longer than two response delays: a scan still running would have sent more.
        std::thread::sleep(Duration::from_millis(4500));
        let after = counter.request_count();
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"go\n").expect("the client reads on");
        let mut rest = String::new();
        stdout
            .read_to_string(&mut rest)
            .expect("the client's output");
        let _ = child.wait();
        let result: Value = rest
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_else(|| panic!("no result in {rest}"));
        (before, after, result)
    })
    .await
    .expect("the client thread");
    let cancelled = step(&result, 0);
    assert!(
        cancelled["thrown"]
            .as_str()
            .is_some_and(|m| m.to_ascii_lowercase().contains("cancel")),
        "the call ends as cancelled: {cancelled}"
    );
    assert!(
        cancelled["ms"].as_u64().is_some_and(|ms| ms < 4000),
        "acknowledged at once: {cancelled}"
    );
    assert!(before >= 1, "the scan had started ({before} requests)");
    assert_eq!(
        before, after,
        "no request reached the lab after the cancellation"
    );
    assert_eq!(
        ok(&result, 3)["code"],
        "AUTH_NOT_REQUIRED",
        "the server lives on"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_scan_sends_no_more_requests_over_stdio() {
    cancel(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_scan_sends_no_more_requests_over_streamable_http() {
    cancel(true).await;
}

/// We eat our own cooking: the HTTP face scanned by authprobe, in every revision it
/// answers and with both families strict, has no finding at low or above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_face_is_clean_under_authprobe_scan() {
    let face = HttpFace::start(&[]);
    for version in [
        None,
        Some("2025-06-18"),
        Some("2025-11-25"),
        Some("2026-07-28"),
    ] {
        let mut config = support::config(&face.url, Duration::from_secs(5));
        config.protocol_version = version.map(str::to_string);
        config.mcp_mode = authprobe_core::config::FamilyMode::Strict;
        config.rfc_mode = authprobe_core::config::FamilyMode::Strict;
        let report = authprobe_core::scan::scan(&config)
            .await
            .expect("scan runs");
        assert_eq!(report.outcome, Outcome::NoAuth, "{version:?}");
        let serious: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Low)
            .map(|f| format!("{} {}", f.code.as_str(), f.evidence))
            .collect();
        assert!(serious.is_empty(), "{version:?}: {serious:#?}");
        assert!(
            report.tools.len() == TOOLS.len(),
            "{version:?}: the scan lists the tools"
        );
    }
}

/// One raw HTTP/1.1 POST of `initialize`; the status code of the answer.
fn post_status(port: u16, host: &str, origin: Option<&str>) -> u16 {
    request_status(port, "POST", host, origin, None)
}

/// One raw HTTP/1.1 request (POST carries `initialize`); the status code of the answer.
fn request_status(
    port: u16,
    method: &str,
    host: &str,
    origin: Option<&str>,
    version: Option<&str>,
) -> u16 {
    let body = if method == "POST" {
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
    } else {
        ""
    };
    let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
    let version = version.map_or(String::new(), |v| format!("MCP-Protocol-Version: {v}\r\n"));
    let request = format!(
        "{method} /mcp HTTP/1.1\r\nHost: {host}\r\n{origin}{version}Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a timeout");
    stream.write_all(request.as_bytes()).expect("sent");
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).expect("a status line");
    String::from_utf8_lossy(&head[9..12])
        .parse()
        .expect("a status code")
}

#[test]
fn a_foreign_origin_or_host_is_refused() {
    let face = HttpFace::start(&[]);
    let port = face.port();
    let own = format!("127.0.0.1:{port}");
    assert_eq!(post_status(port, &own, None), 200, "a local client gets in");
    assert_eq!(
        post_status(port, &own, Some(&format!("http://localhost:{port}"))),
        200,
        "a page of this very server gets in"
    );
    assert_eq!(
        post_status(port, &own, Some("http://evil.example")),
        403,
        "a foreign Origin is refused"
    );
    assert_eq!(
        post_status(port, &format!("evil.example:{port}"), None),
        403,
        "a foreign Host (DNS rebinding) is refused"
    );
    // Refused before anything else is said: an unspoken revision (400) or a method
    // outside a session (405) are answers for local clients only.
    let foreign_host = format!("evil.example:{port}");
    let evil = Some("http://evil.example");
    let old = Some("2025-03-26");
    assert_eq!(request_status(port, "POST", &own, None, old), 400);
    assert_eq!(request_status(port, "POST", &own, evil, old), 403);
    assert_eq!(request_status(port, "POST", &foreign_host, None, old), 403);
    for method in ["GET", "DELETE"] {
        assert_eq!(request_status(port, method, &own, None, None), 405);
        assert_eq!(request_status(port, method, &own, evil, None), 403);
        assert_eq!(request_status(port, method, &foreign_host, None, None), 403);
    }
}

#[test]
fn bad_mcp_flags_get_one_line_and_exit_3() {
    for (args, expected) in [
        (
            &["--transport", "http", "--http-addr", "nowhere"][..],
            "--http-addr",
        ),
        (
            &["--transport", "http", "--http-path", "mcp"][..],
            "--http-path",
        ),
        (&["--concurrency", "0"][..], "--concurrency"),
    ] {
        let out = Command::new(bin())
            .arg("mcp")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("authprobe runs");
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(expected) && stderr.lines().count() == 1,
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn the_stdio_server_ends_when_its_input_closes() {
    let out = Command::new(bin())
        .arg("mcp")
        .stdin(Stdio::null())
        .output()
        .expect("authprobe runs");
    // No client ever spoke: one line on stderr, nothing on stdout, and no hang.
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty(), "stdout carries only MCP messages");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("did not start") && !stderr.contains("not yet implemented"));
}
