//! Wording and look-ups every format shares, so that each one says the same thing.

use authprobe_core::http::ExchangeId;
use authprobe_core::report::{Outcome, Report, Severity};
use url::Url;

/// Severities from the worst down: the order findings are grouped in.
pub(crate) const SEVERITIES_WORST_FIRST: [Severity; 4] = [
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// One sentence saying what the outcome means for the person who ran the scan.
pub(crate) fn outcome_sentence(report: &Report) -> String {
    match report.outcome {
        Outcome::ProtectedOk => "The server requires authorization, and a conforming client can \
             discover how to obtain it."
            .to_string(),
        Outcome::ProtectedBroken => "The server requires authorization, but a conforming client \
             cannot reliably discover or complete it."
            .to_string(),
        Outcome::NoAuth => "The server answers MCP without credentials; authorization is optional \
             in MCP, so this is not a failure."
            .to_string(),
        Outcome::NonOauthAuth => "The server demands credentials with a scheme other than OAuth \
             and offers no OAuth discovery."
            .to_string(),
        Outcome::Redirected => match redirect_location(report) {
            Some(location) => format!("The URL redirects to {location}; scan that URL instead."),
            None => "The URL redirects elsewhere; scan the final URL instead.".to_string(),
        },
        Outcome::NotMcp => "No MCP endpoint answered at this URL.".to_string(),
        Outcome::Unreachable => "The server could not be reached (DNS, connection or TLS \
             failure), so nothing was learned about it."
            .to_string(),
        Outcome::Timeout => "Nothing answered in time; this says nothing about the server's \
             conformance."
            .to_string(),
    }
}

/// Where the first redirect of the scan pointed, resolved against the request URL.
pub(crate) fn redirect_location(report: &Report) -> Option<String> {
    report.exchanges.iter().find_map(|exchange| {
        let response = exchange.response.as_ref()?;
        if !(300..400).contains(&response.status) {
            return None;
        }
        let location = response.header("location")?;
        let resolved = Url::parse(&exchange.request.url)
            .and_then(|base| base.join(location))
            .map(String::from)
            .unwrap_or_else(|_| location.to_string());
        Some(resolved)
    })
}

/// `#1 POST http://host/mcp → 401`: enough to find the exchange in the trace.
pub(crate) fn exchange_brief(report: &Report, id: ExchangeId) -> String {
    let Some(exchange) = report.exchange(id) else {
        return format!("#{id}");
    };
    let result = match (&exchange.response, &exchange.error) {
        (Some(response), _) => response.status.to_string(),
        (None, Some(error)) => error.kind.as_str().to_string(),
        (None, None) => "no response".to_string(),
    };
    format!(
        "#{} {} {} → {}",
        exchange.id, exchange.request.method, exchange.request.url, result
    )
}

/// `840 ms` or `2.3 s`; nothing for a value that is not a duration.
pub(crate) fn format_ms(ms: f64) -> Option<String> {
    if !ms.is_finite() || ms < 0.0 {
        return None;
    }
    Some(if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    })
}
