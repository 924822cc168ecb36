//! One exchange: guard, resolve, connect, write the request, read the response.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, LOCATION, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Version};
use http_body_util::Full;
use url::{Host, Position, Url};

use super::body::{describe_hyper, read_body, ReadLimits};
use super::client::{Client, Hop, RequestSpec};
use super::conn::{closes, Phases, Target};
use super::connect::{fail, resolve, Budget};
use super::exchange::{
    ErrorKind, Exchange, ExchangeError, Header, RecordedRequest, RecordedResponse, Timing,
};
use super::guard::{classify_ip, is_localhost_name, AddressClass, NetworkClass, Policy};

/// Largest response head accepted (status line and headers), in bytes.
pub const HEADER_CAP: usize = 64 * 1024;
/// Most response header fields accepted over HTTP/1.
pub(crate) const MAX_HEADER_FIELDS: usize = 256;

/// Header names the client writes itself, ignored when a caller supplies them.
const OWN_HEADERS: [&str; 3] = ["host", "content-length", "transfer-encoding"];
/// Connection-specific headers HTTP/2 forbids; hyper would drop them silently.
const H1_ONLY_HEADERS: [&str; 5] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "upgrade",
    "te",
];

/// What a successful round trip produced.
struct Transferred {
    response: RecordedResponse,
    /// Why the body is incomplete, if it is.
    error: Option<ExchangeError>,
    headers_at: Instant,
    /// The raw `Location` header, for the redirect loop.
    location: Option<Vec<u8>>,
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn record_headers(map: &HeaderMap) -> Vec<Header> {
    map.iter()
        .map(|(name, value)| Header::new(name.as_str(), lossy(value.as_bytes())))
        .collect()
}

fn version_name(version: Version) -> String {
    match version {
        Version::HTTP_09 => "HTTP/0.9".into(),
        Version::HTTP_10 => "HTTP/1.0".into(),
        Version::HTTP_11 => "HTTP/1.1".into(),
        Version::HTTP_2 => "HTTP/2".into(),
        Version::HTTP_3 => "HTTP/3".into(),
        other => format!("{other:?}"),
    }
}

/// The `Host` header value: the host, and the port when it is not the default.
fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

pub(crate) fn map_hyper(err: &hyper::Error) -> ExchangeError {
    // hyper exposes no public test for an oversized head on the client side;
    // its message for that case is stable ("message head is too large").
    if err.is_parse() && err.to_string().contains("too large") {
        return fail(
            ErrorKind::TooLarge,
            format!(
                "response headers larger than {} KiB or more than {MAX_HEADER_FIELDS} fields",
                HEADER_CAP / 1024
            ),
        );
    }
    if err.is_parse() {
        return fail(
            ErrorKind::Protocol,
            format!("invalid HTTP response: {}", describe_hyper(err)),
        );
    }
    if err.is_incomplete_message() {
        return fail(
            ErrorKind::Protocol,
            "connection closed before the response headers were complete",
        );
    }
    fail(ErrorKind::Protocol, describe_hyper(err))
}

impl Client {
    /// Sends one hop and records it; also returns the raw `Location` header.
    pub(crate) async fn exchange(
        &self,
        hop: &Hop,
        spec: &RequestSpec,
    ) -> (Exchange, Option<Vec<u8>>) {
        let config = &self.inner.config;
        // Waiting for a slot on the host is not the server's time, so the request's
        // budget starts once it may go; past the scan deadline it goes without a slot
        // and fails at once as a timeout.
        let deadline = tokio::time::Instant::from_std(config.deadline);
        let _slot = tokio::time::timeout_at(deadline, config.limits.acquire(&hop.url))
            .await
            .ok()
            .flatten();
        let started = Instant::now();
        let budget = Budget::new(
            tokio::time::Instant::from_std(started),
            config.timeout,
            tokio::time::Instant::from_std(config.deadline),
        );
        let mut request = RecordedRequest {
            method: hop.method.to_string(),
            url: hop.url.to_string(),
            headers: Vec::new(),
            body: hop.body.as_deref().map(lossy),
        };
        let mut phases = Phases::default();
        let outcome = self
            .transfer(hop, spec, &budget, &mut request, &mut phases)
            .await;
        let (response, error, headers_at, location) = match outcome {
            Ok(t) => (Some(t.response), t.error, Some(t.headers_at), t.location),
            Err(error) => (None, Some(error), None, None),
        };
        let timing = Timing {
            started_ms: millis(started.saturating_duration_since(config.scan_start)),
            dns_ms: phases.dns.map(millis),
            connect_ms: phases.connect.map(millis),
            tls_ms: phases.tls.map(millis),
            first_byte_ms: phases.first_byte.map(millis),
            headers_ms: headers_at.map(|at| millis(at.saturating_duration_since(started))),
            total_ms: millis(started.elapsed()),
        };
        let exchange = Exchange {
            id: 0,
            stage: spec.stage,
            purpose: spec.purpose.clone(),
            request,
            response,
            error,
            redirect_of: None,
            connection: phases.connection,
            timing,
        };
        (exchange, location)
    }

