//! The deterministic root-cause analysis closes the terminal report of every lab
//! defect, with no LLM configured: it names the primary finding, says why with the
//! sections the catalog cites, and what to change; a scan without a primary finding
//! says so.

use std::process::{Command, Output};

use authprobe_lab::Defect;
use futures_util::future::join_all;

use crate::support::{bin, lab_in};

/// Runs the binary with no LLM key in its environment.
async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(bin())
            .args(&args)
            .env("NO_COLOR", "1")
            .env_remove("OPENAI_API_KEY")
            .env_remove("ANTHROPIC_API_KEY")
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("join")
}

/// The terminal report of one defect, scanned as the calibration scans it.
async fn terminal_report(defect: Defect) -> (Defect, i32, String) {
    let lab = lab_in(defect.era(), &[defect]).await;
    let mut args: Vec<String> = ["scan", &lab.mcp_url(), "--timeout", "2", "--deadline", "20"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if defect.active() {
        args.push("--active".into());
    }
    if defect.needs_token() {
        args.extend(["--bearer-token".to_string(), lab.issue_token()]);
    }
    let out = run(args).await;
    lab.shutdown().await;
    (
        defect,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The text from the analysis heading to the summary line.
fn analysis_section(stdout: &str) -> Option<&str> {
    let start = stdout.find("\nRoot-cause analysis (built from the report and the catalog)")?;
    let end = stdout[start..].find("\nSummary: ")? + start;
    Some(&stdout[start..end])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_lab_defect_gets_the_deterministic_analysis_without_a_key() {
    let mut pending: Vec<_> = Defect::ALL.iter().map(|d| terminal_report(*d)).collect();
    let mut results = Vec::new();
    while !pending.is_empty() {
        let rest = pending.split_off(pending.len().min(8));
        results.extend(join_all(pending).await);
        pending = rest;
    }
    let mut failures = Vec::new();
    let mut analysed = 0;
    for (defect, code, stdout) in &results {
        let Some(section) = analysis_section(stdout) else {
            failures.push(format!(
                "{}: exit {code}, no analysis before the summary:\n{stdout}",
                defect.name()
            ));
            continue;
        };
        let primary = stdout
            .split("Primary finding\n")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().nth(1))
            .map(str::to_string);
        match primary {
            Some(primary) => {
                analysed += 1;
                let parts = [
                    "Why this is a violation",
                    "What happened on this server",
                    "What to change",
                    "What a client sees today",
                ];
                let missing: Vec<&str> = parts
                    .iter()
                    .copied()
                    .filter(|p| !section.contains(p))
                    .collect();
                if !section.contains(&primary) || !missing.is_empty() {
                    failures.push(format!(
                        "{}: analysis of {primary} lacks {missing:?}:\n{section}",
                        defect.name()
                    ));
                }
                if section.contains("[unverified citation]") {
                    failures.push(format!(
                        "{}: a catalog citation is unverified:\n{section}",
                        defect.name()
                    ));
                }
            }
            None if !section.contains("No root-cause analysis:") => {
                failures.push(format!(
                    "{}: no primary finding and no sentence saying so:\n{section}",
                    defect.name()
                ));
            }
            None => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} defects:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n\n")
    );
    // Nearly every defect has a primary finding; a parse that found none would pass vacuously.
    assert!(
        analysed * 2 > results.len(),
        "only {analysed} of {} analyses had a primary finding",
        results.len()
    );
}
