//! Stage 7 checks: what the MCP server did with the token, and with the
//! requests that should have been refused. The token is known only by its
//! decoded claims ([`Jwt`]); the checks never see the token itself.

use crate::catalog::Code;
use crate::facts::session::{SessionFacts, SessionProbe};
use crate::facts::transport::Got;
use crate::facts::Trace;
use crate::http::Exchange;
use crate::report::{Finding, TokenInfo};
use crate::wire::jwt::Jwt;
use crate::wire::www_authenticate::parse_challenges;

use super::seen;

/// What the checks compare the token and the answers with.
#[derive(Debug, Clone, Default)]
pub struct SessionContext {
    /// The MCP endpoint's URL (the canonical resource URI a client sends).
    pub canonical: String,
    /// The `resource` of the protected resource metadata in use.
    pub prm_resource: Option<String>,
    /// The issuer of the authorization server in use.
    pub issuer: Option<String>,
    /// True when the scan obtained the token itself (`--login`), false for a
    /// token given on the command line.
    pub obtained: bool,
    /// Whether the server demands authorization at all.
    pub auth_required: bool,
    /// Seconds since the epoch when the scan ran (to tell an expired token).
    pub now: i64,
}

/// The report's view of the token: claims of a JWT, never the token.
pub fn token_info(jwt: Option<&Jwt>, obtained: bool) -> TokenInfo {
    let source = if obtained { "login" } else { "given" };
    match jwt {
        Some(jwt) => TokenInfo {
            kind: "jwt".into(),
            source: source.into(),
            alg: jwt.alg(),
            iss: jwt.iss(),
            aud: jwt.aud(),
            scope: jwt.scope(),
            exp: jwt.exp(),
            client_id: jwt.client_id(),
        },
        None => TokenInfo {
            kind: "opaque".into(),
            source: source.into(),
            ..TokenInfo::default()
        },
    }
}

/// Why a given token may be refused for reasons of its own (expired, or
/// minted for another resource or issuer); `None` when it looks right.
pub fn stale_reason(jwt: Option<&Jwt>, ctx: &SessionContext) -> Option<String> {
    let jwt = jwt?;
    if let Some(exp) = jwt.exp().filter(|exp| *exp <= ctx.now) {
        return Some(format!(
            "the token expired (exp {exp}, {}s ago)",
            ctx.now - exp
        ));
    }
    let aud = jwt.aud();
    let ours = |a: &String| a == &ctx.canonical || Some(a) == ctx.prm_resource.as_ref();
    if !aud.is_empty() && !aud.iter().any(ours) {
        return Some(format!("the token's aud {aud:?} names another resource"));
    }
    match (jwt.iss(), &ctx.issuer) {
        (Some(iss), Some(issuer)) if &iss != issuer => Some(format!(
            "the token's iss {iss} is not the advertised issuer"
        )),
        _ => None,
    }
}

/// What the server was told to expect, beside what the token says.
fn token_vs_advertised(jwt: Option<&Jwt>, ctx: &SessionContext) -> String {
    let claims = match jwt {
        Some(jwt) => format!(
            "the token's aud is {} and its iss {}",
            list_or_none(&jwt.aud()),
            jwt.iss().unwrap_or_else(|| "absent".into())
        ),
        None => "the token is opaque (not a JWT: no claims to show)".into(),
    };
    format!(
        "{claims}; the server advertises the resource {} (canonical URI {}) and the issuer {}",
        ctx.prm_resource.as_deref().unwrap_or("(none)"),
        ctx.canonical,
        ctx.issuer.as_deref().unwrap_or("(none)")
    )
}

fn list_or_none(list: &[String]) -> String {
    if list.is_empty() {
        "absent".into()
    } else {
        list.join(", ")
    }
}

/// `seen` without the query string, which carries the token in one probe.
fn seen_safe(exchange: &Exchange, probe: SessionProbe) -> String {
    let text = seen(exchange);
    if probe != SessionProbe::QueryToken {
        return text;
    }
    match text.split_once('?') {
        Some((before, after)) => {
            let rest = after.split_once(" → ").map(|(_, r)| r).unwrap_or("");
            format!("{before}?access_token=[REDACTED] → {rest}")
        }
        None => text,
    }
}

/// Whether a probe that should have been refused was served: a JSON-RPC result.
fn served(facts: &SessionFacts, trace: &Trace, probe: SessionProbe) -> Option<u32> {
    match facts.got(trace, probe)? {
        (exchange, Got::Result(_)) => Some(exchange.id),
        _ => None,
    }
}

