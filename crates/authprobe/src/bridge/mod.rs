//! The stdio bridge: launches a stdio MCP server and puts a loopback
//! Streamable HTTP endpoint in front of it, so the scan engine can judge it
//! like any HTTP server.
//!
//! Hand-written on purpose: a bridge that parsed messages into an SDK's model
//! would normalise exactly the mistakes a scan is there to see. Messages are
//! passed through as they are: POST /mcp writes one line to the server's
//! stdin; a request waits for the stdout line with the same `id` (answered
//! 200 `application/json`), a notification or response is answered 202; GET
//! with `Accept: text/event-stream` streams what the server sends on its own;
//! every other method is 405. The listener binds 127.0.0.1 only and checks
//! `Host` and `Origin` (DNS-rebinding protection). The server runs in its own
//! process group and is shut down, group and all, when the bridge is.

mod child;
mod http;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authprobe_core::report::StdioServer;
use serde_json::Value;
use tokio::process::{Child, ChildStdin};
use tokio::sync::{broadcast, oneshot, watch};
use tokio::task::JoinHandle;

pub use child::SpawnError;

/// Server-initiated messages kept for a slow GET stream.
const EVENT_QUEUE: usize = 64;

/// Why the bridge could not start.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The command could not be started.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// No loopback port could be bound.
    #[error("cannot listen on 127.0.0.1 for the stdio bridge: {0}")]
    Listen(std::io::Error),
}

/// State shared by the HTTP handlers and the stdio readers.
pub(crate) struct Shared {
    stdin: tokio::sync::Mutex<Option<ChildStdin>>,
    pending: Mutex<HashMap<String, oneshot::Sender<Value>>>,
    events: broadcast::Sender<String>,
    tail: Arc<Mutex<VecDeque<String>>>,
    /// True once the server's stdout ended (it exited or closed it).
    gone: watch::Sender<bool>,
    port: u16,
    /// How long a request waits for its response.
    wait: Duration,
}

impl Shared {
    /// Delivers one message from the server: a response to its waiting
    /// request, anything else to the GET streams.
    fn route(&self, message: Value) {
        let is_response = message.get("method").is_none()
            && (message.get("result").is_some() || message.get("error").is_some());
        if is_response {
            let key = message
                .get("id")
                .map(id_key)
                .unwrap_or_else(|| "null".into());
            let waiter = self
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
            if let Some(waiter) = waiter {
                let _ = waiter.send(message);
                return;
            }
        }
        // Nobody listening is fine: the message is simply not delivered.
        let _ = self.events.send(message.to_string());
    }

    fn note(&self, line: String) {
        child::push_tail(&self.tail, &line);
    }

    fn stdout_closed(&self) {
        self.gone.send_replace(true);
        // Waiting requests will never be answered: dropping their senders says so.
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The key of a JSON-RPC id in the table of waiting requests.
fn id_key(id: &Value) -> String {
    id.to_string()
}

/// A running bridge and its server.
pub struct Bridge {
    command: String,
    url: String,
    pid: Option<u32>,
    shared: Arc<Shared>,
    child: Option<Child>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Bridge {
    /// Starts `command` and a loopback endpoint for it. Requests wait at most
    /// `wait` for their response (a little less than the scan's timeout, so
    /// the scan sees the bridge's answer rather than its own timeout).
    pub async fn start(command: &str, wait: Duration) -> Result<Bridge, BridgeError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(BridgeError::Listen)?;
        let port = listener.local_addr().map_err(BridgeError::Listen)?.port();
        let mut child = child::spawn(command)?;
        let pid = child.id();
        let (events, _) = broadcast::channel(EVENT_QUEUE);
        let shared = Arc::new(Shared {
            stdin: tokio::sync::Mutex::new(child.stdin.take()),
            pending: Mutex::new(HashMap::new()),
            events,
            tail: Arc::new(Mutex::new(VecDeque::new())),
            gone: watch::channel(false).0,
            port,
            wait,
        });
        let mut tasks = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            tasks.push(tokio::spawn(child::read_stdout(stdout, shared.clone())));
        }
        if let Some(stderr) = child.stderr.take() {
            tasks.push(tokio::spawn(child::read_stderr(
                stderr,
                shared.tail.clone(),
            )));
        }
        let (stop, stopped) = watch::channel(false);
        tasks.push(tokio::spawn(http::serve(listener, shared.clone(), stopped)));
        Ok(Bridge {
            command: command.to_string(),
            url: format!("http://127.0.0.1:{port}/mcp"),
            pid,
            shared,
            child: Some(child),
            stop,
            tasks,
        })
    }

    /// The loopback URL to scan.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A function that tells what the report should say about the server at
    /// the moment it is called (after the scan, before rendering).
    pub fn reporter(&self) -> impl Fn() -> StdioServer + Send + Sync + 'static {
        let shared = self.shared.clone();
        let command = self.command.clone();
        let pid = self.pid;
        move || StdioServer {
            command: command.clone(),
            pid,
            exit: (*shared.gone.borrow())
                .then(|| "closed its stdout during the scan (it exited or crashed)".to_string()),
            stderr_tail: shared
                .tail
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned()
                .collect(),
        }
    }

    /// Stops the endpoint and the server (closing its stdin, then SIGTERM,
    /// then SIGKILL to its process group) and reaps it; says how it ended.
    pub async fn shutdown(mut self) -> String {
        self.stop.send_replace(true);
        // Closing stdin is the polite request to exit (MCP Lifecycle › Shutdown › stdio).
        self.shared.stdin.lock().await.take();
        let ended = match self.child.as_mut() {
            Some(child) => child::stop(child).await,
            None => "already stopped".into(),
        };
        self.child = None;
        for task in self.tasks.drain(..) {
            task.abort();
        }
        ended
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        // Not shut down properly (an error or a panic on the way): leave no process behind.
        if let Some(child) = self.child.as_mut() {
            child::kill_now(child);
        }
        for task in &self.tasks {
            task.abort();
        }
    }
}
