//! Stage 6 checks: the registration paths the metadata offers (passive), and in
//! `--active` mode what the registration endpoint accepts, what the authorization
//! endpoint does with the registered client, and whether every test client is gone.
//!
//! Open registration and loopback redirect URIs are how MCP clients onboard: they
//! are reported as context (`DCR_ENDPOINT_OPEN`, info) or not at all.

use url::Url;

use crate::catalog::Code;
use crate::facts::registration::{AuthorizeCase, Case, Registration, RegistrationFacts};
use crate::facts::Trace;
use crate::http::{ErrorKind, Exchange, ExchangeId};
use crate::report::{Finding, Severity};
use crate::wire::as_metadata::AsMetadata;
use crate::wire::dcr::{parse_oauth_error, REGISTRATION_ERRORS};

use super::fetch::{fate, policy_finding, Fate};
use super::seen;

/// The registration paths the metadata offers, as reported: `client-id-metadata-document`,
/// `dynamic-client-registration`, or `pre-registration-only`.
pub fn registration_paths(doc: &AsMetadata) -> Vec<String> {
    let mut paths = Vec::new();
    if doc.supports_cimd() {
        paths.push("client-id-metadata-document".to_string());
    }
    if doc.registration_endpoint.is_some() {
        paths.push("dynamic-client-registration".to_string());
    }
    if paths.is_empty() {
        paths.push("pre-registration-only".to_string());
    }
    paths
}

/// Passive: what the metadata says about registration (`at` names the document).
pub fn passive_findings(doc: &AsMetadata, at: &str, id: ExchangeId) -> Vec<Finding> {
    let mut out = Vec::new();
    let cimd = doc.supports_cimd();
    let cimd_state = match (
        doc.client_id_metadata_document_supported,
        doc.type_error("client_id_metadata_document_supported"),
    ) {
        (_, Some(t)) => format!(
            "`client_id_metadata_document_supported` is {}, not true",
            t.found
        ),
        (Some(false), None) => "`client_id_metadata_document_supported` is false".to_string(),
        _ => "there is no `client_id_metadata_document_supported: true`".to_string(),
    };
    if !cimd && doc.registration_endpoint.is_none() {
        let dcr_state = match doc.type_error("registration_endpoint") {
            Some(t) => format!("`registration_endpoint` is {}", t.found),
            None => "no `registration_endpoint`".to_string(),
        };
        out.push(Finding::new(
            Code::AuthServerNoRegistrationPath,
            format!("{at}: {cimd_state} and {dcr_state}, so a client without a pre-registered client id has no way to obtain one (MCP 2025-11-25 › Client Registration Approaches)."),
            vec![id],
        ));
    }
    if !cimd {
        out.push(Finding::new(
            Code::AuthServerCimdNotSupported,
            format!("{at}: {cimd_state}; MCP 2025-11-25 says authorization servers SHOULD accept Client ID Metadata Documents, the approach for clients with no prior relationship."),
            vec![id],
        ));
    }
    out
}

/// Where a response sends the browser, resolved against the request URL.
fn location(exchange: &Exchange) -> Option<Url> {
    let response = exchange.response.as_ref()?;
    if !(300..400).contains(&response.status) {
        return None;
    }
    let base = Url::parse(&exchange.request.url).ok()?;
    base.join(response.header("location")?).ok()
}

