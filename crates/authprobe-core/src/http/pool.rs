//! Connections kept open between the exchanges of one scan.
//!
//! A connection is filed under its scheme, host, port and the address it reached.
//! That address is one the SSRF guard checked for the request that opened it, and a
//! later request finds the connection only through an address its own resolution
//! returned and its own guard check passed: a pooled connection never carries a
//! request to an address that was not checked for it. A different host name on the
//! same address is a different key too (TLS names and `Host` differ).
//!
//! HTTP/1.1 connections are lent to one exchange at a time and come back only when
//! their response ended cleanly; an HTTP/2 connection is shared by every exchange to
//! its key at once, and forgotten on the first error. Dropping the pool (the client)
//! closes every connection.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};

/// Idle HTTP/1.1 connections kept per key: the default per-host cap.
const IDLE_PER_KEY: usize = 16;
/// An idle connection older than this is closed rather than reused: below the
/// 5-second keep-alive timeout of common servers, so the server is unlikely to be
/// closing it while a request goes out.
const IDLE_FOR: Duration = Duration::from_secs(4);

/// Where a connection goes: scheme, host as written, port, and the guard-checked
/// address it reached.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PoolKey {
    pub https: bool,
    pub host: String,
    pub port: u16,
    pub addr: SocketAddr,
}

/// Scheme (https or not), host as written, port.
pub(crate) type Origin = (bool, String, u16);

impl PoolKey {
    /// The key without the address.
    pub fn origin(&self) -> Origin {
        (self.https, self.host.clone(), self.port)
    }
}

/// Aborts the spawned connection task when the last holder lets go.
pub(crate) struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The sending half of a connection.
pub(crate) enum Sender {
    H1(http1::SendRequest<Full<Bytes>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

impl Sender {
    fn is_closed(&self) -> bool {
        match self {
            Sender::H1(s) => s.is_closed(),
            Sender::H2(s) => s.is_closed(),
        }
    }

    /// Sends a request. On failure, says whether the request provably never left
    /// (hyper handed it back), so that it may be sent again elsewhere.
    pub async fn send(
        &mut self,
        req: Request<Full<Bytes>>,
    ) -> Result<Response<Incoming>, (hyper::Error, bool)> {
        let result = match self {
            Sender::H1(s) => s.try_send_request(req).await,
            Sender::H2(s) => s.try_send_request(req).await,
        };
        result.map_err(|mut e| {
            let unsent = e.take_message().is_some();
            (e.into_error(), unsent)
        })
    }
}

/// One connection, as lent to an exchange.
pub(crate) struct Conn {
    /// Unique within the client; the trace renumbers ids in its own order.
    pub id: u32,
    pub key: PoolKey,
    pub sender: Sender,
    /// Keeps the connection's task running while anyone holds the connection.
    pub task: Arc<AbortOnDrop>,
    /// For TLS: whether the handshake resumed a session.
    pub tls_resumed: Option<bool>,
    /// Set by the first exchange sent on it; shared by every handle.
    served: Arc<AtomicBool>,
    /// True when it came from the pool rather than being opened for this exchange.
    pub from_pool: bool,
    /// Opened ahead of any request that needed it ([`Client::warm`](super::Client::warm)).
    pub speculative: bool,
    idle_since: Instant,
}

impl Conn {
    /// A connection just opened.
    pub fn new(
        id: u32,
        key: PoolKey,
        sender: Sender,
        task: AbortOnDrop,
        tls_resumed: Option<bool>,
    ) -> Conn {
        Conn {
            id,
            key,
            sender,
            task: Arc::new(task),
            tls_resumed,
            served: Arc::default(),
            from_pool: false,
            speculative: false,
            idle_since: Instant::now(),
        }
    }

    /// Marks the connection as carrying one more exchange; true when an earlier
    /// exchange had already used it.
    pub fn serve(&self) -> bool {
        self.served.swap(true, Ordering::SeqCst)
    }

    /// True for HTTP/2.
    pub fn is_h2(&self) -> bool {
        matches!(self.sender, Sender::H2(_))
    }

    /// `HTTP/1.1` or `HTTP/2`.
    pub fn version(&self) -> &'static str {
        if self.is_h2() {
            "HTTP/2"
        } else {
            "HTTP/1.1"
        }
    }

    /// Another handle on an HTTP/2 connection; `None` for HTTP/1.1, which is
    /// never shared.
    fn share(&self) -> Option<Conn> {
        let Sender::H2(sender) = &self.sender else {
            return None;
        };
        Some(Conn {
            id: self.id,
            key: self.key.clone(),
            sender: Sender::H2(sender.clone()),
            task: self.task.clone(),
            tls_resumed: self.tls_resumed,
            served: self.served.clone(),
            from_pool: true,
            speculative: self.speculative,
            idle_since: self.idle_since,
        })
    }
}

#[derive(Default)]
struct State {
    /// HTTP/1.1 connections waiting for their next request, newest last.
    idle: HashMap<PoolKey, Vec<Conn>>,
    /// One shared HTTP/2 connection per key.
    shared: HashMap<PoolKey, Conn>,
    /// Origins known to answer ALPN with HTTP/1.1: nobody waits for their first
    /// connection in the hope of sharing it.
    h1_origins: HashSet<Origin>,
    /// Held while the first connection to an origin that may speak HTTP/2 is opened.
    gates: HashMap<Origin, Arc<tokio::sync::Mutex<()>>>,
    /// Held while a connection is opened ahead of need, per origin.
    warming: HashMap<Origin, Arc<tokio::sync::Mutex<()>>>,
}

/// The connections of one client.
#[derive(Default)]
pub(crate) struct Pool {
    next_id: AtomicU32,
    state: Mutex<State>,
}

impl Pool {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh connection id.
    pub fn next_id(&self) -> u32 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A usable connection to one of `keys` (tried in order), if the pool has one.
    pub fn checkout(&self, keys: &[PoolKey]) -> Option<Conn> {
        let mut state = self.state();
        for key in keys {
            if let Some(shared) = state.shared.get(key) {
                if !shared.sender.is_closed() {
                    return shared.share();
                }
                state.shared.remove(key);
            }
            let Some(idle) = state.idle.get_mut(key) else {
                continue;
            };
            while let Some(mut conn) = idle.pop() {
                if conn.sender.is_closed() || conn.idle_since.elapsed() > IDLE_FOR {
                    continue;
                }
                conn.from_pool = true;
                return Some(conn);
            }
            state.idle.remove(key);
        }
        None
    }

