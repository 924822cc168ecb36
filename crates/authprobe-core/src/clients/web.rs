//! The web as the scan saw it: every URL the scan fetched and what it answered, so
//! that a client's walk can be replayed over the recorded exchanges. A URL the scan
//! never fetched is "not seen", and a walk that needs it ends in "unknown".

use regex::Regex;
use url::Url;

use crate::http::Exchange;
use crate::report::Report;

/// One answer: status, media type and body of the final hop.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'r> {
    /// The final exchange (after the redirects the scan followed).
    pub exchange: &'r Exchange,
}

impl<'r> Answer<'r> {
    /// The status, `None` when no response came back.
    pub fn status(&self) -> Option<u16> {
        self.exchange.status()
    }

    /// The body, empty without a response.
    pub fn body(&self) -> &'r str {
        self.exchange
            .response
            .as_ref()
            .map(|r| r.body.as_str())
            .unwrap_or_default()
    }

    /// The body parsed as a JSON object.
    pub fn json_object(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        match serde_json::from_str::<serde_json::Value>(self.body()) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        }
    }
}

/// What the scan recorded, indexed for replay.
pub struct Web<'r> {
    report: &'r Report,
}

impl<'r> Web<'r> {
    /// The recorded exchanges of `report`.
    pub fn new(report: &'r Report) -> Self {
        Web { report }
    }

    /// The URL the user gave.
    pub fn target(&self) -> Option<Url> {
        Url::parse(&self.report.target).ok()
    }

    /// Follows the redirects the scan followed from `first` to the final hop.
    fn last_hop(&self, first: &'r Exchange) -> &'r Exchange {
        let mut at = first;
        while let Some(next) = self
            .report
            .exchanges
            .iter()
            .find(|e| e.redirect_of == Some(at.id))
        {
            at = next;
        }
        at
    }

    /// The answer to a GET of `url`, if the scan sent one.
    pub fn get(&self, url: &Url) -> Option<Answer<'r>> {
        self.report
            .exchanges
            .iter()
            .filter(|e| e.redirect_of.is_none() && e.request.method == "GET")
            .find(|e| same_url(&e.request.url, url))
            .map(|e| Answer {
                exchange: self.last_hop(e),
            })
    }

    /// The answer to the unauthenticated initialize (its final hop).
    pub fn initialize(&self) -> Option<Answer<'r>> {
        self.report
            .exchanges
            .iter()
            .find(|e| e.redirect_of.is_none() && e.purpose == "unauthenticated initialize")
            .map(|e| Answer {
                exchange: self.last_hop(e),
            })
    }

    /// The exchanges whose purpose starts with `prefix`, first hops only.
    pub fn by_purpose<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = Answer<'r>> + 'a {
        self.report
            .exchanges
            .iter()
            .filter(move |e| e.redirect_of.is_none() && e.purpose.starts_with(prefix))
            .map(|e| Answer {
                exchange: self.last_hop(e),
            })
    }
}

/// Two spellings of one URL (parsed, so that default ports and case do not matter).
fn same_url(recorded: &str, url: &Url) -> bool {
    Url::parse(recorded).is_ok_and(|r| {
        let mut r = r;
        r.set_fragment(None);
        let mut u = url.clone();
        u.set_fragment(None);
        r == u
    })
}

/// The first `name=value` of a `WWW-Authenticate` value the way the SDKs read it: a
/// regular expression over the raw header, quoted value first, else the token up to
/// a space or comma (so an unterminated quote is kept in the value).
pub fn raw_param(header: &str, name: &str) -> Option<String> {
    let re = Regex::new(&format!(
        r#"{}=(?:"([^"]+)"|([^\s,]+))"#,
        regex::escape(name)
    ))
    .ok()?;
    let caps = re.captures(header)?;
    caps.get(1)
        .or_else(|| caps.get(2))
        .map(|m| m.as_str().to_string())
}

/// The challenge of a 401: the first `WWW-Authenticate` value, when its first word is
/// `Bearer` (the TypeScript SDK's reading).
pub fn bearer_header(answer: &Answer<'_>) -> Option<String> {
    let response = answer.exchange.response.as_ref()?;
    let value = response.header("www-authenticate")?;
    let first = value.split(' ').next().unwrap_or_default();
    first
        .eq_ignore_ascii_case("bearer")
        .then(|| value.to_string())
}

/// Every `WWW-Authenticate` value, joined as one header (the Python SDK's reading).
pub fn any_header(answer: &Answer<'_>) -> Option<String> {
    let response = answer.exchange.response.as_ref()?;
    let values: Vec<&str> = response.header_values("www-authenticate").collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// `url` with the path replaced (query and fragment dropped).
pub fn with_path(url: &Url, path: &str) -> Url {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.set_path(path);
    u
}

/// The path of `url` without a trailing slash (`""` for the root).
pub fn trimmed_path(url: &Url) -> &str {
    let p = url.path();
    p.strip_suffix('/').unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_read_like_the_sdks_read_them() {
        let h = r#"Bearer realm="x", resource_metadata="http://h/.well-known/oauth-protected-resource/mcp", scope="a b""#;
        assert_eq!(
            raw_param(h, "resource_metadata").as_deref(),
            Some("http://h/.well-known/oauth-protected-resource/mcp")
        );
        // An unterminated quoted string: the quote stays part of the value.
        let h = r#"Bearer resource_metadata="http://h/x"#;
        assert_eq!(
            raw_param(h, "resource_metadata").as_deref(),
            Some("\"http://h/x")
        );
        assert_eq!(raw_param("Bearer scope=a", "resource_metadata"), None);
    }
}