/// Same scheme, host, port and path: where a redirect lands, whatever its query.
fn same_target(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

fn has_param(url: &Url, name: &str) -> bool {
    url.query_pairs().any(|(k, _)| k == name)
}

/// Active: every finding from the registrations, authorization requests and cleanup.
///
/// `cimd` says whether the server accepts Client ID Metadata Documents: MCP
/// clients then never need dynamic registration, so a registration endpoint
/// reserved for holders of an initial access token (RFC 7591 §3) harms none of them.
pub fn active_findings(facts: &RegistrationFacts, trace: &Trace, cimd: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(realistic) = facts.case(Case::Realistic) else {
        return out;
    };
    if let Some(f) = policy_finding(
        &realistic.fetch,
        trace,
        "The registration endpoint",
        Code::MetadataSsrfBlocked,
    ) {
        out.push(f);
        return out;
    }
    let Some(realistic_ex) = answered(realistic, trace) else {
        return out;
    };
    let created: Vec<&Registration> = facts
        .registrations
        .iter()
        .filter(|r| r.client_id().is_some())
        .collect();
    if let Some(first) = created.first() {
        let ids: Vec<ExchangeId> = created.iter().map(|r| r.fetch.last()).collect();
        out.push(Finding::new(
            Code::DcrEndpointOpen,
            format!(
                "{} registered a client without any initial access token. This is how MCP clients onboard (RFC 7591 §3 allows open registration); noted as context only.",
                trace.last_of(&first.fetch).map(seen).unwrap_or_default()
            ),
            ids,
        ));
    }
    let protected = matches!(realistic_ex.status(), Some(401 | 403));
    // A 429 says "not now", not "not you": rate limiting is never held against the endpoint.
    let rate_limited = realistic_ex.status() == Some(429);
    if realistic.client_id().is_none() && !(protected && cimd) && !rate_limited {
        out.extend(rejected(realistic, realistic_ex, facts, cimd));
    }
    for case in Case::NEGATIVE {
        if let Some(f) = facts.case(case).and_then(|r| accepted_negative(r, trace)) {
            out.push(f);
        }
    }
    if let (Some(a), Some(b)) = (
        realistic.client_id(),
        facts
            .case(Case::Mirror)
            .and_then(|m| m.client_id().map(|id| (id, m))),
    ) {
        if a == b.0 {
            out.push(Finding::new(
                Code::DcrClientIdReused,
                format!(
                    "Two registrations with different client names and redirect URIs ({} and {}) both received client_id \"{a}\"; RFC 7591 §3.2.1 says a server SHOULD NOT issue one id to different clients, since each can then act for the other.",
                    realistic_ex.id, b.1.fetch.last()
                ),
                vec![realistic_ex.id, b.1.fetch.last()],
            ));
        }
    }
    if let Some(f) = error_format(facts, trace) {
        out.push(f);
    }
    out.extend(authorize_findings(facts, trace));
    if let Some(f) = cleanup(facts, trace) {
        out.push(f);
    }
    out
}

/// The final exchange of a registration that got an HTTP answer.
fn answered<'t>(r: &Registration, trace: &'t Trace) -> Option<&'t Exchange> {
    trace.last_of(&r.fetch).filter(|e| e.response.is_some())
}

/// The realistic registration was refused: a refused loopback URI, or a closed endpoint.
fn rejected(
    realistic: &Registration,
    ex: &Exchange,
    facts: &RegistrationFacts,
    cimd: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let status = ex.status().unwrap_or_default();
    let why = if matches!(status, 401 | 403) {
        " (the endpoint demands an initial access token, which a client meeting this server for the first time does not have)"
    } else {
        ""
    };
    let control = facts.case(Case::HttpsControl);
    let control_created = control.and_then(|c| c.client_id().map(|_| c));
    // Registration is at the server's policy (RFC 7591 §5): it weighs only when no other
    // path (Client ID Metadata Documents) is offered.
    let (severity, paths) = if cimd {
        (
            Severity::Low,
            "; clients can still use Client ID Metadata Documents",
        )
    } else {
        (
            Severity::Medium,
            "; dynamic registration is the only registration path the metadata offers, so clients that rely on it cannot log in",
        )
    };
    let mut refused = Finding::new(
        Code::DcrRegistrationRejected,
        format!(
            "{} refused a typical MCP client (native, redirect URI {}, token_endpoint_auth_method none){why}{paths}.",
            seen(ex),
            realistic.case.redirect_uris().join(", ")
        ),
        vec![ex.id],
    )
    .with_severity(severity);
    if let Some(control) = control_created {
        let control_id = control.fetch.last();
        out.push(
            Finding::new(
                Code::DcrLoopbackRedirectRejected,
                format!(
                    "{} refused the loopback redirect URI {}, while the same registration with the https redirect URI {} was accepted (#{control_id}); native MCP clients receive the code on loopback (RFC 8252 §7.3).",
                    seen(ex),
                    realistic.case.redirect_uris().join(", "),
                    Case::HttpsControl.redirect_uris().join(", ")
                ),
                vec![ex.id, control_id],
            )
            .with_confidence(0.9),
        );
        refused = refused.caused_by(Code::DcrLoopbackRedirectRejected);
    }
    out.insert(0, refused);
    out
}

