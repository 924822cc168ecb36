//! `authprobe scan`: raw flags → validated `ScanConfig` → engine → renderers → exit code.

use std::time::Duration;

use authprobe_core::config::{parse_target, FamilyMode, ScanConfig, ScanMode};
use authprobe_core::http::{HostLimits, DEFAULT_PER_HOST};
use authprobe_core::report::{Outcome, Report, Severity};
use authprobe_render::{redact_report, RedactionOptions};

use crate::cli::{FailOn, FamilyArg, OutputArgs, ProbeArgs, ScanArgs};
use crate::exit::{Failure, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::outputs::{self, Presentation};
pub use crate::tool_list::{Extras, ToolOutput};

/// Runs `authprobe scan`.
pub async fn run(args: ScanArgs) -> Result<i32, Failure> {
    outputs::Plan::check_stdout(&args.output)?;
    let batch = args.targets.is_some() || args.urls.len() > 1;
    if args.login.is_some() && (batch || args.stdio_command.is_some()) {
        return Err(Failure::new(
            "--login logs in to one server: scan a single URL with it (a stdio server takes no OAuth login)",
        ));
    }
    if let Some(command) = &args.stdio_command {
        return crate::stdio_scan::run(&args, command).await;
    }
    let concurrency = in_range(args.concurrency, "--concurrency", DEFAULT_CONCURRENCY)?;
    let per_host = in_range(args.per_host, "--per-host", DEFAULT_PER_HOST)?;
    if batch {
        return crate::batch::run(&args, concurrency, per_host).await;
    }
    if let Some(shard) = args.shard {
        return Err(Failure::new(format!(
            "--shard {shard} splits a batch: give the list with --targets FILE (or several URLs)"
        )));
    }
    let Some(url) = args.urls.first() else {
        return Err(Failure::new(
            "no URL to scan: give the MCP endpoint, e.g. `authprobe scan https://example.com/mcp`",
        ));
    };
    let target = parse_target(url).map_err(|e| Failure::new(e.to_string()))?;
    let mut config = ScanConfig::new(target);
    apply_probe_args(&mut config, &args.probe)?;
    config.limits = HostLimits::new(per_host);
    config.command_line = command_line();
    let login = crate::login::config(&args)?;
    config.login = login.as_ref().map(|(config, _)| config.clone());
    let baseline = match &args.baseline {
        Some(path) => Some(outputs::read_report(path, "--baseline ")?),
        None => None,
    };
    let extras = Extras {
        tools: ToolOutput::from_args(&args),
        stdio: None,
        llm: crate::llm::settings(&args.llm, &known_secrets(&config))?,
    };
    let code = execute_full(&config, &args.output, baseline.as_ref(), extras).await?;
    match login.and_then(|(_, terminal)| terminal.failure()) {
        Some(failure) => Err(failure),
        None => Ok(code),
    }
}

/// The default of `--concurrency`: targets of a batch scanned at once. Targets on
/// many hosts are limited by this alone; targets on one host also by `--per-host`.
pub const DEFAULT_CONCURRENCY: usize = 16;
/// The largest `--concurrency` and `--per-host` accepted.
const MAX_CONCURRENCY: usize = 1024;

/// Validates `--concurrency` or `--per-host`.
fn in_range(given: Option<usize>, flag: &str, default: usize) -> Result<usize, Failure> {
    match given {
        None => Ok(default),
        Some(n @ 1..=MAX_CONCURRENCY) => Ok(n),
        Some(n) => Err(Failure::new(format!(
            "{flag} {n} is out of range: give a number from 1 to {MAX_CONCURRENCY}, e.g. {flag} {default}"
        ))),
    }
}

fn family(arg: FamilyArg) -> FamilyMode {
    match arg {
        FamilyArg::Off => FamilyMode::Off,
        FamilyArg::BestEffort => FamilyMode::BestEffort,
        FamilyArg::Strict => FamilyMode::Strict,
    }
}

pub(crate) fn seconds(value: f64, flag: &str) -> Result<Duration, Failure> {
    if value.is_finite() && value > 0.0 && value <= 3600.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(Failure::new(format!(
            "{flag} {value} is out of range: give a number of seconds above 0 and at most 3600, e.g. {flag} 8"
        )))
    }
}

