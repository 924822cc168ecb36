//! A reference MCP server behind a reference OAuth 2.1 authorization server,
//! with named defects, for calibrating authprobe.
//!
//! The lab is a real HTTP/1.1 server on a local port. Without defects it is
//! as compliant as its authors could make it:
//!
//! - **MCP endpoint** `/mcp`: Streamable HTTP of MCP 2025-11-25 (also
//!   negotiating 2025-06-18 and 2025-03-26) with JSON responses, sessions
//!   (`Mcp-Session-Id`), the `MCP-Protocol-Version` header, Origin validation,
//!   and two tools (`echo`, `add`). Every method demands a bearer token the
//!   lab issued; the 401 carries an RFC 6750 / RFC 9728 challenge
//!   (`resource_metadata` and `scope`, plus `error="invalid_token"` only when
//!   a token was presented).
//! - **Protected resource metadata** (RFC 9728) at both the path-suffix and
//!   the root well-known URL, public, cacheable and CORS-enabled.
//! - **Authorization server** on the same origin (issuer = the base URL):
//!   RFC 8414 metadata, an auto-approving authorization endpoint (the lab
//!   has no users) that enforces registered redirect URIs and PKCE S256, a
//!   token endpoint (`authorization_code`, `refresh_token`), and open dynamic
//!   client registration (RFC 7591) with RFC 7592 read and delete.
//!
//! Each [`Defect`] switches one deviation on. A defect declares the finding
//! codes a correct scanner raises when it is the only one enabled and the
//! outcome of that scan, so a calibration test can run the scanner against
//! every defect and compare. Defects can be combined. The hostile ones
//! ([`Defect::calibrated`] is false) hang or flood, to prove the scanner stays
//! bounded; the lab itself stays bounded in memory while doing so.
//!
//! The lab shares no code with the scanner it tests. State (clients, codes,
//! tokens, sessions) lives in memory and disappears with the lab.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use authprobe_lab::{start, Defect, LabConfig};
//!
//! let config = LabConfig::with_defects([Defect::NoPrm]);
//! let lab = start(config, "127.0.0.1:0".parse().unwrap()).await?;
//! println!("scan {}", lab.mcp_url());
//! lab.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod auth;
mod defects;
mod hostile;
mod mcp;
mod oauth;
mod prm;
mod register;
mod server;
mod state;
mod tools;
mod wire;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use defects::Defect;

use state::{Lab, SCOPE};

/// How long [`RunningLab::shutdown`] waits for open connections before it
/// stops the server task outright.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What the lab should do wrong.
///
/// Build it with [`LabConfig::default`] (the clean lab) or
/// [`LabConfig::with_defects`]; more knobs (latency, protocol era) will be
/// added as fields, so prefer those constructors or `..Default::default()`
/// over a bare struct literal.
#[derive(Debug, Clone, Default)]
pub struct LabConfig {
    /// The deviations to enable; empty for the compliant lab.
    pub defects: Vec<Defect>,
}

impl LabConfig {
    /// A configuration with exactly these defects.
    pub fn with_defects(defects: impl IntoIterator<Item = Defect>) -> Self {
        LabConfig {
            defects: defects.into_iter().collect(),
        }
    }
}

/// Binds `addr` (port 0 picks a free port) and serves the lab in a spawned
/// task until [`RunningLab::shutdown`] or until the handle is dropped.
///
/// The documents the lab serves name `http://127.0.0.1:PORT` (or
/// `http://[::1]:PORT`) as their origin, so scan the URL from
/// [`RunningLab::mcp_url`], not another spelling of the host.
pub async fn start(config: LabConfig, addr: SocketAddr) -> std::io::Result<RunningLab> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let shown = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), local.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), local.port())
        }
        _ => local,
    };
    let base = format!("http://{shown}");
    let (stop, stop_rx) = watch::channel(false);
    let lab = Arc::new(Lab::new(base, config.defects, stop_rx.clone()));
    let mut signal = stop_rx;
    let serve =
        axum::serve(listener, server::router(lab.clone())).with_graceful_shutdown(async move {
            // An error means the handle was dropped: stop as well.
            let _ = signal.wait_for(|stop| *stop).await;
        });
    let task = tokio::spawn(async move {
        // The listener is already bound; serving can only end by shutdown.
        let _ = serve.await;
    });
    Ok(RunningLab {
        addr: local,
        lab,
        stop,
        task: Some(task),
    })
}

/// A lab serving in the background.
pub struct RunningLab {
    addr: SocketAddr,
    lab: Arc<Lab>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningLab {
    /// The address the lab is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The value of the `lab_affinity` cookie the lab sets on its 401 responses.
    pub fn affinity_cookie(&self) -> String {
        self.lab.affinity_cookie.clone()
    }

    /// The origin of the lab, `http://127.0.0.1:PORT`, without a trailing
    /// slash. It is also the authorization server's issuer.
    pub fn base_url(&self) -> String {
        self.lab.base.clone()
    }

    /// The URL to point a scanner at: `<base>/mcp`. With
    /// [`Defect::Redirect`] that URL answers 308 to `<base>/v2/mcp`.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.lab.base)
    }

    /// Mints a valid access token (scope `mcp:tools`, one hour) for tests of
    /// the authenticated checks, without going through the OAuth flow.
    pub fn issue_token(&self) -> String {
        self.lab.mint("authprobe-lab-test", SCOPE).0
    }

    /// Stops accepting connections, ends hanging and endless responses, and
    /// waits for open connections to finish (at most ten seconds).
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for RunningLab {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl std::fmt::Debug for RunningLab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningLab")
            .field("addr", &self.addr)
            .field("base_url", &self.lab.base)
            .finish_non_exhaustive()
    }
}
