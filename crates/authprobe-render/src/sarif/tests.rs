use serde_json::Value;

use super::*;
use crate::test_support::{sample_report, TARGET};

/// The official SARIF 2.1.0 schema (see tests/fixtures/README.md).
pub(crate) const SCHEMA_TEXT: &str = include_str!("../../tests/fixtures/sarif-schema-2.1.0.json");

/// The one pattern of the official schema that is not a valid regular expression (a
/// stray `]`); it constrains `run.language`, which authprobe never writes.
const BROKEN_PATTERN: &str = r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

/// Every schema violation of `log`, with its path, formats included.
pub(crate) fn schema_errors(log: &Value) -> Vec<String> {
    // With format checks on, the validator also checks the schema's own patterns and
    // refuses that one; it is replaced in memory by what it evidently means.
    let text = SCHEMA_TEXT.replace(
        &serde_json::to_string(BROKEN_PATTERN).unwrap(),
        &serde_json::to_string(r"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$").unwrap(),
    );
    assert_ne!(
        text, SCHEMA_TEXT,
        "the schema changed: revisit BROKEN_PATTERN"
    );
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn parse(report: &Report) -> Value {
    let text = render_sarif(report);
    assert!(text.ends_with("}\n"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn validates_against_the_official_schema() {
    let log = parse(&sample_report());
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");

    // The validator is not a rubber stamp: a log it must refuse is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    broken["version"] = Value::from("2.0.0");
    assert!(schema_errors(&broken).len() >= 2);
}

#[test]
fn one_rule_per_code_and_one_result_per_finding() {
    let report = sample_report();
    let log = parse(&report);
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "authprobe");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    for (result, finding) in results.iter().zip(&report.findings) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], finding.code.as_str());
        assert_eq!(result["ruleId"], finding.code.as_str());
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            TARGET
        );
    }
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "warning", "note"]);
    let rule = rules
        .iter()
        .find(|r| r["id"] == "AUTH_REQUIRED_BUT_NOT_ADVERTISED")
        .unwrap();
    let entry = Code::AuthRequiredButNotAdvertised.entry();
    assert_eq!(rule["name"], "AuthRequiredButNotAdvertised");
    assert_eq!(rule["shortDescription"]["text"], entry.title);
    assert_eq!(rule["fullDescription"]["text"], entry.fires_when);
    // The help is the catalog entry itself; no link to anywhere else.
    let help = rule["help"]["text"].as_str().unwrap();
    let help_md = rule["help"]["markdown"].as_str().unwrap();
    for part in [entry.title, entry.fires_when, entry.remediation] {
        assert!(help.contains(part) && help_md.contains(part), "{part}");
    }
    assert!(help_md.contains("`authprobe explain AUTH_REQUIRED_BUT_NOT_ADVERTISED`"));
    assert!(help_md.contains("Impact: `blocks-discovery`"));
    assert!(rule.get("helpUri").is_none());
    assert!(results[1]["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("(a consequence of AUTH_REQUIRED_BUT_NOT_ADVERTISED)"));
}

#[test]
fn info_is_a_note_and_an_empty_report_is_valid() {
    assert_eq!(level(Severity::Info), "note");
    assert_eq!(level(Severity::Low), "note");
    let mut report = sample_report();
    report.findings.clear();
    report.primary_finding = None;
    report.command.clear();
    let log = parse(&report);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert!(schema_errors(&log).is_empty());
}

#[test]
fn fingerprints_are_stable_per_code_and_target() {
    let a = fingerprint(Code::PrmCorsMissing, TARGET);
    assert_eq!(a, fingerprint(Code::PrmCorsMissing, TARGET));
    assert_ne!(
        a,
        fingerprint(Code::PrmCorsMissing, "http://127.0.0.1:1/mcp")
    );
    assert_ne!(a, fingerprint(Code::PrmHttpStatusNot200, TARGET));
    assert_eq!(a.len(), 64);
}
