//! The lab as a stdio MCP server: newline-delimited JSON-RPC on stdin and
//! stdout, logs on stderr (MCP Transports › stdio). It serves the same
//! methods and tools as the HTTP lab, without authorization (a stdio server
//! takes its credentials from the environment), and announces its process id
//! on stderr so that tests can check it is gone after a scan.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::watch;

use crate::defects::Defect;
use crate::era::Era;
use crate::rpc::{self, Message};
use crate::state::Lab;
use crate::tools::{self, RpcError};

/// Longest line read; a longer one is answered with a parse error and skipped.
const MAX_LINE: usize = 1024 * 1024;

/// Serves MCP on this process's stdin and stdout until stdin ends.
pub async fn serve(era: Era, defects: Vec<Defect>) -> std::io::Result<()> {
    let (_keep, stop) = watch::channel(false);
    let mut lab = Lab::new("stdio:".into(), defects, stop);
    lab.era = era;
    eprintln!(
        "authprobe lab (stdio): pid {}, MCP {}",
        std::process::id(),
        era.version()
    );
    let mut input = BufReader::new(tokio::io::stdin());
    let mut output = tokio::io::stdout();
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = (&mut input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await?;
        if read == 0 {
            eprintln!("authprobe lab (stdio): stdin closed, exiting");
            return Ok(());
        }
        let reply = if line.len() > MAX_LINE {
            // Skip the rest of the oversized line before answering.
            let mut rest = Vec::new();
            while !rest.ends_with(b"\n") {
                rest.clear();
                if (&mut input)
                    .take(64 * 1024)
                    .read_until(b'\n', &mut rest)
                    .await?
                    == 0
                {
                    break;
                }
            }
            Some(rpc::error_value(
                Value::Null,
                RpcError::PARSE_ERROR,
                "Parse error: line too long",
            ))
        } else if line.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            handle(&lab, &line)
        };
        if let Some(reply) = reply {
            let mut text = reply.to_string();
            text.push('\n');
            output.write_all(text.as_bytes()).await?;
            output.flush().await?;
        }
    }
}

/// The answer to one line, if it needs one.
fn handle(lab: &Lab, line: &[u8]) -> Option<Value> {
    let value = match serde_json::from_slice::<Value>(line) {
        Ok(value) => value,
        Err(e) => {
            return Some(rpc::error_value(
                Value::Null,
                RpcError::PARSE_ERROR,
                &format!("Parse error: {e}"),
            ))
        }
    };
    match rpc::classify(lab, value) {
        Ok(Message::Request { id, method, params }) => {
            let outcome = match method.as_str() {
                "initialize" if lab.era != Era::Stateless20260728 => {
                    tools::initialize(lab, params.as_ref())
                }
                "server/discover" if lab.era == Era::Stateless20260728 => Ok(json!({
                    "resultType": "complete",
                    "supportedVersions": lab.era.supported(),
                    "capabilities": tools::capabilities(lab),
                    "ttlMs": 60_000,
                    "cacheScope": "private",
                })),
                "initialize" | "server/discover" => Err(RpcError::new(
                    RpcError::METHOD_NOT_FOUND,
                    format!("Method not found: {method}"),
                )),
                _ => tools::call(lab, &method, params.as_ref()),
            };
            Some(rpc::response_value(id, outcome))
        }
        Ok(Message::Notification { .. } | Message::Response) => None,
        Err((id, e)) => Some(rpc::error_value(id, e.code, &e.message)),
    }
}
