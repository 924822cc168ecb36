//! Resource identifiers: the RFC 9728 §3.3 comparison, the canonical-URI rules
//! of MCP 2025-11-25 › Canonical Server URI, and the URL requirements the
//! checks share (absolute, https unless loopback).

use std::fmt;

use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// How a `resource` value relates to the URL that was requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceMatch {
    /// Identical after syntax-based normalisation (RFC 3986 §6.2.2, §6.2.3).
    Exact,
    /// Identical except for a trailing `/` on the path of one of them.
    TrailingSlashOnly,
    /// Identical except that the requested URL has a query and the resource has none.
    QueryOnly {
        /// The requested URL's query, without the `?`.
        query: String,
    },
    /// Same origin; the resource path is a proper ancestor of the requested path
    /// on segment boundaries (`/api` of `/api/mcp`, `/` of everything).
    ParentPath,
    /// Scheme, host or port differ, or the path or query is unrelated; says which.
    Mismatch {
        /// What differs, in plain words.
        reason: String,
    },
    /// Not a URI at all; the parser's reason.
    Unparseable(String),
    /// A relative reference, where an absolute URI is required.
    Relative,
}

/// Compares a PRM `resource` value with the URL that was requested.
///
/// Both sides are normalised the way RFC 3986 §6.2.2 and §6.2.3 allow: case of
/// scheme and host, default port, empty path, dot segments, and percent-encoding
/// (hex case, unreserved characters decoded). The fragment is ignored here;
/// [`canonical_issues`] reports it.
pub fn compare_resource(requested: &Url, resource: &str) -> ResourceMatch {
    if resource.trim().is_empty() {
        return ResourceMatch::Unparseable("the value is empty".to_string());
    }
    let resource = match Url::parse(resource) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => return ResourceMatch::Relative,
        Err(e) => return ResourceMatch::Unparseable(e.to_string()),
    };
    let mismatch = |what: &str, requested: String, found: String| ResourceMatch::Mismatch {
        reason: format!("{what} differs: requested {requested}, resource {found}"),
    };
    if requested.scheme() != resource.scheme() {
        return mismatch(
            "scheme",
            requested.scheme().to_string(),
            resource.scheme().to_string(),
        );
    }
    let host = |u: &Url| u.host_str().unwrap_or("").to_ascii_lowercase();
    if host(requested) != host(&resource) {
        return mismatch("host", host(requested), host(&resource));
    }
    let port = |u: &Url| match u.port_or_known_default() {
        Some(p) => p.to_string(),
        None => "(none)".to_string(),
    };
    if requested.port_or_known_default() != resource.port_or_known_default() {
        return mismatch("port", port(requested), port(&resource));
    }
    if requested.username() != resource.username() || requested.password() != resource.password() {
        return ResourceMatch::Mismatch {
            reason: "user information differs".to_string(),
        };
    }
    let want_path = normalize_percent(requested.path());
    let got_path = normalize_percent(resource.path());
    let want_query = requested.query().map(normalize_percent);
    let got_query = resource.query().map(normalize_percent);
    let same_query = want_query == got_query;
    let query_mismatch = || ResourceMatch::Mismatch {
        reason: format!(
            "query differs: requested {}, resource {}",
            describe_query(want_query.as_deref()),
            describe_query(got_query.as_deref())
        ),
    };
    if want_path == got_path {
        return match (&want_query, &got_query) {
            _ if same_query => ResourceMatch::Exact,
            (Some(query), None) => ResourceMatch::QueryOnly {
                query: query.clone(),
            },
            _ => query_mismatch(),
        };
    }
    if differ_by_trailing_slash(&want_path, &got_path) {
        return if same_query {
            ResourceMatch::TrailingSlashOnly
        } else {
            query_mismatch()
        };
    }
    if is_ancestor(&got_path, &want_path) {
        // A resource that names a query identifies that query, not a subtree.
        return if got_query.is_none() {
            ResourceMatch::ParentPath
        } else {
            query_mismatch()
        };
    }
    let relation = if is_ancestor(&want_path, &got_path) {
        "below the requested path"
    } else {
        "unrelated to the requested path"
    };
    ResourceMatch::Mismatch {
        reason: format!("path {got_path} is {relation} {want_path}"),
    }
}

fn describe_query(query: Option<&str>) -> String {
    match query {
        None => "no query".to_string(),
        Some(q) => format!("?{q}"),
    }
}

fn differ_by_trailing_slash(a: &str, b: &str) -> bool {
    a.strip_suffix('/') == Some(b) || b.strip_suffix('/') == Some(a)
}

/// True when `ancestor` is a proper ancestor of `path` on segment boundaries.
fn is_ancestor(ancestor: &str, path: &str) -> bool {
    let base = ancestor.strip_suffix('/').unwrap_or(ancestor);
    path.strip_prefix(base)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| !rest.is_empty())
}

