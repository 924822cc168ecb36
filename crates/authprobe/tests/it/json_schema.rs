//! The published JSON Schema of the report (`docs/report.schema.json`) stays true: it is
//! a valid draft 2020-12 schema, its enumerations are the model's, and the JSON report of
//! every lab (clean, each calibrated defect, no auth, the hostile ones, an unreachable
//! port, a stdio server) validates against it. A report with a value or a key the schema
//! does not announce fails, so a new field cannot ship without the schema saying so.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use authprobe_core::catalog::Code;
use authprobe_core::http::ErrorKind;
use authprobe_core::report::{Outcome, Report, Severity, Stage, StepStatus};
use authprobe_lab::{Defect, Era};
use authprobe_render::{redact_report, render_json, RedactionOptions};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::support::{bin, config, lab, lab_in, scan, scan_with_token};

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";
const SCHEMA_ID: &str = "urn:authprobe:report-schema:1";

/// Stops a hung scan or binary; every scan is bounded far below this by its own timeouts.
const TEST_GUARD: Duration = Duration::from_secs(120);

fn schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json")
}

fn schema() -> Value {
    let path = schema_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The report schema, with `format` asserted (`date-time`, `uri`).
pub(crate) fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema())
        .expect("docs/report.schema.json compiles")
}

/// A validator for one definition of the schema (`#/$defs/<name>`).
fn definition_validator(name: &str) -> jsonschema::Validator {
    let schema = schema();
    assert!(
        schema["$defs"].get(name).is_some(),
        "the schema has no $defs/{name}"
    );
    let wrapper = json!({
        "$schema": DRAFT_2020_12,
        "$defs": schema["$defs"],
        "$ref": format!("#/$defs/{name}"),
    });
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&wrapper)
        .expect("the definition compiles")
}

/// An error message, cut so that a 1 MiB body quoted by the validator stays readable.
fn shorten(text: String) -> String {
    const MAX: usize = 400;
    if text.len() <= MAX {
        return text;
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// Every validation error of `doc`, each with its instance path.
pub(crate) fn violations(
    validator: &jsonschema::Validator,
    label: &str,
    doc: &Value,
) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| {
            let at = match e.instance_path().as_str() {
                "" => "(root)".to_string(),
                path => path.to_string(),
            };
            shorten(format!(
                "{label}: at {at} (schema {}): {e}",
                e.schema_path()
            ))
        })
        .collect()
}

/// The instance paths of the validation errors of `doc`.
fn error_paths(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| e.instance_path().as_str().to_string())
        .collect()
}

/// The JSON report of a scan as `--json` writes it: redacted, then rendered.
fn rendered(report: &Report) -> Value {
    let shown = redact_report(report, &RedactionOptions::default());
    serde_json::from_str(&render_json(&shown)).expect("the JSON report parses")
}

fn assert_valid(label: &str, docs: &[(String, Value)]) {
    let validator = validator();
    let problems: Vec<String> = docs
        .iter()
        .flat_map(|(name, doc)| violations(&validator, name, doc))
        .collect();
    assert!(
        problems.is_empty(),
        "{label}: {} report(s) do not match docs/report.schema.json ({} error(s)):\n{}",
        docs.len(),
        problems.len(),
        problems.join("\n")
    );
}

/// Runs the binary, bounded by the guard.
async fn run_binary(args: Vec<String>) -> Output {
    let task = tokio::task::spawn_blocking(move || {
        Command::new(bin())
            .args(&args)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs")
    });
    tokio::time::timeout(TEST_GUARD, task)
        .await
        .expect("the binary ends")
        .expect("join")
}

fn stdout_json(label: &str, out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{label}: stdout is not one JSON report ({e}); exit {:?}, stderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn the_schema_is_valid_draft_2020_12() {
    let schema = schema();
    let meta = jsonschema::draft202012::meta::validator();
    let problems: Vec<String> = meta
        .iter_errors(&schema)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "docs/report.schema.json is not a valid draft 2020-12 schema:\n{}",
        problems.join("\n")
    );
    assert_eq!(schema["$schema"], DRAFT_2020_12);
    assert_eq!(schema["$id"], SCHEMA_ID);
    assert!(schema["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(
        schema["properties"]["schema_version"]["const"],
        authprobe_core::report::SCHEMA_VERSION,
        "the schema describes another schema_version than the one reports carry"
    );
    // It compiles, with the formats it uses.
    validator();
}

/// The enumerations of the schema, as a set.
fn schema_enum(schema: &Value, definition: &str) -> BTreeSet<String> {
    schema["$defs"][definition]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("$defs/{definition} has no enum"))
        .iter()
        .map(|v| v.as_str().expect("a string value").to_string())
        .collect()
}

