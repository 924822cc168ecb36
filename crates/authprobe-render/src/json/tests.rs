use super::*;
use crate::test_support::sample_report;

const TOP_LEVEL: &[&str] = &[
    "schema_version",
    "tool_version",
    "command",
    "target",
    "mode",
    "mcp_mode",
    "rfc_mode",
    "auth_required",
    "timestamp",
    "duration_ms",
    "critical_path",
    "prm_ok",
    "oauth_discovery_viable",
    "authz_server_metadata_ok",
    "auth_discovery",
    "steps",
    "findings",
    "primary_finding",
    "outcome",
    "security_summary",
    "protocol",
    "exchanges",
    "tools",
    "clients",
];

const FINDING_KEYS: &[&str] = &[
    "code",
    "severity",
    "confidence",
    "stage",
    "title",
    "evidence",
    "exchange_ids",
    "caused_by",
    "references",
    "remediation",
];

fn parse(report: &Report) -> Value {
    let text = render_json(report);
    assert!(text.ends_with("}\n"), "pretty JSON with a trailing newline");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn keeps_every_top_level_key() {
    let doc = parse(&sample_report());
    let object = doc.as_object().unwrap();
    for key in TOP_LEVEL {
        assert!(object.contains_key(*key), "missing top-level key {key}");
    }
    assert_eq!(
        object.len(),
        TOP_LEVEL.len(),
        "unexpected extra keys: {object:?}"
    );
    assert_eq!(doc["outcome"], "protected-broken");
    assert_eq!(doc["auth_required"], true);
    assert_eq!(doc["protocol"]["negotiated_version"], "2025-11-25");
    assert_eq!(doc["steps"][1]["status"], "SKIP");
    assert_eq!(doc["exchanges"][0]["response"]["status"], 401);
}

#[test]
fn findings_are_enriched_from_the_catalog() {
    let report = sample_report();
    let doc = parse(&report);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), report.findings.len());
    for (json, finding) in findings.iter().zip(&report.findings) {
        let object = json.as_object().unwrap();
        for key in FINDING_KEYS {
            assert!(object.contains_key(*key), "finding lacks {key}");
        }
        let entry = finding.code.entry();
        assert_eq!(json["code"], finding.code.as_str());
        assert_eq!(json["title"], entry.title);
        assert_eq!(json["remediation"], entry.remediation);
        assert_eq!(
            json["references"].as_array().unwrap().len(),
            entry.references.len()
        );
        assert_eq!(json["evidence"], finding.evidence.as_str());
    }
    // f32 confidences are written as written, not as their f64 widening.
    assert_eq!(findings[1]["confidence"].to_string(), "0.9");
    assert_eq!(findings[1]["severity"], "medium");
    assert_eq!(findings[1]["stage"], "prm");
    assert_eq!(findings[1]["caused_by"], "AUTH_REQUIRED_BUT_NOT_ADVERTISED");
    assert_eq!(findings[0]["caused_by"], Value::Null);
    assert_eq!(findings[1]["exchange_ids"], serde_json::json!([2]));
}

#[test]
fn the_line_form_is_the_same_document_on_one_line() {
    let report = sample_report();
    let line = render_json_line(&report);
    assert!(line.ends_with("}\n"));
    assert_eq!(line.matches('\n').count(), 1, "one line");
    let pretty: Value = serde_json::from_str(&render_json(&report)).unwrap();
    let compact: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(compact, pretty);
    assert_eq!(compact["critical_path"], 3);
}

#[test]
fn a_batch_line_says_where_its_target_stands_and_reads_back() {
    let report = sample_report();
    let position = BatchPosition {
        index: 7,
        total: 1000,
    };
    let line = render_batch_line(&report, position);
    assert_eq!(line.matches('\n').count(), 1, "one line");
    let doc: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(doc["batch"], serde_json::json!({"index": 7, "total": 1000}));
    let (back, read) = crate::diff::read_batch_line(&line).unwrap();
    assert_eq!(read, Some(position));
    assert_eq!(
        back,
        crate::read_report_json(&render_json(&report)).unwrap()
    );
    let (_, none) = crate::diff::read_batch_line(&render_json_line(&report)).unwrap();
    assert_eq!(none, None);
}

#[test]
fn a_report_from_before_critical_path_still_reads() {
    let mut doc = parse(&sample_report());
    doc.as_object_mut().unwrap().remove("critical_path");
    let report = crate::read_report_json(&doc.to_string()).unwrap();
    assert_eq!(report.critical_path, 0);
}

#[test]
fn primary_finding_is_the_full_object_or_null() {
    let mut report = sample_report();
    let doc = parse(&report);
    assert_eq!(doc["primary_finding"], doc["findings"][0]);
    assert_eq!(
        doc["primary_finding"]["code"],
        "AUTH_REQUIRED_BUT_NOT_ADVERTISED"
    );

    report.primary_finding = None;
    report.findings.clear();
    let doc = parse(&report);
    assert_eq!(doc["primary_finding"], Value::Null);
    assert_eq!(doc["findings"], serde_json::json!([]));
}
