//! `authprobe lab` and `authprobe demo`: the built-in reference server.

use std::net::SocketAddr;

use authprobe_core::config::{parse_target, ScanConfig};
use authprobe_lab::{Defect, Era, LabConfig, Latency};

use crate::cli::{DemoArgs, LabArgs};
use crate::exit::{Failure, EXIT_OK};
use crate::outputs::Plan;
use crate::scan_cmd;

/// The defect `demo` shows by default: the bug report authprobe started from.
const DEMO_DEFECT: &str = "auth-not-advertised";
/// The most virtual endpoints `authprobe lab --endpoints` serves (each is a small
/// in-memory lab; this is far beyond any batch test).
const MAX_ENDPOINTS: usize = 100_000;

fn parse_defect(name: &str) -> Result<Defect, Failure> {
    Defect::from_name(name).ok_or_else(|| {
        Failure::new(format!(
            "unknown defect `{name}`; `authprobe lab --list-defects` lists them"
        ))
    })
}

fn list_defects() -> String {
    let mut out = String::from("Defects (each makes the lab deviate in one way; the codes are what a correct scan raises):\n");
    for d in Defect::ALL {
        out.push_str(&format!(
            "  {:<38} {}\n  {:<38} → {} [{}]\n",
            d.name(),
            d.description(),
            "",
            if d.expected_codes().is_empty() {
                "(no code)".to_string()
            } else {
                d.expected_codes().join(", ")
            },
            d.expected_outcome()
        ));
    }
    out
}

/// Runs `authprobe lab` until Ctrl-C.
pub async fn lab(args: LabArgs) -> Result<i32, Failure> {
    if args.list_defects {
        print!("{}", list_defects());
        return Ok(EXIT_OK);
    }
    let era = Era::from_version(&args.era).ok_or_else(|| {
        let known: Vec<&str> = Era::ALL.iter().map(|e| e.version()).collect();
        Failure::new(format!(
            "--era {} is not a revision the lab serves; use one of {}",
            args.era,
            known.join(", ")
        ))
    })?;
    let defects = args
        .defect
        .iter()
        .map(|d| parse_defect(d))
        .collect::<Result<Vec<_>, _>>()?;
    let latency = match &args.latency {
        Some(text) => text
            .parse::<Latency>()
            .map_err(|e| Failure::new(format!("--latency {e}")))?,
        None => Latency::NONE,
    };
    if args.endpoints > MAX_ENDPOINTS {
        return Err(Failure::new(format!(
            "--endpoints {} is more than the lab serves; give at most {MAX_ENDPOINTS}",
            args.endpoints
        )));
    }
    if args.stdio && (!latency.is_none() || args.endpoints > 0) {
        return Err(Failure::new(
            "--latency and --endpoints apply to the HTTP lab, not to --stdio",
        ));
    }
    if args.stdio {
        // stdout carries MCP: everything human goes to stderr (in `serve`).
        authprobe_lab::stdio::serve(era, defects)
            .await
            .map_err(|e| Failure::new(format!("the stdio lab failed: {e}")))?;
        return Ok(EXIT_OK);
    }
    let addr: SocketAddr = args.addr.parse().map_err(|_| {
        Failure::new(format!(
            "--addr `{}` is not an address like 127.0.0.1:8787",
            args.addr
        ))
    })?;
    let config = LabConfig::with_defects(defects.clone())
        .in_era(era)
        .with_latency(latency)
        .with_endpoints(args.endpoints);
    let running = authprobe_lab::start(config, addr)
        .await
        .map_err(|e| Failure::new(format!("cannot listen on {addr}: {e}")))?;
    let names: Vec<&str> = defects.iter().map(|d| d.name()).collect();
    println!("authprobe lab listening on {}", running.base_url());
    println!("  MCP endpoint: {} (MCP {era})", running.mcp_url());
    println!(
        "  defects: {}",
        if names.is_empty() {
            "none (compliant)".to_string()
        } else {
            names.join(", ")
        }
    );
    if !latency.is_none() {
        println!("  latency: {latency} before every response");
    }
    if let (Some(first), Some(last)) = (
        running.endpoint_url(0),
        running.endpoint_url(args.endpoints.saturating_sub(1)),
    ) {
        println!(
            "  virtual endpoints: {first} … {last} ({} independent labs)",
            args.endpoints
        );
    }
    println!("  scan it:  authprobe scan {}", running.mcp_url());
    println!(
        "  with a token it issued (for the authenticated checks):\n            authprobe scan {} --bearer-token {}",
        running.mcp_url(),
        running.issue_token()
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::new(format!("cannot wait for Ctrl-C: {e}")))?;
    running.shutdown().await;
    Ok(EXIT_OK)
}

/// Runs `authprobe demo`: the lab on a free loopback port, scanned.
pub async fn demo(args: DemoArgs) -> Result<i32, Failure> {
    Plan::check_stdout(&args.output)?;
    let defect = parse_defect(args.defect.as_deref().unwrap_or(DEMO_DEFECT))?;
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running =
        authprobe_lab::start(LabConfig::with_defects([defect]).in_era(defect.era()), addr)
            .await
            .map_err(|e| Failure::new(format!("cannot start the lab: {e}")))?;
    if !args.output.quiet && !Plan::from_args(&args.output).uses_stdout() {
        println!(
            "Demo: the lab serves the mistake `{}` at {}\n  {}\n",
            defect.name(),
            running.mcp_url(),
            defect.description()
        );
    }
    let target = parse_target(&running.mcp_url()).map_err(|e| Failure::new(e.to_string()))?;
    let mut config = ScanConfig::new(target);
    config.command_line = scan_cmd::command_line();
    if defect.needs_token() {
        // A transport mistake hides behind the token: scan as a logged-in client would.
        config.bearer_token = Some(running.issue_token());
    }
    let code = scan_cmd::execute(&config, &args.output).await;
    running.shutdown().await;
    code
}