/// Validates the probe flags into the configuration.
pub fn apply_probe_args(config: &mut ScanConfig, probe: &ProbeArgs) -> Result<(), Failure> {
    config.timeout = seconds(probe.timeout, "--timeout")?;
    config.deadline = seconds(probe.deadline, "--deadline")?;
    config.mcp_mode = family(probe.mcp);
    config.rfc_mode = family(probe.rfc);
    config.allow_private_issuers = probe.allow_private_issuers;
    config.insecure = probe.insecure;
    config.follow_redirects = !probe.no_follow_redirects;
    config.mode = if probe.active {
        ScanMode::Active
    } else {
        ScanMode::Passive
    };
    config.protocol_version = probe.protocol_version.clone();
    for raw in &probe.header {
        let Some((name, value)) = raw.split_once(':') else {
            return Err(Failure::new(format!(
                "-H `{raw}` is not `Name: value`; write it like -H 'X-Api-Key: abc'"
            )));
        };
        let name = name.trim();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return Err(Failure::new(format!(
                "-H `{raw}`: `{name}` is not a valid header name"
            )));
        }
        config
            .headers
            .push((name.to_string(), value.trim().to_string()));
    }
    config.bearer_token = match (&probe.bearer_token, &probe.bearer_token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::new(format!(
                    "cannot read --bearer-token-file {}: {e}",
                    path.display()
                ))
            })?;
            Some(token_in_file(&text).ok_or_else(|| {
                Failure::new(format!(
                    "--bearer-token-file {} holds no token (expected the token itself, or a token response with access_token as --token-out writes it)",
                    path.display()
                ))
            })?)
        }
        (None, None) => None,
    };
    Ok(())
}

/// The token a `--bearer-token-file` holds: the file's one line, or the
/// `access_token` of a token response (what `--token-out` writes).
fn token_in_file(text: &str) -> Option<String> {
    let text = text.trim();
    if text.starts_with('{') {
        let response: serde_json::Value = serde_json::from_str(text).ok()?;
        return response
            .get("access_token")
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.trim().to_string());
    }
    (!text.is_empty()).then(|| text.to_string())
}

