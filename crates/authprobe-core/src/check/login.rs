//! Stage 7 checks of `--login`: the authorization response (state, iss),
//! the token response (cache, type, audience), the failure of the login, and
//! the active probes (a token for another resource, refresh token rotation,
//! code reuse).

use crate::catalog::Code;
use crate::facts::login::{Failure, LoginFacts, LoginStep, FOREIGN_PATH};
use crate::facts::transport::Got;
use crate::facts::Trace;
use crate::http::Exchange;
use crate::report::{Finding, Severity, Stage, Step, StepStatus};
use crate::wire::jwt::Jwt;

use super::seen;

/// What the login checks compare with.
pub struct LoginContext<'a> {
    /// The canonical URI of the MCP server.
    pub canonical: &'a str,
    /// The `resource` of the protected resource metadata.
    pub prm_resource: Option<&'a str>,
    /// The metadata's `issuer`.
    pub issuer: Option<&'a str>,
    /// Whether the metadata advertises `authorization_response_iss_parameter_supported`.
    pub iss_advertised: bool,
}

/// A query parameter of a recorded URL.
fn param(url: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let value = url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned());
    value
}

/// `GET http://127.0.0.1:…/callback → 200 (#n)` without the query (code, state).
fn seen_plain(exchange: &Exchange) -> String {
    let url = exchange.request.url.split('?').next().unwrap_or_default();
    format!("{} {url} (#{})", exchange.request.method, exchange.id)
}

/// A successful token response (2xx with an access token).
fn token_ok(exchange: &Exchange) -> bool {
    let Some(response) = &exchange.response else {
        return false;
    };
    response.is_success()
        && serde_json::from_str::<serde_json::Value>(&response.body)
            .ok()
            .and_then(|v| {
                v.get("access_token")
                    .and_then(|t| t.as_str())
                    .map(|t| !t.is_empty())
            })
            .unwrap_or(false)
}

/// The access token of a token response, decoded.
fn token_jwt(exchange: &Exchange) -> Option<Jwt> {
    let body: serde_json::Value = serde_json::from_str(&exchange.response.as_ref()?.body).ok()?;
    Jwt::decode(body.get("access_token")?.as_str()?)
}

/// Every finding of the login.
pub fn findings(facts: &LoginFacts, trace: &Trace, ctx: &LoginContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    authorization_response(facts, trace, ctx, &mut out);
    if let Some((step, Failure::Target(why))) = &facts.failure {
        let ids: Vec<u32> = step
            .and_then(|s| facts.exchange(trace, s))
            .map(|e| vec![e.id])
            .unwrap_or_default();
        out.push(Finding::new(
            Code::LoginFailed,
            format!("The login ({} flow) failed: {why}.", facts.flow.as_str()),
            ids,
        ));
    }
    let token = [LoginStep::Token, LoginStep::DevicePoll]
        .iter()
        .filter_map(|s| facts.exchange(trace, *s))
        .find(|e| token_ok(e));
    if let Some(token) = token {
        token_response(token, ctx, &mut out);
    }
    active(facts, trace, ctx, &mut out);
    out
}

fn authorization_response(
    facts: &LoginFacts,
    trace: &Trace,
    ctx: &LoginContext<'_>,
    out: &mut Vec<Finding>,
) {
    let (Some(request), Some(callback)) = (
        facts.exchange(trace, LoginStep::Authorize),
        facts.exchange(trace, LoginStep::Callback),
    ) else {
        return;
    };
    let sent = param(&request.request.url, "state");
    let back = param(&callback.request.url, "state");
    if sent.is_some() && back != sent {
        let what = if back.is_none() {
            "without the state"
        } else {
            "with another state"
        };
        out.push(Finding::new(
            Code::AuthorizationStateNotReturned,
            format!(
                "The authorization response {} came back {what} than the authorization request sent; a conforming client must reject it.",
                seen_plain(callback)
            ),
            vec![request.id, callback.id],
        ));
    }
    match (param(&callback.request.url, "iss"), ctx.issuer) {
        (Some(iss), Some(issuer)) if iss != issuer => out.push(Finding::new(
            Code::AuthorizationResponseIssMismatch,
            format!(
                "The authorization response {} names the issuer {iss}, but the metadata's issuer is {issuer}: the signature of a mix-up attack, so a client must stop.",
                seen_plain(callback)
            ),
            vec![callback.id],
        )),
        (None, Some(issuer)) if ctx.iss_advertised => {
            let mut f = Finding::new(
                Code::AuthorizationResponseIssMismatch,
                format!(
                    "The authorization response {} has no iss, although the metadata of {issuer} advertises authorization_response_iss_parameter_supported; a client must then reject it.",
                    seen_plain(callback)
                ),
                vec![callback.id],
            );
            f.severity = Severity::Medium;
            out.push(f);
        }
        _ => {}
    }
}

