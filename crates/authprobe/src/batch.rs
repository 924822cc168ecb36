//! `authprobe scan` with several targets (`--targets FILE`, several URLs, or both):
//! the targets are scanned concurrently, each within its own deadline, and each
//! report goes straight to its outputs; only a summary row per target is kept, so a
//! batch of any size runs in bounded memory.
//!
//! Outputs: `--json -` streams one compact JSON report per line (NDJSON) on stdout,
//! in the order the scans finish; `--json PATH` without `--output-dir` writes that
//! stream to a file. With `--output-dir DIR` every target gets its own directory
//! `DIR/<index>-<host-port-path>/` holding the formats asked for (paths relative to
//! it), or every format when none is. The summary table closes the run (on stderr
//! when stdout carries the stream).
//!
//! Exit code: 2 when any target has a finding at or above `--fail-on`; otherwise 3
//! when any target could not be scanned (unreachable, timed out), every one of them
//! named on stderr; otherwise 0.
//!
//! `--concurrency` targets are scanned at once; the requests of all of them share one
//! cap per host (`--per-host`). With `--shard I/N` only every N-th target from the I-th
//! is scanned; rows, lines and directories keep the target's position in the whole
//! list, so `authprobe merge` puts shards back together as one batch.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authprobe_core::config::{parse_target, ScanConfig};
use authprobe_core::http::HostLimits;
use authprobe_core::report::{Report, Severity};
use authprobe_render::{redact_report, render_batch_line, BatchPosition, RedactionOptions};
use futures_util::stream::{self, StreamExt};
use url::Url;

