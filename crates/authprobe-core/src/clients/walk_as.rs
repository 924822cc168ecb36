//! The second half of an SDK profile's walk: authorization server metadata, the
//! checks before the redirect, registration, the authorization request's `resource`,
//! and the token endpoint.

use serde_json::{Map, Value};
use url::Url;

use super::message::render;
use super::profile::{AsWalk, OriginMetadata, Walk};
use super::schema::{as_missing_member, as_ok_lenient, lists, lower_origin, str_member};
use super::walk::{resource_check, Document, RESOURCE_CODES};
use super::web::{trimmed_path, with_path, Answer, Web};
use super::{ClientStep, Judged};
use crate::catalog::Code;
use crate::report::Report;

const OAUTH: &str = "/.well-known/oauth-authorization-server";
const OIDC: &str = "/.well-known/openid-configuration";

/// Which authorization server the client turned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AsTarget {
    /// The first entry of `authorization_servers`, as written.
    Listed(String),
    /// The MCP server's origin (no usable protected resource metadata).
    Origin,
}

pub(super) struct Context<'a> {
    pub w: &'a Walk,
    pub web: &'a Web<'a>,
    pub report: &'a Report,
    pub target: &'a Url,
    pub document: Option<&'a Document>,
    pub resource_sent: Option<String>,
}

/// The candidate URLs, each with whether it is an OpenID Connect document.
fn candidates(w: &Walk, base: &Url, origin: bool) -> Vec<(Url, bool)> {
    if origin && w.origin_metadata == OriginMetadata::OauthOnly {
        return vec![(with_path(base, OAUTH), false)];
    }
    let path = trimmed_path(base).to_string();
    if path.is_empty() {
        return vec![
            (with_path(base, OAUTH), false),
            (with_path(base, OIDC), true),
        ];
    }
    vec![
        (with_path(base, &format!("{OAUTH}{path}")), false),
        (with_path(base, &format!("{OIDC}{path}")), true),
        (with_path(base, &format!("{path}{OIDC}")), true),
    ]
}

enum Meta {
    Found(Map<String, Value>),
    Missing,
}

/// Walks the rest: metadata, checks, registration, authorization, token.
pub(super) fn walk(ctx: &Context<'_>, as_target: &AsTarget) -> Judged {
    let (base, expected_issuer) = match as_target {
        AsTarget::Listed(s) => match Url::parse(s) {
            Ok(u) => (u, lower_origin(s)),
            Err(_) => {
                return Judged::unknown(
                    ClientStep::AuthorizationServerMetadata,
                    format!("the authorization server `{s}` is not a URL"),
                )
            }
        },
        AsTarget::Origin => {
            let origin = with_path(ctx.target, "/");
            let issuer = origin.as_str().trim_end_matches('/').to_string();
            (origin, issuer)
        }
    };
    let meta = match metadata(
        ctx,
        &base,
        matches!(as_target, AsTarget::Origin),
        &expected_issuer,
    ) {
        Ok(m) => m,
        Err(judged) => return judged,
    };
    if ctx.w.resource_checked_late {
        if let Some(d) = ctx.document {
            if let Some(fail) = resource_check(ctx.w, d, ctx.target, ctx.report) {
                return fail;
            }
        }
    }
    let Meta::Found(doc) = meta else {
        return Judged::unknown(
            ClientStep::AuthorizationServerMetadata,
            format!("no authorization server metadata at {base}: the client would use default endpoints there (/register, /authorize, /token), which the scan did not try"),
        );
    };
    after_metadata(ctx, &doc)
}

