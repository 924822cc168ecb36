//! What each interop configuration must produce, and the judge that compares a report
//! with it.
//!
//! Every finding of a scan has to be accounted for: either it is what the configuration's
//! mistake must raise (`Case::expected`), or it is a known SHOULD-level gap of a library
//! the configuration uses (`Case::gaps`, recorded in docs/known-ecosystem-issues.md), or a
//! known false alarm of authprobe itself (`Case::false_alarms`, to be fixed in the engine).
//! Anything else fails the test with the evidence, so a new check that lands with a later
//! stage either raises a real problem of a real library (record it) or gets fixed. The
//! listed gaps and false alarms must also still show up, so the records cannot go stale.

use authprobe_core::report::{primary_finding, Finding, Outcome, Report, Severity};

/// A library the fixtures are built with, and where its pinned version is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    /// `@modelcontextprotocol/sdk` on npm.
    McpTypescript,
    /// `mcp` on PyPI.
    McpPython,
    /// `oidc-provider` on npm.
    OidcProvider,
}

impl Library {
    /// Every library the fixtures are built with.
    pub const ALL: [Library; 3] = [
        Library::McpTypescript,
        Library::McpPython,
        Library::OidcProvider,
    ];

    /// The package name, as its registry spells it.
    pub fn package(self) -> &'static str {
        match self {
            Library::McpTypescript => "@modelcontextprotocol/sdk",
            Library::McpPython => "mcp",
            Library::OidcProvider => "oidc-provider",
        }
    }
}

/// A real library behaviour that authprobe rightly reports at `low` or `info`: a SHOULD
/// (or best practice) the library does not follow. Documented in
/// docs/known-ecosystem-issues.md under the library's heading.
#[derive(Debug)]
pub struct Gap {
    pub library: Library,
    pub code: &'static str,
    pub severity: Severity,
}

/// A finding authprobe raises against correct behaviour: reported to the engine's owners
/// and expected here only until the check is fixed, when the test fails to say so.
#[derive(Debug)]
pub struct FalseAlarm {
    pub code: &'static str,
    pub severity: Severity,
    pub why: &'static str,
}

/// A finding the configuration's mistake must raise.
#[derive(Debug)]
pub struct Expected {
    pub code: &'static str,
    pub severity: Severity,
    /// The root cause it is linked to, for consequences.
    pub caused_by: Option<&'static str>,
}

/// Shorthand for an expected root-cause finding.
pub const fn root(code: &'static str, severity: Severity) -> Expected {
    Expected {
        code,
        severity,
        caused_by: None,
    }
}

/// Shorthand for an expected consequence of `cause`.
pub const fn consequence(code: &'static str, severity: Severity, cause: &'static str) -> Expected {
    Expected {
        code,
        severity,
        caused_by: Some(cause),
    }
}

/// What a scan of one configuration must report.
#[derive(Debug)]
pub struct Verdict<'a> {
    /// A correct configuration: nothing at `medium` or above, only recorded gaps below.
    pub correct: bool,
    pub outcome: Outcome,
    pub primary: Option<&'static str>,
    pub expected: &'a [Expected],
    pub gaps: &'a [&'a Gap],
    pub false_alarms: &'a [&'a FalseAlarm],
}

/// Every way `report` departs from `verdict`, in words a reader can act on.
pub fn judge(verdict: &Verdict<'_>, report: &Report) -> Vec<String> {
    let mut problems = Vec::new();
    if report.outcome != verdict.outcome {
        problems.push(format!(
            "outcome is {}, expected {}",
            report.outcome.as_str(),
            verdict.outcome.as_str()
        ));
    }
    // A known false alarm may win the primary slot; the truth is what the primary would be
    // without it (the engine's own rule, applied to the other findings).
    let is_false_alarm = |f: &&Finding| {
        verdict
            .false_alarms
            .iter()
            .any(|a| a.code == f.code.as_str())
    };
    let primary = if verdict.false_alarms.is_empty() {
        report.primary_finding
    } else {
        let genuine: Vec<Finding> = report
            .findings
            .iter()
            .filter(|f| !is_false_alarm(f))
            .cloned()
            .collect();
        primary_finding(&genuine)
    };
    let primary = primary.map(|c| c.as_str());
    if primary != verdict.primary {
        problems.push(format!(
            "primary finding is {primary:?}, expected {:?}",
            verdict.primary
        ));
    }
    if verdict.correct {
        for f in report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Medium && !is_false_alarm(f))
        {
            problems.push(format!(
                "a correct server got {} at {}: {}",
                f.code,
                f.severity.as_str(),
                f.evidence
            ));
        }
    }

    for f in &report.findings {
        let code = f.code.as_str();
        let caused_by = f.caused_by.map(|c| c.as_str());
        if let Some(e) = verdict.expected.iter().find(|e| e.code == code) {
            if e.severity != f.severity || e.caused_by != caused_by {
                problems.push(format!(
                    "{code} is {} caused by {caused_by:?}, expected {} caused by {:?}",
                    f.severity.as_str(),
                    e.severity.as_str(),
                    e.caused_by
                ));
            }
        } else if let Some(g) = verdict.gaps.iter().find(|g| g.code == code) {
            if g.severity != f.severity {
                problems.push(format!(
                    "{code} (known gap of {}) is {}, recorded as {}",
                    g.library.package(),
                    f.severity.as_str(),
                    g.severity.as_str()
                ));
            }
        } else if let Some(a) = verdict.false_alarms.iter().find(|a| a.code == code) {
            if a.severity != f.severity {
                problems.push(format!(
                    "{code} (known false alarm) changed to {}: check whether it is fixed ({})",
                    f.severity.as_str(),
                    a.why
                ));
            }
        } else {
            problems.push(format!(
                "unexpected {code} at {}: {}\n      If the server really does this, either it is \
                 this configuration's mistake (add it to `expected`) or a SHOULD-level gap of \
                 the library (record it in docs/known-ecosystem-issues.md and add it to the \
                 case's `gaps`). If the library is right by the spec text, the check is wrong: \
                 fix the check.",
                f.severity.as_str(),
                f.evidence
            ));
        }
    }

    let raised = |code: &str| report.findings.iter().any(|f| f.code.as_str() == code);
    for e in verdict.expected.iter().filter(|e| !raised(e.code)) {
        problems.push(format!("expected {} was not raised", e.code));
    }
    for g in verdict.gaps.iter().filter(|g| !raised(g.code)) {
        problems.push(format!(
            "known gap {} of {} no longer shows: if the library fixed it, remove it from the \
             case and from docs/known-ecosystem-issues.md",
            g.code,
            g.library.package()
        ));
    }
    for a in verdict.false_alarms.iter().filter(|a| !raised(a.code)) {
        problems.push(format!(
            "KNOWN FALSE ALARM {} is no longer raised: the check was fixed; remove it from \
             FALSE_ALARMS and from the case",
            a.code
        ));
    }
    problems
}

/// Every finding of a report, one per line, for failure messages.
pub fn describe(report: &Report) -> String {
    report
        .findings
        .iter()
        .map(|f| {
            let cause = f
                .caused_by
                .map(|c| format!(" (caused by {c})"))
                .unwrap_or_default();
            format!(
                "  {} {}{cause}: {}",
                f.severity.as_str(),
                f.code,
                f.evidence
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
