//! Redirect policy: whether a 3xx is followed, and what the next request is.

use std::fmt;

use http::Method;
use url::{Host, Url};

use super::guard::is_localhost_name;

/// Which redirects a request follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectPolicy {
    /// Never follow; a 3xx is the answer.
    None,
    /// Follow up to `max` redirects between http and https in any direction
    /// (used for the user's own target URL).
    Follow {
        /// Most redirects followed.
        max: u32,
    },
    /// Follow up to `max` redirects, only to https URLs, or from http to http
    /// when both hosts are loopback (metadata documents).
    HttpsOnly {
        /// Most redirects followed.
        max: u32,
    },
}

/// Why a redirect response was not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectStop {
    /// The policy refused the scheme of the new location.
    PolicyScheme {
        /// The URL that redirected.
        from: String,
        /// Where it pointed.
        to: String,
    },
    /// The policy's limit of redirects was reached.
    Limit(u32),
    /// The request does not follow redirects.
    NoFollow,
    /// The `Location` header was missing or not a URL.
    BadLocation(String),
}

impl fmt::Display for RedirectStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectStop::PolicyScheme { from, to } => {
                write!(
                    f,
                    "redirect from {from} to {to} not followed: https required"
                )
            }
            RedirectStop::Limit(max) => write!(f, "more than {max} redirects"),
            RedirectStop::NoFollow => f.write_str("redirects are not followed for this request"),
            RedirectStop::BadLocation(why) => write!(f, "unusable Location header: {why}"),
        }
    }
}

/// True for the statuses that carry a `Location` to follow.
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The method and whether the body is kept, after a redirect with `status`.
///
/// 303 turns everything but HEAD into GET; 301 and 302 turn POST into GET (as
/// browsers and the Fetch standard do); 307 and 308 keep both.
pub fn method_after(status: u16, method: &Method) -> (Method, bool) {
    match status {
        303 if method != Method::HEAD => (Method::GET, false),
        301 | 302 if method == Method::POST => (Method::GET, false),
        _ => (method.clone(), true),
    }
}

/// Headers that describe a request body, dropped when the body is.
pub const BODY_HEADERS: [&str; 4] = [
    "content-type",
    "content-encoding",
    "content-language",
    "content-location",
];

/// Credentials that must not travel to another origin on a redirect.
pub const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

/// Resolves a `Location` value against the URL that answered.
pub fn resolve_location(base: &Url, location: Option<&[u8]>) -> Result<Url, RedirectStop> {
    let raw = location.ok_or_else(|| RedirectStop::BadLocation("missing".to_string()))?;
    let text = std::str::from_utf8(raw)
        .map_err(|_| RedirectStop::BadLocation("not valid UTF-8".to_string()))?;
    let mut next = base
        .join(text.trim())
        .map_err(|e| RedirectStop::BadLocation(format!("{:?}: {e}", text)))?;
    next.set_fragment(None);
    Ok(next)
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => is_localhost_name(name),
        None => false,
    }
}

impl RedirectPolicy {
    /// Decides whether to follow from `from` to `to` after `followed` redirects.
    pub fn check(&self, followed: u32, from: &Url, to: &Url) -> Result<(), RedirectStop> {
        let max = match self {
            RedirectPolicy::None => return Err(RedirectStop::NoFollow),
            RedirectPolicy::Follow { max } | RedirectPolicy::HttpsOnly { max } => *max,
        };
        if followed >= max {
            return Err(RedirectStop::Limit(max));
        }
        let scheme_refused = || RedirectStop::PolicyScheme {
            from: from.to_string(),
            to: to.to_string(),
        };
        if !matches!(to.scheme(), "http" | "https") {
            return Err(scheme_refused());
        }
        if matches!(self, RedirectPolicy::HttpsOnly { .. }) && to.scheme() != "https" {
            let local_http =
                from.scheme() == "http" && is_loopback_host(from) && is_loopback_host(to);
            if !local_http {
                return Err(scheme_refused());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
