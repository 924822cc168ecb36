//! Every output format for the clean lab and three defect labs: pinned by snapshot
//! files (timestamps, durations and ports normalised), SARIF valid against the official
//! schema, JUnit read back with the expected counts, the bundle's manifest checked.
//!
//! After an intended change of a format or of the scan, update the snapshots with
//! `AUTHPROBE_BLESS=1 cargo test -p authprobe --test it outputs` and review the diff.

use std::io::{Cursor, Read};
use std::path::PathBuf;

use authprobe_core::http::Header;
use authprobe_core::report::{Report, Severity};
use authprobe_lab::Defect;
use authprobe_render::{
    redact_report, render_bundle, render_explain, render_html, render_json, render_junit,
    render_markdown, render_sarif, render_trace, RedactionOptions,
};
use quick_xml::events::Event;
use serde_json::Value;

use crate::support::{lab, scan};

/// The labs every format is produced for: the clean one and three mistakes of
/// different kinds (nothing advertised; a wrong document; a missing SHOULD).
pub const LABS: &[&str] = &[
    "clean",
    "auth-not-advertised",
    "prm-resource-trailing-slash",
    "challenge-no-scope",
    "verifier-wrong-audience",
];

/// The port every lab URL gets in the snapshots: a number, so URLs stay valid.
const NORMAL_PORT: &str = ":54321";

/// Scans one lab and returns its redacted report, normalised so that two runs give the
/// same bytes: the port, the times and the `date` headers are replaced.
pub async fn lab_report(name: &str) -> Report {
    let defects: Vec<Defect> = match name {
        "clean" => Vec::new(),
        other => vec![Defect::from_name(other).expect("a lab defect")],
    };
    let lab = lab(&defects).await;
    let port = lab.addr().port();
    let report = if defects.iter().any(|d| d.needs_token()) {
        crate::support::scan_with_token(&lab).await
    } else {
        scan(&lab.mcp_url()).await
    };
    lab.shutdown().await;
    let mut shown = redact_report(&report, &RedactionOptions::default());
    // The token's expiry moves with the clock.
    if let Some(token) = shown.token.as_mut() {
        token.exp = token.exp.map(|_| 1_900_000_000);
    }
    normalise(&shown, port)
}

/// Values the scan makes unique per run (`authprobe-unknown-client-18ebcd33c2bb35960`,
/// of varying length) get a fixed tail of eight zeros.
fn zero_unique_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("authprobe-") {
        out.push_str(&rest[..at]);
        let word_len = rest[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len() - at);
        let word = &rest[at..at + word_len];
        match word.rsplit_once('-') {
            Some((head, tail))
                if tail.len() >= 8 && tail.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                out.push_str(head);
                out.push('-');
                out.push_str("00000000");
            }
            _ => out.push_str(word),
        }
        rest = &rest[at + word_len..];
    }
    out.push_str(rest);
    out
}

fn normalise_value(value: &mut Value, port: &str, key: Option<&str>) {
    match value {
        Value::String(s) => {
            // The port, also percent-encoded inside form bodies and query strings.
            let encoded = port.replace(':', "%3A");
            if s.contains(port) || s.contains(&encoded) {
                *s = s
                    .replace(port, NORMAL_PORT)
                    .replace(&encoded, &NORMAL_PORT.replace(':', "%3A"));
            }
            if s.contains("authprobe-") {
                *s = zero_unique_ids(s);
            }
            if key == Some("timestamp") {
                *s = "2026-01-01T00:00:00Z".to_string();
            }
        }
        Value::Number(_)
            if matches!(
                key,
                Some("duration_ms" | "started_ms" | "headers_ms" | "total_ms")
            ) =>
        {
            *value = Value::from(0.0);
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| normalise_value(v, port, None)),
        Value::Object(map) => {
            let is_date = map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("date"));
            for (k, v) in map.iter_mut() {
                if is_date && k == "value" {
                    *v = Value::from("Thu, 01 Jan 2026 00:00:00 GMT");
                } else {
                    normalise_value(v, port, Some(k));
                }
            }
        }
        _ => {}
    }
}

