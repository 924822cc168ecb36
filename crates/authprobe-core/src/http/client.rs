//! The recording client: configuration, requests, and the redirect loop.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderName, HeaderValue, Method};
use url::{Host, Url};

use super::body::{BodyRead, StopWhen};
use super::exchange::Exchange;
use super::guard::{classify_ip, is_localhost_name, AddressClass, NetworkClass};
use super::limit::HostLimits;
use super::observer::ExchangeObserver;
use super::redirect::{
    is_redirect_status, method_after, resolve_location, RedirectPolicy, RedirectStop, BODY_HEADERS,
    CREDENTIAL_HEADERS,
};
use super::tls;
use crate::report::Stage;

/// Default cap on response bodies: 1 MiB.
pub const DEFAULT_BODY_CAP: usize = 1024 * 1024;

/// Everything the client needs to know about the scan it serves.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Per request: covers connecting, the response headers and the body.
    pub timeout: Duration,
    /// Overall scan deadline; each request gets `min(timeout, deadline - now)`.
    pub deadline: Instant,
    /// When the scan started; exchange start times are relative to it.
    pub scan_start: Instant,
    /// Largest response body kept, in bytes.
    pub body_cap: usize,
    /// Accept any certificate.
    pub insecure: bool,
    /// Offer ALPN `h2` as well as `http/1.1`.
    pub http2: bool,
    /// The `User-Agent` sent unless a request sets its own.
    pub user_agent: String,
    /// The user's extra headers, sent only to the target's origin.
    pub extra_headers: Vec<(String, String)>,
    /// The user's target: the origin for the extra headers, and the network the
    /// guard compares steered addresses with.
    pub target: Url,
    /// Lift the SSRF guard entirely (`--allow-private-issuers`).
    pub allow_private: bool,
    /// Told about every exchange as it completes (live output); `None` by default.
    pub observer: Option<ExchangeObserver>,
    /// The cap on requests in flight per host, shared with whoever holds a clone.
    pub limits: HostLimits,
}

impl ClientConfig {
    /// A configuration with the defaults: 1 MiB body cap, strict TLS, HTTP/1.1
    /// only, no extra headers, guard on; the deadline is `timeout` × 10 from now.
    pub fn new(target: Url, timeout: Duration) -> ClientConfig {
        let now = Instant::now();
        ClientConfig {
            timeout,
            deadline: now + timeout.saturating_mul(10),
            scan_start: now,
            body_cap: DEFAULT_BODY_CAP,
            insecure: false,
            http2: false,
            user_agent: concat!("authprobe/", env!("CARGO_PKG_VERSION")).to_string(),
            extra_headers: Vec::new(),
            target,
            allow_private: false,
            observer: None,
            limits: HostLimits::default(),
        }
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The target URL is not an http(s) URL with a host.
    #[error("the target {0} is not an http or https URL with a host")]
    Target(String),
    /// An extra header is not a valid HTTP header.
    #[error("invalid header {name:?}: {reason}")]
    Header {
        /// The header name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(#[from] rustls::Error),
}

/// Whether the URL of a request was chosen by the user or can be steered by the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The user's own URL: not guarded (its redirects still are).
    Target,
    /// Anything the target can influence: guarded.
    Steered,
}

/// One request to send, with how to follow it and how much of it to read.
#[derive(Clone)]
pub struct RequestSpec {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Absolute http(s) URL; a fragment is not sent.
    pub url: Url,
    /// Request headers, in order (`Host`, `Content-Length` and `Transfer-Encoding`
    /// are the client's own and are ignored here).
    pub headers: Vec<(String, String)>,
    /// Request body, if any.
    pub body: Option<Vec<u8>>,
    /// The funnel stage sending it.
    pub stage: Stage,
    /// Why it is sent, for the report.
    pub purpose: String,
    /// Whether the SSRF guard applies to the first hop.
    pub trust: Trust,
    /// Which redirects to follow.
    pub redirects: RedirectPolicy,
    /// How much of the body to read.
    pub read: BodyRead,
    /// Stop reading once this holds for the bytes so far.
    pub stop_when: Option<StopWhen>,
}

impl fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSpec")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .field("body", &self.body.as_ref().map(|b| b.len()))
            .field("stage", &self.stage)
            .field("purpose", &self.purpose)
            .field("trust", &self.trust)
            .field("redirects", &self.redirects)
            .field("read", &self.read)
            .field("stop_when", &self.stop_when.is_some())
            .finish()
    }
}

