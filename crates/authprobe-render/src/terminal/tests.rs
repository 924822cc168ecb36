use authprobe_core::catalog::Code;
use authprobe_core::report::{Outcome, Severity};

use super::*;
use crate::test_support::{sample_report, PRM_URL, TARGET};

fn plain() -> TerminalOptions {
    TerminalOptions::default()
}

/// Whitespace runs collapsed, so that text wrapped over several lines can be searched.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn shows_header_funnel_outcome_and_findings() {
    let report = sample_report();
    let out = render_terminal(&report, &plain());
    let flat = squash(&out);

    assert!(
        out.starts_with(&format!("authprobe 0.1.0  scan {TARGET}\n")),
        "{out}"
    );
    assert!(out.contains(
        "\npassive scan · MCP best-effort · RFC best-effort · protocol 2025-11-25 (2025-stateful) · 42 ms\n"
    ));

    let challenge = out.lines().find(|l| l.contains("[FAIL]")).unwrap();
    assert!(challenge.starts_with("  [FAIL] 1  Challenge: unauthenticated initialize  "));
    assert!(challenge.ends_with("401 without WWW-Authenticate"));
    let skipped = out.lines().find(|l| l.contains("[SKIP]")).unwrap();
    assert!(skipped.starts_with("  [SKIP] 4  Authorization server metadata"));
    assert!(skipped.ends_with("not yet implemented"));
    // The two details start in the same column.
    assert_eq!(challenge.find("401"), skipped.find("not yet"));

    assert!(out.contains("\nOutcome: protected-broken\n"));
    assert!(flat
        .contains("a conforming client cannot get in: discovery, login or the session is blocked"));

    assert!(out.contains("Primary finding\n  HIGH  AUTH_REQUIRED_BUT_NOT_ADVERTISED"));
    assert!(flat.contains("evidence: POST /mcp answered 401 with no WWW-Authenticate header"));
    assert!(flat.contains(&format!("exchanges: #1 POST {TARGET} → 401")));
    assert!(flat.contains("more: authprobe explain AUTH_REQUIRED_BUT_NOT_ADVERTISED"));
    let entry = Code::AuthRequiredButNotAdvertised.entry();
    assert!(flat.contains(&squash(entry.title)));
    if !entry.remediation.is_empty() {
        assert!(flat.contains(&format!("fix: {}", squash(entry.remediation))));
    }
    if let Some(reference) = entry.references.first() {
        assert!(flat.contains(&format!("see: {reference}")));
    }

    assert!(out.contains("Other findings\n"));
    assert!(flat.contains("MEDIUM PRM_HTTP_STATUS_NOT_200 ".to_string().as_str()));
    assert!(flat.contains("(consequence of AUTH_REQUIRED_BUT_NOT_ADVERTISED)"));
    assert!(flat.contains("LOW PRM_CORS_MISSING"));
    // Worst first: the medium block comes before the low one.
    assert!(out.find("PRM_HTTP_STATUS_NOT_200").unwrap() < out.find("PRM_CORS_MISSING").unwrap());
    // The primary finding is not repeated among the others.
    assert_eq!(
        out.matches("  HIGH  AUTH_REQUIRED_BUT_NOT_ADVERTISED")
            .count(),
        1
    );

    let last = out.lines().last().unwrap();
    assert_eq!(
        last,
        "Summary: 1 high, 0 medium, 1 low, 0 info (+1 consequence) · exit 2 (--fail-on high)"
    );
    assert!(out.ends_with('\n'));
}