use crate::batch_view::{self, Progress, Row};
use crate::cli::{OutputArgs, ScanArgs};
use crate::exit::{Failure, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::outputs::{self, Plan};
use crate::scan_cmd;

/// How long past its own deadline a target's scan may run before the batch gives up
/// on it (the engine stops sending at the deadline; this only covers the rest).
const GRACE: Duration = Duration::from_secs(10);
/// Targets that could not be scanned named one by one on stderr, at most.
const NAMED_FAILURES: usize = 20;

/// Where the stream of JSON lines goes.
enum Lines {
    Stdout,
    File(BufWriter<std::fs::File>, String),
}

/// The directory of `--output-dir`, and the output flags of each target in it.
type PerTarget = (String, OutputArgs);

/// What every target's scan shares.
struct Shared {
    config: ScanConfig,
    redaction: RedactionOptions,
    gate: Option<Severity>,
    lines: bool,
    per_target: Option<PerTarget>,
    total: usize,
}

/// A finished target.
struct Done {
    row: Row,
    line: Option<String>,
    /// Its outputs could not be written: the batch stops.
    error: Option<Failure>,
}

/// Aborts a target's task when the batch stops early.
struct AbortOnDrop(tokio::task::JoinHandle<Done>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs a batch; `concurrency` targets at a time, at most `per_host` requests in
/// flight to any one host.
pub async fn run(args: &ScanArgs, concurrency: usize, per_host: usize) -> Result<i32, Failure> {
    refuse_single_target_flags(args)?;
    let targets = read_targets(args)?;
    let total = targets.len();
    // Every scan's configuration is this one with its own target.
    let mut config = ScanConfig::new(targets[0].clone());
    let targets: Vec<(usize, Url)> = (1..)
        .zip(targets)
        .filter(|(position, _)| args.shard.is_none_or(|s| s.takes(*position)))
        .collect();
    let output = &args.output;
    let (mut lines, per_target) = plan_outputs(output)?;
    scan_cmd::apply_probe_args(&mut config, &args.probe)?;
    config.command_line = scan_cmd::command_line();
    config.limits = HostLimits::new(per_host);
    let redaction = RedactionOptions {
        enabled: !output.no_redact,
        extra_secrets: scan_cmd::known_secrets(&config),
    };
    if output.verbose {
        config.observer = Some(outputs::live_trace(redaction.clone()));
    }
    if output.no_redact {
        eprintln!("warning: --no-redact: secrets (tokens, cookies, API keys) appear unredacted in every output");
    }
    let shared = Arc::new(Shared {
        config,
        redaction,
        gate: scan_cmd::gate(output.fail_on),
        lines: lines.is_some(),
        per_target,
        total,
    });
    let stdout_busy = matches!(lines, Some(Lines::Stdout));
    let bar = !output.quiet && !output.verbose && std::io::stderr().is_terminal();
    let mut progress = Progress::new(targets.len(), bar);
    let started = Instant::now();
    let mut rows: Vec<Row> = Vec::with_capacity(targets.len());
    let mut results = stream::iter(targets)
        .map(|(position, url)| scan_one(shared.clone(), position, url))
        .buffer_unordered(concurrency);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        let done = tokio::select! {
            done = results.next() => done,
            _ = tick.tick() => {
                progress.draw(true);
                continue;
            }
        };
        let Some(done) = done else { break };
        if let Some(error) = done.error {
            progress.clear();
            return Err(error);
        }
        if let (Some(sink), Some(line)) = (lines.as_mut(), done.line) {
            if let Err(error) = write_line(sink, &line) {
                progress.clear();
                return Err(error);
            }
        }
        progress.finished(done.row.failed());
        rows.push(done.row);
    }
    progress.clear();
    if let Some(Lines::File(file, path)) = lines.as_mut() {
        file.flush()
            .map_err(|e| Failure::new(format!("cannot write --json {path}: {e}")))?;
    }
    rows.sort_by_key(|r| r.index);
    if !output.quiet {
        let table = batch_view::summary_table(&rows, shared.gate, Some(started.elapsed()));
        if stdout_busy {
            let _ = std::io::stderr().lock().write_all(table.as_bytes());
        } else {
            outputs::write_stdout(table.as_bytes())?;
        }
    }
    Ok(exit_code(&rows))
}

/// The batch's exit code, with a statement on stderr of every target that could
/// not be scanned.
pub fn exit_code(rows: &[Row]) -> i32 {
    let failed: Vec<&Row> = rows.iter().filter(|r| r.failed()).collect();
    let gated = rows.iter().any(|r| r.gated > 0);
    if !failed.is_empty() {
        let level = if gated { "warning" } else { "error" };
        eprintln!(
            "{level}: {} of {} targets could not be scanned:",
            failed.len(),
            rows.len()
        );
        for row in failed.iter().take(NAMED_FAILURES) {
            eprintln!("  {}", row.failure.as_deref().unwrap_or(&row.target));
        }
        if failed.len() > NAMED_FAILURES {
            eprintln!("  … and {} more", failed.len() - NAMED_FAILURES);
        }
    }
    if gated {
        EXIT_FINDINGS
    } else if !failed.is_empty() {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

/// Options that describe one target's report and have no meaning for many.
fn refuse_single_target_flags(args: &ScanArgs) -> Result<(), Failure> {
    let checks = [
        (args.baseline.is_some(), "--baseline"),
        (args.tool_list, "-l/--tool-list"),
        (args.tool_detail.is_some(), "-d/--tool-detail"),
        (args.output.explain, "-e/--explain"),
        (args.output.trace_failure, "--trace-failure"),
    ];
    for (given, flag) in checks {
        if given {
            return Err(Failure::new(format!(
                "{flag} applies to one target; scan that target on its own to use it"
            )));
        }
    }
    Ok(())
}

/// The targets: those of `--targets` (a file, or `-` for stdin), then the URLs given.
fn read_targets(args: &ScanArgs) -> Result<Vec<Url>, Failure> {
    let mut targets = Vec::new();
    if let Some(path) = &args.targets {
        let shown = path.display();
        let text = if path.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(path)
        }
        .map_err(|e| Failure::new(format!("cannot read --targets {shown}: {e}")))?;
        for (line, url) in batch_view::target_lines(&text) {
            let target = parse_target(&url)
                .map_err(|e| Failure::new(format!("--targets {shown} line {line}: {e}")))?;
            targets.push(target);
        }
    }
    for url in &args.urls {
        targets.push(parse_target(url).map_err(|e| Failure::new(e.to_string()))?);
    }
    if targets.is_empty() {
        return Err(Failure::new(
            "no targets: the --targets file lists no URL (one per line, `#` starts a comment)",
        ));
    }
    Ok(targets)
}

/// The stream of JSON lines, and the outputs of each target under `--output-dir`.
fn plan_outputs(output: &OutputArgs) -> Result<(Option<Lines>, Option<PerTarget>), Failure> {
    let dir = output.output_dir.clone();
    let mut template = output.clone();
    template.json = None;
    let lines = match (output.json.as_deref(), &dir) {
        (Some("-"), _) => Some(Lines::Stdout),
        (Some(path), None) => {
            let file = std::fs::File::create(path)
                .map_err(|e| Failure::new(format!("cannot write --json {path}: {e}")))?;
            Some(Lines::File(BufWriter::new(file), path.to_string()))
        }
        // Beside --output-dir, a JSON path names each target's report in its directory.
        (Some(path), Some(_)) => {
            template.json = Some(path.to_string());
            None
        }
        (None, _) => None,
    };
    let per_target_flags = [
        ("--json", &template.json),
        ("--md", &output.md),
        ("--trace-ascii", &output.trace_ascii),
        ("--sarif", &output.sarif),
        ("--junit", &output.junit),
        ("--html", &output.html),
        ("--bundle", &output.bundle),
    ];
    for (flag, value) in per_target_flags {
        let Some(value) = value else { continue };
        let problem = if value == "-" {
            "cannot carry many reports on stdout; in a batch only --json - does (one JSON object per line)"
        } else if dir.is_none() {
            "needs --output-dir in a batch: each target gets its own directory there"
        } else if Path::new(value).is_absolute() {
            "must be relative in a batch: it names a file in each target's directory"
        } else {
            continue;
        };
        return Err(Failure::new(format!("{flag} {value} {problem}")));
    }
    Ok((lines, dir.map(|d| (d, template))))
}

fn write_line(sink: &mut Lines, line: &str) -> Result<(), Failure> {
    match sink {
        Lines::Stdout => outputs::write_stdout(line.as_bytes()),
        Lines::File(file, path) => file
            .write_all(line.as_bytes())
            .map_err(|e| Failure::new(format!("cannot write --json {path}: {e}"))),
    }
}

/// Scans one target in a task of its own (so the batch uses every core); a task that
/// dies yields a row that says so instead of taking the batch down.
async fn scan_one(shared: Arc<Shared>, index: usize, url: Url) -> Done {
    let target = url.to_string();
    let mut task = AbortOnDrop(tokio::spawn(async move {
        scan_target(&shared, index, url).await
    }));
    match (&mut task.0).await {
        Ok(done) => done,
        Err(error) => no_report(index, target, format!("internal error: {error}")),
    }
}

fn no_report(index: usize, target: String, why: String) -> Done {
    Done {
        row: Row {
            index,
            failure: Some(format!("{target}: {why}")),
            target,
            outcome: None,
            primary: None,
            gated: 0,
        },
        line: None,
        error: None,
    }
}

async fn scan_target(shared: &Shared, index: usize, url: Url) -> Done {
    let mut config = shared.config.clone();
    config.target = url.clone();
    let limit = config.deadline + GRACE;
    let report = match tokio::time::timeout(limit, authprobe_core::scan::scan(&config)).await {
        Ok(Ok(report)) => report,
        Ok(Err(error)) => return no_report(index, url.to_string(), error.to_string()),
        Err(_) => {
            let why = format!(
                "the scan did not finish within {:.0} s",
                limit.as_secs_f64()
            );
            return no_report(index, url.to_string(), why);
        }
    };
    let shown = redact_report(&report, &shared.redaction);
    drop(report);
    let row = row_of(index, &shown, shared.gate);
    let position = BatchPosition {
        index,
        total: shared.total,
    };
    let line = shared.lines.then(|| render_batch_line(&shown, position));
    let error = shared.per_target.as_ref().and_then(|(dir, template)| {
        let mut output = template.clone();
        let name = batch_view::target_dir_name(index, shared.total, &url);
        output.output_dir = Some(Path::new(dir).join(name).to_string_lossy().into_owned());
        Plan::from_args(&output).write(&shown).err()
    });
    Done { row, line, error }
}

/// The summary row of the report of the target at `index`.
pub fn row_of(index: usize, report: &Report, gate: Option<Severity>) -> Row {
    Row {
        index,
        target: report.target.clone(),
        outcome: Some(report.outcome),
        primary: report
            .primary()
            .map(|f| (f.severity, f.code.as_str().to_string())),
        gated: gate.map_or(0, |g| {
            report.findings.iter().filter(|f| f.severity >= g).count()
        }),
        failure: report
            .outcome
            .is_failure_to_scan()
            .then(|| scan_cmd::unreachable_line(report)),
    }
}