/// The command line as typed, for the report (redacted when rendered).
pub fn command_line() -> String {
    // `main` refuses a word that is not UTF-8; the lossy view only keeps this
    // function total.
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        // POSIX quoting, so the redactor reads back exactly these words: a secret
        // holding a quote and a space stays one word, and is hidden whole. A word
        // with a NUL byte cannot come from argv; it is kept as it is.
        .map(|a| shlex::try_quote(&a).map_or(a.clone(), |q| q.into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Request headers whose values are never credentials.
const HARMLESS_HEADERS: [&str; 9] = [
    "accept",
    "accept-language",
    "cache-control",
    "content-type",
    "mcp-protocol-version",
    "origin",
    "pragma",
    "user-agent",
    "x-request-id",
];

/// Runs the engine, writes the outputs, and returns the exit code.
pub async fn execute(config: &ScanConfig, output: &OutputArgs) -> Result<i32, Failure> {
    execute_compared(config, output, None).await
}

/// The secrets the user handed over: the values of `-H` headers (unless the header is a
/// well-known, harmless one: hunting `application/json` through every output would
/// wreck the evidence) and the bearer token.
pub fn known_secrets(config: &ScanConfig) -> Vec<String> {
    let mut secrets: Vec<String> = config
        .headers
        .iter()
        .filter(|(name, _)| {
            !HARMLESS_HEADERS
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
        })
        .map(|(_, v)| v.clone())
        .collect();
    secrets.extend(config.bearer_token.clone());
    secrets.extend(config.login.as_ref().and_then(|l| l.client_secret.clone()));
    secrets
}

/// [`execute`], then compares the report with `baseline`: a regression exits 2 whatever
/// the `--fail-on` gate says.
pub async fn execute_compared(
    config: &ScanConfig,
    output: &OutputArgs,
    baseline: Option<&Report>,
) -> Result<i32, Failure> {
    execute_full(config, output, baseline, Extras::default()).await
}

/// Runs the engine with the extras of `scan`: the tool listing (`-l`, `-d`)
/// and the stdio server's facts for the report.
pub async fn execute_full(
    config: &ScanConfig,
    output: &OutputArgs,
    baseline: Option<&Report>,
    extras: Extras,
) -> Result<i32, Failure> {
    let redaction = RedactionOptions {
        enabled: !output.no_redact,
        extra_secrets: known_secrets(config),
    };
    let mut config = config.clone();
    if output.verbose {
        config.observer = Some(outputs::live_trace(redaction.clone()));
    }
    let mut report = authprobe_core::scan::scan(&config)
        .await
        .map_err(|e| Failure::new(e.to_string()))?;
    if output.verbose {
        eprintln!("{}", schedule_line(&report));
    }
    report.stdio = extras.stdio.as_ref().map(|read| read());
    limit_clients(
        &mut report,
        &output.clients,
        output.fail_on_client.as_deref(),
    );
    if output.no_redact {
        eprintln!("warning: --no-redact: secrets (tokens, cookies, API keys) appear unredacted in every output");
    }
    let mut shown = redact_report(&report, &redaction);
    if let Some(llm) = &extras.llm {
        // The prompt is built from a redacted report even under --no-redact: that flag
        // is about what is printed here, not about what leaves for a provider.
        let for_prompt = if redaction.enabled {
            shown.clone()
        } else {
            let always = RedactionOptions {
                enabled: true,
                ..redaction.clone()
            };
            redact_report(&report, &always)
        };
        // The note is in the report; say it aside when no report is printed.
        if let Some(line) = crate::llm::rewrite(&mut shown, &for_prompt, llm).await {
            if output.quiet || outputs::Plan::from_args(output).uses_stdout() {
                eprintln!("note: {line}");
            }
        }
    }
    let regressed = Presentation {
        output,
        fail_on: gate(output.fail_on),
        baseline,
    }
    .show(&shown)?;
    if !extras
        .tools
        .show(&shown, outputs::Plan::from_args(output).uses_stdout())?
    {
        return Ok(EXIT_ERROR);
    }
    if report.outcome.is_failure_to_scan() {
        eprintln!("error: {}", unreachable_line(&shown));
        return Ok(EXIT_ERROR);
    }
    Ok(if regressed {
        EXIT_FINDINGS
    } else if let Some(client) = &output.fail_on_client {
        client_exit_code(&report, client)
    } else {
        exit_code(&report, output.fail_on)
    })
}

/// `--client`: keeps only the named clients' verdicts (all of them without the flag),
/// and the `--fail-on-client` one, whose verdict the summary line quotes.
pub fn limit_clients(report: &mut Report, names: &[String], gate: Option<&str>) {
    if !names.is_empty() {
        report
            .clients
            .retain(|c| names.contains(&c.client) || gate == Some(c.client.as_str()));
    }
}

/// `--fail-on-client`: 0 only when the client gets in (its verdict is judged whether or
/// not `--client` shows it).
pub fn client_exit_code(report: &Report, client: &str) -> i32 {
    let verdict = authprobe_core::clients::profiles::find(client)
        .map(|p| authprobe_core::clients::judge_one(p, report).verdict);
    authprobe_core::clients::exit_code(verdict)
}

/// How the scan went against its dependency graph, for `--verbose`.
pub fn schedule_line(report: &Report) -> String {
    format!(
        "critical path: {} round trips (the longest chain of requests that wait for each other); {} requests in {:.0} ms",
        report.critical_path,
        report.exchanges.len(),
        report.duration_ms
    )
}

/// Why a target could not be scanned, in one line.
pub fn unreachable_line(report: &Report) -> String {
    let why = report
        .exchanges
        .iter()
        .find_map(|e| e.error.as_ref())
        .map(|e| e.message.clone())
        .unwrap_or_else(|| "no answer".into());
    match report.outcome {
        Outcome::Timeout => format!(
            "{} did not answer in time ({why}); check the URL, or raise --timeout",
            report.target
        ),
        _ => format!(
            "cannot reach {}: {why}; check the URL and that the server is running",
            report.target
        ),
    }
}

/// The severity `--fail-on` gates on (`None` for `none`).
pub fn gate(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::None => None,
        FailOn::Low => Some(Severity::Low),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::High => Some(Severity::High),
    }
}

/// 2 when a finding at or above the gate exists, else 0.
pub fn exit_code(report: &Report, fail_on: FailOn) -> i32 {
    let Some(gate) = gate(fail_on) else {
        return EXIT_OK;
    };
    if report.findings.iter().any(|f| f.severity >= gate) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
