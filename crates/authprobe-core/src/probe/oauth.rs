//! Stages 4 to 6 after the metadata is known: the JWK Set, the token endpoint and,
//! in `--active` mode, client registration, the authorization requests and the
//! cleanup. Each level sends its independent requests at once and records them in
//! a fixed order, whatever order the answers arrive in:
//!
//! 1. JWK Set, invalid grant from a made-up client, the realistic registration;
//! 2. (active) the unsafe registrations, a second client, the https control (only
//!    when the realistic registration was refused), the three authorization
//!    requests and the invalid grant from the registered client;
//! 3. (active) an RFC 7592 DELETE for every client created.

use futures_util::future::join_all;
use url::Url;

use crate::config::ScanMode;
use crate::http::{Client, Fetched};
use crate::wire::as_metadata::AsMetadata;

use super::auth_server::jwks_request;
use super::registration::{authorize_request, authorize_url, delete_request, register_request};
use super::token::{grant_request, made_up_client_id};
use crate::facts::oauth::OauthFacts;
use crate::facts::registration::{
    callback_uri, Authorize, AuthorizeCase, Case, Cleanup, Registration,
};
use crate::facts::token::{GrantClient, TokenProbe};
use crate::facts::Trace;

/// What the later stages need from the scan so far.
#[derive(Debug, Clone)]
pub struct OauthInput<'a> {
    /// Passive or active.
    pub mode: ScanMode,
    /// The metadata of the selected authorization server.
    pub metadata: &'a AsMetadata,
    /// The MCP endpoint: the `resource` of token and authorization requests (RFC 8707).
    pub resource: &'a Url,
    /// The scope a client would request (the challenge's, else the PRM's list).
    pub scope: Option<String>,
}

