//! The JSON report: the report's fields, with each finding enriched from the catalog.
//!
//! The top-level keys of the Go tool of the same name are kept (`command`, `target`,
//! `mcp_mode`, `rfc_mode`, `auth_required`, `timestamp`, `prm_ok`,
//! `oauth_discovery_viable`, `authz_server_metadata_ok`, `auth_discovery`, `steps`,
//! `findings`, `primary_finding`) so that scripts reading that tool's reports keep
//! working; ours are added beside them. The layout is versioned by `schema_version`.

use authprobe_core::catalog::{Code, Impact, Reference};
use authprobe_core::check::outcome::security_summary;
use authprobe_core::clients::ClientVerdict;
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
    clients: &'a [ClientVerdict],
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
        clients,
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
        clients,
        stdio: stdio.as_ref(),
        token: token.as_ref(),
        batch,
        root_cause: root_cause.as_ref(),
    }
}

#[cfg(test)]
mod tests;
