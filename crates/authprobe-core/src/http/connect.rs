//! Resolving, connecting and the TLS handshake, each bounded by the request's budget.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use url::Host;

use super::exchange::{ErrorKind, ExchangeError};
use super::guard::is_localhost_name;
use super::tls::{describe_error, server_name, ALPN_H2};

/// Builds an [`ExchangeError`].
pub(crate) fn fail(kind: ErrorKind, message: impl Into<String>) -> ExchangeError {
    ExchangeError {
        kind,
        message: message.into(),
    }
}

/// How long one exchange may take, and how to say so when it runs out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// When the exchange must be over, headers and body included.
    pub end: Instant,
    /// The length of the budget, for messages.
    pub length: Duration,
    /// True when the scan deadline, not the per-request timeout, set the end.
    pub by_deadline: bool,
}

impl Budget {
    /// The budget of an exchange starting at `now`.
    pub fn new(now: Instant, timeout: Duration, deadline: Instant) -> Budget {
        let left = deadline.saturating_duration_since(now);
        let by_deadline = left < timeout;
        let length = timeout.min(left);
        Budget {
            end: now + length,
            length,
            by_deadline,
        }
    }

    /// The `Timeout` error for a phase that did not finish: "`what` within 8.0 s".
    pub fn timeout(&self, what: &str) -> ExchangeError {
        let why = if self.by_deadline {
            " (scan deadline)"
        } else {
            ""
        };
        fail(
            ErrorKind::Timeout,
            format!("{what} within {:.1} s{why}", self.length.as_secs_f64()),
        )
    }

    /// Runs `fut` until the end of the budget.
    pub async fn run<F: Future>(&self, what: &str, fut: F) -> Result<F::Output, ExchangeError> {
        tokio::time::timeout_at(self.end, fut)
            .await
            .map_err(|_| self.timeout(what))
    }
}

/// A connected byte stream, plain or TLS.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// The addresses for `host`, looked up once. `localhost` names map to the
/// loopback addresses without asking the resolver (RFC 6761).
pub(crate) async fn resolve(
    host: &Host<&str>,
    port: u16,
    budget: &Budget,
) -> Result<Vec<SocketAddr>, ExchangeError> {
    let name = match host {
        Host::Ipv4(ip) => return Ok(vec![SocketAddr::new(IpAddr::V4(*ip), port)]),
        Host::Ipv6(ip) => return Ok(vec![SocketAddr::new(IpAddr::V6(*ip), port)]),
        Host::Domain(name) if is_localhost_name(name) => {
            return Ok(vec![
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
                SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
            ])
        }
        Host::Domain(name) => *name,
    };
    let found = budget
        .run(
            &format!("no DNS answer for {name}"),
            tokio::net::lookup_host((name, port)),
        )
        .await?
        .map_err(|e| fail(ErrorKind::Dns, format!("cannot resolve {name}: {e}")))?;
    let mut addrs: Vec<SocketAddr> = Vec::new();
    for addr in found {
        if !addrs.contains(&addr) {
            addrs.push(addr);
        }
    }
    if addrs.is_empty() {
        return Err(fail(
            ErrorKind::Dns,
            format!("{name} resolved to no addresses"),
        ));
    }
    Ok(addrs)
}

/// Connects to the first of `addrs` that accepts, in order; returns the stream and
/// the address it reached.
pub(crate) async fn connect_tcp(
    addrs: &[SocketAddr],
    host: &str,
    budget: &Budget,
) -> Result<(TcpStream, SocketAddr), ExchangeError> {
    let mut failures = Vec::new();
    for addr in addrs {
        let what = format!("no connection to {host} ({addr})");
        match budget.run(&what, TcpStream::connect(addr)).await? {
            Ok(stream) => {
                // Requests are written in one go; Nagle would only add latency.
                let _ = stream.set_nodelay(true);
                return Ok((stream, *addr));
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                failures.push(format!("connection refused by {addr}"));
            }
            Err(e) => failures.push(format!("cannot connect to {addr}: {e}")),
        }
    }
    Err(fail(ErrorKind::Connect, failures.join("; ")))
}

/// What a TLS handshake produced.
pub(crate) struct TlsStream {
    pub io: Box<dyn Io>,
    /// ALPN chose `h2`.
    pub h2: bool,
    /// The handshake resumed an earlier session.
    pub resumed: bool,
}

/// Runs the TLS handshake.
pub(crate) async fn tls_handshake(
    tcp: TcpStream,
    config: Arc<rustls::ClientConfig>,
    host: &Host<&str>,
    budget: &Budget,
) -> Result<TlsStream, ExchangeError> {
    let name = server_name(host).ok_or_else(|| {
        fail(
            ErrorKind::Tls,
            format!("{host} is not a valid TLS server name"),
        )
    })?;
    let connector = TlsConnector::from(config);
    let what = format!("no TLS handshake with {host}");
    let stream = budget
        .run(&what, connector.connect(name, tcp))
        .await?
        .map_err(|e| {
            fail(
                ErrorKind::Tls,
                format!("TLS handshake with {host} failed: {}", describe_error(&e)),
            )
        })?;
    let session = stream.get_ref().1;
    let h2 = session.alpn_protocol() == Some(ALPN_H2);
    let resumed = session.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
    Ok(TlsStream {
        io: Box::new(stream),
        h2,
        resumed,
    })
}
