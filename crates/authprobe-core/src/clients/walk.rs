//! Replays an SDK profile over the recorded exchanges: the challenge, the protected
//! resource metadata, the `resource` check, then (in `walk_as`) the authorization
//! server metadata, registration, authorization and token requests.

use serde_json::{Map, Value};
use url::Url;

use super::message::render;
use super::profile::{Fallback, Hint, PrmOrder, ResourceMatch, ResourceSent, Walk};
use super::schema::{lower_origin, prm_ok, servers, str_member};
use super::walk_as::{self, AsTarget};
use super::web::{any_header, bearer_header, raw_param, trimmed_path, with_path, Answer, Web};
use super::{profiles, ClientStep, Judged, MessageMatch};
use crate::catalog::Code;
use crate::report::Report;

const PRM_WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The protected resource metadata a client ended up with.
pub(super) struct Document {
    pub doc: Map<String, Value>,
    pub resource: String,
}

enum Prm {
    Found(Document),
    /// No usable document; `server_error` is a 5xx or 429 seen on the way.
    None {
        server_error: Option<u16>,
    },
}

/// Judges one SDK profile over a report.
pub(super) fn walk(w: &Walk, report: &Report) -> Judged {
    let web = Web::new(report);
    let Some(target) = web.target() else {
        return Judged::unknown(ClientStep::Challenge, "the target is not a URL");
    };
    let Some(init) = web.initialize() else {
        return Judged::unknown(ClientStep::Challenge, "the scan sent no initialize");
    };
    match init.status() {
        Some(s) if (200..300).contains(&s) => {
            return Judged::gets_in("the server answers without authorization")
        }
        Some(401) => {}
        Some(s) => {
            return Judged::unknown(
                ClientStep::Challenge,
                format!("initialize answered {s}, not a challenge to log in"),
            )
        }
        None => return Judged::unknown(ClientStep::Challenge, "initialize got no answer"),
    }
    let hint = match hint(w, &init, report) {
        Ok(h) => h,
        Err(judged) => return judged,
    };
    let prm = match prm_walk(w, &web, &target, hint.as_ref()) {
        Ok(prm) => prm,
        Err(judged) => return judged,
    };
    let mut assumptions = Vec::new();
    let (as_target, document) = match prm {
        Prm::Found(d) => {
            if !w.resource_checked_late {
                if let Some(fail) = resource_check(w, &d, &target, report) {
                    return fail;
                }
            }
            let listed = servers(&d.doc);
            match listed.first() {
                Some(first) => (AsTarget::Listed(first.clone()), Some(d)),
                None => (AsTarget::Origin, Some(d)),
            }
        }
        Prm::None {
            server_error: Some(status),
        } if w.fallback == Fallback::OriginUnlessServerError => {
            let message = w
                .messages
                .prm_server_error
                .map(|t| render(t, &[("status", &status.to_string())]));
            return Judged::fails(
                ClientStep::ProtectedResourceMetadata,
                format!("a metadata URL answered {status} and no other served a usable document"),
            )
            .explained_by(
                report,
                &[Code::PrmHttpStatusNot200, Code::OauthDiscoveryUnavailable],
            )
            .says(message);
        }
        Prm::None { .. } => (AsTarget::Origin, None),
    };
    if as_target == AsTarget::Origin && w.prm_order != PrmOrder::None {
        assumptions.push(
            "no usable protected resource metadata: the client takes the MCP server's origin \
             as its authorization server (2025-03-26 behaviour)"
                .to_string(),
        );
    }
    let sent = resource_sent(w, document.as_ref(), &target);
    let ctx = walk_as::Context {
        w,
        web: &web,
        report,
        target: &target,
        document: document.as_ref(),
        resource_sent: sent,
    };
    let mut judged = walk_as::walk(&ctx, &as_target);
    assumptions.append(&mut judged.assumptions);
    judged.assumptions = assumptions;
    judged
}

/// The challenge's `resource_metadata`, read the client's way.
fn hint(w: &Walk, init: &Answer<'_>, report: &Report) -> Result<Option<Url>, Judged> {
    match w.hint {
        Hint::Ignored => Ok(None),
        Hint::AbsoluteOnly => Ok(bearer_header(init)
            .and_then(|h| raw_param(&h, "resource_metadata"))
            .and_then(|v| Url::parse(&v).ok())),
        Hint::Raw => {
            let Some(value) = any_header(init).and_then(|h| raw_param(&h, "resource_metadata"))
            else {
                return Ok(None);
            };
            let lower = value.to_ascii_lowercase();
            let url = Url::parse(&value)
                .ok()
                .filter(|_| lower.starts_with("http://") || lower.starts_with("https://"));
            match url {
                Some(u) => Ok(Some(u)),
                None => Err(Judged::fails(
                    ClientStep::Challenge,
                    format!("requests the challenge's resource_metadata `{value}` as it is, which is not an absolute http(s) URL"),
                )
                .explained_by(
                    report,
                    &[Code::DiscoveryResourceMetadataInvalid, Code::WwwAuthenticateMalformed],
                )
                .says(w.messages.hint_unusable.map(|t| render(t, &[("hint", &value)])))),
            }
        }
    }
}

