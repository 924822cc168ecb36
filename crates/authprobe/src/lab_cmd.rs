//! `authprobe lab` and `authprobe demo`: the built-in reference server.

use std::net::SocketAddr;

use authprobe_core::config::{parse_target, ScanConfig};
use authprobe_lab::{Defect, LabConfig};

use crate::cli::{DemoArgs, LabArgs};
use crate::exit::{Failure, EXIT_OK};
use crate::scan_cmd;

/// The defect `demo` shows by default: the bug report authprobe started from.
const DEMO_DEFECT: &str = "auth-not-advertised";

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
    if args.era != "2025-11-25" {
        return Err(Failure::not_yet(&format!(
            "--era {} (the lab serves 2025-11-25)",
            args.era
        )));
    }
    let defects = args
        .defect
        .iter()
        .map(|d| parse_defect(d))
        .collect::<Result<Vec<_>, _>>()?;
    let addr: SocketAddr = args.addr.parse().map_err(|_| {
        Failure::new(format!(
            "--addr `{}` is not an address like 127.0.0.1:8787",
            args.addr
        ))
    })?;
    let running = authprobe_lab::start(
        LabConfig {
            defects: defects.clone(),
        },
        addr,
    )
    .await
    .map_err(|e| Failure::new(format!("cannot listen on {addr}: {e}")))?;
    let names: Vec<&str> = defects.iter().map(|d| d.name()).collect();
    println!("authprobe lab listening on {}", running.base_url());
    println!("  MCP endpoint: {}", running.mcp_url());
    println!(
        "  defects: {}",
        if names.is_empty() {
            "none (compliant)".to_string()
        } else {
            names.join(", ")
        }
    );
    println!("  scan it:  authprobe scan {}", running.mcp_url());
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::new(format!("cannot wait for Ctrl-C: {e}")))?;
    running.shutdown().await;
    Ok(EXIT_OK)
}

/// Runs `authprobe demo`: the lab on a free loopback port, scanned.
pub async fn demo(args: DemoArgs) -> Result<i32, Failure> {
    scan_cmd::refuse_unbuilt_outputs(&args.output)?;
    let defect = parse_defect(args.defect.as_deref().unwrap_or(DEMO_DEFECT))?;
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = authprobe_lab::start(
        LabConfig {
            defects: vec![defect],
        },
        addr,
    )
    .await
    .map_err(|e| Failure::new(format!("cannot start the lab: {e}")))?;
    if !args.output.quiet && args.output.json.as_deref() != Some("-") {
        println!(
            "Demo: the lab serves the mistake `{}` ({}) at {}\n",
            defect.name(),
            defect.description(),
            running.mcp_url()
        );
    }
    let target = parse_target(&running.mcp_url()).map_err(|e| Failure::new(e.to_string()))?;
    let mut config = ScanConfig::new(target);
    config.command_line = scan_cmd::command_line();
    let code = scan_cmd::execute(&config, &args.output).await;
    running.shutdown().await;
    code
}