fn token_response(token: &Exchange, ctx: &LoginContext<'_>, out: &mut Vec<Finding>) {
    let Some(response) = &token.response else {
        return;
    };
    let no_store = response
        .header_values("cache-control")
        .flat_map(|v| v.split(','))
        .any(|d| d.trim().eq_ignore_ascii_case("no-store"));
    if !no_store {
        out.push(Finding::new(
            Code::TokenResponseCacheable,
            format!(
                "{}: the token response has no Cache-Control: no-store ({}).",
                seen(token),
                response
                    .header("cache-control")
                    .map(|v| format!("Cache-Control: {v}"))
                    .unwrap_or_else(|| "no Cache-Control at all".into())
            ),
            vec![token.id],
        ));
    }
    let token_type = serde_json::from_str::<serde_json::Value>(&response.body)
        .ok()
        .and_then(|v| {
            v.get("token_type")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        });
    if !token_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
    {
        out.push(Finding::new(
            Code::TokenTypeNotBearer,
            format!(
                "{}: the token response says token_type {}, not Bearer.",
                seen(token),
                token_type
                    .map(|t| format!("\"{t}\""))
                    .unwrap_or_else(|| "(absent)".into())
            ),
            vec![token.id],
        ));
    }
    if let Some(jwt) = token_jwt(token) {
        let aud = jwt.aud();
        let ours = |a: &String| a == ctx.canonical || Some(a.as_str()) == ctx.prm_resource;
        if !aud.iter().any(ours) {
            out.push(Finding::new(
                Code::TokenAudienceMismatch,
                format!(
                    "{}: the access token was requested with resource={}, but its aud is {}.",
                    seen(token),
                    ctx.canonical,
                    if aud.is_empty() {
                        "absent".to_string()
                    } else {
                        aud.join(", ")
                    }
                ),
                vec![token.id],
            ));
        }
    }
}

fn active(facts: &LoginFacts, trace: &Trace, ctx: &LoginContext<'_>, out: &mut Vec<Finding>) {
    if let Some(foreign) = facts
        .exchange(trace, LoginStep::ForeignToken)
        .filter(|e| token_ok(e))
    {
        let jwt = token_jwt(foreign);
        let aud = jwt.as_ref().map(Jwt::aud).unwrap_or_default();
        let other = aud.iter().any(|a| a.ends_with(FOREIGN_PATH));
        let ours = aud
            .iter()
            .any(|a| a == ctx.canonical || Some(a.as_str()) == ctx.prm_resource);
        let used = facts
            .recorded
            .iter()
            .find(|(s, _)| *s == LoginStep::ForeignUse)
            .and_then(|(_, r)| trace.last_of(r));
        if jwt.is_some() && !other {
            out.push(Finding::new(
                Code::TokenResourceParameterIgnored,
                format!(
                    "{}: asked for a token for another resource, the authorization server issued one whose aud is {}.",
                    seen(foreign),
                    if aud.is_empty() { "absent".to_string() } else { aud.join(", ") }
                ),
                vec![foreign.id],
            ));
        } else if let (true, false, Some(used)) = (other, ours, used) {
            if matches!(Got::of(used, &serde_json::json!(79)), Got::Result(_)) {
                out.push(Finding::new(
                    Code::ForeignAudienceTokenAccepted,
                    format!(
                        "{}: a token whose aud is {} (another resource, issued by the same authorization server: {}) was accepted.",
                        seen(used),
                        aud.join(", "),
                        seen(foreign)
                    ),
                    vec![foreign.id, used.id],
                ));
            }
        }
    }
    for (step, code, what) in [
        (
            LoginStep::RefreshReuse,
            Code::RefreshTokenNotRotated,
            "the refresh token that was just used bought another token",
        ),
        (
            LoginStep::CodeReuse,
            Code::AuthorizationCodeReuseAccepted,
            "the authorization code that already bought a token bought another one",
        ),
    ] {
        if let Some(e) = facts.exchange(trace, step).filter(|e| token_ok(e)) {
            out.push(Finding::new(
                code,
                format!("{}: {what}.", seen(e)),
                vec![e.id],
            ));
        }
    }
}

/// The `login` funnel step.
pub fn step(facts: &LoginFacts, findings: &[Finding], cleanup: Option<&str>) -> Step {
    let worst = findings
        .iter()
        .filter(|f| f.stage == Stage::Session && f.code.entry().step.as_str() == "login")
        .map(|f| f.severity)
        .max();
    let client = match (facts.client_kind, &facts.client_id) {
        (Some(kind), Some(id)) => format!("client {id} ({kind})"),
        _ => "no client".into(),
    };
    let (status, mut detail) = match &facts.failure {
        None => (
            StepStatus::from_worst(worst),
            format!("{} flow, {client}: token obtained", facts.flow.as_str()),
        ),
        Some((_, Failure::Target(why) | Failure::Rejected(why) | Failure::User(why))) => (
            StepStatus::Fail,
            format!("{} flow, {client}: {why}", facts.flow.as_str()),
        ),
    };
    if let Some(why) = cleanup {
        detail.push_str("; ");
        detail.push_str(why);
    }
    Step {
        id: "login".into(),
        stage: Stage::Session,
        name: "Login".into(),
        status,
        detail,
        exchange_ids: facts.ids(),
    }
}