/// The report with run-specific values replaced, through its own serialisation (which
/// also proves the report survives a round trip, as `diff` needs).
pub fn normalise(report: &Report, port: u16) -> Report {
    let mut value = serde_json::to_value(report).expect("a report serialises");
    normalise_value(&mut value, &format!(":{port}"), None);
    let mut report: Report = serde_json::from_value(value).expect("a report deserialises back");
    for exchange in &mut report.exchanges {
        // Which connection an exchange finds free depends on timing: every exchange is
        // shown on a new connection of its own, with its phases at zero.
        if let Some(connection) = exchange.connection.as_mut() {
            connection.id = exchange.id;
            connection.reused = false;
            connection.speculative = false;
            exchange.timing.connect_ms = Some(0.0);
        }
        for phase in [
            &mut exchange.timing.dns_ms,
            &mut exchange.timing.tls_ms,
            &mut exchange.timing.first_byte_ms,
        ] {
            *phase = phase.map(|_| 0.0);
        }
        // A body whose unique ids were replaced has a new length; its header follows it.
        if let Some(body) = &exchange.request.body {
            set_content_length(&mut exchange.request.headers, body.len());
        }
        if let Some(response) = exchange.response.as_mut().filter(|r| !r.truncated) {
            let length = response.body.len();
            set_content_length(&mut response.headers, length);
        }
    }
    report
}

fn set_content_length(headers: &mut [Header], length: usize) {
    for header in headers {
        if header.name.eq_ignore_ascii_case("content-length") {
            header.value = length.to_string();
        }
    }
}

fn snapshot_dir(lab: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(lab)
}

/// Compares `actual` with the stored snapshot, or stores it under `AUTHPROBE_BLESS=1`.
/// Returns a description of the first difference.
fn check_snapshot(lab: &str, file: &str, actual: &str) -> Option<String> {
    let path = snapshot_dir(lab).join(file);
    if std::env::var_os("AUTHPROBE_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return None;
    }
    let Ok(expected) = std::fs::read_to_string(&path) else {
        return Some(format!("{}: no snapshot yet", path.display()));
    };
    if expected == actual {
        return None;
    }
    // Kept for a side-by-side look: `diff <snapshot> <actual>`.
    let kept = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("snapshots")
        .join(lab)
        .join(file);
    let _ = std::fs::create_dir_all(kept.parent().unwrap());
    let _ = std::fs::write(&kept, actual);
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    Some(format!(
        "{}: differs from line {} (actual output: {})\n  expected: {:?}\n  actual:   {:?}",
        path.display(),
        line + 1,
        kept.display(),
        expected.lines().nth(line).unwrap_or("<end>"),
        actual.lines().nth(line).unwrap_or("<end>"),
    ))
}

