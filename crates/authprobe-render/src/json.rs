//! The JSON report: the report's fields, with each finding enriched from the catalog.
//!
//! The top-level keys of the Go tool of the same name are kept (`command`, `target`,
//! `mcp_mode`, `rfc_mode`, `auth_required`, `timestamp`, `prm_ok`,
//! `oauth_discovery_viable`, `authz_server_metadata_ok`, `auth_discovery`, `steps`,
//! `findings`, `primary_finding`) so that scripts reading that tool's reports keep
//! working; ours are added beside them. The layout is versioned by `schema_version`.

use authprobe_core::catalog::{Code, Impact, Reference};
use authprobe_core::check::outcome::security_summary;
use authprobe_core::http::{Exchange, ExchangeId};
use authprobe_core::report::{
    AuthDiscovery, Finding, Outcome, ProtocolInfo, Report, Severity, Stage, StdioServer, Step,
    TokenInfo,
};
use authprobe_core::root_cause::RootCause;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a report stands in a batch (`"batch"` in each line `--json -` streams): its
/// position in the whole target list, from 1, and the list's length. A shard of the
/// list (`--shard`) keeps the positions of the whole list, so `authprobe merge` can
/// put the shards' lines back in order and see which targets are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchPosition {
    /// Position in the whole target list, from 1.
    pub index: usize,
    /// How many targets the whole list holds.
    pub total: usize,
}

/// One finding as written to JSON: what the scan saw, plus what the catalog says.
#[derive(Serialize)]
struct JsonFinding<'a> {
    code: Code,
    severity: Severity,
    confidence: f32,
    stage: Stage,
    /// What the finding means for a client (the catalog's impact).
    impact: Impact,
    title: &'static str,
    evidence: &'a str,
    exchange_ids: &'a [ExchangeId],
    /// Always present (null when independent), so that consumers need no special case.
    caused_by: Option<Code>,
    /// Objects `{ "spec", "section", "url" }`: a reader can both cite and follow them.
    references: &'static [Reference],
    remediation: &'static str,
}

impl<'a> JsonFinding<'a> {
    fn new(finding: &'a Finding) -> Self {
        let entry = finding.code.entry();
        JsonFinding {
            code: finding.code,
            severity: finding.severity,
            confidence: finding.confidence,
            stage: finding.stage,
            impact: entry.impact,
            title: entry.title,
            evidence: &finding.evidence,
            exchange_ids: &finding.exchange_ids,
            caused_by: finding.caused_by,
            references: entry.references,
            remediation: entry.remediation,
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool_version: &'a str,
    command: &'a str,
    target: &'a str,
    mode: &'a str,
    mcp_mode: &'a str,
    rfc_mode: &'a str,
    timestamp: &'a str,
    duration_ms: f64,
    critical_path: u32,
    outcome: Outcome,
    /// One line naming the findings with the `security` impact; null when there are none.
    security_summary: Option<String>,
    auth_required: Option<bool>,
    prm_ok: bool,
    oauth_discovery_viable: bool,
    authz_server_metadata_ok: bool,
    protocol: &'a ProtocolInfo,
    auth_discovery: &'a AuthDiscovery,
    steps: &'a [Step],
    primary_finding: Option<JsonFinding<'a>>,
    findings: Vec<JsonFinding<'a>>,
    exchanges: &'a [Exchange],
    tools: &'a [Value],
    #[serde(skip_serializing_if = "Option::is_none")]
    stdio: Option<&'a StdioServer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a TokenInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<BatchPosition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    root_cause: Option<&'a RootCause>,
}

/// Renders the report as pretty-printed JSON, ending with a newline.
///
/// This does not redact: pass a report that went through
/// [`redact_report`](crate::redact_report) (unless the user chose `--no-redact`).
pub fn render_json(report: &Report) -> String {
    finish(
        serde_json::to_string_pretty(&document(report, None)),
        report,
    )
}

/// Renders the report as one line of compact JSON, ending with a newline: the same
/// document as [`render_json`], for a stream of reports (NDJSON, one per target).
pub fn render_json_line(report: &Report) -> String {
    finish(serde_json::to_string(&document(report, None)), report)
}

/// [`render_json_line`] for a report of a batch: the document also says where the
/// target stands in the batch's list (`"batch": {"index", "total"}`).
pub fn render_batch_line(report: &Report, position: BatchPosition) -> String {
    finish(
        serde_json::to_string(&document(report, Some(position))),
        report,
    )
}

fn finish(result: serde_json::Result<String>, report: &Report) -> String {
    match result {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Not reachable with these types (non-finite numbers become null), but a report
        // must never take the program down: say what failed, in JSON.
        Err(error) => format!(
            "{}\n",
            serde_json::json!({
                "schema_version": report.schema_version,
                "error": format!("the report could not be serialised: {error}"),
            })
        ),
    }
}

fn document(report: &Report, batch: Option<BatchPosition>) -> JsonReport<'_> {
    // Destructured without `..` so that a new report field cannot be left out unnoticed.
    let Report {
        schema_version,
        tool_version,
        command,
        target,
        mode,
        mcp_mode,
        rfc_mode,
        timestamp,
        duration_ms,
        critical_path,
        outcome,
        auth_required,
        prm_ok,
        oauth_discovery_viable,
        authz_server_metadata_ok,
        protocol,
        auth_discovery,
        steps,
        findings,
        primary_finding: _,
        exchanges,
        tools,
        stdio,
        token,
        root_cause,
    } = report;
    JsonReport {
        schema_version: *schema_version,
        tool_version,
        command,
        target,
        mode,
        mcp_mode,
        rfc_mode,
        timestamp,
        duration_ms: *duration_ms,
        critical_path: *critical_path,
        outcome: *outcome,
        security_summary: security_summary(findings),
        auth_required: *auth_required,
        prm_ok: *prm_ok,
        oauth_discovery_viable: *oauth_discovery_viable,
        authz_server_metadata_ok: *authz_server_metadata_ok,
        protocol,
        auth_discovery,
        steps,
        primary_finding: report.primary().map(JsonFinding::new),
        findings: findings.iter().map(JsonFinding::new).collect(),
        exchanges,
        tools,
        stdio: stdio.as_ref(),
        token: token.as_ref(),
        batch,
        root_cause: root_cause.as_ref(),
    }
}

#[cfg(test)]
mod tests {
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
}
