//! Stage 5 checks: how the token endpoint answers a grant it must refuse (RFC 6749 §5.2).

use crate::catalog::Code;
use crate::facts::token::{TokenFacts, TokenProbe};
use crate::facts::Trace;
use crate::http::ErrorKind;
use crate::report::{Finding, Severity};
use crate::wire::dcr::{parse_oauth_error, TOKEN_ERRORS, TOKEN_EXTENSION_ERRORS};

use super::fetch::{fate, policy_finding, Fate};
use super::seen;

/// Every stage-5 finding.
pub fn findings(facts: &TokenFacts, trace: &Trace) -> Vec<Finding> {
    facts.probes.iter().flat_map(|p| judge(p, trace)).collect()
}

/// Judges one invalid grant.
pub fn judge(probe: &TokenProbe, trace: &Trace) -> Vec<Finding> {
    let mut out = Vec::new();
    let who = probe.client.describe();
    if let Some(f) = policy_finding(
        &probe.fetch,
        trace,
        "The token endpoint",
        Code::MetadataSsrfBlocked,
    ) {
        out.push(f);
        return out;
    }
    if let Fate::Failed(id, kind) = fate(&probe.fetch, trace) {
        // A timeout is the network's answer, not the server's.
        if kind != ErrorKind::Timeout {
            if let Some(e) = trace.get(id) {
                out.push(Finding::new(
                    Code::TokenEndpointUnreachable,
                    format!(
                        "{}: the token endpoint could not be reached, so no client can exchange a code for a token.",
                        seen(e)
                    ),
                    vec![id],
                ));
            }
        }
        return out;
    }
    let Some(exchange) = trace.last_of(&probe.fetch) else {
        return out;
    };
    let Some(response) = &exchange.response else {
        return out;
    };
    let id = exchange.id;
    let status = response.status;
    if status == 429 {
        // Rate limiting is an answer about us, not a verdict on the endpoint: the funnel
        // says "rate-limited" with the Retry-After it gave.
        return out;
    }
    if status == 404 || status == 405 {
        out.push(Finding::new(
            Code::TokenEndpointUnreachable,
            format!(
                "{} to a token request (an invalid authorization code from {who}): there is no token endpoint at this URL, where RFC 6749 §5.2 expects 400 with an error object.",
                seen(exchange)
            ),
            vec![id],
        ));
        return out;
    }
    if status >= 500 {
        out.push(Finding::new(
            Code::TokenErrorStatusInvalid,
            format!(
                "{} answered an invalid authorization code from {who} with status {status}: the endpoint exists but fails on bad input, where RFC 6749 §5.2 requires 400 with an error object (clients see a server failure instead of `invalid_grant`).",
                seen(exchange)
            ),
            vec![id],
        ));
        return out;
    }
    let media = response.media_type().unwrap_or_default();
    let error = parse_oauth_error(&response.body);
    let json = media == "application/json" && error.is_ok();
    if !json {
        let what = match (&error, media.as_str()) {
            (_, "") => "a body without Content-Type".to_string(),
            (Ok(_), m) => format!("a JSON object served as {m}"),
            (Err(why), m) if m == "text/html" || response.body.trim_start().starts_with('<') => {
                format!("an HTML page ({m}; {why})")
            }
            (Err(why), m) => format!("{m} ({why})"),
        };
        out.push(Finding::new(
            Code::TokenResponseNotJsonRisk,
            format!(
                "{} answered the invalid grant with {what}; RFC 6749 §5.2 requires an application/json error object, and clients cannot read anything else.",
                seen(exchange)
            ),
            vec![id],
        ));
    }
    let error = error.ok();
    let code = error.as_ref().and_then(|e| e.error.clone());
    if status == 200 {
        if code.is_some() {
            out.push(Finding::new(
                Code::TokenHttp200ErrorPayloadRisk,
                format!(
                    "{} carries `error` \"{}\" with status 200; RFC 6749 §5.2 sends errors with 400 (401 for client authentication), and clients that trust the status take this for a token.",
                    seen(exchange),
                    code.as_deref().unwrap_or_default()
                ),
                vec![id],
            ));
        } else {
            out.push(Finding::new(
                Code::TokenErrorStatusInvalid,
                format!(
                    "{} answered a made-up authorization code from {who} with 200 and no `error`; RFC 6749 §5.2 requires 400 `invalid_grant`.",
                    seen(exchange)
                ),
                vec![id],
            ));
        }
        return out;
    }
    let client_auth = status == 401 && code.as_deref() == Some("invalid_client");
    // A 401 whose body cannot be read may be a client-authentication failure: not judged.
    let unreadable_401 = status == 401 && code.is_none();
    if status != 400 && !client_auth && !unreadable_401 {
        out.push(Finding::new(
            Code::TokenErrorStatusInvalid,
            format!(
                "{} answered an invalid authorization code from {who}{}; RFC 6749 §5.2 requires 400 (401 only with `invalid_client`).",
                seen(exchange),
                code.as_deref().map(|c| format!(" with `error` \"{c}\"")).unwrap_or_default()
            ),
            vec![id],
        ));
    }
    if let Some(error) = &error {
        let known = |c: &str| TOKEN_ERRORS.contains(&c) || TOKEN_EXTENSION_ERRORS.contains(&c);
        let problem = match (&error.error, error.error_type) {
            (Some(c), _) if known(c) => None,
            (Some(c), _) => Some(format!("`error` is \"{c}\"")),
            (None, Some(t)) => Some(format!("`error` is {t}")),
            (None, None) => Some("there is no `error` member".to_string()),
        };
        if let Some(problem) = problem {
            // An unknown code still says "error"; no code at all leaves clients guessing.
            let severity = if error.error.is_none() {
                Severity::Medium
            } else {
                Severity::Low
            };
            out.push(
                Finding::new(
                    Code::TokenErrorCodeInvalid,
                    format!(
                        "{}: {problem}, not one of the RFC 6749 §5.2 codes ({}) or a registered extension (RFC 6749 §8.5); clients cannot tell why the request failed.",
                        seen(exchange),
                        TOKEN_ERRORS.join(", ")
                    ),
                    vec![id],
                )
                .with_severity(severity),
            );
        }
    }
    out
}

/// `400 application/json, error="invalid_grant"`, for the funnel.
pub fn answer_phrase(probe: &TokenProbe, trace: &Trace) -> String {
    let Some(e) = trace.last_of(&probe.fetch) else {
        return "not sent".into();
    };
    let Some(r) = &e.response else {
        return e
            .error
            .as_ref()
            .map(|x| format!("no answer ({})", x.message))
            .unwrap_or_else(|| "no answer".into());
    };
    if r.status == 429 {
        return rate_limited_phrase(r);
    }
    let mut out = r.status.to_string();
    if let Some(mt) = r.media_type().filter(|m| !m.is_empty()) {
        out.push(' ');
        out.push_str(&mt);
    }
    if let Some(code) = parse_oauth_error(&r.body).ok().and_then(|e| e.error) {
        out.push_str(&format!(", error=\"{code}\""));
    }
    out
}

/// `429 rate-limited (Retry-After: 30)`: a refusal to answer now, not a verdict.
pub fn rate_limited_phrase(response: &crate::http::RecordedResponse) -> String {
    match response.header("retry-after") {
        Some(after) => format!("429 rate-limited (Retry-After: {after}); not judged"),
        None => "429 rate-limited (no Retry-After); not judged".to_string(),
    }
}

#[cfg(test)]
mod tests;