/// Every entry of a zip file.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (name, content)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_format_is_produced_and_pinned() {
    let mut problems = Vec::new();
    for name in LABS {
        let report = lab_report(name).await;
        let bundle = render_bundle(&report).expect("a bundle");
        let listing: String = unzip(&bundle)
            .iter()
            .map(|(file, bytes)| format!("{file} {} bytes\n", bytes.len()))
            .collect();
        let outputs = [
            ("report.json", render_json(&report)),
            ("report.md", render_markdown(&report)),
            ("trace.txt", render_trace(&report)),
            ("report.sarif", render_sarif(&report)),
            ("report.junit.xml", render_junit(&report)),
            ("report.html", render_html(&report)),
            ("explain.txt", render_explain(&report)),
            ("bundle.txt", listing),
        ];
        for (file, text) in outputs {
            assert!(!text.trim().is_empty(), "{name}: empty {file}");
            problems.extend(check_snapshot(name, file, &text));
        }
        // The bundle is reproducible: the same report, the same bytes.
        assert_eq!(bundle, render_bundle(&report).unwrap(), "{name}");
        // Each defect's findings are in each format that lists findings.
        if let Some(defect) = Defect::from_name(name) {
            for code in defect.expected_codes() {
                for (format, text) in [
                    ("sarif", render_sarif(&report)),
                    ("markdown", render_markdown(&report)),
                    ("html", render_html(&report)),
                    ("junit", render_junit(&report)),
                ] {
                    assert!(text.contains(code), "{name}: {code} missing from {format}");
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "snapshots differ (if intended: AUTHPROBE_BLESS=1 cargo test -p authprobe --test it outputs):\n{}",
        problems.join("\n")
    );
}

/// The official SARIF 2.1.0 schema, vendored with the renderer's tests.
pub(crate) fn sarif_validator() -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../authprobe-render/tests/fixtures/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(path).expect("the vendored SARIF schema");
    // Its one pattern that is not a valid regular expression (a stray `]`, on
    // `run.language`, which authprobe never writes) is replaced by what it means.
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sarif_is_valid_for_every_lab() {
    let validator = sarif_validator();
    for name in LABS {
        let report = lab_report(name).await;
        let log: Value = serde_json::from_str(&render_sarif(&report)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), report.findings.len(), "{name}");
    }
}

/// Totals declared on `<testsuites>`, and what the test cases hold.
struct JunitCounts {
    declared: [usize; 3],
    cases: usize,
    failed: Vec<String>,
    skipped: usize,
}

fn read_junit(xml: &str) -> JunitCounts {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut counts = JunitCounts {
        declared: [0; 3],
        cases: 0,
        failed: Vec::new(),
        skipped: 0,
    };
    let mut current = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |key: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == key.as_bytes())
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                };
                match e.name().as_ref() {
                    b"testsuites" => {
                        for (i, key) in ["tests", "failures", "skipped"].iter().enumerate() {
                            counts.declared[i] = attr(key).unwrap().parse().unwrap();
                        }
                    }
                    b"testcase" => {
                        counts.cases += 1;
                        current = attr("name").unwrap();
                    }
                    b"failure" => counts.failed.push(current.clone()),
                    b"skipped" => counts.skipped += 1,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    counts.failed.sort();
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn junit_parses_with_the_expected_counts() {
    for name in LABS {
        let report = lab_report(name).await;
        let counts = read_junit(&render_junit(&report));
        // One failed case per finding at low or above, none for the rest.
        let mut expected: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Low)
            .map(|f| f.code.to_string())
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(counts.failed, expected, "{name}");
        assert_eq!(
            counts.declared,
            [counts.cases, counts.failed.len(), counts.skipped],
            "{name}: the totals a CI reporter reads"
        );
        assert!(
            counts.cases > counts.failed.len(),
            "{name}: passing checks are listed"
        );
        // Stage 7 never ran without a token: skipped, with its reason.
        assert!(counts.skipped >= 1, "{name}");
        if *name == "clean" {
            assert!(counts.failed.is_empty());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bundle_manifest_lists_every_file_with_its_sha256() {
    let report = lab_report("auth-not-advertised").await;
    let files = unzip(&render_bundle(&report).unwrap());
    let manifest: Value =
        serde_json::from_slice(&files.iter().find(|(n, _)| n == "manifest.json").unwrap().1)
            .unwrap();
    let listed = manifest["files"].as_array().unwrap();
    // Everything but the manifest and its checksum file is listed.
    assert_eq!(listed.len(), files.len() - 2);
    assert_eq!(
        files
            .iter()
            .filter(|(n, _)| n.starts_with("exchanges/"))
            .count(),
        report.exchanges.len()
    );
    for entry in listed {
        let path = entry["path"].as_str().unwrap();
        let bytes = &files.iter().find(|(n, _)| n == path).unwrap().1;
        // An independent hash: the system's sha256sum.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, bytes).unwrap();
        let out = std::process::Command::new("sha256sum")
            .arg(&file)
            .output()
            .unwrap();
        let sum = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            entry["sha256"].as_str().unwrap(),
            sum.split_whitespace().next().unwrap(),
            "{path}"
        );
    }
    let first = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "exchanges/001.txt")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(first.contains("POST /mcp HTTP/1.1"));
    assert!(first.contains("# curl -sS -i http://127.0.0.1:54321/mcp"));
    assert!(first.contains("lab_affinity=[REDACTED]"), "{first}");
}