/// Every stage-7 finding about the session.
pub fn findings(
    facts: &SessionFacts,
    trace: &Trace,
    jwt: Option<&Jwt>,
    ctx: &SessionContext,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some((init, got)) = facts.got(trace, SessionProbe::Initialize) else {
        return out;
    };
    if let Got::Status(status @ (401 | 403), _) = got {
        if let Some(f) = rejected(init, status, jwt, ctx) {
            out.push(f);
        }
        out.extend(scope_challenge(init, SessionProbe::Initialize));
        return out;
    }
    if let Some((list, Got::Status(status @ (401 | 403), _))) =
        facts.got(trace, SessionProbe::ToolsList)
    {
        out.push(Finding::new(
            Code::AuthenticatedToolsListFailed,
            format!(
                "{} accepted the token, but tools/list with the same token answered {status}: {}.",
                seen(init),
                seen(list)
            ),
            vec![init.id, list.id],
        ));
        out.extend(scope_challenge(list, SessionProbe::ToolsList));
    }
    let refused_probes = [
        (
            SessionProbe::WithoutToken,
            Code::SessionWithoutTokenAccepted,
            "a request inside the authenticated session without any Authorization header was served",
        ),
        (
            SessionProbe::QueryToken,
            Code::QueryTokenAccepted,
            "the token sent only in the access_token query parameter was accepted",
        ),
        (
            SessionProbe::EmptyBearer,
            Code::MalformedAuthorizationAccepted,
            "`Authorization: Bearer` without a credential was accepted",
        ),
        (
            SessionProbe::GarbageBearer,
            Code::MalformedAuthorizationAccepted,
            "an Authorization header whose Bearer credential is not a token68 string was accepted",
        ),
        (
            SessionProbe::Unsigned,
            Code::UnsignedJwtAccepted,
            "the token re-encoded with alg none and no signature was accepted",
        ),
        (
            SessionProbe::Tampered,
            Code::TamperedJwtAccepted,
            "the token with one signature bit flipped was accepted",
        ),
    ];
    for (probe, code, what) in refused_probes {
        if let Some(id) = served(facts, trace, probe) {
            if let Some(exchange) = trace.get(id) {
                out.push(Finding::new(
                    code,
                    format!("{}: {what}.", seen_safe(exchange, probe)),
                    vec![id],
                ));
            }
        }
    }
    out
}

/// `TOKEN_REJECTED_BY_RESOURCE`, unless a given token is refused for reasons
/// of its own.
fn rejected(
    init: &Exchange,
    status: u16,
    jwt: Option<&Jwt>,
    ctx: &SessionContext,
) -> Option<Finding> {
    if !ctx.obtained && stale_reason(jwt, ctx).is_some() {
        return None;
    }
    let how = if ctx.obtained {
        "a token the advertised authorization server just issued for this resource"
    } else {
        "the token given (it looks right: not expired, for this resource and issuer)"
    };
    let finding = Finding::new(
        Code::TokenRejectedByResource,
        format!(
            "{}: {how} was refused with {status}; {}.",
            seen(init),
            token_vs_advertised(jwt, ctx)
        ),
        vec![init.id],
    );
    // A given token may have been revoked: the scan cannot be sure it is fresh.
    Some(if ctx.obtained {
        finding
    } else {
        finding.with_confidence(0.8)
    })
}

/// `INSUFFICIENT_SCOPE_CHALLENGE_MALFORMED` for a 403 to a request with the
/// token that lacks the `insufficient_scope` challenge with a `scope`.
fn scope_challenge(exchange: &Exchange, probe: SessionProbe) -> Option<Finding> {
    let response = exchange.response.as_ref()?;
    if response.status != 403 {
        return None;
    }
    let values: Vec<&str> = response.header_values("www-authenticate").collect();
    let challenges = parse_challenges(&values).unwrap_or_default();
    let good = challenges.iter().any(|c| {
        c.scheme.eq_ignore_ascii_case("bearer")
            && c.param("error") == Some("insufficient_scope")
            && c.param("scope").is_some_and(|s| !s.trim().is_empty())
    });
    if good {
        return None;
    }
    let what = if challenges.is_empty() {
        "no WWW-Authenticate header".to_string()
    } else {
        "a challenge without error=\"insufficient_scope\" and a scope".to_string()
    };
    Some(Finding::new(
        Code::InsufficientScopeChallengeMalformed,
        format!(
            "{}: a request carrying the token was refused with 403 and {what}, so the client cannot tell which scope to ask for.",
            seen_safe(exchange, probe)
        ),
        vec![exchange.id],
    ))
}
