//! Stage 3, field by field: the authorization servers, the other RFC 9728 §2 members,
//! and the caching and CORS headers of a usable document.

use crate::catalog::Code;
use crate::facts::prm::Candidate;
use crate::facts::Trace;
use crate::http::ExchangeId;
use crate::report::{Finding, Severity};
use crate::wire::prm::PrmDocument;
use crate::wire::resource::{is_absolute_https_or_loopback, UrlRequirement};

use super::prm::CandidateVerdict;
use super::seen;

const BEARER_METHODS: [&str; 3] = ["header", "body", "query"];

/// Returns false when no authorization server can be found from the document.
pub(super) fn judge_authorization_servers(
    verdict: &mut CandidateVerdict,
    doc: &PrmDocument,
    id: ExchangeId,
) -> bool {
    if let Some(err) = doc
        .type_errors
        .iter()
        .find(|t| t.field == "authorization_servers")
    {
        verdict.push(
            Finding::new(
                Code::PrmAuthorizationServersInvalid,
                format!(
                    "`authorization_servers` is {}, not an array of URLs (RFC 9728 §2).",
                    err.found
                ),
                vec![id],
            ),
            true,
        );
        return false;
    }
    let servers = doc.authorization_servers.as_deref().unwrap_or_default();
    if servers.is_empty() {
        let what = if doc.authorization_servers.is_some() {
            "an empty array"
        } else {
            "absent"
        };
        verdict.push(
            Finding::new(
                Code::PrmMissingAuthorizationServers,
                format!("`authorization_servers` is {what}: a client has no authorization server to go to (MCP 2025-11-25 requires at least one)."),
                vec![id],
            ),
            true,
        );
        return false;
    }
    let mut invalid = Vec::new();
    let mut not_https = Vec::new();
    let mut valid = 0;
    for server in servers {
        match is_absolute_https_or_loopback(server) {
            UrlRequirement::Ok => valid += 1,
            UrlRequirement::NotHttps => {
                valid += 1;
                not_https.push(server.clone());
            }
            UrlRequirement::NotAbsolute | UrlRequirement::Unparseable(_) => {
                invalid.push(server.clone())
            }
        }
    }
    if !invalid.is_empty() {
        verdict.push(
            Finding::new(
                Code::PrmAuthorizationServersInvalid,
                format!(
                    "`authorization_servers` contains {} that {} not an absolute URL: {}.",
                    if invalid.len() == 1 {
                        "an entry"
                    } else {
                        "entries"
                    },
                    if invalid.len() == 1 { "is" } else { "are" },
                    quoted(&invalid)
                ),
                vec![id],
            ),
            valid == 0,
        );
    }
    if !not_https.is_empty() {
        verdict.push(
            Finding::new(
                Code::Rfc3986AbsoluteHttpsRequired,
                format!(
                    "`authorization_servers` lists {} over plain http on a non-loopback host; authorization server URLs must be https (MCP 2025-11-25 Communication Security).",
                    quoted(&not_https)
                ),
                vec![id],
            ),
            false,
        );
    }
    valid > 0
}

