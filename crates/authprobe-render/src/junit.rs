//! JUnit XML (`--junit`), for CI test reporters: one test suite per funnel stage, one
//! test case per check.
//!
//! In a stage that ran, every catalog code of the stage is a test case: failed when the
//! scan raised it at `low` or above, passed otherwise (an `info` observation passes and
//! says what was seen), skipped when its own step was skipped or its family was turned
//! off. A stage where nothing ran has one skipped test case per step, with the reason.

use authprobe_core::catalog::{Code, Family};
use authprobe_core::report::{Finding, Report, Severity, Stage, StepStatus};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use crate::common::exchange_brief;

/// `authprobe.prm`: the class name CI reporters group a stage's cases under.
fn classname(stage: Stage) -> String {
    let name = serde_json::to_value(stage)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| stage.number().to_string());
    format!("authprobe.{name}")
}

/// Why a check did not run, if it did not.
fn skip_reason(report: &Report, code: Code) -> Option<String> {
    let entry = code.entry();
    let family_off = match entry.family {
        Family::Mcp => report.mcp_mode == "off",
        Family::Rfc => report.rfc_mode == "off",
        Family::Policy => false,
    };
    if family_off {
        let flag = if entry.family == Family::Mcp {
            "--mcp"
        } else {
            "--rfc"
        };
        return Some(format!("{flag} off"));
    }
    let home = code.step_id();
    report
        .steps
        .iter()
        .find(|s| s.id == home && s.status == StepStatus::Skip)
        .map(|s| s.detail.clone())
}

fn failure(report: &Report, finding: &Finding) -> TestCaseStatus {
    let entry = finding.code.entry();
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    let mut message = format!("{}: {}", finding.severity.as_str(), entry.title);
    if let Some(cause) = finding.caused_by {
        message.push_str(&format!(" (consequence of {cause})"));
    }
    let mut description = format!("{}\n\nFix: {}\n", finding.evidence, entry.remediation);
    if !entry.references.is_empty() {
        let refs: Vec<String> = entry.references.iter().map(ToString::to_string).collect();
        description.push_str(&format!("See: {}\n", refs.join(", ")));
    }
    for id in &finding.exchange_ids {
        description.push_str(&format!("Exchange: {}\n", exchange_brief(report, *id)));
    }
    status
        .set_message(message)
        .set_type(finding.severity.as_str())
        .set_description(description);
    status
}

fn check_case(report: &Report, code: Code) -> TestCase {
    let finding = report.findings.iter().find(|f| f.code == code);
    let mut observation = None;
    let status = match finding {
        Some(f) if f.severity >= Severity::Low => failure(report, f),
        found => {
            if let Some(f) = found {
                observation = Some(format!("observation: {}", f.evidence));
            }
            match (found, skip_reason(report, code)) {
                (None, Some(reason)) => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(reason);
                    status
                }
                _ => TestCaseStatus::success(),
            }
        }
    };
    let mut case = TestCase::new(code.as_str(), status);
    case.set_classname(classname(code.entry().stage));
    if let Some(text) = observation {
        case.set_system_out(text);
    }
    case
}

/// Renders the report as a JUnit XML document.
///
/// This does not redact: pass a report that went through
/// [`redact_report`](crate::redact_report) (unless the user chose `--no-redact`).
pub fn render_junit(report: &Report) -> String {
    let mut junit = quick_junit::Report::new("authprobe");
    for stage in Stage::ALL {
        let steps: Vec<_> = report.steps.iter().filter(|s| s.stage == stage).collect();
        let raised_here = report.findings.iter().any(|f| f.stage == stage);
        if steps.is_empty() && !raised_here {
            continue;
        }
        let mut suite = TestSuite::new(format!("stage {}: {}", stage.number(), stage.title()));
        suite.add_property(Property::new("target", report.target.as_str()));
        suite.add_property(Property::new("outcome", report.outcome.as_str()));
        let ran = raised_here || steps.iter().any(|s| s.status != StepStatus::Skip);
        if ran {
            let codes = Code::ALL.iter().copied().filter(|c| {
                let entry = c.entry();
                entry.stage == stage
                    && (entry.raised() || report.findings.iter().any(|f| f.code == *c))
            });
            suite.add_test_cases(codes.map(|c| check_case(report, c)));
        } else {
            suite.add_test_cases(steps.iter().map(|step| {
                let mut status = TestCaseStatus::skipped();
                status.set_message(step.detail.as_str());
                let mut case = TestCase::new(step.name.as_str(), status);
                case.set_classname(classname(stage));
                case
            }));
        }
        junit.add_test_suite(suite);
    }
    match junit.to_string() {
        Ok(mut xml) => {
            if !xml.ends_with('\n') {
                xml.push('\n');
            }
            xml
        }
        // Writing to a String cannot fail; an output must still never take the program down.
        Err(error) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"authprobe\" tests=\"0\" failures=\"0\" errors=\"1\"><!-- {} --></testsuites>\n",
            error.to_string().replace("--", "- -")
        ),
    }
}

#[cfg(test)]
mod tests;