#[test]
fn no_escape_sequences_without_colour_and_some_with_it() {
    let mut report = sample_report();
    // A hostile server puts escape sequences where the report will print them.
    report.findings[0]
        .evidence
        .push_str(" \u{1b}[2J\u{1b}]0;owned\u{7}");
    report.steps[0].detail.push_str(" \u{9b}31m");
    report.exchanges[0].response.as_mut().unwrap().body = "\u{1b}[31mred\r\n".to_string();
    let options = TerminalOptions {
        exchanges: ExchangeDump::All,
        ..plain()
    };
    let out = render_terminal(&report, &options);
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(!out.contains('\u{9b}'));
    assert!(!out.contains('\r'));
    assert!(out.contains("\\u{1b}[2J"));

    let coloured = render_terminal(
        &report,
        &TerminalOptions {
            color: true,
            ..options
        },
    );
    assert!(coloured.contains("\u{1b}["));
    // Colour wraps the tags; the server's own escapes stay neutralised.
    assert!(coloured.contains(&format!(
        "{}[FAIL]",
        status_style(StepStatus::Fail).render()
    )));
    assert!(!coloured.contains("\u{1b}[2J"));
    assert!(!coloured.contains("\u{1b}]0;"));
}

#[test]
fn says_so_when_there_are_no_findings() {
    let mut report = sample_report();
    report.findings.clear();
    report.primary_finding = None;
    report.outcome = Outcome::ProtectedOk;
    let out = render_terminal(&report, &plain());
    assert!(out.contains("\nNo findings.\n"));
    assert!(!out.contains("Primary finding"));
    assert!(!out.contains("Other findings"));
    assert!(out.ends_with("\n\nSummary: no findings · exit 0 (--fail-on high)\n"));
}

#[test]
fn info_only_findings_are_listed_without_a_primary() {
    let mut report = sample_report();
    report.findings.truncate(1);
    report.findings[0].severity = Severity::Info;
    report.primary_finding = None;
    let out = render_terminal(
        &report,
        &TerminalOptions {
            fail_on: Some(Severity::Low),
            ..plain()
        },
    );
    assert!(out.contains("\nFindings\n  INFO  AUTH_REQUIRED_BUT_NOT_ADVERTISED"));
    assert!(out.ends_with("Summary: 0 high, 0 medium, 0 low, 1 info · exit 0 (--fail-on low)\n"));
}

#[test]
fn exit_hint_follows_the_outcome_and_the_gate() {
    let mut report = sample_report();
    assert_eq!(exit_hint(&report, None), "exit 0 (--fail-on none)");
    assert_eq!(
        exit_hint(&report, Some(Severity::Medium)),
        "exit 2 (--fail-on medium)"
    );
    report.findings.retain(|f| f.severity == Severity::Low);
    assert_eq!(
        exit_hint(&report, Some(Severity::Medium)),
        "exit 0 (--fail-on medium)"
    );
    assert_eq!(
        exit_hint(&report, Some(Severity::Low)),
        "exit 2 (--fail-on low)"
    );
    report.findings[0].severity = Severity::Info;
    assert_eq!(
        exit_hint(&report, Some(Severity::Info)),
        "exit 0 (--fail-on low)"
    );
    report.outcome = Outcome::Unreachable;
    assert!(exit_hint(&report, Some(Severity::High)).starts_with("exit 3"));
}

/// Every line fits, except one holding a single word too wide for any line (after at
/// most a one-word label), which wrapping must not break.
fn assert_fits(out: &str, width: usize) {
    for line in out.lines() {
        if width_of(line) > width {
            assert!(
                line.split_whitespace().count() <= 2,
                "overlong line: {line:?}"
            );
            let longest = line.split_whitespace().map(width_of).max().unwrap_or(0);
            assert!(
                longest > width - MIN_ROOM,
                "overlong line could have wrapped: {line:?}"
            );
        }
    }
}

#[test]
fn long_lines_wrap_within_the_width_with_a_hanging_indent() {
    let mut report = sample_report();
    report.findings[0].evidence = "word ".repeat(60);
    report.steps[0].detail = "detail ".repeat(30);
    let out = render_terminal(&report, &plain());
    assert_fits(&out, 100);
    let evidence: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("    evidence: word"))
        .take(4)
        .collect();
    assert_eq!(evidence.len(), 4);
    for continuation in &evidence[1..3] {
        assert!(
            continuation.starts_with(&format!("{}word", " ".repeat(14))),
            "{evidence:?}"
        );
    }
    // The step detail continues under its own column.
    let step: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.contains("[FAIL]"))
        .take(2)
        .collect();
    let column = step[0].find("detail").unwrap();
    assert_eq!(step[1].find("detail"), Some(column), "{step:?}");
    assert!(step[1][..column].trim().is_empty());

    // Too narrow for the name column: the detail moves under the name.
    let narrow = render_terminal(
        &report,
        &TerminalOptions {
            width: 60,
            ..plain()
        },
    );
    assert_fits(&narrow, 60);
    let step: Vec<&str> = narrow
        .lines()
        .skip_while(|l| !l.contains("[FAIL]"))
        .take(3)
        .collect();
    assert!(
        step[0].ends_with("Challenge: unauthenticated initialize"),
        "{step:?}"
    );
    assert!(step[1].starts_with(&format!("{}detail", " ".repeat(12))));
    assert!(step[2].starts_with(&format!("{}detail", " ".repeat(12))));
}

