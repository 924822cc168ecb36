//! What changed between two reports (`authprobe diff`, `scan --baseline`): findings
//! that are new, fixed, or changed in severity or in what they are a consequence of.
//!
//! Findings are matched by code: a code is one check, and evidence text (ports, times)
//! differs between any two runs. Reports are read back from their JSON, which the JSON
//! renderer enriches (catalog fields, the primary finding as a whole object); the
//! reader undoes that.

use authprobe_core::catalog::Code;
use authprobe_core::report::{Finding, Outcome, Report, Severity, SCHEMA_VERSION};
use serde_json::Value;

use crate::json::BatchPosition;
use crate::text::one_line;

/// A JSON report that could not be read back.
#[derive(Debug)]
pub struct ReportReadError(String);

impl std::fmt::Display for ReportReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportReadError {}

/// Reads a report written by `--json` (or a plain serialised [`Report`]).
pub fn read_report_json(text: &str) -> Result<Report, ReportReadError> {
    read_batch_line(text).map(|(report, _)| report)
}

/// Reads one line of a batch's stream (`--json -` with many targets): the report and,
/// when the line carries it, where its target stands in the batch.
pub fn read_batch_line(text: &str) -> Result<(Report, Option<BatchPosition>), ReportReadError> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| ReportReadError(format!("not JSON ({e})")))?;
    let Some(object) = value.as_object_mut() else {
        return Err(ReportReadError(
            "not an authprobe report (not a JSON object)".into(),
        ));
    };
    match object.get("schema_version").and_then(Value::as_u64) {
        Some(v) if v > u64::from(SCHEMA_VERSION) => {
            return Err(ReportReadError(format!(
                "written by a newer authprobe (report layout {v}, this one reads up to {SCHEMA_VERSION})"
            )))
        }
        Some(_) => {}
        None => {
            return Err(ReportReadError(
                "not an authprobe report (no schema_version)".into(),
            ))
        }
    }
    // The JSON report writes the primary finding in full; the model keeps its code.
    if let Some(primary) = object.get_mut("primary_finding") {
        if let Some(code) = primary.get("code").cloned() {
            *primary = code;
        }
    }
    let position = match object.remove("batch") {
        None | Some(Value::Null) => None,
        Some(batch) => Some(
            serde_json::from_value::<BatchPosition>(batch)
                .ok()
                .filter(|p| (1..=p.total).contains(&p.index))
                .ok_or_else(|| {
                    ReportReadError(
                        "a report whose \"batch\" is not {\"index\": 1..=total, \"total\": n}"
                            .into(),
                    )
                })?,
        ),
    };
    let report = serde_json::from_value(value).map_err(|e| {
        ReportReadError(format!(
            "not an authprobe report this version can read ({e})"
        ))
    })?;
    Ok((report, position))
}

/// One finding present in both reports, with what changed about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedFinding {
    /// The finding in the old report.
    pub old: Finding,
    /// The finding in the new report.
    pub new: Finding,
}

impl ChangedFinding {
    /// True when the finding got worse: a higher severity, at `low` or above.
    pub fn worse(&self) -> bool {
        self.new.severity > self.old.severity && self.new.severity >= Severity::Low
    }
}

/// The difference between two reports.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDiff {
    /// Target, timestamp and outcome of the old report.
    pub old: (String, String, Outcome),
    /// Target, timestamp and outcome of the new report.
    pub new: (String, String, Outcome),
    /// Findings only the new report has.
    pub added: Vec<Finding>,
    /// Findings only the old report has.
    pub fixed: Vec<Finding>,
    /// Findings in both whose severity or cause changed.
    pub changed: Vec<ChangedFinding>,
    /// Findings in both, unchanged.
    pub unchanged: usize,
}

impl ReportDiff {
    /// True when something got worse: a new finding at `low` or above, a finding whose
    /// severity rose, or an outcome that turned into `protected-broken` or `not-mcp`.
    pub fn regressed(&self) -> bool {
        let outcome_worse = self.new.2 != self.old.2
            && matches!(self.new.2, Outcome::ProtectedBroken | Outcome::NotMcp);
        outcome_worse
            || self.added.iter().any(|f| f.severity >= Severity::Low)
            || self.changed.iter().any(ChangedFinding::worse)
    }
}

/// Compares two reports.
pub fn diff_reports(old: &Report, new: &Report) -> ReportDiff {
    let find =
        |report: &Report, code: Code| report.findings.iter().find(|f| f.code == code).cloned();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for finding in &new.findings {
        match find(old, finding.code) {
            None => added.push(finding.clone()),
            Some(before)
                if before.severity != finding.severity || before.caused_by != finding.caused_by =>
            {
                changed.push(ChangedFinding {
                    old: before,
                    new: finding.clone(),
                })
            }
            Some(_) => unchanged += 1,
        }
    }
    let fixed = old
        .findings
        .iter()
        .filter(|f| find(new, f.code).is_none())
        .cloned()
        .collect();
    ReportDiff {
        old: (old.target.clone(), old.timestamp.clone(), old.outcome),
        new: (new.target.clone(), new.timestamp.clone(), new.outcome),
        added,
        fixed,
        changed,
        unchanged,
    }
}

fn finding_line(mark: char, finding: &Finding) -> String {
    let mut line = format!(
        "  {mark} {:<6} {}  {}",
        finding.severity.as_str().to_ascii_uppercase(),
        finding.code,
        finding.code.entry().title
    );
    if let Some(cause) = finding.caused_by {
        line.push_str(&format!(" (consequence of {cause})"));
    }
    line
}

/// Renders the difference as plain text, ending with the verdict.
pub fn render_diff(diff: &ReportDiff) -> String {
    let mut out = format!(
        "Changes since {} ({})\n",
        one_line(&diff.old.0),
        one_line(&diff.old.1)
    );
    if diff.old.0 != diff.new.0 {
        out.push_str(&format!("  now scanning {}\n", one_line(&diff.new.0)));
    }
    if diff.old.2 == diff.new.2 {
        out.push_str(&format!("  outcome: {} (unchanged)\n", diff.new.2.as_str()));
    } else {
        out.push_str(&format!(
            "  outcome: {} → {}\n",
            diff.old.2.as_str(),
            diff.new.2.as_str()
        ));
    }
    out.push_str(&format!("New findings ({})\n", diff.added.len()));
    for finding in &diff.added {
        out.push_str(&finding_line('+', finding));
        out.push('\n');
    }
    out.push_str(&format!("Fixed findings ({})\n", diff.fixed.len()));
    for finding in &diff.fixed {
        out.push_str(&finding_line('-', finding));
        out.push('\n');
    }
    out.push_str(&format!("Changed findings ({})\n", diff.changed.len()));
    for change in &diff.changed {
        let mut what = Vec::new();
        if change.old.severity != change.new.severity {
            what.push(format!(
                "{} → {}",
                change.old.severity.as_str(),
                change.new.severity.as_str()
            ));
        }
        if change.old.caused_by != change.new.caused_by {
            what.push(match change.new.caused_by {
                Some(cause) => format!("now a consequence of {cause}"),
                None => "no longer a consequence".to_string(),
            });
        }
        out.push_str(&format!("  ~ {}  {}\n", change.new.code, what.join("; ")));
    }
    out.push_str(&format!("Unchanged findings: {}\n", diff.unchanged));
    out.push_str(if diff.regressed() {
        "Verdict: regressed\n"
    } else {
        "Verdict: no regression\n"
    });
    out
}

#[cfg(test)]
mod tests;
