//! The stdio server process: started in its own process group with piped
//! stdin, stdout and stderr; its stdout routed (responses to their waiting
//! requests, everything else to the GET stream), its stderr kept as a
//! bounded tail; and its shutdown as MCP describes it (close stdin, then
//! SIGTERM, then SIGKILL), for the whole group so that no grandchild survives.

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

use super::Shared;

/// Lines of stderr kept for the report.
const TAIL_LINES: usize = 40;
/// Longest line kept in the tail, in characters.
const TAIL_WIDTH: usize = 400;
/// Longest stdout line read (a larger message is dropped, not buffered without end).
const MAX_LINE: u64 = 8 * 1024 * 1024;
/// How long the server gets to exit after each step of the shutdown.
const GRACE: Duration = Duration::from_secs(2);

/// Why a command line cannot be started.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The command line is empty or its quotes do not close.
    #[error("--stdio-command `{0}` is not a command line: {1}")]
    Syntax(String, &'static str),
    /// The operating system refused to start it.
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        /// The program.
        command: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Why an unquoted shell operator is refused: the command is started without a
/// shell, so `a | b` would otherwise fail as "cannot start `a`", which misleads.
const SHELL_SYNTAX: &str =
    "pipes and shell syntax (|, &&, ;, >, <, backticks, $( )) are not supported: wrap it in `sh -c '…'`";

/// Splits a command line into words the way a POSIX shell does for plain
/// words, single and double quotes, and backslashes; nothing else of a shell
/// (no variables, globs or pipes: wrap the command in `sh -c '…'` for those).
pub fn split_words(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a single quote is not closed"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("a double quote is not closed"),
                        },
                        Some(c) => word.push(c),
                        None => return Err("a double quote is not closed"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("it ends with a backslash"),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '|' | '&' | ';' | '>' | '<' | '`' => return Err(SHELL_SYNTAX),
            '$' if chars.clone().next() == Some('(') => return Err(SHELL_SYNTAX),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err("it is empty");
    }
    Ok(words)
}

/// Starts the server; its stdio is piped and it leads a process group of its own.
pub fn spawn(line: &str) -> Result<Child, SpawnError> {
    let words = split_words(line).map_err(|why| SpawnError::Syntax(line.to_string(), why))?;
    let mut command = Command::new(&words[0]);
    command
        .args(&words[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    command.spawn().map_err(|source| SpawnError::Spawn {
        command: words[0].clone(),
        source,
    })
}

/// Reads the server's stdout: each line is one JSON-RPC message.
pub async fn read_stdout(stdout: impl AsyncRead + Unpin, shared: Arc<Shared>) {
    let mut reader = BufReader::new(stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if !line.ends_with(b"\n") && line.len() as u64 >= MAX_LINE {
            shared.note(format!(
                "stdout: a line longer than {MAX_LINE} bytes was dropped"
            ));
            skip_rest_of_line(&mut reader).await;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => items.into_iter().for_each(|m| shared.route(m)),
            Ok(message @ Value::Object(_)) => shared.route(message),
            // The server must write only MCP messages on stdout: keep the evidence.
            _ => shared.note(format!("stdout (not JSON-RPC): {text}")),
        }
    }
    shared.stdout_closed();
}

async fn skip_rest_of_line(reader: &mut (impl tokio::io::AsyncBufRead + Unpin)) {
    let mut rest = Vec::new();
    loop {
        rest.clear();
        match reader.take(64 * 1024).read_until(b'\n', &mut rest).await {
            Ok(0) | Err(_) => return,
            Ok(_) if rest.ends_with(b"\n") => return,
            Ok(_) => {}
        }
    }
}

/// Reads the server's stderr into the bounded tail.
pub async fn read_stderr(
    stderr: impl AsyncRead + Unpin,
    tail: Arc<std::sync::Mutex<VecDeque<String>>>,
) {
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) => push_tail(&tail, &String::from_utf8_lossy(&line)),
        }
    }
}

/// Keeps the last [`TAIL_LINES`] lines, each cut at [`TAIL_WIDTH`] characters.
pub fn push_tail(tail: &std::sync::Mutex<VecDeque<String>>, line: &str) {
    let line = line.trim_end_matches(['\r', '\n']);
    let kept: String = line.chars().take(TAIL_WIDTH).collect();
    let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
    if tail.len() == TAIL_LINES {
        tail.pop_front();
    }
    tail.push_back(kept);
}

/// Ends the server: stdin is already closed; wait, then SIGTERM, then SIGKILL
/// the whole group, and reap it. Says how it ended.
pub async fn stop(child: &mut Child) -> String {
    if let Ok(Ok(status)) = tokio::time::timeout(GRACE, child.wait()).await {
        return describe(status);
    }
    signal_group(child, Signal::Term);
    if let Ok(Ok(status)) = tokio::time::timeout(GRACE, child.wait()).await {
        return format!("{} after SIGTERM", describe(status));
    }
    signal_group(child, Signal::Kill);
    let _ = child.start_kill();
    match child.wait().await {
        Ok(status) => format!("{} after SIGKILL", describe(status)),
        Err(e) => format!("could not be reaped: {e}"),
    }
}

/// Kills the group at once, without waiting: for drops and panics.
pub fn kill_now(child: &mut Child) {
    signal_group(child, Signal::Kill);
    let _ = child.start_kill();
}

fn describe(status: std::process::ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("ended by a signal ({status})"),
    }
}

#[derive(Clone, Copy)]
enum Signal {
    Term,
    Kill,
}

#[cfg(unix)]
fn signal_group(child: &Child, signal: Signal) {
    let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) else {
        return;
    };
    let number = match signal {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // The one `unsafe` of the workspace (the crate denies it elsewhere).
    // SAFETY: kill(2) with a negative pid signals the process group the child
    // leads (it was spawned with process_group(0)); it touches no memory.
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(-pid, number);
    }
}

#[cfg(not(unix))]
fn signal_group(_child: &Child, _signal: Signal) {
    // No process groups: `start_kill` in the callers ends the child itself.
}

#[cfg(test)]
mod tests;
