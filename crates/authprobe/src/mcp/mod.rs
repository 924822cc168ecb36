//! `authprobe mcp`: the scanner as an MCP server, a thin face over the same engine and
//! renderers the CLI uses. The MCP SDK (rmcp) is used only inside this module.

mod calls;
mod http;
mod resume;
mod server;
mod store;
mod summary;
mod tools;

use std::sync::Arc;

use rmcp::ServiceExt;

use crate::cli::{McpArgs, McpTransport};
use crate::exit::{Failure, EXIT_OK};

/// The largest `--concurrency` accepted.
const MAX_CONCURRENCY: usize = 256;

/// Runs `authprobe mcp` until the client goes away (stdio) or Ctrl-C (HTTP).
pub async fn run(args: McpArgs) -> Result<i32, Failure> {
    if !(1..=MAX_CONCURRENCY).contains(&args.concurrency) {
        return Err(Failure::new(format!(
            "--concurrency {} is out of range: give a number of scans from 1 to {MAX_CONCURRENCY}, e.g. --concurrency 4",
            args.concurrency
        )));
    }
    let bundle_dir = args
        .output_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("authprobe-mcp"));
    let face = server::Face::new(Arc::new(calls::Tools::new(args.concurrency, bundle_dir)));
    match args.transport {
        McpTransport::Stdio => serve_stdio(face).await,
        McpTransport::Http => http::serve(&args, face).await,
    }
}

/// JSON-RPC on stdin/stdout; stdout carries nothing else.
async fn serve_stdio(face: server::Face) -> Result<i32, Failure> {
    let running = face
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| Failure::new(format!("the MCP session did not start: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| Failure::new(format!("the MCP server stopped abnormally: {e}")))?;
    Ok(EXIT_OK)
}