/// The metadata URLs the client tries, in order, and whether the walk goes on after
/// an answer (`true` for the lenient walk of the Python SDK).
fn prm_urls(w: &Walk, target: &Url, hint: Option<&Url>) -> Vec<Url> {
    let path = target.path();
    let suffix = (path != "/" && !path.is_empty())
        .then(|| with_path(target, &format!("{PRM_WELL_KNOWN}{}", path)));
    let root = with_path(target, PRM_WELL_KNOWN);
    match w.prm_order {
        PrmOrder::None => Vec::new(),
        PrmOrder::HintElseWellKnown => match hint {
            Some(h) => vec![h.clone()],
            None => {
                let suffix = (path != "/").then(|| {
                    with_path(target, &format!("{PRM_WELL_KNOWN}{}", trimmed_path(target)))
                });
                suffix.into_iter().chain([root]).collect()
            }
        },
        PrmOrder::HintThenWellKnown => hint
            .cloned()
            .into_iter()
            .chain(suffix)
            .chain([root])
            .collect(),
    }
}

fn prm_walk(w: &Walk, web: &Web<'_>, target: &Url, hint: Option<&Url>) -> Result<Prm, Judged> {
    let urls = prm_urls(w, target, hint);
    let mut server_error = None;
    for (i, url) in urls.iter().enumerate() {
        let Some(answer) = web.get(url) else {
            return Err(Judged::unknown(
                ClientStep::ProtectedResourceMetadata,
                format!("the client would request {url}, which the scan did not fetch"),
            ));
        };
        let status = answer.status();
        let usable = status
            .filter(|s| (200..300).contains(s))
            .and_then(|_| answer.json_object())
            .filter(|doc| prm_ok(doc, w.prm_schema));
        if let Some(doc) = usable {
            let resource = str_member(&doc, "resource").unwrap_or_default().to_string();
            return Ok(Prm::Found(Document { doc, resource }));
        }
        match w.prm_order {
            PrmOrder::HintElseWellKnown => {
                // Only the path-suffix URL moves on, after no answer or one below 500.
                let moves_on = hint.is_none()
                    && i + 1 < urls.len()
                    && status.is_none_or(|s| !(200..300).contains(&s) && s < 500);
                if !moves_on {
                    return Ok(Prm::None { server_error: None });
                }
            }
            _ => {
                if status.is_none() {
                    return Err(Judged::unknown(
                        ClientStep::ProtectedResourceMetadata,
                        format!("{url} got no answer; how the client reports that is not modelled"),
                    ));
                }
                if status.is_some_and(|s| s >= 500 || s == 429) {
                    server_error = status;
                }
            }
        }
    }
    Ok(Prm::None { server_error })
}

/// Whether the document's `resource` names the URL the client connects to.
pub(super) fn resource_check(
    w: &Walk,
    d: &Document,
    target: &Url,
    report: &Report,
) -> Option<Judged> {
    let expected = {
        let mut t = target.clone();
        t.set_fragment(None);
        t
    };
    let allowed = Url::parse(&d.resource).ok().is_some_and(|r| {
        let same_origin = r.scheme() == expected.scheme()
            && r.host_str() == expected.host_str()
            && r.port_or_known_default() == expected.port_or_known_default();
        let slash = |p: &str| {
            if p.ends_with('/') {
                p.to_string()
            } else {
                format!("{p}/")
            }
        };
        let (want, have) = (expected.path(), r.path());
        let prefix = slash(want).starts_with(&slash(have));
        match w.resource_match {
            ResourceMatch::PrefixNotShorter => same_origin && want.len() >= have.len() && prefix,
            ResourceMatch::Prefix => same_origin && prefix,
        }
    });
    if allowed {
        return None;
    }
    let (resource, expected_text) = match w.resource_sent {
        ResourceSent::DocumentVerbatim => (d.resource.clone(), expected.to_string()),
        ResourceSent::DocumentNormalized => {
            (lower_origin(&d.resource), lower_origin(&report.target))
        }
    };
    let message = render(
        w.messages.resource_mismatch,
        &[("resource", &resource), ("expected", &expected_text)],
    );
    Some(
        Judged::fails(
            ClientStep::ProtectedResourceMetadata,
            format!(
                "the metadata's resource `{}` does not cover {expected_text}",
                d.resource
            ),
        )
        .explained_by(report, RESOURCE_CODES)
        .says(Some(message)),
    )
}

/// Findings that explain a `resource` a client refuses or sends wrong, most specific first.
pub(super) const RESOURCE_CODES: &[Code] = &[
    Code::PrmResourceTrailingSlash,
    Code::PrmResourceParentPath,
    Code::PrmHintResourceMismatch,
    Code::PrmResourceMismatch,
    Code::ResourceFragmentForbidden,
    Code::PrmResourceNotCanonical,
    Code::TargetRedirected,
];