    /// The exchange recorded for a request whose method is not a valid token.
    pub(crate) fn invalid_method(&self, spec: &RequestSpec, url: &Url) -> Exchange {
        let elapsed = self.inner.config.scan_start.elapsed();
        Exchange {
            id: 0,
            stage: spec.stage,
            purpose: spec.purpose.clone(),
            request: RecordedRequest {
                method: spec.method.clone(),
                url: url.to_string(),
                headers: Vec::new(),
                body: spec.body.as_deref().map(lossy),
            },
            response: None,
            error: Some(fail(
                ErrorKind::Protocol,
                format!("{:?} is not a valid HTTP method; nothing sent", spec.method),
            )),
            redirect_of: None,
            connection: None,
            timing: Timing {
                started_ms: millis(elapsed),
                ..Timing::default()
            },
        }
    }

    async fn transfer(
        &self,
        hop: &Hop,
        spec: &RequestSpec,
        budget: &Budget,
        request: &mut RecordedRequest,
        phases: &mut Phases,
    ) -> Result<Transferred, ExchangeError> {
        let url = &hop.url;
        request.headers = record_headers(&self.request_headers(hop, false)?);
        let https = match url.scheme() {
            "http" => false,
            "https" => true,
            other => {
                return Err(fail(
                    ErrorKind::Blocked,
                    format!("only http and https URLs are fetched, not {other}:"),
                ))
            }
        };
        let host = url
            .host()
            .ok_or_else(|| fail(ErrorKind::Blocked, "the URL has no host"))?;
        let label = url.host_str().unwrap_or_default();
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        if budget.length.is_zero() {
            return Err(fail(
                ErrorKind::Timeout,
                "scan deadline reached before the request was sent",
            ));
        }
        if hop.guarded {
            self.guard_name(&host).await?;
        }
        let looked_up = Instant::now();
        let addrs = self.lookup(&host, port, budget).await?;
        if matches!(host, Host::Domain(name) if !is_localhost_name(name)) {
            phases.dns = Some(looked_up.elapsed());
        }
        // Only the addresses checked here are connected to, or looked up in the pool.
        if hop.guarded {
            self.guard_addresses(label, &addrs).await?;
        }
        let target = Target::new(&host, label, https, port, &addrs);
        let conn = self.connection(&target, budget, phases).await?;
        let build = |h2: bool| build_request(hop, self.request_headers(hop, h2)?, h2);
        let sent = self.send_on(conn, &target, build, budget, phases).await;
        if phases
            .connection
            .as_ref()
            .is_some_and(|c| c.version == "HTTP/2")
        {
            // HTTP/2 carries no `Host` and no connection-specific headers.
            request.headers = record_headers(&self.request_headers(hop, true)?);
        }
        let (conn, response) = sent?;
        let headers_at = Instant::now();
        let (parts, body) = response.into_parts();
        let location = parts.headers.get(LOCATION).map(|v| v.as_bytes().to_vec());
        let peek_end = match spec.read {
            super::body::BodyRead::Peek(window) => {
                Some(tokio::time::Instant::from_std(headers_at) + window)
            }
            super::body::BodyRead::Full => None,
        };
        let limits = ReadLimits {
            cap: self.inner.config.body_cap,
            budget,
            peek_end,
            stop_when: spec.stop_when.as_ref(),
        };
        let read = read_body(body, limits).await;
        // Only a response read to its clean end leaves its connection fit for the
        // next request; anything else (a body still open, cut at the cap or the
        // timeout, a reset, broken framing) closes it.
        if read.error.is_none() && !read.truncated && !closes(&parts.headers, parts.version) {
            self.inner.pool.checkin(conn);
        } else if read.error.is_some() {
            self.inner.pool.forget(&conn);
        }
        let response = RecordedResponse {
            status: parts.status.as_u16(),
            version: version_name(parts.version),
            headers: record_headers(&parts.headers),
            body: lossy(&read.bytes),
            body_bytes: read.bytes.len(),
            truncated: read.truncated,
        };
        Ok(Transferred {
            response,
            error: read.error,
            headers_at,
            location,
        })
    }