pub(super) fn judge_other_fields(
    verdict: &mut CandidateVerdict,
    doc: &PrmDocument,
    id: ExchangeId,
) {
    if let Some(err) = doc
        .type_errors
        .iter()
        .find(|t| t.field == "bearer_methods_supported")
    {
        verdict.push(
            Finding::new(
                Code::PrmBearerMethodsInvalid,
                format!(
                    "`bearer_methods_supported` is {}, not an array of strings.",
                    err.found
                ),
                vec![id],
            ),
            false,
        );
    } else if let Some(methods) = &doc.bearer_methods_supported {
        let unknown: Vec<String> = methods
            .iter()
            .filter(|m| !BEARER_METHODS.contains(&m.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            verdict.push(
                Finding::new(
                    Code::PrmBearerMethodsInvalid,
                    format!("`bearer_methods_supported` contains {}; RFC 9728 §2 defines \"header\", \"body\" and \"query\" and forbids no other value, so clients may ignore it (noted at info).", quoted(&unknown)),
                    vec![id],
                )
                .with_severity(Severity::Info),
                false,
            );
        }
    }
    if let Some(jwks) = &doc.jwks_uri {
        match is_absolute_https_or_loopback(jwks) {
            UrlRequirement::Ok => {}
            UrlRequirement::Unparseable(why) => verdict.push(
                Finding::new(
                    Code::Rfc3986InvalidUri,
                    format!("`jwks_uri` \"{jwks}\" is not a valid URI ({why})."),
                    vec![id],
                ),
                false,
            ),
            UrlRequirement::NotHttps | UrlRequirement::NotAbsolute => verdict.push(
                Finding::new(
                    Code::PrmJwksUriNotHttps,
                    format!("`jwks_uri` is \"{jwks}\"; RFC 9728 §2 requires the https scheme."),
                    vec![id],
                ),
                false,
            ),
        }
    }
    if let Some(algs) = &doc.resource_signing_alg_values_supported {
        if algs.iter().any(|a| a == "none") {
            verdict.push(
                Finding::new(
                    Code::PrmSigningAlgNoneForbidden,
                    "`resource_signing_alg_values_supported` contains \"none\"; RFC 9728 §2 says it MUST NOT be used.",
                    vec![id],
                ),
                false,
            );
        }
    }
    let other_type_errors: Vec<String> = doc
        .type_errors
        .iter()
        .filter(|t| {
            !matches!(
                t.field.as_str(),
                "authorization_servers" | "bearer_methods_supported"
            )
        })
        .map(|t| format!("`{}` is {} (expected {})", t.field, t.found, t.expected))
        .collect();
    if !other_type_errors.is_empty() {
        verdict.push(
            Finding::new(
                Code::PrmFieldTypeInvalid,
                format!(
                    "{}; RFC 9728 §2 defines these types.",
                    other_type_errors.join("; ")
                ),
                vec![id],
            ),
            false,
        );
    }
    if let Some(scopes) = &doc.scopes_supported {
        if scopes.iter().any(|s| s == "offline_access") {
            verdict.push(
                Finding::new(
                    Code::PrmScopesOfflineAccess,
                    "`scopes_supported` contains \"offline_access\"; MCP 2026-07-28 says servers SHOULD NOT list it (refresh tokens are not a resource requirement).",
                    vec![id],
                ),
                false,
            );
        }
    }
}

/// Caching and CORS: judged only on a usable document.
pub(super) fn judge_headers(verdict: &mut CandidateVerdict, candidate: &Candidate, trace: &Trace) {
    let Some(exchange) = candidate.exchange(trace) else {
        return;
    };
    let Some(response) = &exchange.response else {
        return;
    };
    if response.header("cache-control").is_none() {
        verdict.push(
            Finding::new(
                Code::PrmCacheControlMissing,
                format!("{} has no Cache-Control header; RFC 9728 §7.10 says implementations should use caching directives such as max-age.", seen(exchange)),
                vec![exchange.id],
            ),
            false,
        );
    }
    let get_allows = response.header("access-control-allow-origin").is_some();
    let preflight = candidate.preflight.as_ref().and_then(|p| trace.last_of(p));
    let preflight_allows = preflight
        .and_then(|e| e.response.as_ref())
        .map(|r| r.is_success() && r.header("access-control-allow-origin").is_some())
        .unwrap_or(false);
    let preflight_answered = preflight.map(|e| e.response.is_some()).unwrap_or(false);
    if !get_allows && !preflight_allows && preflight_answered {
        let mut ids = vec![exchange.id];
        let mut detail = format!("{} has no Access-Control-Allow-Origin", seen(exchange));
        if let Some(p) = preflight {
            ids.push(p.id);
            detail.push_str(&format!(", and the preflight {} grants none", seen(p)));
        }
        verdict.push(
            Finding::new(
                Code::PrmCorsMissing,
                format!("{detail}: browser-based clients cannot read the metadata."),
                ids,
            ),
            false,
        );
    }
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
