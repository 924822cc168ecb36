//! Stages 4 to 6: the authorization server metadata of every issuer the PRM names,
//! then (for the first usable one) the JWK Set, token endpoint and registration.

use super::graph::Depth;
use crate::check::auth_server as auth_server_check;
use crate::check::oauth::OauthScan;
use crate::check::prm::PrmVerdict;
use crate::config::ScanConfig;
use crate::http::Client;
use crate::probe::challenge::ChallengeFacts;
use crate::probe::prm::PrmFacts;
use crate::probe::{auth_server as auth_server_probe, oauth as oauth_probe, Trace};

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
    let plan = oauth_probe::plan(facts, prm, verdict, trace);
    let pending =
        auth_server_probe::fetch(client, plan.issuers.clone(), plan.left_out.clone()).await;
    let metadata_depth = start + pending.depth();
    let servers = pending.record(trace);
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
        None => oauth_probe::OauthFacts::default(),
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