/// A negative case the server accepted as asked (not with a sanitised redirect URI list).
fn accepted_negative(r: &Registration, trace: &Trace) -> Option<Finding> {
    let info = r.info.as_ref()?;
    r.client_id()?;
    let asked = r.case.redirect_uris();
    let registered = info.redirect_uris.clone();
    let kept = match &registered {
        None => true,
        Some(list) if asked.is_empty() => list.is_empty(),
        Some(list) => asked.iter().all(|u| list.contains(u)),
    };
    if !kept {
        return None;
    }
    let ex = trace.last_of(&r.fetch)?;
    let (code, rule) = match r.case {
        Case::HttpRedirect => (
            Code::DcrHttpRedirectAccepted,
            "redirect URIs must use https unless they are loopback (MCP 2025-11-25 › Communication Security): the code would travel in clear text",
        ),
        Case::JavascriptRedirect | Case::DataRedirect => (
            Code::DcrDangerousUriAccepted,
            "the browser runs such a URI as script when the authorization server redirects to it, and RFC 7591 §5 allows only https, loopback http and app-specific redirect URIs",
        ),
        Case::FileRedirect => (
            Code::DcrFileRedirectAccepted,
            "a file: URI is neither https, nor loopback http, nor app-specific, the only kinds RFC 7591 §5 allows: the code would go nowhere a client controls",
        ),
        Case::EmptyRedirects => (
            Code::DcrEmptyRedirectUrisAccepted,
            "a client of the authorization_code grant must register its redirect URIs (RFC 7591 §2)",
        ),
        _ => return None,
    };
    let what = if asked.is_empty() {
        "an empty redirect_uris list".to_string()
    } else {
        format!("the redirect URI {}", asked.join(", "))
    };
    Some(Finding::new(
        code,
        format!(
            "{} accepted a client with {what} (client_id \"{}\"); {rule}.",
            seen(ex),
            r.client_id().unwrap_or_default()
        ),
        vec![ex.id],
    ))
}

/// Refusals must be 400 JSON with an RFC 7591 §3.2.2 code. A 401/403 is a protected
/// endpoint answering per RFC 6750, not a malformed refusal.
fn error_format(facts: &RegistrationFacts, trace: &Trace) -> Option<Finding> {
    let mut bad = Vec::new();
    let mut ids = Vec::new();
    for r in &facts.registrations {
        if r.client_id().is_some() {
            continue;
        }
        let Some(ex) = answered(r, trace) else {
            continue;
        };
        let Some(response) = &ex.response else {
            continue;
        };
        if matches!(response.status, 401 | 403 | 429) {
            continue;
        }
        let media = response.media_type().unwrap_or_default();
        let error = parse_oauth_error(&response.body).ok().and_then(|e| e.error);
        let problem = if response.status != 400 {
            Some(format!("status {}", response.status))
        } else if media != "application/json" {
            Some(if media.is_empty() {
                "no Content-Type".to_string()
            } else {
                media
            })
        } else {
            match error {
                Some(e) if REGISTRATION_ERRORS.contains(&e.as_str()) => None,
                Some(e) => Some(format!("`error` \"{e}\"")),
                None => Some("no `error` member".to_string()),
            }
        };
        if let Some(problem) = problem {
            bad.push(format!("{} ({problem})", seen(ex)));
            ids.push(ex.id);
        }
    }
    (!bad.is_empty()).then(|| {
        Finding::new(
            Code::DcrErrorResponseInvalid,
            format!(
                "Refused registrations should be answered 400 with a JSON error `invalid_redirect_uri` or `invalid_client_metadata` (RFC 7591 §3.2.2): {}.",
                bad.join("; ")
            ),
            ids,
        )
    })
}

/// The authorization requests: PKCE must be required, redirect URIs matched exactly.
fn authorize_findings(facts: &RegistrationFacts, trace: &Trace) -> Vec<Finding> {
    let mut out = Vec::new();
    let registered = Url::parse(&AuthorizeCase::Control.redirect_uri()).ok();
    let exchange = |case| {
        facts
            .authorize(case)
            .and_then(|a| trace.last_of(&a.fetch))
            .filter(|e| e.response.is_some())
    };
    for case in [AuthorizeCase::WithoutPkce, AuthorizeCase::PlainPkce] {
        if let (Some(pkce), Some(registered)) = (exchange(case), &registered) {
            let control = exchange(AuthorizeCase::Control);
            if let Some(f) = pkce_finding(pkce, case, control, registered) {
                out.push(f);
            }
        }
    }
    if let Some(ex) = exchange(AuthorizeCase::UnregisteredRedirect) {
        let probe = Url::parse(&AuthorizeCase::UnregisteredRedirect.redirect_uri()).ok();
        if let (Some(to), Some(probe)) = (location(ex), probe) {
            if same_target(&to, &probe) {
                out.push(Finding::new(
                    Code::AuthServerRedirectUriNotExact,
                    format!(
                        "{} redirects to {to}, although the client registered only {}: the redirect URI is not compared exactly, so codes can be sent where the client never asked (RFC 9700 §4.1.3, MCP 2025-11-25 › Open Redirection).",
                        seen(ex),
                        AuthorizeCase::Control.redirect_uri()
                    ),
                    vec![ex.id],
                ));
            }
        }
    }
    out
}