/// RFC 3986 §6.2.2.1–2: uppercase the hex of percent-escapes and decode those
/// that stand for unreserved characters.
fn normalize_percent(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                let decoded = (hi * 16 + lo) as u8;
                if decoded.is_ascii_alphanumeric() || b"-._~".contains(&decoded) {
                    out.push(decoded);
                } else {
                    out.push(b'%');
                    out.extend(format!("{decoded:02X}").bytes());
                }
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A departure from the canonical form of a resource URI, read on the raw string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CanonicalIssue {
    /// The scheme has uppercase letters.
    UppercaseScheme,
    /// The host has uppercase letters.
    UppercaseHost,
    /// `:443` on https or `:80` on http is spelled out.
    DefaultPort,
    /// The URI has a fragment (even an empty one).
    Fragment,
}

impl fmt::Display for CanonicalIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CanonicalIssue::UppercaseScheme => {
                "the scheme has uppercase letters; the canonical form is lowercase (RFC 3986 §6.2.2.1)"
            }
            CanonicalIssue::UppercaseHost => {
                "the host has uppercase letters; the canonical form is lowercase (RFC 3986 §6.2.2.1)"
            }
            CanonicalIssue::DefaultPort => {
                "the scheme's default port is spelled out; the canonical form omits it (RFC 3986 §6.2.3)"
            }
            CanonicalIssue::Fragment => {
                "the URI has a fragment, which a resource identifier must not have (RFC 8707 §2)"
            }
        })
    }
}

/// Finds the canonical-form issues of a raw URI string, in the order
/// scheme, host, port, fragment. A string without a scheme yields only
/// the fragment issue, if any.
pub fn canonical_issues(raw: &str) -> Vec<CanonicalIssue> {
    let mut issues = Vec::new();
    let scheme = raw
        .find(':')
        .map(|i| (&raw[..i], &raw[i + 1..]))
        .filter(|(s, _)| {
            s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        });
    if let Some((scheme, rest)) = scheme {
        if scheme.bytes().any(|b| b.is_ascii_uppercase()) {
            issues.push(CanonicalIssue::UppercaseScheme);
        }
        if let Some(after) = rest.strip_prefix("//") {
            let authority = after.split(['/', '?', '#']).next().unwrap_or("");
            let host_port = authority.rsplit('@').next().unwrap_or("");
            let (host, port) = match host_port.strip_prefix('[') {
                Some(v6) => match v6.find(']') {
                    Some(end) => (&v6[..end], &v6[end + 1..]),
                    None => (v6, ""),
                },
                None => match host_port.find(':') {
                    Some(i) => (&host_port[..i], &host_port[i..]),
                    None => (host_port, ""),
                },
            };
            if host.chars().any(char::is_uppercase) {
                issues.push(CanonicalIssue::UppercaseHost);
            }
            let digits = port.strip_prefix(':').unwrap_or("");
            let default = match scheme.to_ascii_lowercase().as_str() {
                "https" => Some(443),
                "http" => Some(80),
                _ => None,
            };
            let number: Option<u32> = match digits.trim_start_matches('0') {
                _ if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) => None,
                "" => Some(0),
                significant => significant.parse().ok(),
            };
            if number.is_some() && number == default {
                issues.push(CanonicalIssue::DefaultPort);
            }
        }
    }
    if raw.contains('#') {
        issues.push(CanonicalIssue::Fragment);
    }
    issues
}

/// True for loopback hosts: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`
/// (and the IPv4-mapped form of 127.0.0.0/8).
pub fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => {
            let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// Whether a URL field meets "absolute, and https unless loopback"
/// (RFC 9728 §2, MCP 2025-11-25 › Communication Security).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UrlRequirement {
    /// Absolute, and https or http on a loopback host.
    Ok,
    /// A relative reference.
    NotAbsolute,
    /// Absolute but neither https nor http on loopback.
    NotHttps,
    /// Not a URI at all; the parser's reason.
    Unparseable(String),
}

/// Checks a raw URL field against "absolute, and https unless loopback".
pub fn is_absolute_https_or_loopback(raw: &str) -> UrlRequirement {
    if raw.trim().is_empty() {
        return UrlRequirement::Unparseable("the value is empty".to_string());
    }
    match Url::parse(raw) {
        Ok(url) if url.scheme() == "https" => UrlRequirement::Ok,
        Ok(url) if url.scheme() == "http" && is_loopback_url(&url) => UrlRequirement::Ok,
        Ok(_) => UrlRequirement::NotHttps,
        Err(url::ParseError::RelativeUrlWithoutBase) => UrlRequirement::NotAbsolute,
        Err(e) => UrlRequirement::Unparseable(e.to_string()),
    }
}

#[cfg(test)]
mod tests;