fn metadata(ctx: &Context<'_>, base: &Url, origin: bool, expected: &str) -> Result<Meta, Judged> {
    let w = ctx.w;
    for (url, openid) in candidates(w, base, origin) {
        let Some(answer) = ctx.web.get(&url) else {
            return Err(Judged::unknown(
                ClientStep::AuthorizationServerMetadata,
                format!("the client would request {url}, which the scan did not fetch"),
            ));
        };
        let Some(status) = answer.status() else {
            match w.as_walk {
                AsWalk::StrictOnSuccess => continue,
                AsWalk::LenientOnSuccess => {
                    return Err(Judged::unknown(
                        ClientStep::AuthorizationServerMetadata,
                        format!("{url} got no answer; how the client reports that is not modelled"),
                    ))
                }
            }
        };
        match w.as_walk {
            AsWalk::StrictOnSuccess => {
                if !(200..300).contains(&status) && status < 500 {
                    continue;
                }
                if status >= 500 {
                    let kind = if openid { "OpenID provider" } else { "OAuth" };
                    let message = w.messages.as_server_error.map(|t| {
                        render(
                            t,
                            &[
                                ("status", &status.to_string()),
                                ("kind", kind),
                                ("url", url.as_str()),
                            ],
                        )
                    });
                    return Err(Judged::fails(
                        ClientStep::AuthorizationServerMetadata,
                        format!("{url} answered {status}; the client stops instead of trying the next URL"),
                    )
                    .explained_by(ctx.report, &[Code::AuthServerCandidate5xx])
                    .says(message));
                }
                return strict_document(ctx, &answer, &url, openid).map(Meta::Found);
            }
            AsWalk::LenientOnSuccess => {
                if status == 200 {
                    let Some(doc) = answer.json_object().filter(as_ok_lenient) else {
                        continue;
                    };
                    issuer_check(ctx, &doc, expected, origin)?;
                    return Ok(Meta::Found(doc));
                }
                if (300..500).contains(&status) {
                    continue;
                }
                return Ok(Meta::Missing);
            }
        }
    }
    Ok(Meta::Missing)
}

fn strict_document(
    ctx: &Context<'_>,
    answer: &Answer<'_>,
    url: &Url,
    openid: bool,
) -> Result<Map<String, Value>, Judged> {
    let codes = &[
        Code::AuthServerMetadataContentTypeNotJson,
        Code::AuthServerMetadataInvalid,
        Code::AuthServerRootWellknownProbeFailed,
        Code::AuthServerMetadataUnreachable,
    ];
    let Ok(value) = serde_json::from_str::<Value>(answer.body()) else {
        return Err(Judged::fails(
            ClientStep::AuthorizationServerMetadata,
            format!("{url} answered 200 with a body that is not JSON"),
        )
        .explained_by(ctx.report, codes)
        .says(ctx.w.messages.as_not_json.map(str::to_string)));
    };
    let doc = value.as_object().cloned().unwrap_or_default();
    let openid_needed = openid && ctx.w.oidc_members_required;
    if let Some(member) = as_missing_member(&doc, openid_needed) {
        let message = ctx
            .w
            .messages
            .as_invalid
            .map(|t| render(t, &[("member", member)]));
        return Err(Judged::fails(
            ClientStep::AuthorizationServerMetadata,
            format!("the metadata at {url} lacks `{member}` (or it has the wrong type), which the client's schema requires"),
        )
        .explained_by(ctx.report, codes)
        .says(message));
    }
    Ok(doc)
}

fn issuer_check(
    ctx: &Context<'_>,
    doc: &Map<String, Value>,
    expected: &str,
    origin: bool,
) -> Result<(), Judged> {
    if !ctx.w.requires.issuer_match {
        return Ok(());
    }
    let issuer = lower_origin(str_member(doc, "issuer").unwrap_or_default());
    let same = issuer == expected || (origin && issuer.trim_end_matches('/') == expected);
    if same {
        return Ok(());
    }
    let message = ctx
        .w
        .messages
        .issuer_mismatch
        .map(|t| render(t, &[("issuer", &issuer), ("expected", expected)]));
    Err(Judged::fails(
        ClientStep::AuthorizationServerMetadata,
        format!("the metadata's issuer `{issuer}` is not {expected}"),
    )
    .explained_by(ctx.report, &[Code::AuthServerIssuerMismatch])
    .says(message))
}

