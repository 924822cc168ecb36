//! `scan --stdio-command`: the lab's stdio mode behind the bridge, its tools
//! listed, and no process left behind, even one that ignores SIGTERM.

use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

use crate::support::bin;

async fn run(args: Vec<String>) -> Output {
    let guard = Duration::from_secs(120);
    let task = tokio::task::spawn_blocking(move || {
        Command::new(bin())
            .args(&args)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs")
    });
    tokio::time::timeout(guard, task)
        .await
        .expect("the scan ends")
        .expect("join")
}

/// True while a process with this id exists (zombies included: the bridge must reap its child).
fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// True while a process runs: a killed grandchild is reaped by whatever
/// adopts it (init), which the bridge cannot do for it; a zombie is dead.
fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses: `pid (comm) S …`.
        Ok(stat) => stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next())
            .is_some_and(|state| state != 'Z' && state != 'X'),
        Err(_) => false,
    }
}

fn pids_in(lines: &[Value], prefix: &str) -> Vec<u32> {
    lines
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|l| l.split_once(prefix))
        .filter_map(|(_, rest)| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stdio_lab_is_scanned_and_its_tools_listed() {
    let command = format!("'{}' lab --stdio", bin());
    let out = run(vec![
        "scan".into(),
        "--stdio-command".into(),
        command.clone(),
        "-l".into(),
    ])
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Tools (2):"), "{stdout}");
    assert!(
        stdout.contains("echo") && stdout.contains("add"),
        "{stdout}"
    );

    let out = run(vec![
        "scan".into(),
        "--stdio-command".into(),
        command,
        "-l".into(),
        "--json".into(),
        "-".into(),
    ])
    .await;
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report");
    assert_eq!(report["outcome"], "no-auth");
    assert_eq!(report["protocol"]["era"], "2025-stateful");
    let names: Vec<&str> = report["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["echo", "add"]);
    // Authorization does not apply to stdio: no finding about it, nothing sent for it.
    assert!(
        report["findings"].as_array().unwrap().is_empty(),
        "{}",
        report["findings"]
    );
    assert!(report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["stage"] == "transport"));
    // With JSON on stdout, the list goes to stderr.
    assert!(String::from_utf8_lossy(&out.stderr).contains("Tools (2):"));
    let pid = report["stdio"]["pid"].as_u64().expect("the server's pid") as u32;
    assert_eq!(
        pids_in(report["stdio"]["stderr_tail"].as_array().unwrap(), "pid "),
        [pid]
    );
    assert!(!alive(pid), "the stdio server {pid} outlived the scan");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_ignores_sigterm_and_forks_leaves_nothing_behind() {
    // It never answers, ignores SIGTERM and stdin's end, and starts a child of its own.
    let command = "sh -c 'trap \"\" TERM; sleep 300 & echo \"grandchild $!\" >&2; wait'";
    let out = run(vec![
        "scan".into(),
        "--stdio-command".into(),
        command.into(),
        "--timeout".into(),
        "1".into(),
        "--json".into(),
        "-".into(),
    ])
    .await;
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report");
    assert_ne!(report["outcome"], "no-auth");
    assert!(
        report["findings"].as_array().unwrap().is_empty(),
        "a silent server is not a protocol violation: {}",
        report["findings"]
    );
    let server = report["stdio"]["pid"].as_u64().expect("pid") as u32;
    let grandchild = pids_in(
        report["stdio"]["stderr_tail"].as_array().unwrap(),
        "grandchild ",
    );
    assert_eq!(grandchild.len(), 1, "{}", report["stdio"]);
    assert!(!alive(server), "the server {server} survived");
    // SIGKILL is delivered at once, but on a loaded machine the process may take a few
    // scheduler ticks to become a zombie; it must within a second.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while running(grandchild[0]) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !running(grandchild[0]),
        "its child {} survived",
        grandchild[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_cannot_start_is_one_clear_line() {
    let out = run(vec![
        "scan".into(),
        "--stdio-command".into(),
        "/nonexistent/authprobe-no-such-server --flag".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot start `/nonexistent/authprobe-no-such-server`"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_with_a_null_id_left_unanswered_costs_a_short_wait() {
    // A stdio server that answers every request but those with a null id, as MCP
    // allows (ids must not be null): the scan must not wait the full timeout for them.
    let server = r#"
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if "id" not in m or m["id"] is None:
        continue
    method = m.get("method")
    if method == "initialize":
        r = {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
             "serverInfo": {"name": "quiet", "version": "1"}}
    elif method == "tools/list":
        r = {"tools": []}
    elif method == "ping":
        r = {}
    else:
        print(json.dumps({"jsonrpc": "2.0", "id": m["id"],
              "error": {"code": -32601, "message": "Method not found"}}), flush=True)
        continue
    print(json.dumps({"jsonrpc": "2.0", "id": m["id"], "result": r}), flush=True)
"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("quiet.py");
    std::fs::write(&script, server).expect("write the server");
    let started = std::time::Instant::now();
    let out = run(vec![
        "scan".into(),
        "--stdio-command".into(),
        format!("python3 '{}'", script.display()),
        "--timeout".into(),
        "10".into(),
        "--json".into(),
        "-".into(),
    ])
    .await;
    let elapsed = started.elapsed();
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report");
    assert_eq!(report["outcome"], "no-auth", "{}", report["findings"]);
    // The bridge's own wait for a normal request is 8 s here; the null-id probes each
    // wait 1 s at most.
    assert!(
        elapsed < std::time::Duration::from_secs(6),
        "the scan took {elapsed:?}"
    );
    let null_id = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "MCP_JSONRPC_ID_NULL_ACCEPTED");
    assert!(!null_id, "an unanswered null id is not an acceptance");
}
