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
//! - **Authorization server** on the same origin (issuer = the base URL), or
//!   on a port of its own ([`LabConfig::separate_auth_server`]), with an
//!   issuer path if asked ([`LabConfig::issuer_path`], e.g. `/tenant1`):
//!   RFC 8414 metadata (path insertion, plus the host root for 2025-03-26
//!   clients), an auto-approving authorization endpoint (the lab has no users)
//!   that enforces registered redirect URIs exactly and PKCE S256 and
//!   answers with `code`, `state` and `iss` (RFC 9207), a token endpoint
//!   (`authorization_code`, rotating `refresh_token`, `client_credentials`
//!   and the RFC 8628 device code grant, approved right after the first
//!   poll), open dynamic client registration (RFC 7591) with RFC 7592 read
//!   and delete, a pre-registered confidential client
//!   ([`RunningLab::confidential_client`]), and Client ID Metadata Documents
//!   (fetched from `http://` loopback URLs only: the lab has no TLS client).
//!   Access tokens are HS256-signed JWTs (RFC 9068 claims, `aud` from the
//!   RFC 8707 `resource`), verified by the MCP endpoint on every request
//!   (signature, `iss`, `aud`, `exp`, revocation).
//!
//! Each [`Defect`] switches one deviation on. A defect declares the finding
//! codes a correct scanner raises when it is the only one enabled and the
//! outcome of that scan, so a calibration test can run the scanner against
//! every defect and compare; [`Defect::active`] marks those only a scan that
//! registers clients can see. Defects can be combined. The hostile ones
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
mod cimd;
mod defects;
mod defects_transport;
mod device;
mod era;
mod hostile;
mod jwt;
mod latency;
mod legacy;
mod mcp;
mod metadata;
mod oauth;
mod prm;
mod register;
mod rpc;
mod server;
mod state;
mod stateless;
pub mod stdio;
mod streams;
mod token;
mod tools;
mod wire;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use defects::Defect;
pub use era::Era;
pub use latency::{Latency, LatencyError};

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
    /// The MCP revision served (2025-11-25 by default).
    pub era: Era,
    /// The path of the issuer identifier, e.g. `/tenant1` (`None`: the issuer
    /// is the bare origin). The authorization server's endpoints live under it.
    pub issuer_path: Option<String>,
    /// Serve the authorization server on a second loopback port of its own,
    /// apart from the MCP server (which then serves only MCP and its metadata).
    pub separate_auth_server: bool,
    /// A delay before every response (none by default).
    pub latency: Latency,
    /// How many virtual endpoints to serve besides `/mcp`: `/t/0/mcp` to
    /// `/t/<n-1>/mcp`, each an independent lab (the same defects and era, its own
    /// sessions, clients and tokens, its own protected resource metadata at the
    /// path-suffix URL, and its own authorization server with the issuer
    /// `<base>/t/<n>`), so that one port can stand in for many servers in batch
    /// tests and benchmarks. The host-root well-known URLs belong to `/mcp`.
    pub endpoints: usize,
    /// The origin the documents name instead of the bound address, when clients
    /// reach the lab through something in front of it (a TLS proxy, a simulated
    /// link); and the same for the separate authorization server's port.
    pub public_origins: Option<(String, Option<String>)>,
}

impl LabConfig {
    /// A configuration with exactly these defects.
    pub fn with_defects(defects: impl IntoIterator<Item = Defect>) -> Self {
        LabConfig {
            defects: defects.into_iter().collect(),
            ..LabConfig::default()
        }
    }

    /// The same configuration with the issuer at this path (e.g. `/tenant1`).
    pub fn with_issuer_path(mut self, path: &str) -> Self {
        self.issuer_path = Some(path.to_owned());
        self
    }

    /// The same configuration with the authorization server on its own port.
    pub fn with_separate_auth_server(mut self) -> Self {
        self.separate_auth_server = true;
        self
    }

    /// The same configuration serving another MCP revision.
    pub fn in_era(mut self, era: Era) -> Self {
        self.era = era;
        self
    }

    /// The same configuration delaying every response.
    pub fn with_latency(mut self, latency: Latency) -> Self {
        self.latency = latency;
        self
    }

    /// The same configuration reached at `origin` (and its separate authorization
    /// server at `auth_origin`), e.g. `https://127.0.0.1:8443` through a proxy.
    pub fn with_public_origins(mut self, origin: &str, auth_origin: Option<&str>) -> Self {
        self.public_origins = Some((origin.to_owned(), auth_origin.map(str::to_owned)));
        self
    }

