//! Stages 4 to 6: the authorization server metadata of every issuer the PRM names,
//! then (for the first usable one) the JWK Set, token endpoint and registration.

use super::graph::Depth;
use crate::check::auth_server as auth_server_check;
use crate::check::oauth::OauthScan;
use crate::check::prm::PrmVerdict;
use crate::config::ScanConfig;
use crate::facts::challenge::ChallengeFacts;
use crate::facts::oauth::{OauthFacts, Plan};
use crate::facts::prm::PrmFacts;
use crate::facts::Trace;
use crate::http::Client;
use crate::probe::{auth_server as auth_server_probe, oauth as oauth_probe};

/// Runs stages 4 to 6, which may start at depth `start` (the PRM verdict), and
/// records them; returns what they found and the depth their last request ends at.
pub(super) async fn run(
    client: &Client,
    trace: &mut Trace,
    facts: &ChallengeFacts,
    prm: &PrmFacts,
    verdict: &PrmVerdict,
    config: &ScanConfig,
    start: Depth,
) -> (OauthScan, Depth) {
    let mcp_url = &facts.effective_url;
    let plan = plan(facts, prm, verdict, trace);
    // Clients that find no usable protected resource metadata (and 2025-03-26 clients
    // always) turn to the MCP server's origin: its metadata is fetched beside the
    // issuers' candidates, for the client profiles, when the origin is not one of them.
    let origin_urls = if facts.auth_required() {
        auth_server_probe::origin_fallback_urls(&config.target, &plan.issuers)
    } else {
        Vec::new()
    };
    let (pending, origin) = tokio::join!(
        auth_server_probe::fetch(client, plan.issuers.clone(), plan.left_out.clone()),
        auth_server_probe::fetch_origin_fallback(client, origin_urls),
    );
    let origin_depth = origin
        .iter()
        .map(crate::http::Fetched::hops)
        .max()
        .unwrap_or(0);
    let metadata_depth = start + pending.depth().max(origin_depth);
    let servers = pending.record(trace);
    for fetched in origin {
        trace.record(fetched);
    }
    let ctx = auth_server_check::AsContext {
        mcp_url,
        resource: plan.resource.as_deref(),
    };
    let server_verdict = auth_server_check::evaluate(&servers, trace, ctx);
    let later = match server_verdict.selected(&servers) {
        Some((_, metadata)) => {
            let input = oauth_probe::OauthInput {
                mode: config.mode,
                metadata,
                resource: mcp_url,
                scope: plan.scope.clone(),
            };
            oauth_probe::run(client, trace, input).await
        }
        None => OauthFacts::default(),
    };
    let depth = metadata_depth + later.depth;
    let scan = OauthScan {
        plan,
        servers,
        verdict: server_verdict,
        later,
        mode: config.mode,
    };
    (scan, depth)
}

/// Decides whether stages 4 to 6 run: only when authorization is required and
/// the protected resource metadata a client would use names authorization servers.
pub fn plan(
    challenge: &ChallengeFacts,
    prm: &PrmFacts,
    verdict: &PrmVerdict,
    trace: &Trace,
) -> Plan {
    let answered = trace
        .last_of(&challenge.initialize)
        .is_some_and(|e| e.response.is_some());
    if !answered {
        return Plan::skip("the endpoint did not answer");
    }
    if !challenge.auth_required() {
        return Plan::skip("authorization not required");
    }
    let chosen = verdict
        .chosen
        .filter(|_| verdict.chosen_usable)
        .and_then(|i| prm.candidates.get(i));
    let Some((candidate, doc)) = chosen.and_then(|c| c.doc().map(|d| (c, d))) else {
        return Plan::skip("no usable protected resource metadata");
    };
    let servers = doc.authorization_servers.as_deref().unwrap_or_default();
    let (issuers, left_out) = auth_server_probe::issuers(servers);
    if issuers.is_empty() {
        return Plan::skip("the protected resource metadata names no authorization server URL");
    }
    let scope = challenge
        .challenge
        .bearer()
        .and_then(|b| b.param("scope"))
        .map(str::to_string)
        .or_else(|| {
            doc.scopes_supported
                .as_ref()
                .filter(|s| !s.is_empty())
                .map(|s| s.join(" "))
        });
    Plan {
        skip: None,
        issuers,
        left_out,
        resource: doc.resource.clone(),
        prm_scopes: doc
            .scopes_supported
            .clone()
            .map(|s| (s, candidate.fetch.last())),
        scope,
    }
}
