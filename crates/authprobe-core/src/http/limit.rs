//! How many requests may be in flight to one host at once (`--per-host`).
//!
//! Independent requests of a scan go out together; a server should still not see
//! more than a fixed number of them at a time, however wide the scan's graph is or
//! however many targets of a batch live on the same host. One [`HostLimits`] is
//! shared by every request it is given to: a batch hands the same one to all of
//! its scans.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// The default number of requests in flight to one host: wide enough for the widest
/// level of a scan of a protected server (about six requests at once), polite enough
/// for a server that a batch of many paths on the same host leans on.
pub const DEFAULT_PER_HOST: usize = 8;

/// Past this many hosts, hosts with nothing in flight are forgotten, so a batch of
/// many distinct hosts keeps a bounded table.
const HOSTS_KEPT: usize = 1024;

/// Caps the requests in flight per host (host name or address, and port). Cheap to
/// clone; clones share the caps.
#[derive(Clone)]
pub struct HostLimits {
    inner: Arc<Inner>,
}

struct Inner {
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl fmt::Debug for HostLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostLimits")
            .field("per_host", &self.inner.per_host)
            .finish_non_exhaustive()
    }
}

impl Default for HostLimits {
    fn default() -> Self {
        HostLimits::new(DEFAULT_PER_HOST)
    }
}

impl HostLimits {
    /// At most `per_host` requests in flight to any one host (0 counts as 1).
    pub fn new(per_host: usize) -> Self {
        HostLimits {
            inner: Arc::new(Inner {
                // The semaphore's own maximum is far above any useful setting.
                per_host: per_host.clamp(1, Semaphore::MAX_PERMITS),
                hosts: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The cap per host.
    pub fn per_host(&self) -> usize {
        self.inner.per_host
    }

    /// Waits for a free slot on the host of `url`; the slot is freed when the permit
    /// drops. `None` only if the semaphore were closed, which it never is: the request
    /// then goes out without a slot rather than never.
    pub fn acquire(
        &self,
        url: &Url,
    ) -> impl Future<Output = Option<OwnedSemaphorePermit>> + Send + 'static {
        let semaphore = self.semaphore(&host_key(url));
        async move { semaphore.acquire_owned().await.ok() }
    }

    fn semaphore(&self, key: &str) -> Arc<Semaphore> {
        let mut hosts = self.inner.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = hosts.get(key) {
            return existing.clone();
        }
        if hosts.len() >= HOSTS_KEPT {
            let per_host = self.inner.per_host;
            // Nobody holds or waits for an idle host's semaphore but the table itself.
            hosts.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < per_host);
        }
        let semaphore = Arc::new(Semaphore::new(self.inner.per_host));
        hosts.insert(key.to_string(), semaphore.clone());
        semaphore
    }

    /// How many hosts the table holds (for tests).
    #[cfg(test)]
    fn hosts(&self) -> usize {
        self.inner.hosts.lock().map(|h| h.len()).unwrap_or(0)
    }
}

/// `host:port`, the unit the cap applies to.
fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests;