/// Registration, the checks before the redirect, the authorization request and the token.
fn after_metadata(ctx: &Context<'_>, doc: &Map<String, Value>) -> Judged {
    let w = ctx.w;
    let mut assumptions = Vec::new();
    match str_member(doc, "registration_endpoint").and_then(|e| Url::parse(e).ok()) {
        None if w.requires.registration_endpoint => {
            return Judged::fails(ClientStep::Registration, "the metadata has no registration_endpoint and the client knows no other way to register")
                .explained_by(ctx.report, &[Code::AuthServerNoRegistrationPath])
                .says(w.messages.no_registration_endpoint.map(str::to_string));
        }
        None => {
            return Judged::unknown(
                ClientStep::Registration,
                "no registration_endpoint: the client would register at /register of the MCP origin, which the scan did not try",
            )
        }
        Some(endpoint) => match registration(ctx, &endpoint) {
            Some(Err(judged)) => return judged,
            Some(Ok(())) => {}
            None => assumptions.push(format!(
                "registration at {endpoint} accepted (not tried; `--active` tries it)"
            )),
        },
    }
    if w.requires.code_response_type && lists(doc, "response_types_supported", "code") != Some(true)
    {
        return Judged::fails(
            ClientStep::Authorization,
            "response_types_supported does not list `code`",
        )
        .explained_by(ctx.report, &[Code::AuthServerResponseTypeCodeMissing])
        .says(w.messages.no_code_response_type.map(str::to_string));
    }
    if w.requires.s256_when_listed
        && lists(doc, "code_challenge_methods_supported", "S256") == Some(false)
    {
        return Judged::fails(
            ClientStep::Authorization,
            "code_challenge_methods_supported is listed without `S256`",
        )
        .explained_by(ctx.report, &[Code::AuthServerPkceS256Missing])
        .says(w.messages.no_s256.map(str::to_string));
    }
    if let Some(sent) = &ctx.resource_sent {
        let mut target = ctx.target.clone();
        target.set_fragment(None);
        if sent != target.as_str() && sent != &ctx.report.target {
            return Judged::fails(
                ClientStep::Authorization,
                format!("sends resource={sent}, not the MCP server's URL; an authorization server that checks the resource indicator refuses it (invalid_target)"),
            )
            .explained_by(ctx.report, RESOURCE_CODES)
            .says(Some(render(w.messages.authorization_refused, &[("error", "invalid_target")])))
            .assuming("the authorization server accepts only the MCP server's URL as resource (RFC 8707 §2)");
        }
    }
    if let Some(judged) = authorization_response(ctx, doc) {
        return judged;
    }
    if let Some(judged) = token(ctx, doc) {
        return judged;
    }
    if let Some(judged) = after_token(ctx) {
        return judged;
    }
    let mut judged = Judged::gets_in("discovers the authorization server, registers and logs in");
    let session_seen = ctx.report.steps.iter().any(|s| {
        s.stage == crate::report::Stage::Session && s.status != crate::report::StepStatus::Skip
    });
    if ctx.w.requires.bearer_token_type && !raised_token_type(ctx.report) {
        assumptions.push(
            "the token response's token_type is Bearer (not observed unless the scan logs in)"
                .to_string(),
        );
    }
    if !session_seen {
        assumptions.push(
            "the MCP server accepts the token (not observed: a scan with a token sees the session)"
                .to_string(),
        );
    }
    judged.assumptions = assumptions;
    judged
}

impl Judged {
    fn assuming(mut self, what: &str) -> Judged {
        self.assumptions.push(what.to_string());
        self
    }
}

/// The error message of a refused request: the OAuth error's description, or the raw
/// template when the body is not an OAuth error object.
fn refusal(w: &Walk, template: &str, answer: &Answer<'_>) -> String {
    let status = answer.status().map(|s| s.to_string()).unwrap_or_default();
    let body = answer.body();
    let oauth = answer
        .json_object()
        .filter(|o| o.get("error").is_some_and(Value::is_string));
    let description = oauth
        .as_ref()
        .and_then(|o| str_member(o, "error_description"))
        .unwrap_or_default()
        .to_string();
    let values = [
        ("status", status.as_str()),
        ("body", body),
        ("error_description", description.as_str()),
    ];
    match (oauth, w.messages.error_unparsed) {
        (None, Some(raw)) => render(raw, &values),
        _ => render(template, &values),
    }
}

/// The realistic registration of an active scan, when it went to this endpoint.
fn registration(ctx: &Context<'_>, endpoint: &Url) -> Option<Result<(), Judged>> {
    let answer = ctx
        .web
        .by_purpose("dynamic client registration (realistic)")
        .find(|a| Url::parse(&a.exchange.request.url).is_ok_and(|u| &u == endpoint))?;
    let status = answer.status()?;
    if (200..300).contains(&status) {
        return Some(Ok(()));
    }
    Some(Err(Judged::fails(
        ClientStep::Registration,
        format!("the registration endpoint refused an MCP client's registration ({status})"),
    )
    .explained_by(
        ctx.report,
        &[
            Code::DcrLoopbackRedirectRejected,
            Code::DcrRegistrationRejected,
        ],
    )
    .says(Some(refusal(
        ctx.w,
        ctx.w.messages.registration_refused,
        &answer,
    )))))
}