    /// The headers written for `hop`, in order: `Host` (HTTP/1 only),
    /// `User-Agent` unless the caller sets one, the caller's headers, the user's
    /// extra headers on the target's origin, and `Content-Length` for a body.
    fn request_headers(&self, hop: &Hop, h2: bool) -> Result<HeaderMap, ExchangeError> {
        let skip = |name: &HeaderName| {
            OWN_HEADERS.contains(&name.as_str()) || (h2 && H1_ONLY_HEADERS.contains(&name.as_str()))
        };
        let mut caller = Vec::with_capacity(hop.headers.len());
        for (name, value) in &hop.headers {
            let invalid = |e: String| {
                fail(
                    ErrorKind::Protocol,
                    format!("invalid request header {name:?}: {e}; nothing sent"),
                )
            };
            let n = HeaderName::try_from(name.as_str()).map_err(|e| invalid(e.to_string()))?;
            let v = HeaderValue::try_from(value.as_str()).map_err(|e| invalid(e.to_string()))?;
            caller.push((n, v));
        }
        let config = &self.inner.config;
        if hop.url.origin() == config.target.origin() {
            for (name, value) in &self.inner.extra {
                if !caller.iter().any(|(n, _)| n == name) {
                    caller.push((name.clone(), value.clone()));
                }
            }
        }
        let mut map = HeaderMap::new();
        if !h2 {
            let host = HeaderValue::try_from(host_header(&hop.url))
                .map_err(|e| fail(ErrorKind::Protocol, format!("invalid host: {e}")))?;
            map.append(HOST, host);
        }
        if !caller.iter().any(|(n, _)| n == USER_AGENT) {
            if let Ok(agent) = HeaderValue::try_from(config.user_agent.as_str()) {
                map.append(USER_AGENT, agent);
            }
        }
        for (name, value) in caller {
            if !skip(&name) {
                map.append(name, value);
            }
        }
        if let Some(body) = &hop.body {
            map.append(CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        Ok(map)
    }

    /// The addresses of `host`, looked up once for this exchange.
    pub(crate) async fn lookup(
        &self,
        host: &Host<&str>,
        port: u16,
        budget: &Budget,
    ) -> Result<Vec<SocketAddr>, ExchangeError> {
        #[cfg(test)]
        if let Host::Domain(name) = host {
            let hosts = self.inner.hosts.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, ips)) = hosts.iter().find(|(n, _)| n == name) {
                return Ok(ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect());
            }
        }
        resolve(host, port, budget).await
    }

    /// The policy with the target's network, looking the target up on first need.
    async fn policy(&self) -> Policy {
        let config = &self.inner.config;
        let target = *self
            .inner
            .target_class
            .get_or_init(|| async {
                let Some(Host::Domain(name)) = config.target.host() else {
                    return NetworkClass::Public;
                };
                let port = config.target.port_or_known_default().unwrap_or(443);
                let lookup = tokio::net::lookup_host((name, port));
                match tokio::time::timeout(config.timeout, lookup).await {
                    Ok(Ok(addrs)) => NetworkClass::of_addresses(addrs.map(|a| a.ip())),
                    // Unknown is treated as public: the strictest choice.
                    _ => NetworkClass::Public,
                }
            })
            .await;
        Policy {
            allow_private: config.allow_private,
            target,
        }
    }

    pub(crate) async fn guard_name(&self, host: &Host<&str>) -> Result<(), ExchangeError> {
        match host {
            Host::Domain(name) if is_localhost_name(name) && !self.inner.config.allow_private => {
                self.policy()
                    .await
                    .check_name(name)
                    .map_err(|refusal| fail(ErrorKind::Blocked, refusal.to_string()))
            }
            _ => Ok(()),
        }
    }

    pub(crate) async fn guard_addresses(
        &self,
        host: &str,
        addrs: &[SocketAddr],
    ) -> Result<(), ExchangeError> {
        let all_public = addrs
            .iter()
            .all(|a| classify_ip(a.ip()) == AddressClass::Public);
        if self.inner.config.allow_private || all_public {
            return Ok(());
        }
        let policy = self.policy().await;
        addrs
            .iter()
            .try_for_each(|a| policy.check_ip(host, a.ip()))
            .map_err(|refusal| fail(ErrorKind::Blocked, refusal.to_string()))
    }
}

fn build_request(
    hop: &Hop,
    headers: HeaderMap,
    h2: bool,
) -> Result<Request<Full<Bytes>>, ExchangeError> {
    let target = if h2 {
        // :authority comes from this URI; credentials in the URL stay out of it.
        let mut url = hop.url.clone();
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.to_string()
    } else {
        hop.url[Position::BeforePath..Position::AfterQuery].to_string()
    };
    let uri: http::Uri = target
        .parse()
        .map_err(|e| fail(ErrorKind::Protocol, format!("URL cannot be sent: {e}")))?;
    let body = hop.body.clone().map(Bytes::from).unwrap_or_default();
    let mut req = Request::new(Full::new(body));
    *req.method_mut() = hop.method.clone();
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    if h2 {
        *req.version_mut() = Version::HTTP_2;
    }
    Ok(req)
}
