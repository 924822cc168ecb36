//! Stage 4: the members of the authorization server metadata a client ends up
//! with (RFC 8414 §2 and the extensions MCP relies on).

use url::Url;

use crate::catalog::Code;
use crate::facts::auth_server::{AsFetch, IssuerFacts};
use crate::http::ExchangeId;
use crate::report::Finding;
use crate::wire::as_metadata::AsMetadata;
use crate::wire::resource::{compare_resource, is_loopback_url, ResourceMatch};

use super::auth_server::AsContext;

/// Judges the members of the document a client uses. Returns whether it is usable.
pub(super) fn judge_document(
    out: &mut Vec<Finding>,
    facts: &IssuerFacts,
    winner: &AsFetch,
    doc: &AsMetadata,
    id: ExchangeId,
    ctx: AsContext<'_>,
) -> bool {
    let raw = facts.issuer.raw.as_str();
    let at = format!("The metadata at {} (#{id})", winner.url);
    let mut usable = true;

    // Required members (RFC 8414 §2), a wrong type counting as missing.
    let required = [
        ("issuer", doc.issuer.is_some()),
        (
            "authorization_endpoint",
            doc.authorization_endpoint.is_some(),
        ),
        ("token_endpoint", doc.token_endpoint.is_some()),
        (
            "response_types_supported",
            doc.response_types_supported.is_some(),
        ),
    ];
    let missing: Vec<String> = required
        .iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| match doc.type_error(name) {
            Some(t) => format!("`{name}` is {} (expected {})", t.found, t.expected),
            None => format!("`{name}` is missing"),
        })
        .collect();
    if !missing.is_empty() {
        out.push(Finding::new(
            Code::AuthServerMetadataInvalid,
            format!(
                "{at}: {}; RFC 8414 §2 requires these members.",
                missing.join(", ")
            ),
            vec![id],
        ));
        usable = false;
    }

    if let Some(issuer) = &doc.issuer {
        if issuer != raw {
            out.push(Finding::new(
                Code::AuthServerIssuerMismatch,
                format!(
                    "{at} has `issuer` \"{issuer}\", but the metadata URL was built from the issuer identifier \"{raw}\"; RFC 8414 §3.3 requires them to be identical (code point for code point) and forbids using the metadata otherwise."
                ),
                vec![id],
            ));
            usable = false;
        }
    }
    let with_query: Vec<String> = std::iter::once(raw)
        .chain(doc.issuer.as_deref().filter(|i| *i != raw))
        .filter(|i| Url::parse(i).is_ok_and(|u| u.query().is_some() || u.fragment().is_some()))
        .map(|i| format!("\"{i}\""))
        .collect();
    if !with_query.is_empty() {
        out.push(Finding::new(
            Code::AuthServerIssuerQueryFragment,
            format!(
                "The issuer identifier {} has a query or fragment component; RFC 8414 §2 says it has none (the metadata URL cannot even be built from it without dropping them).",
                with_query.join(" and ")
            ),
            vec![id],
        ));
    }

    judge_capabilities(out, doc, &at, id);
    judge_urls(out, facts, doc, &at, id);

    if let Some(resources) = &doc.protected_resources {
        if let Some(resource) = ctx.resource {
            let listed = resources
                .iter()
                .any(|r| r == resource || compare_resource(ctx.mcp_url, r) == ResourceMatch::Exact);
            if !listed {
                out.push(Finding::new(
                    Code::AuthServerProtectedResourcesMismatch,
                    format!(
                        "{at} lists `protected_resources` {:?} without this MCP server's resource \"{resource}\". RFC 9728 §4 lets an authorization server leave resources out, so this is advisory, but clients that cross-check will balk.",
                        resources
                    ),
                    vec![id],
                ));
            }
        }
    }
    if let Some(scopes) = &doc.scopes_supported {
        if let Some(f) = scopes_whitespace(scopes, &format!("{at}: `scopes_supported`"), id) {
            out.push(f);
        }
    }
    usable
}