/// Judges a request without acceptable PKCE against the correct one.
fn pkce_finding(
    pkce: &Exchange,
    case: AuthorizeCase,
    control: Option<&Exchange>,
    registered: &Url,
) -> Option<Finding> {
    let lacking = if case == AuthorizeCase::PlainPkce {
        "the request used code_challenge_method=plain, which the server does not advertise"
    } else {
        "the request had no code_challenge"
    };
    let status = pkce.status()?;
    let to = location(pkce);
    if let Some(to) = to.as_ref().filter(|u| same_target(u, registered)) {
        if has_param(to, "code") && !has_param(to, "error") {
            return Some(
                Finding::new(
                    Code::AuthServerPkceNotEnforced,
                    format!(
                        "{} redirects back with an authorization code although {lacking}; RFC 7636 §4.4.1 and OAuth 2.1 require refusing it (MCP clients rely on PKCE against code interception).",
                        seen(pkce)
                    ),
                    vec![pkce.id],
                )
                .with_confidence(1.0),
            );
        }
        return None; // an error sent back to the client: refused, as required
    }
    if status >= 400 {
        return None;
    }
    let control = control?;
    let same_page = match (to.as_ref(), location(control)) {
        (Some(a), Some(b)) => same_target(a, &b) && !same_target(&b, registered),
        (None, None) => {
            let html = |e: &Exchange| {
                e.response.as_ref().is_some_and(|r| {
                    r.is_success()
                        && r.media_type().as_deref() == Some("text/html")
                        && r.body.to_ascii_lowercase().contains("<form")
                })
            };
            html(pkce) && html(control)
        }
        _ => false,
    };
    same_page.then(|| {
        Finding::new(
            Code::AuthServerPkceNotEnforced,
            format!(
                "{} is answered like the correct request ({}) although {lacking}: a login or consent page rather than an error. The refusal may still come after the login, hence the lower confidence.",
                seen(pkce),
                seen(control)
            ),
            vec![pkce.id, control.id],
        )
        .with_confidence(0.7)
    })
}

/// Every client created must be deleted; list the ones that were not.
fn cleanup(facts: &RegistrationFacts, trace: &Trace) -> Option<Finding> {
    let left: Vec<&crate::facts::registration::Cleanup> =
        facts.cleanup.iter().filter(|c| !c.deleted).collect();
    if left.is_empty() {
        return None;
    }
    let mut ids = Vec::new();
    let lines: Vec<String> = left
        .iter()
        .map(|c| match c.delete.as_ref().and_then(|d| {
            ids.push(d.last());
            trace.last_of(d)
        }) {
            Some(e) => format!("\"{}\" ({})", c.client_id, seen(e)),
            None => format!(
                "\"{}\" (the registration returned no registration_client_uri and registration_access_token)",
                c.client_id
            ),
        })
        .collect();
    Some(Finding::new(
        Code::DcrCleanupIncomplete,
        format!("Test clients the scan registered could not be deleted with RFC 7592: {}. Delete them by hand.", lines.join("; ")),
        ids,
    ))
}

/// One line for the funnel: what registration and cleanup came to.
pub fn summary(facts: &RegistrationFacts, trace: &Trace) -> String {
    let Some(realistic) = facts.case(Case::Realistic) else {
        return "not attempted".into();
    };
    let created = facts
        .registrations
        .iter()
        .filter(|r| r.client_id().is_some())
        .count();
    let deleted = facts.cleanup.iter().filter(|c| c.deleted).count();
    let first = match (realistic.client_id(), trace.last_of(&realistic.fetch)) {
        (Some(_), Some(e)) => format!(
            "registered a test client ({})",
            e.status().unwrap_or_default()
        ),
        (None, Some(e)) => match fate(&realistic.fetch, trace) {
            Fate::Failed(_, ErrorKind::Timeout) => "registration timed out".into(),
            Fate::Answered if e.status() == Some(429) => match &e.response {
                Some(r) => format!("registration {}", super::token::rate_limited_phrase(r)),
                None => "registration rate-limited".into(),
            },
            Fate::Answered => format!("registration refused ({})", e.status().unwrap_or_default()),
            _ => "registration not answered".into(),
        },
        _ => "registration not sent".into(),
    };
    let refused = facts
        .registrations
        .iter()
        .filter(|r| {
            r.case.must_be_refused() && r.client_id().is_none() && answered(r, trace).is_some()
        })
        .count();
    let negatives = facts
        .registrations
        .iter()
        .filter(|r| r.case.must_be_refused())
        .count();
    let mut out = first;
    if negatives > 0 {
        out.push_str(&format!(
            "; {refused}/{negatives} unsafe registrations refused"
        ));
    }
    if !facts.authorize.is_empty() {
        out.push_str(&format!(
            "; {} authorization requests",
            facts.authorize.len()
        ));
    }
    if created > 0 {
        out.push_str(&format!(
            "; {deleted}/{} test clients deleted",
            facts.cleanup.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests;