fn serialised(value: Value) -> String {
    value.as_str().expect("serialised as a string").to_string()
}

#[test]
fn schema_enums_are_the_models() {
    let schema = schema();

    // Each list names every variant; the `match` makes a new variant a compile error
    // here, so that it is added to the list and to the schema.
    let outcomes = [
        Outcome::ProtectedOk,
        Outcome::ProtectedBroken,
        Outcome::NoAuth,
        Outcome::NonOauthAuth,
        Outcome::Redirected,
        Outcome::NotMcp,
        Outcome::Unreachable,
        Outcome::Timeout,
    ];
    for outcome in outcomes {
        match outcome {
            Outcome::ProtectedOk
            | Outcome::ProtectedBroken
            | Outcome::NoAuth
            | Outcome::NonOauthAuth
            | Outcome::Redirected
            | Outcome::NotMcp
            | Outcome::Unreachable
            | Outcome::Timeout => {}
        }
    }
    let severities = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
    ];
    for severity in severities {
        match severity {
            Severity::Info | Severity::Low | Severity::Medium | Severity::High => {}
        }
    }
    let statuses = [
        StepStatus::Pass,
        StepStatus::Fail,
        StepStatus::Warn,
        StepStatus::Skip,
    ];
    for status in statuses {
        match status {
            StepStatus::Pass | StepStatus::Fail | StepStatus::Warn | StepStatus::Skip => {}
        }
    }
    let kinds = [
        ErrorKind::Timeout,
        ErrorKind::Dns,
        ErrorKind::Connect,
        ErrorKind::Tls,
        ErrorKind::Blocked,
        ErrorKind::TooLarge,
        ErrorKind::Protocol,
    ];
    for kind in kinds {
        match kind {
            ErrorKind::Timeout
            | ErrorKind::Dns
            | ErrorKind::Connect
            | ErrorKind::Tls
            | ErrorKind::Blocked
            | ErrorKind::TooLarge
            | ErrorKind::Protocol => {}
        }
    }

    let model: [(&str, BTreeSet<String>); 5] = [
        (
            "outcome",
            outcomes
                .iter()
                .map(|v| serialised(serde_json::to_value(v).unwrap()))
                .collect(),
        ),
        (
            "severity",
            severities
                .iter()
                .map(|v| serialised(serde_json::to_value(v).unwrap()))
                .collect(),
        ),
        (
            "stepStatus",
            statuses
                .iter()
                .map(|v| serialised(serde_json::to_value(v).unwrap()))
                .collect(),
        ),
        (
            "errorKind",
            kinds
                .iter()
                .map(|v| serialised(serde_json::to_value(v).unwrap()))
                .collect(),
        ),
        (
            "stage",
            Stage::ALL
                .iter()
                .map(|v| serialised(serde_json::to_value(v).unwrap()))
                .collect(),
        ),
    ];
    for (definition, values) in model {
        assert_eq!(
            schema_enum(&schema, definition),
            values,
            "$defs/{definition} differs from the model"
        );
    }

    // Every catalog code is a valid `code`, and so is not some other spelling.
    let code = definition_validator("code");
    let refused: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !code.is_valid(&json!(c)))
        .collect();
    assert!(refused.is_empty(), "codes the schema refuses: {refused:?}");
    assert!(!code.is_valid(&json!("prm_resource_mismatch")));
    assert!(!code.is_valid(&json!("")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_calibrated_defect_report_matches_the_schema() {
    let calibrated: Vec<Defect> = crate::support::calibration_matrix();
    assert!(
        calibrated.len() >= 30,
        "only {} calibrated defects",
        calibrated.len()
    );
    let mut pending: Vec<_> = calibrated
        .iter()
        .map(|defect| async move {
            let report = crate::support::calibrated_scan(*defect).await;
            let mode = if defect.active() {
                "active"
            } else if defect.needs_token() {
                "token"
            } else {
                "passive"
            };
            (format!("{} ({mode})", defect.name()), rendered(&report))
        })
        .collect();
    // A bounded number of labs at a time, as in the calibration matrix.
    let mut docs = Vec::new();
    while !pending.is_empty() {
        let rest = pending.split_off(pending.len().min(16));
        docs.extend(join_all(pending).await);
        pending = rest;
    }
    assert_eq!(docs.len(), calibrated.len());
    assert_valid("calibrated defects", &docs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clean_no_auth_and_hostile_reports_match_the_schema() {
    let mut docs: Vec<(String, Value)> = Vec::new();

    // The clean lab: passive, active (test clients registered and deleted), and with a
    // token in every protocol era (stage 2 runs and lists the tools).
    let clean = lab(&[]).await;
    let passive = scan(&clean.mcp_url()).await;
    assert_eq!(passive.outcome, Outcome::ProtectedOk);
    docs.push(("clean (passive)".into(), rendered(&passive)));
    let active = crate::calibration_oauth::scan_active(&clean.mcp_url()).await;
    assert_eq!(active.mode, "active");
    docs.push(("clean (active)".into(), rendered(&active)));
    clean.shutdown().await;
    for era in Era::ALL {
        let lab = lab_in(era, &[]).await;
        let report = scan_with_token(&lab).await;
        lab.shutdown().await;
        docs.push((
            format!("clean {} (token)", era.version()),
            rendered(&report),
        ));
    }
    assert!(
        docs.iter()
            .any(|(_, d)| d["tools"].as_array().is_some_and(|t| !t.is_empty())),
        "no clean scan listed tools, so `tools` went unchecked"
    );
    assert!(
        docs.iter()
            .any(|(_, d)| d["auth_discovery"].get("test_clients").is_some()),
        "no clean scan registered a test client, so `test_clients` went unchecked"
    );

    // No authorization at all: a neutral outcome.
    let no_auth = lab(&[Defect::from_name("no-auth").expect("the no-auth defect")]).await;
    let report = scan(&no_auth.mcp_url()).await;
    no_auth.shutdown().await;
    assert_eq!(report.outcome, Outcome::NoAuth);
    docs.push(("no-auth".into(), rendered(&report)));

    // The hostile defects with a 1 s timeout: no headers (timeout), an endless body,
    // a huge one (truncated responses and their errors).
    for defect in Defect::ALL.iter().filter(|d| !d.calibrated()) {
        let lab = lab(&[*defect]).await;
        let cfg = config(&lab.mcp_url(), Duration::from_secs(1));
        let report = tokio::time::timeout(TEST_GUARD, authprobe_core::scan::scan(&cfg))
            .await
            .expect("the scan ends")
            .expect("the scan runs");
        lab.shutdown().await;
        if defect.name() == "hang-headers" {
            assert_eq!(report.outcome, Outcome::Timeout);
        }
        docs.push((
            format!("{} (1 s timeout)", defect.name()),
            rendered(&report),
        ));
    }
    assert!(
        docs.iter().any(|(_, d)| d["outcome"] == "timeout"),
        "no timeout report was checked"
    );

    assert_valid("clean, no-auth and hostile labs", &docs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reports_written_by_the_binary_match_the_schema() {
    let mut docs: Vec<(String, Value)> = Vec::new();

    // An unreachable port: exit 3, and still a report.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let out = run_binary(
        ["scan", &url, "--timeout", "2", "--json", "-"]
            .map(String::from)
            .to_vec(),
    )
    .await;
    assert_eq!(out.status.code(), Some(3));
    let doc = stdout_json("unreachable", &out);
    assert_eq!(doc["outcome"], "unreachable");
    assert_eq!(doc["auth_required"], Value::Null);
    docs.push(("unreachable port (binary)".into(), doc));

    // A defect lab through the command line: the echoed command, a strict family mode.
    let defect = lab(&[Defect::from_name("auth-not-advertised").expect("a defect")]).await;
    let out = run_binary(
        [
            "scan",
            &defect.mcp_url(),
            "--timeout",
            "2",
            "--mcp",
            "strict",
            "--json",
            "-",
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    let doc = stdout_json("auth-not-advertised", &out);
    assert!(doc["primary_finding"].is_object());
    docs.push(("auth-not-advertised --mcp strict (binary)".into(), doc));

    // The lines of a batch: each with its place in the list.
    let out = run_binary(
        [
            "scan",
            &defect.mcp_url(),
            &url,
            "--timeout",
            "2",
            "--json",
            "-",
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    defect.shutdown().await;
    let lines = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(lines.lines().count(), 2, "{lines}");
    for line in lines.lines() {
        let doc: Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(doc["batch"]["total"], 2, "{}", doc["batch"]);
        docs.push(("a batch line (binary)".into(), doc));
    }

    // A stdio server behind the loopback bridge: the `stdio` object.
    let command = format!("'{}' lab --stdio", bin());
    let out = run_binary(vec![
        "scan".into(),
        "--stdio-command".into(),
        command,
        "--json".into(),
        "-".into(),
    ])
    .await;
    let doc = stdout_json("stdio", &out);
    assert!(doc["stdio"].is_object(), "no `stdio` object: {doc}");
    docs.push(("stdio lab (binary)".into(), doc));

    assert_valid("reports written by the binary", &docs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn broken_reports_fail_validation() {
    let lab = lab(&[Defect::from_name("auth-not-advertised").expect("a defect")]).await;
    let report = scan(&lab.mcp_url()).await;
    lab.shutdown().await;
    let good = rendered(&report);
    let validator = validator();
    let control = violations(&validator, "unmodified", &good);
    assert!(control.is_empty(), "{control:#?}");
    assert!(good["findings"].as_array().is_some_and(|f| !f.is_empty()));

    type Breakage = fn(&mut Value);
    let cases: Vec<(&str, Breakage, &str)> = vec![
        (
            "an outcome outside the set",
            |d| d["outcome"] = json!("sorta-ok"),
            "/outcome",
        ),
        (
            "an unknown top-level key",
            |d| d["verdict"] = json!("fine"),
            "",
        ),
        (
            "a required key missing",
            |d| {
                d.as_object_mut().unwrap().remove("steps");
            },
            "",
        ),
        (
            "another schema version",
            |d| d["schema_version"] = json!(2),
            "/schema_version",
        ),
        (
            "a finding code in lowercase",
            |d| d["findings"][0]["code"] = json!("auth_required_but_not_advertised"),
            "/findings/0/code",
        ),
        (
            "a severity outside the set",
            |d| d["findings"][0]["severity"] = json!("critical"),
            "/findings/0/severity",
        ),
        (
            "primary_finding as a bare code",
            |d| d["primary_finding"] = json!("AUTH_REQUIRED_BUT_NOT_ADVERTISED"),
            "/primary_finding",
        ),
        (
            "a step status outside the set",
            |d| d["steps"][0]["status"] = json!("OK"),
            "/steps/0/status",
        ),
        (
            "a step id under another stage",
            |d| d["steps"][0]["stage"] = json!("token"),
            "/steps/0/id",
        ),
        (
            "an unknown key in a timing",
            |d| d["exchanges"][0]["timing"]["queue_ms"] = json!(1.0),
            "/exchanges/0/timing",
        ),
        (
            "a connection speaking an HTTP version outside the set",
            |d| d["exchanges"][0]["connection"]["version"] = json!("HTTP/3"),
            "/exchanges/0/connection/version",
        ),
        (
            "a connection numbered from 0",
            |d| d["exchanges"][0]["connection"]["id"] = json!(0),
            "/exchanges/0/connection/id",
        ),
        (
            "an exchange error kind outside the set",
            |d| d["exchanges"][0]["error"] = json!({"kind": "reset", "message": "reset"}),
            "/exchanges/0/error/kind",
        ),
        (
            "a status that is a string",
            |d| d["exchanges"][0]["response"]["status"] = json!("401"),
            "/exchanges/0/response/status",
        ),
        (
            "a stage outside the set",
            |d| d["exchanges"][0]["stage"] = json!("stage-1"),
            "/exchanges/0/stage",
        ),
    ];
    let mut missed = Vec::new();
    for (what, breakage, expected_path) in cases {
        let mut doc = good.clone();
        breakage(&mut doc);
        let paths = error_paths(&validator, &doc);
        if !paths.iter().any(|p| p == expected_path) {
            missed.push(format!(
                "{what}: expected an error at {expected_path:?}, got {paths:?}"
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "the schema let broken reports through:\n{}",
        missed.join("\n")
    );
}
