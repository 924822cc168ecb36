//! `authprobe scan --stdio-command '<cmd>'`: start the server, bridge it to a
//! loopback URL, scan that, and shut the server down whatever happens (the
//! scan ends, fails, or the user presses Ctrl-C).

use std::time::Duration;

use authprobe_core::config::{parse_target, ScanConfig};

use crate::bridge::Bridge;
use crate::cli::ScanArgs;
use crate::exit::{Failure, EXIT_ERROR};
use crate::scan_cmd::{self, Extras, ToolOutput};

/// Runs a scan of a stdio server.
pub async fn run(args: &ScanArgs, command: &str) -> Result<i32, Failure> {
    if !args.urls.is_empty() || args.targets.is_some() {
        return Err(Failure::new(
            "give either URLs (or --targets) or --stdio-command, not both",
        ));
    }
    if args.probe.bearer_token.is_some() || args.probe.bearer_token_file.is_some() {
        return Err(Failure::new(
            "--bearer-token does not apply to --stdio-command: a stdio server takes its credentials from its environment",
        ));
    }
    let probe_timeout = Duration::from_secs_f64(args.probe.timeout.clamp(0.1, 3600.0));
    // The bridge gives up a little before the scan's own timeout, so the
    // report shows the bridge's clear 504 rather than a bare client timeout.
    let bridge = Bridge::start(command, probe_timeout.mul_f64(0.8))
        .await
        .map_err(|e| Failure::new(e.to_string()))?;
    let outcome = scan(args, &bridge).await;
    // Whatever the scan did (finished, failed, interrupted), the server goes.
    let ended = bridge.shutdown().await;
    if args.output.verbose {
        eprintln!("stdio server `{command}`: {ended}");
    }
    outcome
}

async fn scan(args: &ScanArgs, bridge: &Bridge) -> Result<i32, Failure> {
    let target = parse_target(bridge.url()).map_err(|e| Failure::new(e.to_string()))?;
    let mut config = ScanConfig::new(target);
    scan_cmd::apply_probe_args(&mut config, &args.probe)?;
    config.command_line = scan_cmd::command_line();
    config.stdio_bridge = true;
    let extras = Extras {
        tools: ToolOutput::from_args(args),
        stdio: Some(Box::new(bridge.reporter())),
        llm: crate::llm::settings(&args.llm, &scan_cmd::known_secrets(&config))?,
    };
    let engine = scan_cmd::execute_full(&config, &args.output, None, extras);
    tokio::select! {
        code = engine => code,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("error: interrupted; stopping the stdio server");
            Ok(EXIT_ERROR)
        }
    }
}
