//! Speculation: a connection opened as soon as an origin's name is known, so that its
//! TCP and TLS handshakes happen while other work is still going on, off the scan's
//! critical path. It goes through the same guard check and into the same pool as any
//! connection; the request that later needs it finds it there (or waits for it while
//! it is still opening) instead of opening its own.

use url::Url;

use super::client::Client;
use super::conn::{Phases, Target};
use super::connect::Budget;

impl Client {
    /// Opens a connection to the origin of `url` in the background, unless the pool
    /// already holds one. The URL is treated as steered by the target: the SSRF
    /// guard checks it as it would the request. Nothing is sent on the connection.
    pub fn warm(&self, url: &Url) {
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return,
        };
        let (Some(label), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return;
        };
        let origin = (https, label.to_string(), port);
        // Registered now, so that a request sent next waits for this connection.
        let Some(held) = self.inner.pool.start_warming(origin.clone()) else {
            return;
        };
        let client = self.clone();
        let url = url.clone();
        tokio::spawn(async move {
            client.preconnect(&url, https, port).await;
            client.inner.pool.done_warming(&origin);
            drop(held);
        });
    }

    async fn preconnect(&self, url: &Url, https: bool, port: u16) -> Option<()> {
        let host = url.host()?;
        let label = url.host_str()?;
        let config = &self.inner.config;
        let budget = Budget::new(
            tokio::time::Instant::now(),
            config.timeout,
            tokio::time::Instant::from_std(config.deadline),
        );
        if budget.length.is_zero() {
            return None;
        }
        self.guard_name(&host).await.ok()?;
        let addrs = self.lookup(&host, port, &budget).await.ok()?;
        self.guard_addresses(label, &addrs).await.ok()?;
        let target = Target::new(&host, label, https, port, &addrs);
        let pool = &self.inner.pool;
        if let Some(conn) = pool.checkout(&target.keys) {
            pool.checkin(conn);
            return Some(());
        }
        let opened = self
            .open(&target, &budget, &mut Phases::default(), true)
            .await;
        pool.checkin(opened.ok()?);
        Some(())
    }
}