    /// The same configuration serving `n` virtual endpoints `/t/<i>/mcp` as well.
    pub fn with_endpoints(mut self, n: usize) -> Self {
        self.endpoints = n;
        self
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
    let (public, public_auth) = config.public_origins.clone().unzip();
    let base = public.unwrap_or_else(|| format!("http://{}", shown(local)));
    let auth_listener = if config.separate_auth_server {
        Some(tokio::net::TcpListener::bind(SocketAddr::new(local.ip(), 0)).await?)
    } else {
        None
    };
    let auth_addr = auth_listener.as_ref().map(|l| l.local_addr()).transpose()?;
    let (stop, stop_rx) = watch::channel(false);
    let defects = config.defects.clone();
    let auth_base = match (public_auth.flatten(), auth_addr) {
        (Some(origin), Some(_)) => origin,
        (None, Some(a)) => format!("http://{}", shown(a)),
        (_, None) => base.clone(),
    };
    let issuer = issuer_path(config.issuer_path.as_deref(), &defects);
    let configure = |mount: String| {
        let mut lab = Lab::new(base.clone(), defects.iter().copied(), stop_rx.clone());
        lab.era = config.era;
        lab.latency = config.latency;
        lab.auth_base = auth_base.clone();
        lab.issuer_path = format!("{mount}{issuer}");
        lab.mount = mount;
        lab
    };
    let mut lab = configure(String::new());
    lab.endpoints = (0..config.endpoints)
        .map(|i| Arc::new(configure(format!("/t/{i}"))))
        .collect();
    let lab = Arc::new(lab);
    let until_stopped = |mut signal: watch::Receiver<bool>| async move {
        // An error means the handle was dropped: stop as well.
        let _ = signal.wait_for(|stop| *stop).await;
    };
    let serve = axum::serve(listener, server::router(lab.clone()))
        .with_graceful_shutdown(until_stopped(stop_rx.clone()));
    let serve_auth = auth_listener.map(|l| {
        axum::serve(l, server::auth_router(lab.clone()))
            .with_graceful_shutdown(until_stopped(stop_rx.clone()))
    });
    let task = tokio::spawn(async move {
        // The listeners are already bound; serving can only end by shutdown.
        let auth = async {
            if let Some(serve_auth) = serve_auth {
                let _ = serve_auth.await;
            }
        };
        let _ = tokio::join!(serve, auth);
    });
    Ok(RunningLab {
        addr: local,
        auth_addr,
        lab,
        stop,
        task: Some(task),
    })
}

/// The address to name in documents: a wildcard bind is reached on loopback.
fn shown(local: SocketAddr) -> SocketAddr {
    match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), local.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), local.port())
        }
        _ => local,
    }
}

/// The issuer path: `""` or `/segment…` without a trailing slash. The
/// `as-oidc-only` defect is about an issuer with a path, so it brings one.
fn issuer_path(configured: Option<&str>, defects: &[Defect]) -> String {
    let path = configured.unwrap_or("").trim_matches('/');
    if path.is_empty() && defects.contains(&Defect::AsOidcOnly) {
        return "/tenant1".to_owned();
    }
    if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    }
}

/// A lab serving in the background.
pub struct RunningLab {
    addr: SocketAddr,
    auth_addr: Option<SocketAddr>,
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
    /// slash. Unless the configuration moves it, it is also the
    /// authorization server's issuer.
    pub fn base_url(&self) -> String {
        self.lab.base.clone()
    }

    /// The address of the authorization server's own port, when it has one.
    pub fn auth_addr(&self) -> Option<SocketAddr> {
        self.auth_addr
    }

    /// The authorization server's origin (the lab's, or its own port's).
    pub fn auth_base_url(&self) -> String {
        self.lab.auth_base.clone()
    }

    /// The issuer identifier the metadata and `authorization_servers` name.
    pub fn issuer(&self) -> String {
        self.lab.issuer()
    }

    /// How many registered clients the lab holds (created by dynamic client
    /// registration and not deleted): a scan that cleans up leaves it unchanged.
    pub fn client_count(&self) -> usize {
        self.lab.client_count()
    }

    /// How many HTTP requests the lab has received (on either port), counted as they
    /// arrive, before any `--latency` delay.
    pub fn request_count(&self) -> u64 {
        self.lab.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The URL to point a scanner at: `<base>/mcp`. With
    /// [`Defect::Redirect`] that URL answers 308 to `<base>/v2/mcp`.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.lab.base)
    }

    /// The URL of virtual endpoint `i` (`<base>/t/<i>/mcp`), when the lab serves it
    /// ([`LabConfig::endpoints`]).
    pub fn endpoint_url(&self, i: usize) -> Option<String> {
        (i < self.lab.endpoints.len()).then(|| format!("{}/t/{i}/mcp", self.lab.base))
    }

    /// Mints a valid access token (scope `mcp:tools`, one hour) for tests of
    /// the authenticated checks, without going through the OAuth flow.
    pub fn issue_token(&self) -> String {
        self.lab
            .mint("authprobe-lab-test", SCOPE, &self.lab.resource(), false)
            .access
    }

    /// The pre-registered confidential client: `(client_id, client_secret)`.
    /// It may use the client credentials grant, the device authorization
    /// grant and the authorization code flow with any loopback redirect URI
    /// `http://127.0.0.1:<port>/callback` (RFC 8252 §7.3).
    pub fn confidential_client(&self) -> (String, String) {
        self.lab.confidential.clone()
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
