//! `scan_resume`: continues a scan that found authorization required by logging in
//! through the server's own OAuth setup, as `authprobe scan --login` does. The first
//! call starts the scan with the login in the background and answers with what the
//! person must see (the authorization URL, or the device code and where to enter it);
//! the next call waits for the scan and answers with its report.
//!
//! No token is kept here: the engine holds it for the length of its scan, and the token
//! response handed to the front end is dropped unread.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use authprobe_core::config::{LoginConfig, LoginFlow, LoginFrontEnd, ScanConfig};
use authprobe_core::report::Report;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;

/// How long the person has to log in (the engine's login timeout).
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);
/// A pending login is forgotten (and its scan stopped) this long after it started.
const PENDING_AGE: Duration = Duration::from_secs(15 * 60);
/// Logins pending at once, at most.
const MAX_PENDING: usize = 8;
/// How long the first call waits for the engine to reach the person's step.
const PROMPT_WAIT: Duration = Duration::from_secs(60);

/// What the person must see.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// Open this authorization URL (authorization code grant).
    Authorize(String),
    /// Open `uri` and enter `code` (device grant); `complete` carries the code itself.
    Device {
        /// The verification URI.
        uri: String,
        /// The user code.
        code: String,
        /// The verification URI with the code, when the server gives one.
        complete: Option<String>,
    },
}

/// The engine's front end for a login driven through MCP: it remembers the prompt for
/// the tool to return, and drops the token response.
#[derive(Default)]
struct Capture {
    prompt: Mutex<Option<Prompt>>,
    shown: watch::Sender<bool>,
}

impl LoginFrontEnd for Capture {
    fn authorize(&self, url: &str) {
        self.show(Prompt::Authorize(url.to_string()));
    }

    fn device_code(&self, uri: &str, code: &str, complete: Option<&str>) {
        self.show(Prompt::Device {
            uri: uri.to_string(),
            code: code.to_string(),
            complete: complete.map(str::to_string),
        });
    }

    fn obtained(&self, _token_response: &str) {}
}

impl Capture {
    fn show(&self, prompt: Prompt) {
        *self.prompt.lock().unwrap_or_else(PoisonError::into_inner) = Some(prompt);
        self.shown.send_replace(true);
    }

    fn prompt(&self) -> Option<Prompt> {
        self.prompt
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// How a scan with a login ended: its report, or why it could not run.
pub type Outcome = Result<Box<Report>, String>;

/// A scan with a login, running in the background.
struct Pending {
    capture: Arc<Capture>,
    result: Arc<Mutex<Option<Outcome>>>,
    done: watch::Receiver<bool>,
    task: JoinHandle<()>,
    started: Instant,
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Where a resumed scan stands.
pub enum Progress {
    /// The person must act; call again afterwards.
    Waiting(Prompt),
    /// The scan ended (its report, or why it could not run).
    Finished(Outcome),
}

/// The logins in progress, by the `scan_id` they resume.
#[derive(Default)]
pub struct Logins {
    pending: Mutex<HashMap<String, Pending>>,
}

impl Logins {
    /// Starts the scan of `config` with a login unless one is pending for `id`, then
    /// waits for the person's step or for the end of the scan.
    pub async fn resume(
        &self,
        id: &str,
        config: ScanConfig,
        flow: LoginFlow,
        slots: Arc<Semaphore>,
    ) -> Result<Progress, String> {
        let (capture, mut done, result) = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.retain(|_, p| p.started.elapsed() < PENDING_AGE);
            if !pending.contains_key(id) {
                if pending.len() >= MAX_PENDING {
                    return Err(format!(
                        "{MAX_PENDING} logins are already waiting for a person; finish one of them first"
                    ));
                }
                pending.insert(id.to_string(), start(config, flow, slots));
            }
            let p = pending
                .get(id)
                .ok_or_else(|| "the login could not be started".to_string())?;
            (p.capture.clone(), p.done.clone(), p.result.clone())
        };
        let first_call = capture.prompt().is_none();
        let mut shown = capture.shown.subscribe();
        if first_call {
            // Until the person's step is reached, or the scan ends without one.
            let reached = tokio::time::timeout(PROMPT_WAIT, async {
                tokio::select! {
                    _ = shown.wait_for(|s| *s) => {}
                    _ = done.wait_for(|d| *d) => {}
                }
            })
            .await;
            if reached.is_err() {
                return Err("the login did not reach the point of asking the person in time; call scan_resume again".into());
            }
        } else {
            // The person was shown the prompt: wait for the scan (bounded by the login
            // timeout and the scan's deadline).
            let _ = done.wait_for(|d| *d).await;
        }
        if *done.borrow() {
            self.pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(id);
            let outcome = result
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .unwrap_or_else(|| Err("the scan ended without a report".into()));
            return Ok(Progress::Finished(outcome));
        }
        match capture.prompt() {
            Some(prompt) => Ok(Progress::Waiting(prompt)),
            None => Err("the login asked nothing of the person".into()),
        }
    }
}

fn start(mut config: ScanConfig, flow: LoginFlow, slots: Arc<Semaphore>) -> Pending {
    let capture = Arc::new(Capture::default());
    config.login = Some(LoginConfig {
        flow,
        client_id: None,
        client_secret: None,
        client_metadata_url: None,
        scope: None,
        timeout: LOGIN_TIMEOUT,
        keep_client: false,
        front_end: capture.clone(),
    });
    let result = Arc::new(Mutex::new(None));
    let (finished, done) = watch::channel(false);
    let slot_result = result.clone();
    let task = tokio::spawn(async move {
        let outcome = match slots.acquire_owned().await {
            Ok(_slot) => authprobe_core::scan::scan(&config)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string()),
            Err(_) => Err("the server is shutting down; no scan was run".into()),
        };
        *slot_result.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        finished.send_replace(true);
    });
    Pending {
        capture,
        result,
        done,
        task,
        started: Instant::now(),
    }
}