impl RequestSpec {
    /// A steered request with no headers, no body, no redirects, read in full.
    pub fn new(method: &str, url: Url, stage: Stage, purpose: impl Into<String>) -> RequestSpec {
        RequestSpec {
            method: method.to_string(),
            url,
            headers: Vec::new(),
            body: None,
            stage,
            purpose: purpose.into(),
            trust: Trust::Steered,
            redirects: RedirectPolicy::None,
            read: BodyRead::Full,
            stop_when: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets the trust of the URL.
    pub fn trust(mut self, trust: Trust) -> Self {
        self.trust = trust;
        self
    }

    /// Sets the redirect policy.
    pub fn redirects(mut self, redirects: RedirectPolicy) -> Self {
        self.redirects = redirects;
        self
    }

    /// Sets how much of the body to read.
    pub fn read(mut self, read: BodyRead) -> Self {
        self.read = read;
        self
    }

    /// Stops reading once `stop` holds for the body read so far.
    pub fn stop_when(mut self, stop: impl Fn(&[u8]) -> bool + Send + Sync + 'static) -> Self {
        self.stop_when = Some(Arc::new(stop));
        self
    }
}

/// The outcome of one request: its exchanges (one per hop) and why a redirect
/// was not followed.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// One exchange per hop, in order; never empty. Ids are 0 and `redirect_of`
    /// is unset: the scan numbers them deterministically.
    pub exchanges: Vec<Exchange>,
    /// Why the last hop's redirect was not followed, if it was one.
    pub redirect_stopped: Option<RedirectStop>,
}

impl Fetched {
    /// The final hop.
    ///
    /// # Panics
    ///
    /// If `exchanges` is empty, which [`Client::send`] never returns.
    #[allow(
        clippy::expect_used,
        reason = "Client::send never returns an empty list"
    )]
    pub fn last(&self) -> &Exchange {
        self.exchanges
            .last()
            .expect("Client::send always records at least one exchange")
    }

    /// True when at least one redirect was followed.
    pub fn redirected(&self) -> bool {
        self.exchanges.len() > 1
    }

    /// Round trips the request took: one per hop.
    pub fn hops(&self) -> u32 {
        u32::try_from(self.exchanges.len()).unwrap_or(u32::MAX)
    }
}

/// One hop of a request, as the redirect loop rewrites it.
#[derive(Debug, Clone)]
pub(crate) struct Hop {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub guarded: bool,
}

pub(crate) struct Inner {
    pub config: ClientConfig,
    pub tls: Arc<rustls::ClientConfig>,
    /// Validated extra headers, applied to the target's origin.
    pub extra: Vec<(HeaderName, HeaderValue)>,
    /// The target's network, found on first need when its host is a name.
    pub target_class: tokio::sync::OnceCell<NetworkClass>,
    /// Connections kept open between exchanges.
    pub pool: super::pool::Pool,
    /// Tests: host names answered without the resolver (what DNS would say now).
    #[cfg(test)]
    pub hosts: std::sync::Mutex<Vec<(String, Vec<std::net::IpAddr>)>>,
}