/// PKCE, response types, legacy grants, public clients, `iss`.
fn judge_capabilities(out: &mut Vec<Finding>, doc: &AsMetadata, at: &str, id: ExchangeId) {
    let pkce_problem = match (
        &doc.code_challenge_methods_supported,
        doc.type_error("code_challenge_methods_supported"),
    ) {
        (_, Some(t)) => Some(format!(
            "`code_challenge_methods_supported` is {}, not an array of strings",
            t.found
        )),
        (None, None) => Some("there is no `code_challenge_methods_supported`".to_string()),
        (Some(m), None) if !m.iter().any(|x| x == "S256") => Some(format!(
            "`code_challenge_methods_supported` is {m:?}, without \"S256\""
        )),
        _ => None,
    };
    if let Some(problem) = pkce_problem {
        out.push(Finding::new(
            Code::AuthServerPkceS256Missing,
            format!("{at}: {problem}. MCP 2025-11-25 clients must verify PKCE S256 support in the metadata and refuse to proceed without it."),
            vec![id],
        ));
    }
    if let Some(methods) = &doc.code_challenge_methods_supported {
        if methods.iter().any(|m| m == "plain") {
            out.push(Finding::new(
                Code::AuthServerPkcePlainAdvertised,
                format!("{at}: `code_challenge_methods_supported` includes \"plain\", which does not protect the verifier (RFC 7636 §7.2; OAuth 2.1 requires S256 where possible)."),
                vec![id],
            ));
        }
    }
    if let Some(types) = &doc.response_types_supported {
        if !types.iter().any(|t| t == "code") {
            out.push(Finding::new(
                Code::AuthServerResponseTypeCodeMissing,
                format!("{at}: `response_types_supported` is {types:?}, without \"code\". No text obliges the server to offer it, but MCP clients use the authorization code flow, so they cannot log in."),
                vec![id],
            ));
        }
    }
    let mut legacy = Vec::new();
    if let Some(types) = &doc.response_types_supported {
        legacy.extend(
            types
                .iter()
                .filter(|t| t.split(' ').any(|part| part == "token"))
                .map(|t| format!("response type \"{t}\" (implicit)")),
        );
    }
    if let Some(grants) = &doc.grant_types_supported {
        legacy.extend(
            grants
                .iter()
                .filter(|g| *g == "implicit" || *g == "password")
                .map(|g| format!("grant type \"{g}\"")),
        );
    }
    if !legacy.is_empty() {
        out.push(Finding::new(
            Code::AuthServerLegacyGrantsAdvertised,
            format!(
                "{at} advertises {}, removed from OAuth 2.1 and discouraged by RFC 9700.",
                legacy.join(" and ")
            ),
            vec![id],
        ));
    }
    if let Some(methods) = &doc.token_endpoint_auth_methods_supported {
        if !methods.iter().any(|m| m == "none") {
            out.push(Finding::new(
                Code::AuthServerPublicClientAuthMissing,
                format!("{at}: `token_endpoint_auth_methods_supported` is {methods:?}, without \"none\": public clients such as most MCP clients have no way to use the token endpoint."),
                vec![id],
            ));
        }
    }
    if doc.authorization_response_iss_parameter_supported != Some(true) {
        out.push(Finding::new(
            Code::AuthServerIssParameterNotAdvertised,
            format!("{at} does not set `authorization_response_iss_parameter_supported: true` (RFC 9207 §3); MCP 2026-07-28 clients validate `iss` in the authorization response."),
            vec![id],
        ));
    }
}

/// https (loopback excepted), parseable URLs, and endpoint hosts.
fn judge_urls(
    out: &mut Vec<Finding>,
    facts: &IssuerFacts,
    doc: &AsMetadata,
    at: &str,
    id: ExchangeId,
) {
    let mut urls: Vec<(&str, &str)> = Vec::new();
    if let Some(issuer) = &doc.issuer {
        urls.push(("issuer", issuer));
    }
    urls.extend(doc.endpoints());
    let mut not_https = Vec::new();
    let mut other_host = Vec::new();
    let issuer_host = facts.issuer.url.host_str().map(|h| h.to_ascii_lowercase());
    for (name, value) in urls {
        match Url::parse(value) {
            Ok(url) => {
                let https =
                    url.scheme() == "https" || (url.scheme() == "http" && is_loopback_url(&url));
                if !https {
                    not_https.push(format!("`{name}` \"{value}\""));
                }
                let host = url.host_str().map(|h| h.to_ascii_lowercase());
                if name != "issuer" && host.is_some() && host != issuer_host {
                    other_host.push(format!("`{name}` on {}", host.unwrap_or_default()));
                }
            }
            // Not an absolute URL at all: not an https endpoint either.
            Err(e) => not_https.push(format!("`{name}` \"{value}\" (not an absolute URL: {e})")),
        }
    }
    if !not_https.is_empty() {
        out.push(Finding::new(
            Code::AuthServerEndpointNotHttps,
            format!("{at}: {} {} not an https URL; MCP 2025-11-25 requires every authorization server endpoint to be served over HTTPS (loopback excepted).", not_https.join(", "), if not_https.len() == 1 { "is" } else { "are" }),
            vec![id],
        ));
    }
    if !other_host.is_empty() {
        out.push(Finding::new(
            Code::AuthServerEndpointHostMismatch,
            format!(
                "{at}: {} while the issuer is on {}. No specification forbids this; it is noted so the trust boundary can be reviewed.",
                other_host.join(", "),
                issuer_host.unwrap_or_default()
            ),
            vec![id],
        ));
    }
}

/// `SCOPES_WHITESPACE_RISK` for a list of scope values, if any has whitespace.
pub fn scopes_whitespace(scopes: &[String], what: &str, id: ExchangeId) -> Option<Finding> {
    let bad: Vec<String> = scopes
        .iter()
        .filter(|s| s.chars().any(char::is_whitespace))
        .map(|s| format!("{s:?}"))
        .collect();
    (!bad.is_empty()).then(|| {
        Finding::new(
            Code::ScopesWhitespaceRisk,
            format!("{what} contains {}; scopes travel space-separated (RFC 6749 §3.3), so a scope cannot contain whitespace.", bad.join(", ")),
            vec![id],
        )
    })
}