/// The `resource` the client sends to the authorization server.
fn resource_sent(w: &Walk, d: Option<&Document>, target: &Url) -> Option<String> {
    match (w.resource_sent, d) {
        (_, _) if w.prm_order == PrmOrder::None => None,
        (ResourceSent::DocumentVerbatim, d) => d.map(|d| d.resource.clone()),
        (ResourceSent::DocumentNormalized, Some(d)) => Some(lower_origin(&d.resource)),
        (ResourceSent::DocumentNormalized, None) => {
            let mut t = target.clone();
            t.set_fragment(None);
            Some(lower_origin(t.as_str()))
        }
    }
}

/// Every message of every SDK profile, with where it is printed and what causes it.
pub(super) fn failure_points() -> Vec<MessageMatch> {
    use super::profile::Rules;
    let mut out = Vec::new();
    for p in profiles::PROFILES {
        let Rules::Walk(w) = &p.rules else { continue };
        let m = &w.messages;
        let mut push = |t: Option<&'static str>, step, meaning, codes: &'static [Code]| {
            if let Some(template) = t.filter(|t| !t.is_empty()) {
                out.push(MessageMatch {
                    client: p.id,
                    template,
                    step,
                    meaning,
                    codes,
                });
            }
        };
        push(Some(m.resource_mismatch), ClientStep::ProtectedResourceMetadata,
            "the protected resource metadata's `resource` does not name the URL the client connected to", RESOURCE_CODES);
        push(
            m.prm_server_error,
            ClientStep::ProtectedResourceMetadata,
            "a protected resource metadata URL answered 5xx or 429",
            &[Code::PrmHttpStatusNot200],
        );
        push(
            m.hint_unusable,
            ClientStep::Challenge,
            "the challenge's resource_metadata is not an absolute http(s) URL",
            &[
                Code::DiscoveryResourceMetadataInvalid,
                Code::WwwAuthenticateMalformed,
            ],
        );
        push(
            m.as_server_error,
            ClientStep::AuthorizationServerMetadata,
            "an authorization server metadata URL answered 5xx",
            &[Code::AuthServerCandidate5xx],
        );
        push(
            m.as_invalid,
            ClientStep::AuthorizationServerMetadata,
            "the authorization server metadata lacks a member the client requires",
            &[
                Code::AuthServerMetadataInvalid,
                Code::AuthServerRootWellknownProbeFailed,
            ],
        );
        push(
            m.issuer_mismatch,
            ClientStep::AuthorizationServerMetadata,
            "the metadata's issuer is not the authorization server URL",
            &[Code::AuthServerIssuerMismatch],
        );
        push(
            m.no_code_response_type,
            ClientStep::Authorization,
            "response_types_supported does not list code",
            &[Code::AuthServerResponseTypeCodeMissing],
        );
        push(
            m.no_s256,
            ClientStep::Authorization,
            "code_challenge_methods_supported does not list S256",
            &[Code::AuthServerPkceS256Missing],
        );
        push(
            m.no_registration_endpoint,
            ClientStep::Registration,
            "the metadata has no registration_endpoint",
            &[Code::AuthServerNoRegistrationPath],
        );
        push(
            Some(m.registration_refused),
            ClientStep::Registration,
            "dynamic client registration refused the client",
            &[
                Code::DcrLoopbackRedirectRejected,
                Code::DcrRegistrationRejected,
            ],
        );
        push(Some(m.authorization_refused), ClientStep::Authorization,
            "the authorization server refused the authorization request (invalid_target: the resource sent is not one it accepts)",
            RESOURCE_CODES);
        push(
            Some(m.token_failed),
            ClientStep::Token,
            "the token request failed",
            &[Code::TokenEndpointUnreachable],
        );
        push(
            m.state_mismatch,
            ClientStep::Authorization,
            "the authorization response did not return the state the client sent",
            &[Code::AuthorizationStateNotReturned],
        );
        push(
            m.response_iss_mismatch,
            ClientStep::Authorization,
            "the authorization response's iss names another issuer than the metadata's",
            &[Code::AuthorizationResponseIssMismatch],
        );
        push(
            m.response_iss_missing,
            ClientStep::Authorization,
            "the authorization response has no iss although the metadata advertises it",
            &[Code::AuthorizationResponseIssMismatch],
        );
        push(
            m.token_type,
            ClientStep::Token,
            "the token response's token_type is not Bearer",
            &[Code::TokenTypeNotBearer],
        );
        push(m.session_refused, ClientStep::Session,
            "the MCP server refused the token the client had just obtained (audience, issuer or signature)",
            &[Code::TokenRejectedByResource, Code::TokenAudienceMismatch]);
        push(
            m.error_unparsed,
            ClientStep::Token,
            "a registration or token request failed with a body that is not an OAuth error",
            &[
                Code::TokenEndpointUnreachable,
                Code::DcrErrorResponseInvalid,
            ],
        );
    }
    out
}