/// The token endpoint, when the scan saw it fail as no client can get past.
fn token(ctx: &Context<'_>, doc: &Map<String, Value>) -> Option<Judged> {
    if !ctx
        .report
        .findings
        .iter()
        .any(|f| f.code == Code::TokenEndpointUnreachable)
    {
        return None;
    }
    let endpoint = str_member(doc, "token_endpoint").and_then(|e| Url::parse(e).ok())?;
    let answer = ctx
        .web
        .by_purpose("token request")
        .find(|a| Url::parse(&a.exchange.request.url).is_ok_and(|u| u == endpoint))?;
    Some(
        Judged::fails(
            ClientStep::Token,
            format!("the token endpoint {endpoint} does not answer as one"),
        )
        .explained_by(ctx.report, &[Code::TokenEndpointUnreachable])
        .says(Some(refusal(ctx.w, ctx.w.messages.token_failed, &answer))),
    )
}

/// The redirect back of the scan's control authorization request (`--active`), read
/// the way the client reads its own: `state` returned, `iss` the metadata's issuer.
fn authorization_response(ctx: &Context<'_>, doc: &Map<String, Value>) -> Option<Judged> {
    let w = ctx.w;
    if !w.requires.state_returned && !w.requires.response_iss {
        return None;
    }
    let answer = ctx
        .web
        .by_purpose("authorization request (control)")
        .next()?;
    let location = answer.exchange.response.as_ref()?.header("location")?;
    let back = Url::parse(location).ok()?;
    let param = |name: &str| {
        back.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    param("code")?;
    if w.requires.state_returned && param("state").is_none() {
        return Some(
            Judged::fails(
                ClientStep::Authorization,
                "the authorization response does not return the state the client sent",
            )
            .explained_by(ctx.report, &[Code::AuthorizationStateNotReturned])
            .says(w.messages.state_mismatch.map(str::to_string)),
        );
    }
    if !w.requires.response_iss {
        return None;
    }
    let expected = str_member(doc, "issuer").unwrap_or_default().to_string();
    match param("iss") {
        Some(iss) if lower_origin(&iss) != lower_origin(&expected) => {
            let message = w.messages.response_iss_mismatch.map(|t| {
                render(
                    t,
                    &[
                        ("iss", &lower_origin(&iss)),
                        ("expected", &lower_origin(&expected)),
                    ],
                )
            });
            Some(
                Judged::fails(
                    ClientStep::Authorization,
                    format!(
                        "the authorization response's iss `{iss}` is not the issuer {expected}"
                    ),
                )
                .explained_by(ctx.report, &[Code::AuthorizationResponseIssMismatch])
                .says(message),
            )
        }
        None if doc
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            == Some(true) =>
        {
            Some(
                Judged::fails(
                    ClientStep::Authorization,
                    "the authorization response has no iss although the metadata advertises it",
                )
                .explained_by(ctx.report, &[Code::AuthorizationResponseIssMismatch])
                .says(w.messages.response_iss_missing.map(str::to_string)),
            )
        }
        _ => None,
    }
}

/// What only a client holding a token sees: the token response's type (a login) and the
/// MCP server refusing the token (a scan with `--bearer-token` or a login).
fn after_token(ctx: &Context<'_>) -> Option<Judged> {
    let w = ctx.w;
    let raised = |code: Code| ctx.report.findings.iter().any(|f| f.code == code);
    if w.requires.bearer_token_type && raised(Code::TokenTypeNotBearer) {
        return Some(
            Judged::fails(
                ClientStep::Token,
                "the token response's token_type is not Bearer",
            )
            .explained_by(ctx.report, &[Code::TokenTypeNotBearer])
            .says(w.messages.token_type.map(str::to_string)),
        );
    }
    // Only a refusal of the token itself stops a client at its first request; a
    // finding about a later request (tools/list, a scope) does not stop `initialize`.
    let refused = ctx.report.findings.iter().find(|f| {
        matches!(
            f.code,
            Code::TokenRejectedByResource | Code::TokenAudienceMismatch
        )
    })?;
    Some(
        Judged::fails(
            ClientStep::Session,
            "the MCP server refuses the token the client obtained",
        )
        .explained_by(ctx.report, &[refused.code])
        .says(w.messages.session_refused.map(str::to_string)),
    )
}

fn raised_token_type(report: &Report) -> bool {
    report
        .findings
        .iter()
        .any(|f| f.code == Code::TokenTypeNotBearer)
}
