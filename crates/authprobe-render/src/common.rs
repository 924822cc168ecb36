//! Wording and look-ups every format shares, so that each one says the same thing.

use authprobe_core::http::ExchangeId;
use authprobe_core::report::{Finding, Outcome, Report, Severity, Step, StepStatus};
use url::Url;

/// Severities from the worst down: the order findings are grouped in.
pub(crate) const SEVERITIES_WORST_FIRST: [Severity; 4] = [
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// One line about the access token of stage 7, from its decoded claims (never
/// the token itself): `JWT (HS256, given): iss …, aud …, scope …, client_id …, exp …`.
pub(crate) fn token_summary(report: &Report) -> Option<String> {
    let token = report.token.as_ref()?;
    if token.kind != "jwt" {
        return Some(format!(
            "opaque ({}): not a JWT, so there are no claims to show",
            token.source
        ));
    }
    let mut head = String::from("JWT (");
    if let Some(alg) = &token.alg {
        head.push_str(alg);
        head.push_str(", ");
    }
    head.push_str(&token.source);
    head.push(')');
    let mut claims = Vec::new();
    if let Some(iss) = &token.iss {
        claims.push(format!("iss {iss}"));
    }
    if !token.aud.is_empty() {
        claims.push(format!("aud {}", token.aud.join(" ")));
    }
    if let Some(scope) = &token.scope {
        claims.push(format!("scope \"{scope}\""));
    }
    if let Some(client_id) = &token.client_id {
        claims.push(format!("client_id {client_id}"));
    }
    if let Some(exp) = token.exp {
        let when = chrono::DateTime::from_timestamp(exp, 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_else(|| exp.to_string());
        claims.push(format!("exp {when}"));
    }
    if claims.is_empty() {
        return Some(format!("{head}: no claims"));
    }
    Some(format!("{head}: {}", claims.join(", ")))
}

/// One sentence saying what the outcome means for the person who ran the scan.
pub(crate) fn outcome_sentence(report: &Report) -> String {
    match report.outcome {
        Outcome::ProtectedOk => "The server requires authorization, and a conforming client can \
             discover how to obtain it."
            .to_string(),
        Outcome::ProtectedBroken => "The server requires authorization, but a conforming client \
             cannot get in: discovery, login or the session is blocked."
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

/// `1 high, 0 medium, 2 low, 0 info (+3 consequences)`, or `no findings`.
/// Consequences are counted apart: they are the same problem seen again downstream.
pub(crate) fn counts_text(report: &Report) -> String {
    if report.findings.is_empty() {
        return "no findings".to_string();
    }
    let independent: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.caused_by.is_none())
        .collect();
    let consequences = report.findings.len() - independent.len();
    let mut text = SEVERITIES_WORST_FIRST
        .iter()
        .map(|s| {
            let n = independent.iter().filter(|f| f.severity == *s).count();
            format!("{n} {}", s.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ");
    if consequences > 0 {
        text.push_str(&format!(
            " (+{consequences} consequence{})",
            if consequences == 1 { "" } else { "s" }
        ));
    }
    text
}

/// The findings whose verdict counts towards `step`: those the engine files under the
/// step's id, and, for a code filed under no step this report has, the first step of
/// the code's stage (so that no finding is left without a step).
pub(crate) fn step_findings<'a>(report: &'a Report, step: &Step) -> Vec<&'a Finding> {
    let first_of_stage = report
        .steps
        .iter()
        .find(|s| s.stage == step.stage)
        .is_some_and(|s| std::ptr::eq(s, step));
    report
        .findings
        .iter()
        .filter(|f| {
            let home = f.code.step_id();
            if home == step.id {
                return true;
            }
            let homeless = !report.steps.iter().any(|s| s.id == home);
            homeless && first_of_stage && f.stage == step.stage
        })
        .collect()
}

/// The exchanges that explain what went wrong: those of every FAIL or WARN step, and
/// those any finding at `low` or above cites (a preflight, a redirect hop), in id order.
pub fn failed_exchange_ids(report: &Report) -> Vec<ExchangeId> {
    let mut ids: Vec<ExchangeId> = report
        .steps
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Fail | StepStatus::Warn))
        .flat_map(|s| s.exchange_ids.iter().copied())
        .chain(
            report
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Low)
                .flat_map(|f| f.exchange_ids.iter().copied()),
        )
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// True when the scan accepted invalid certificates, so reproductions must too.
pub(crate) fn scanned_insecure(report: &Report) -> bool {
    report
        .command
        .split_whitespace()
        .any(|word| word == "--insecure")
}

/// The longest prefix of `text` of at most `limit` bytes that ends on a character.
pub(crate) fn excerpt(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `host:port` of a URL (the port only when the URL names one), or the text itself.
pub(crate) fn authority(url: &str) -> String {
    match Url::parse(url) {
        Ok(parsed) => match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => url.to_string(),
        },
        Err(_) => url.to_string(),
    }
}

/// The path and query of a URL (what a request line carries), or the text itself.
pub(crate) fn path_and_query(url: &str) -> String {
    match Url::parse(url) {
        Ok(parsed) => {
            let mut out = parsed.path().to_string();
            if let Some(query) = parsed.query() {
                out.push('?');
                out.push_str(query);
            }
            out
        }
        Err(_) => url.to_string(),
    }
}

/// The origin of a URL (`scheme://host:port`), or the text itself.
pub(crate) fn origin(url: &str) -> String {
    Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_string())
}
