//! Getting a connection for an exchange (from the pool, or a new one) and sending
//! the request on it, with each phase timed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http::{HeaderMap, Request, Response};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use url::Host;

use super::body::describe_hyper;
use super::client::Client;
use super::connect::{connect_tcp, fail, tls_handshake, Budget, Io};
use super::exchange::{ConnectionInfo, ErrorKind, ExchangeError};
use super::pool::{AbortOnDrop, Conn, PoolKey, Sender};
use super::transfer::{map_hyper, HEADER_CAP, MAX_HEADER_FIELDS};

/// Where the time of one exchange went, filled in as its phases happen.
#[derive(Debug, Default)]
pub(crate) struct Phases {
    pub dns: Option<Duration>,
    pub connect: Option<Duration>,
    pub tls: Option<Duration>,
    pub first_byte: Option<Duration>,
    pub connection: Option<ConnectionInfo>,
}

/// The host of a request, as the connection layer needs it.
pub(crate) struct Target<'a> {
    pub host: &'a Host<&'a str>,
    /// The host as written in the URL, for messages and the pool key.
    pub label: &'a str,
    pub https: bool,
    /// One key per guard-checked address, in the resolver's order.
    pub keys: Vec<PoolKey>,
}

impl Target<'_> {
    pub fn new<'a>(
        host: &'a Host<&'a str>,
        label: &'a str,
        https: bool,
        port: u16,
        addrs: &[SocketAddr],
    ) -> Target<'a> {
        let keys = addrs
            .iter()
            .map(|addr| PoolKey {
                https,
                host: label.to_string(),
                port,
                addr: *addr,
            })
            .collect();
        Target {
            host,
            label,
            https,
            keys,
        }
    }
}

/// True when a failure on a kept-alive connection means the server had closed it
/// before reading the request (an idle timeout racing the request), not an answer.
fn closed_under_us(err: &hyper::Error) -> bool {
    if err.is_incomplete_message() || err.is_canceled() || err.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            );
        }
        source = cause.source();
    }
    false
}

impl Client {
    /// A connection for `target`: a pooled one to a checked address if there is
    /// one, else a new one. While the first connection to an origin that may speak
    /// HTTP/2 opens, other requests to it wait so as to share it.
    pub(crate) async fn connection(
        &self,
        target: &Target<'_>,
        budget: &Budget,
        phases: &mut Phases,
    ) -> Result<Conn, ExchangeError> {
        let pool = &self.inner.pool;
        if let Some(conn) = pool.checkout(&target.keys) {
            return Ok(conn);
        }
        if let Some(warming) = pool.warming(&target.keys) {
            let what = format!("no connection to {}", target.label);
            drop(budget.run(&what, warming.lock_owned()).await?);
            if let Some(conn) = pool.checkout(&target.keys) {
                return Ok(conn);
            }
        }
        let gate = match target.keys.first() {
            Some(key) if target.https && self.inner.config.http2 => pool.gate(key),
            _ => None,
        };
        let _held = match gate {
            Some(gate) => {
                let what = format!("no connection to {}", target.label);
                let held = budget.run(&what, gate.lock_owned()).await?;
                if let Some(conn) = pool.checkout(&target.keys) {
                    return Ok(conn);
                }
                Some(held)
            }
            None => None,
        };
        self.open(target, budget, phases, false).await
    }