    /// Takes back a connection whose exchange ended cleanly. A shared HTTP/2
    /// connection is already filed; an HTTP/1.1 one waits for the next request.
    pub fn checkin(&self, mut conn: Conn) {
        if conn.is_h2() || conn.sender.is_closed() {
            return;
        }
        conn.idle_since = Instant::now();
        let mut state = self.state();
        let idle = state.idle.entry(conn.key.clone()).or_default();
        if idle.len() < IDLE_PER_KEY {
            idle.push(conn);
        }
    }

    /// Files a new connection: an HTTP/2 one is shared from now on; an HTTP/1.1
    /// one marks its origin as not worth waiting for.
    pub fn opened(&self, conn: &Conn) {
        let mut state = self.state();
        if let Some(shared) = conn.share() {
            state.shared.insert(conn.key.clone(), shared);
        } else {
            state.h1_origins.insert(conn.key.origin());
        }
    }

    /// Never lends this connection again (a shared HTTP/2 one that failed).
    pub fn forget(&self, conn: &Conn) {
        let mut state = self.state();
        if state.shared.get(&conn.key).is_some_and(|c| c.id == conn.id) {
            state.shared.remove(&conn.key);
        }
    }

    /// The gate to hold while opening the first connection to `key`'s origin when it
    /// may speak HTTP/2, so that requests sent meanwhile share that connection instead
    /// of each opening their own; `None` once the origin is known to speak HTTP/1.1.
    pub fn gate(&self, key: &PoolKey) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let origin = key.origin();
        let mut state = self.state();
        if state.h1_origins.contains(&origin) {
            return None;
        }
        Some(state.gates.entry(origin).or_default().clone())
    }

    /// Starts warming `origin`: the returned guard is held until the connection is
    /// open (or could not be); `None` when a warm of that origin is already under way.
    pub fn start_warming(&self, origin: Origin) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        let mut state = self.state();
        if state.warming.contains_key(&origin) {
            return None;
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        let held = lock.clone().try_lock_owned().ok()?;
        state.warming.insert(origin, lock);
        Some(held)
    }

    /// Ends the warm of `origin` (its guard is dropped by the caller).
    pub fn done_warming(&self, origin: &Origin) {
        self.state().warming.remove(origin);
    }

    /// The lock of a warm under way for the origin of `keys`, handed to one request
    /// only: that one waits for the warmed connection, while the others open their own
    /// at once (an HTTP/1.1 connection carries one exchange at a time, and waiting
    /// behind a connection meant for another request would only add its handshakes).
    pub fn warming(&self, keys: &[PoolKey]) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let origin = keys.first()?.origin();
        self.state().warming.remove(&origin)
    }
}