/// The recording HTTP client. Cheap to clone; clones share configuration.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("target", &self.inner.config.target.as_str())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client; fails on a target that is not http(s), an invalid extra
    /// header, or a TLS setup error.
    pub fn new(config: ClientConfig) -> Result<Client, ClientError> {
        let target = &config.target;
        let host = match (target.scheme(), target.host()) {
            ("http" | "https", Some(host)) => host,
            _ => return Err(ClientError::Target(target.to_string())),
        };
        let target_class = match host {
            Host::Ipv4(ip) => Some(class_network(classify_ip(ip.into()))),
            Host::Ipv6(ip) => Some(class_network(classify_ip(ip.into()))),
            Host::Domain(name) if is_localhost_name(name) => Some(NetworkClass::Loopback),
            Host::Domain(_) => None,
        };
        let mut extra = Vec::with_capacity(config.extra_headers.len());
        for (name, value) in &config.extra_headers {
            let invalid = |reason: String| ClientError::Header {
                name: name.clone(),
                reason,
            };
            let n = HeaderName::try_from(name.as_str()).map_err(|e| invalid(e.to_string()))?;
            let v = HeaderValue::try_from(value.as_str()).map_err(|e| invalid(e.to_string()))?;
            extra.push((n, v));
        }
        let tls = Arc::new(tls::client_config(config.insecure, config.http2)?);
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                tls,
                extra,
                target_class: tokio::sync::OnceCell::new_with(target_class),
                pool: super::pool::Pool::default(),
                #[cfg(test)]
                hosts: std::sync::Mutex::default(),
            }),
        })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Sends `spec`, following redirects as its policy allows, and records every hop.
    pub async fn send(&self, spec: RequestSpec) -> Fetched {
        let mut url = spec.url.clone();
        url.set_fragment(None);
        let Ok(method) = Method::from_bytes(spec.method.as_bytes()) else {
            return Fetched {
                exchanges: vec![self.invalid_method(&spec, &url)],
                redirect_stopped: None,
            };
        };
        let mut hop = Hop {
            method,
            url,
            headers: spec.headers.clone(),
            body: spec.body.clone(),
            guarded: spec.trust == Trust::Steered,
        };
        let mut exchanges = Vec::new();
        let mut followed = 0u32;
        loop {
            let (exchange, location) = self.exchange(&hop, &spec).await;
            if let Some(observer) = &self.inner.config.observer {
                observer.notify(&exchange);
            }
            let status = exchange.status();
            exchanges.push(exchange);
            let Some(status) = status.filter(|s| is_redirect_status(*s)) else {
                return Fetched {
                    exchanges,
                    redirect_stopped: None,
                };
            };
            let next = match spec.redirects {
                RedirectPolicy::None => Err(RedirectStop::NoFollow),
                policy => resolve_location(&hop.url, location.as_deref())
                    .and_then(|next| policy.check(followed, &hop.url, &next).map(|()| next)),
            };
            match next {
                Ok(next) => {
                    hop = next_hop(hop, status, next);
                    followed += 1;
                }
                Err(stop) => {
                    return Fetched {
                        exchanges,
                        redirect_stopped: Some(stop),
                    }
                }
            }
        }
    }
}

/// The network kind of a single address class, for a target given as a literal.
fn class_network(class: AddressClass) -> NetworkClass {
    class.network().unwrap_or(NetworkClass::Private)
}

/// The request that follows a redirect with `status` from `hop` to `next`.
fn next_hop(hop: Hop, status: u16, next: Url) -> Hop {
    let (method, keep_body) = method_after(status, &hop.method);
    let same_origin = next.origin() == hop.url.origin();
    let headers = hop
        .headers
        .into_iter()
        .filter(|(name, _)| {
            let lower = name.to_ascii_lowercase();
            (keep_body || !BODY_HEADERS.contains(&lower.as_str()))
                && (same_origin || !CREDENTIAL_HEADERS.contains(&lower.as_str()))
        })
        .collect();
    Hop {
        method,
        url: next,
        headers,
        body: if keep_body { hop.body } else { None },
        guarded: true,
    }
}