    /// Opens a new connection to the first checked address that accepts.
    pub(crate) async fn open(
        &self,
        target: &Target<'_>,
        budget: &Budget,
        phases: &mut Phases,
        speculative: bool,
    ) -> Result<Conn, ExchangeError> {
        let addrs: Vec<SocketAddr> = target.keys.iter().map(|k| k.addr).collect();
        let started = Instant::now();
        let (tcp, addr) = connect_tcp(&addrs, target.label, budget).await?;
        phases.connect = Some(started.elapsed());
        let key = target
            .keys
            .iter()
            .find(|k| k.addr == addr)
            .cloned()
            .ok_or_else(|| fail(ErrorKind::Connect, "connected to an unchecked address"))?;
        let (io, h2, resumed): (Box<dyn Io>, bool, Option<bool>) = if target.https {
            let started = Instant::now();
            let tls = tls_handshake(tcp, self.inner.tls.clone(), target.host, budget).await?;
            phases.tls = Some(started.elapsed());
            (tls.io, tls.h2, Some(tls.resumed))
        } else {
            (Box::new(tcp), false, None)
        };
        let (sender, task) = handshake(io, h2, budget).await?;
        let pool = &self.inner.pool;
        let mut conn = Conn::new(pool.next_id(), key, sender, task, resumed);
        conn.speculative = speculative;
        pool.opened(&conn);
        Ok(conn)
    }

    /// Sends the request `build` makes for the connection's HTTP version and waits
    /// for the response head. A kept-alive connection the server had already closed
    /// is replaced by a new one, once, and the request sent again there.
    pub(crate) async fn send_on<F>(
        &self,
        mut conn: Conn,
        target: &Target<'_>,
        build: F,
        budget: &Budget,
        phases: &mut Phases,
    ) -> Result<(Conn, Response<Incoming>), ExchangeError>
    where
        F: Fn(bool) -> Result<Request<http_body_util::Full<bytes::Bytes>>, ExchangeError>,
    {
        let waiting = "no response headers";
        loop {
            let reused = conn.serve();
            phases.connection = Some(info(&conn, reused));
            let req = build(conn.is_h2())?;
            let sent = Instant::now();
            match budget.run(waiting, conn.sender.send(req)).await {
                Ok(Ok(response)) => {
                    phases.first_byte = Some(sent.elapsed());
                    return Ok((conn, response));
                }
                Ok(Err((err, unsent))) if conn.from_pool && (unsent || closed_under_us(&err)) => {
                    self.inner.pool.forget(&conn);
                    drop(conn);
                    conn = self.open(target, budget, phases, false).await?;
                }
                Ok(Err((err, _))) => {
                    self.inner.pool.forget(&conn);
                    return Err(map_hyper(&err));
                }
                Err(timeout) => {
                    self.inner.pool.forget(&conn);
                    return Err(timeout);
                }
            }
        }
    }
}

/// What the trace says about a connection.
fn info(conn: &Conn, reused: bool) -> ConnectionInfo {
    ConnectionInfo {
        id: conn.id,
        reused,
        speculative: conn.speculative,
        version: conn.version().to_string(),
        address: conn.key.addr.to_string(),
        tls_resumed: conn.tls_resumed,
    }
}

/// True when the response asks for its connection to be closed.
pub(crate) fn closes(headers: &HeaderMap, version: http::Version) -> bool {
    let close = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
    close || version < http::Version::HTTP_11
}

/// The HTTP handshake on a connected stream; the connection runs on its own task.
async fn handshake(
    io: Box<dyn Io>,
    h2: bool,
    budget: &Budget,
) -> Result<(Sender, AbortOnDrop), ExchangeError> {
    let io = TokioIo::new(io);
    let handshake_failed = |e: hyper::Error| fail(ErrorKind::Protocol, describe_hyper(&e));
    if h2 {
        let mut builder = http2::Builder::new(TokioExecutor::new());
        builder.max_header_list_size(HEADER_CAP as u32);
        let (sender, conn) = budget
            .run("no HTTP/2 handshake", builder.handshake(io))
            .await?
            .map_err(handshake_failed)?;
        let task = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        Ok((Sender::H2(sender), task))
    } else {
        let mut builder = http1::Builder::new();
        builder
            .max_header_size(HEADER_CAP)
            .max_headers(MAX_HEADER_FIELDS);
        let (sender, conn) = budget
            .run("no response headers", builder.handshake(io))
            .await?
            .map_err(handshake_failed)?;
        let task = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        Ok((Sender::H1(sender), task))
    }
}