/// A URL from the metadata that the scan may send a request to.
fn http_url(value: Option<&str>) -> Option<Url> {
    value
        .and_then(|v| Url::parse(v).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

async fn maybe(client: &Client, spec: Option<crate::http::RequestSpec>) -> Option<Fetched> {
    match spec {
        Some(spec) => Some(client.send(spec).await),
        None => None,
    }
}

/// Runs levels 1 to 3 and records them.
pub async fn run(client: &Client, trace: &mut Trace, input: OauthInput<'_>) -> OauthFacts {
    let doc = input.metadata;
    let active = input.mode == ScanMode::Active;
    let jwks_url = http_url(doc.jwks_uri.as_deref());
    let token_url = http_url(doc.token_endpoint.as_deref());
    let registration_url = http_url(doc.registration_endpoint.as_deref()).filter(|_| active);
    let made_up = GrantClient::MadeUp(made_up_client_id());

    // Level 1.
    let (jwks, token, realistic) = tokio::join!(
        maybe(client, jwks_url.as_ref().map(jwks_request)),
        maybe(
            client,
            token_url
                .as_ref()
                .map(|t| grant_request(t, &made_up, &callback_uri(), input.resource))
        ),
        maybe(
            client,
            registration_url
                .as_ref()
                .map(|r| register_request(r, Case::Realistic))
        ),
    );
    let hops = |f: &Option<Fetched>| f.as_ref().map_or(0, Fetched::hops);
    // The registration chain (levels 2 and 3) grows from the realistic registration.
    let chain = hops(&realistic);
    let mut facts = OauthFacts {
        depth: hops(&jwks).max(hops(&token)).max(chain),
        ..OauthFacts::default()
    };
    facts.jwks = jwks_url.zip(jwks.map(|f| trace.record(f)));
    facts.token.endpoint = token_url.clone();
    if let Some(fetched) = token {
        facts.token.probes.push(TokenProbe {
            client: made_up,
            fetch: trace.record(fetched),
        });
    }
    let (Some(registration_url), Some(realistic)) = (registration_url, realistic) else {
        return facts;
    };
    facts.registration.endpoint = Some(registration_url.clone());
    let recorded = trace.record(realistic);
    let realistic = Registration::new(trace, Case::Realistic, recorded);
    let client_id = realistic.client_id().map(str::to_string);
    let refused = client_id.is_none()
        && trace
            .last_of(&realistic.fetch)
            .is_some_and(|e| e.response.is_some());
    facts.registration.registrations.push(realistic);

    // Level 2.
    let mut cases: Vec<Case> = Vec::new();
    if client_id.is_some() {
        cases.extend(Case::NEGATIVE);
        cases.push(Case::Mirror);
    } else if refused {
        cases.push(Case::HttpsControl);
    }
    let authorize_url_of = |case| {
        let endpoint = http_url(doc.authorization_endpoint.as_deref())?;
        let id = client_id.as_deref()?;
        Some(authorize_url(
            &endpoint,
            case,
            id,
            input.resource,
            input.scope.as_deref(),
        ))
    };
    // `plain` is only a violation where the server does not offer it (RFC 7636 §4.4.1).
    let plain_offered = doc
        .code_challenge_methods_supported
        .as_ref()
        .is_none_or(|m| m.iter().any(|x| x == "plain"));
    let authorize_cases: Vec<(AuthorizeCase, Url)> = AuthorizeCase::ALL
        .iter()
        .filter(|c| **c != AuthorizeCase::PlainPkce || !plain_offered)
        .filter_map(|c| authorize_url_of(*c).map(|u| (*c, u)))
        .collect();
    let registered = client_id.clone().map(GrantClient::Registered);
    let (registrations, authorizations, token_again) = tokio::join!(
        join_all(
            cases
                .iter()
                .map(|c| client.send(register_request(&registration_url, *c)))
        ),
        join_all(
            authorize_cases
                .iter()
                .map(|(c, u)| client.send(authorize_request(u.clone(), *c)))
        ),
        maybe(
            client,
            token_url
                .as_ref()
                .zip(registered.as_ref())
                .map(|(t, g)| grant_request(t, g, &callback_uri(), input.resource))
        ),
    );
    let level2 = registrations
        .iter()
        .chain(&authorizations)
        .chain(&token_again)
        .map(Fetched::hops)
        .max()
        .unwrap_or(0);
    facts.depth = facts.depth.max(chain + level2);
    for (case, fetched) in cases.into_iter().zip(registrations) {
        let recorded = trace.record(fetched);
        facts
            .registration
            .registrations
            .push(Registration::new(trace, case, recorded));
    }
    for ((case, _), fetched) in authorize_cases.into_iter().zip(authorizations) {
        facts.registration.authorize.push(Authorize {
            case,
            redirect_uri: case.redirect_uri(),
            fetch: trace.record(fetched),
        });
    }
    if let (Some(fetched), Some(client)) = (token_again, registered) {
        facts.token.probes.push(TokenProbe {
            client,
            fetch: trace.record(fetched),
        });
    }

    // Level 3: one DELETE per distinct client, with the first credentials issued for it.
    let mut plan: Vec<(String, Option<(Url, String)>)> = Vec::new();
    for r in &facts.registration.registrations {
        let (Some(id), Some(info)) = (r.client_id(), r.info.as_ref()) else {
            continue;
        };
        let how = info
            .deletable()
            .then(|| {
                let uri = http_url(info.registration_client_uri.as_deref())?;
                Some((
                    uri,
                    info.registration_access_token.clone().unwrap_or_default(),
                ))
            })
            .flatten();
        match plan.iter_mut().find(|(existing, _)| existing == id) {
            Some((_, slot)) if slot.is_none() => *slot = how,
            Some(_) => {}
            None => plan.push((id.to_string(), how)),
        }
    }
    let deletes = join_all(plan.iter().map(|(id, how)| {
        maybe(
            client,
            how.as_ref()
                .map(|(uri, token)| delete_request(uri, token, id)),
        )
    }))
    .await;
    let level3 = deletes.iter().map(hops).max().unwrap_or(0);
    facts.depth = facts.depth.max(chain + level2 + level3);
    for ((client_id, _), fetched) in plan.into_iter().zip(deletes) {
        let delete = fetched.map(|f| trace.record(f));
        let deleted = delete
            .as_ref()
            .and_then(|d| trace.last_of(d))
            .and_then(|e| e.response.as_ref())
            .is_some_and(|r| r.is_success());
        facts.registration.cleanup.push(Cleanup {
            client_id,
            delete,
            deleted,
        });
    }
    facts
}