#[test]
fn verbose_exchanges_show_requests_and_responses() {
    let mut report = sample_report();
    let big = format!("{{\"padding\":\"{}\"}}", "x".repeat(3000));
    report.exchanges[1].response.as_mut().unwrap().body = big.clone();
    let out = render_terminal(
        &report,
        &TerminalOptions {
            exchanges: ExchangeDump::All,
            ..plain()
        },
    );
    assert!(out.contains("\nExchanges\n"));
    assert!(out.contains("#1  stage 1 Challenge · exchange 1 · 4 ms"));
    assert!(out.contains(&format!("  > POST {TARGET}\n")));
    assert!(out.contains("  > accept: application/json, text/event-stream\n"));
    assert!(out.contains("  > {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}\n"));
    assert!(out.contains("  < HTTP/1.1 401\n  < content-type: application/json\n"));
    assert!(out.contains(&format!("  > GET {PRM_URL}\n")));
    assert!(out.contains(&format!("… {} more bytes not shown", big.len() - 2048)));
    assert!(!out.contains(&"x".repeat(2100)));
    // The verdict stays the last line.
    assert!(out.lines().last().unwrap().starts_with("Summary:"));

    let terse = render_terminal(&report, &plain());
    assert!(!terse.contains("Exchanges"));
}

#[test]
fn trace_failure_shows_only_the_exchanges_of_failed_steps() {
    let mut report = sample_report();
    // A third exchange that no failed step and no finding cites.
    let mut quiet = report.exchanges[0].clone();
    quiet.id = 3;
    quiet.request.url = "http://127.0.0.1:8931/quiet-path".to_string();
    report.exchanges.push(quiet);
    let out = render_terminal(
        &report,
        &TerminalOptions {
            exchanges: ExchangeDump::Failed,
            ..plain()
        },
    );
    assert!(out.contains("\nExchanges of the failed steps\n"), "{out}");
    // #1 belongs to the failed challenge step; #2 is cited by the low PRM_CORS_MISSING.
    assert!(out.contains(&format!("  > POST {TARGET}\n")));
    assert!(out.contains(&format!("  > GET {PRM_URL}\n")));
    assert!(!out.contains("quiet-path"), "{out}");

    // Nothing failed: the section says so instead of dumping everything.
    for step in &mut report.steps {
        step.status = StepStatus::Pass;
    }
    report.findings.clear();
    report.primary_finding = None;
    let out = render_terminal(
        &report,
        &TerminalOptions {
            exchanges: ExchangeDump::Failed,
            ..plain()
        },
    );
    assert!(out.contains("(no step failed)"), "{out}");
    assert!(!out.contains("  > POST"), "{out}");
}

#[test]
fn a_slow_phase_is_named_at_its_step() {
    let mut report = sample_report();
    let quick = render_terminal(&report, &plain());
    assert!(!quick.contains("slow:"), "{quick}");
    report.exchanges[0].timing.tls_ms = Some(1234.0);
    let out = render_terminal(&report, &plain());
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("slow: TLS handshake to 127.0.0.1:8931: 1.2 s"))
        .unwrap_or_else(|| panic!("no slow line in\n{out}"));
    // Right under the step that sent the exchange.
    assert!(
        lines[at - 1].contains("[FAIL]") || lines[at - 2].contains("[FAIL]"),
        "{out}"
    );
}
