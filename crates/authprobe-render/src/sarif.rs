//! SARIF 2.1.0 (`--sarif`), for GitHub code scanning and other static-analysis viewers:
//! one rule per finding code that occurs, one result per finding, the scanned URL as
//! the location of every result.
//!
//! Only the part of the format authprobe needs is modelled, as plain serde structs;
//! a test validates the output against the official 2.1.0 JSON schema.

use std::collections::BTreeMap;

use authprobe_core::catalog::Code;
use authprobe_core::http::ExchangeId;
use authprobe_core::report::{Report, Severity};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The schema a SARIF 2.1.0 log names.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    properties: RunProperties,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: String,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct TextAndMarkdown {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: TextAndMarkdown,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    command_line: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: Severity,
    confidence: f32,
    stage: authprobe_core::report::Stage,
    exchange_ids: Vec<ExchangeId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    caused_by: Option<Code>,
}

#[derive(Serialize)]
struct RunProperties {
    target: String,
    outcome: authprobe_core::report::Outcome,
    timestamp: String,
}

/// SARIF's level for a severity: an `info` finding is a note, never an error.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// `PRM_RESOURCE_MISMATCH` → `PrmResourceMismatch`: SARIF's rule name is an identifier.
fn pascal_case(code: &str) -> String {
    code.split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule(code: Code) -> Rule {
    let entry = code.entry();
    let references: Vec<String> = entry.references.iter().map(ToString::to_string).collect();
    let references_md: Vec<String> = entry
        .references
        .iter()
        .map(|r| format!("[{r}]({})", r.url))
        .collect();
    // The rule's help is the catalog entry itself, so that a viewer needs no link.
    let mut help = format!(
        "{}\nSeverity: {} · Impact: {}\nFires when: {}\nFix: {}",
        entry.title,
        entry.severity.as_str(),
        entry.impact.as_str(),
        entry.fires_when,
        entry.remediation
    );
    let mut markdown = format!(
        "**{}**\n\nSeverity: **{}** · Impact: `{}`\n\n**Fires when:** {}\n\n**Fix:** {}",
        entry.title,
        entry.severity.as_str(),
        entry.impact.as_str(),
        entry.fires_when,
        entry.remediation
    );
    if !references.is_empty() {
        help.push_str(&format!("\nReferences: {}", references.join(", ")));
        markdown.push_str(&format!("\n\n**References:** {}", references_md.join(", ")));
    }
    help.push_str(&format!("\nMore: authprobe explain {code}"));
    markdown.push_str(&format!("\n\nMore: `authprobe explain {code}`"));
    Rule {
        id: code.as_str(),
        name: pascal_case(code.as_str()),
        short_description: Text {
            text: entry.title.to_string(),
        },
        full_description: Text {
            text: entry.fires_when.to_string(),
        },
        help: TextAndMarkdown {
            text: help,
            markdown,
        },
        default_configuration: Configuration {
            level: level(entry.severity),
        },
        properties: RuleProperties {
            tags: vec![
                "authprobe",
                match entry.family {
                    authprobe_core::catalog::Family::Mcp => "mcp",
                    authprobe_core::catalog::Family::Rfc => "rfc",
                    authprobe_core::catalog::Family::Policy => "policy",
                },
            ],
        },
    }
}

/// Stable across scans of the same target, so a viewer can track one alert over time.
fn fingerprint(code: Code, target: &str) -> String {
    let digest = Sha256::digest(format!("{code}\n{target}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Renders the report as a SARIF 2.1.0 log (pretty JSON, ending with a newline).
///
/// This does not redact: pass a report that went through
/// [`redact_report`](crate::redact_report) (unless the user chose `--no-redact`).
pub fn render_sarif(report: &Report) -> String {
    let mut codes: Vec<Code> = report.findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Rule> = codes.iter().map(|c| rule(*c)).collect();
    let results = report
        .findings
        .iter()
        .map(|finding| {
            let mut message = finding.evidence.clone();
            if let Some(cause) = finding.caused_by {
                message.push_str(&format!(" (a consequence of {cause})"));
            }
            if message.trim().is_empty() {
                message = finding.code.entry().title.to_string();
            }
            SarifResult {
                rule_id: finding.code.as_str(),
                rule_index: codes.binary_search(&finding.code).unwrap_or_default(),
                level: level(finding.severity),
                message: Text { text: message },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: report.target.clone(),
                        },
                    },
                }],
                partial_fingerprints: BTreeMap::from([(
                    "authprobe/v1",
                    fingerprint(finding.code, &report.target),
                )]),
                properties: ResultProperties {
                    severity: finding.severity,
                    confidence: finding.confidence,
                    stage: finding.stage,
                    exchange_ids: finding.exchange_ids.clone(),
                    caused_by: finding.caused_by,
                },
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "authprobe",
                    version: report.tool_version.clone(),
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: !report.outcome.is_failure_to_scan(),
                command_line: report.command.clone(),
            }],
            results,
            properties: RunProperties {
                target: report.target.clone(),
                outcome: report.outcome,
                timestamp: report.timestamp.clone(),
            },
        }],
    };
    match serde_json::to_string_pretty(&log) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Not reachable with these types; an output must still never take the program down.
        Err(error) => format!(
            "{}\n",
            serde_json::json!({
                "version": "2.1.0",
                "runs": [],
                "properties": {"error": error.to_string()},
            })
        ),
    }
}

#[cfg(test)]
mod tests;
