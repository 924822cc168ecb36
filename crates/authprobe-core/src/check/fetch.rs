//! What went wrong below HTTP for a request to a document-derived URL: the SSRF
//! guard refused it, a redirect left the policy, or the network failed. Shared by
//! the checks of stages 4 to 6, which must never mistake one for a protocol answer.

use crate::catalog::Code;
use crate::facts::{Recorded, Trace};
use crate::http::{ErrorKind, Exchange, ExchangeId, RedirectStop};
use crate::report::Finding;

use super::seen;

/// The transport-level fate of one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fate {
    /// The final hop has an HTTP response (its status may still be an error).
    Answered,
    /// The guard refused the URL itself (no connection was made).
    Blocked(ExchangeId),
    /// The guard refused a redirect hop, or the policy refused its scheme.
    RedirectBlocked(ExchangeId),
    /// More redirects than the policy follows.
    RedirectLimit(ExchangeId),
    /// No response: timeout, DNS, connection, TLS or broken HTTP.
    Failed(ExchangeId, ErrorKind),
}

/// Classifies a recorded request.
pub fn fate(recorded: &Recorded, trace: &Trace) -> Fate {
    let last = recorded.last();
    match &recorded.redirect_stopped {
        Some(RedirectStop::PolicyScheme { .. }) => return Fate::RedirectBlocked(last),
        Some(RedirectStop::Limit(_)) => return Fate::RedirectLimit(last),
        _ => {}
    }
    let Some(exchange) = trace.get(last) else {
        return Fate::Failed(last, ErrorKind::Protocol);
    };
    if exchange.response.is_some() {
        return Fate::Answered;
    }
    match exchange.error.as_ref().map(|e| e.kind) {
        Some(ErrorKind::Blocked) if exchange.redirect_of.is_some() => Fate::RedirectBlocked(last),
        Some(ErrorKind::Blocked) => Fate::Blocked(last),
        Some(kind) => Fate::Failed(last, kind),
        None => Fate::Failed(last, ErrorKind::Protocol),
    }
}

/// The finding for a request that was refused by policy (guard or redirect rules), if it was.
/// `blocked` is the code for a refused first hop (the issuer's own code, or
/// `METADATA_SSRF_BLOCKED` for other document URLs).
pub fn policy_finding(
    recorded: &Recorded,
    trace: &Trace,
    what: &str,
    blocked: Code,
) -> Option<Finding> {
    let describe = |id: ExchangeId| trace.get(id).map(reason).unwrap_or_default();
    match fate(recorded, trace) {
        Fate::Blocked(id) => Some(Finding::new(
            blocked,
            format!(
                "{what} was not fetched: {}. A URL taken from the target's documents may not reach that address unless --allow-private-issuers is given.",
                describe(id)
            ),
            vec![id],
        )),
        Fate::RedirectBlocked(id) => Some(Finding::new(
            Code::MetadataRedirectBlocked,
            format!(
                "{what} redirected where the scan may not follow: {}.",
                match &recorded.redirect_stopped {
                    Some(stop) => format!("{} ({stop})", trace.get(id).map(seen).unwrap_or_default()),
                    None => describe(id),
                }
            ),
            recorded.ids.clone(),
        )),
        Fate::RedirectLimit(id) => Some(Finding::new(
            Code::MetadataRedirectLimit,
            format!(
                "{what} redirected more than 5 times; the last hop was {}.",
                trace.get(id).map(seen).unwrap_or_default()
            ),
            recorded.ids.clone(),
        )),
        Fate::Answered | Fate::Failed(..) => None,
    }
}

/// `GET … → no response (message) (#n)`, or the guard's message for a blocked request.
pub fn reason(exchange: &Exchange) -> String {
    match &exchange.error {
        Some(e) if e.kind == ErrorKind::Blocked => format!(
            "{} {} (#{}): {}",
            exchange.request.method, exchange.request.url, exchange.id, e.message
        ),
        _ => seen(exchange),
    }
}
