//! Stages 1 and 3: the requests that need nothing but the target URL, and those
//! that need only the primary answer (the challenge's metadata URL, the well-known
//! URLs after a redirect) or the GET probe (the GET inside a session). Stage 2 is
//! handed its plan as soon as the primary answer allows.

use futures_util::future::{join, join_all};
use tokio::sync::oneshot;
use url::Url;

use super::graph::{after, Depth};
use crate::config::ScanConfig;
use crate::facts::challenge::{self as challenge_facts, final_url, ChallengeFacts, ChallengeState};
use crate::facts::prm::{Candidate, PrmFacts, Source};
use crate::facts::Trace;
use crate::http::{Client, Fetched, RequestSpec, Trust};
use crate::probe::challenge as challenge_probe;
use crate::probe::prm as prm_probe;
use crate::probe::transport::Plan;
use crate::wire::mcp::MODERN_VERSION;
use crate::wire::www_authenticate::{resolve_resource_metadata, ResourceMetadataRef};

/// Where stage 2's plan goes, with the depth stage 2 starts at.
pub(super) type Stage2Plan = oneshot::Sender<(Result<Plan, String>, Depth)>;

/// Stages 1 and 3, recorded.
pub(super) struct First {
    /// Every exchange so far.
    pub trace: Trace,
    /// What stage 1 saw.
    pub facts: ChallengeFacts,
    /// Every PRM candidate, in client order.
    pub prm: PrmFacts,
    /// The DELETE of the session the stage-1 request opened, and when it may go.
    pub delete: Option<(RequestSpec, Depth)>,
    /// When the PRM candidates are all in.
    pub prm_depth: Depth,
    /// The deepest request so far.
    pub depth: Depth,
}

/// One PRM candidate in flight: GET and preflight.
struct PendingCandidate {
    source: Source,
    url: Url,
    fetch: Fetched,
    preflight: Fetched,
}

impl PendingCandidate {
    fn hops(&self) -> Depth {
        self.fetch.hops().max(self.preflight.hops())
    }
}

async fn fetch_candidate(
    client: &Client,
    source: Source,
    url: Url,
    trust: Trust,
) -> PendingCandidate {
    let fetch = async {
        let fetched = client
            .send(prm_probe::fetch_request(source, &url, trust))
            .await;
        warm_issuers(client, &fetched);
        fetched
    };
    let (fetch, preflight) = join(
        fetch,
        client.send(prm_probe::preflight_request(source, &url, trust)),
    )
    .await;
    PendingCandidate {
        source,
        url,
        fetch,
        preflight,
    }
}

/// Speculation: the authorization servers a metadata document names are where the
/// next level goes; their connections open now, while the rest of this level is still
/// out, rather than once the document has been chosen.
fn warm_issuers(client: &Client, fetched: &Fetched) {
    let Some(response) = fetched.last().response.as_ref().filter(|r| r.is_success()) else {
        return;
    };
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(&response.body) else {
        return;
    };
    let issuers = doc.get("authorization_servers").and_then(|v| v.as_array());
    for issuer in issuers.into_iter().flatten().take(MAX_WARMED) {
        let Some(url) = issuer.as_str().and_then(|s| Url::parse(s).ok()) else {
            continue;
        };
        // The target's own origin has this level's connections coming free.
        if url.origin() != client.config().target.origin() {
            client.warm(&url);
        }
    }
}

/// At most this many authorization servers of one document are warmed.
const MAX_WARMED: usize = 5;

fn record_candidates(trace: &mut Trace, pending: Vec<PendingCandidate>) -> Vec<Candidate> {
    pending
        .into_iter()
        .map(|p| {
            let fetch = trace.record(p.fetch);
            let preflight = trace.record(p.preflight);
            Candidate::new(trace, p.source, p.url, fetch, Some(preflight))
        })
        .collect()
}

async fn maybe(client: &Client, spec: Option<RequestSpec>) -> Option<Fetched> {
    match spec {
        Some(spec) => Some(client.send(spec).await),
        None => None,
    }
}

fn bogus_token() -> String {
    // Looks like a real opaque token; unique so that no cache could have seen it.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("authprobe-invalid-{nanos:x}")
}

/// True when the server is judged on its `server/discover` answer: it answered as a
/// 2026-07-28 server does, or the user forced that revision.
fn judged_on_discover(discover: Option<&Fetched>, forced_modern: bool) -> bool {
    let modern = discover
        .is_some_and(|d| challenge_facts::is_modern_answer(&challenge_facts::classify(d.last())));
    modern || forced_modern
}

/// The PRM URLs a client would fetch because of the primary answer: the challenge's
/// `resource_metadata`, and the well-known URLs of the final URL after a redirect.
fn steered_candidates(primary: &Fetched, target: &Url) -> Vec<(Source, Url, Trust)> {
    let mut wanted = Vec::new();
    let last = primary.last();
    let effective = final_url(Some(last));
    let metadata = ChallengeState::of(last)
        .bearer()
        .and_then(|b| b.param("resource_metadata"))
        .map(|v| resolve_resource_metadata(v, &effective));
    match metadata {
        Some(ResourceMetadataRef::Absolute(url))
        | Some(ResourceMetadataRef::Relative { resolved: url }) => {
            wanted.push((Source::Header, url, Trust::Steered));
        }
        Some(ResourceMetadataRef::Invalid(_)) | None => {}
    }
    if primary.redirected() && &effective != target {
        for (source, url) in prm_probe::well_known(&effective) {
            wanted.push((source, url, Trust::Steered));
        }
    }
    wanted
}

/// Runs stages 1 and 3 and records them; sends stage 2 its plan on the way.
pub(super) async fn run(
    client: &Client,
    config: &ScanConfig,
    version: &str,
    stage2: Stage2Plan,
) -> First {
    let target = &config.target;
    let follow = config.follow_redirects;
    let well_known = prm_probe::well_known(target);

    // Level 1. The primary request is `initialize`, with a modern `server/discover`
    // beside it unless a version is forced; a forced 2026-07-28 makes
    // `server/discover` the primary.
    let forced_modern = version == MODERN_VERSION;
    let primary = if forced_modern {
        challenge_probe::discover_request(target, follow)
    } else {
        challenge_probe::initialize_request(target, version, follow)
    };
    let discover = (config.protocol_version.is_none())
        .then(|| challenge_probe::discover_request(target, follow));
    let bogus_spec = challenge_probe::with_bogus_token(primary.clone(), &bogus_token());

    // What waits only for the primary answer goes as soon as it is in.
    let primary_branch = async {
        let (init, discover) = join(client.send(primary), maybe(client, discover)).await;
        let primary_depth = init.hops().max(discover.as_ref().map_or(0, Fetched::hops));
        let on_discover = judged_on_discover(discover.as_ref(), forced_modern);
        let (chosen, method) = match (&discover, on_discover) {
            (Some(d), true) => (d, "server/discover"),
            (None, true) => (&init, "server/discover"),
            _ => (&init, "initialize"),
        };
        let mut stage2 = Some(stage2);
        if let Some(plan) = super::transport::early_plan(config, chosen.last(), method) {
            if let Some(tx) = stage2.take() {
                // The receiver is gone only when the scan itself is being dropped.
                let _ = tx.send((plan, primary_depth));
            }
        }
        let wanted = steered_candidates(chosen, target);
        let mut to_fetch: Vec<(Source, Url, Trust)> = Vec::new();
        for (source, url, trust) in &wanted {
            // One request per URL, however many roles it plays.
            let known = well_known.iter().any(|(_, u)| u == url);
            if !known && !to_fetch.iter().any(|(_, u, _)| u == url) {
                to_fetch.push((*source, url.clone(), *trust));
            }
        }
        let second = join_all(
            to_fetch
                .into_iter()
                .map(|(s, u, t)| fetch_candidate(client, s, u, t)),
        )
        .await;
        (init, discover, primary_depth, stage2, wanted, second)
    };
    let rest = async {
        tokio::join!(
            client.send(challenge_probe::get_stream_request(target, follow, None)),
            client.send(bogus_spec),
            join_all(well_known.iter().map(|(s, u)| fetch_candidate(
                client,
                *s,
                u.clone(),
                Trust::Target
            ))),
        )
    };
    let ((init, discover, primary_depth, stage2, wanted, second), (get, bogus, wk)) =
        join(primary_branch, rest).await;
    let get_depth = get.hops();
    let wk_depth = wk.iter().map(PendingCandidate::hops).max().unwrap_or(0);
    let second_depth = primary_depth + second.iter().map(PendingCandidate::hops).max().unwrap_or(0);
    let mut depth = primary_depth
        .max(get_depth)
        .max(bogus.hops())
        .max(wk_depth)
        .max(second_depth);

    let mut trace = Trace::new();
    let init = trace.record(init);
    let get = trace.record(get);
    let bogus = trace.record(bogus);
    let first_candidates = record_candidates(&mut trace, wk);
    let discover = discover.map(|d| trace.record(d));
    let initialize = init.clone();
    let (init, primary_method) = match &discover {
        Some(d) if judged_on_discover_recorded(&trace, d) => (d.clone(), "server/discover"),
        _ if forced_modern => (init, "server/discover"),
        _ => (init, "initialize"),
    };
    let mut facts = ChallengeFacts::new(&trace, init, get, bogus);
    facts.primary_method = primary_method;
    if facts.session_id.is_none() {
        // A server that speaks both generations may have opened a session for the
        // `initialize` even when it is judged on `server/discover`: the GET probe (sent
        // without a version header, so under the older rules) is judged against that
        // session, and the session is closed at the end.
        facts.session_id = challenge_facts::issued_session(&trace, &initialize);
    }
    let l1_depth = primary_depth.max(get_depth);
    if let Some(tx) = stage2 {
        // The primary answer alone could not tell: the GET probe decided.
        let _ = tx.send((super::transport::plan(config, &facts, &trace), l1_depth));
    }

    // Level 2: the GET inside the session, when the first one needed a session.
    let effective = facts.effective_url.clone();
    let session_get = match (
        &facts.session_id,
        trace.last_of(&facts.get).and_then(|e| e.status()),
    ) {
        (Some(id), Some(400)) => Some(challenge_probe::get_stream_request(
            &effective,
            follow,
            Some(id),
        )),
        _ => None,
    };
    let session_get = maybe(client, session_get).await;
    let delete_depth = after(l1_depth, &session_get);
    depth = depth.max(delete_depth);
    facts.get_with_session = session_get.map(|f| trace.record(f));
    let second_candidates = record_candidates(&mut trace, second);

    let redirected = facts.initialize.redirected() && effective != *target;
    let prm = candidates_in_client_order(&wanted, first_candidates, second_candidates, redirected);
    // Leave nothing behind: the session is closed once nothing else uses it.
    let delete = facts.session_id.as_ref().map(|session| {
        (
            challenge_probe::delete_session_request(&effective, session),
            delete_depth,
        )
    });
    First {
        trace,
        facts,
        prm,
        delete,
        prm_depth: wk_depth.max(second_depth),
        depth,
    }
}

/// [`judged_on_discover`] for a recorded `server/discover` (the forced case aside).
fn judged_on_discover_recorded(trace: &Trace, discover: &crate::facts::Recorded) -> bool {
    trace
        .last_of(discover)
        .is_some_and(|e| challenge_facts::is_modern_answer(&challenge_facts::classify(e)))
}

/// The candidate list in client order, reusing exchanges where URLs coincide.
fn candidates_in_client_order(
    wanted: &[(Source, Url, Trust)],
    first: Vec<Candidate>,
    second: Vec<Candidate>,
    redirected: bool,
) -> PrmFacts {
    let mut candidates = Vec::new();
    let lookup = |url: &Url| second.iter().chain(first.iter()).find(|c| &c.url == url);
    for (source, url, _) in wanted {
        if let Some(c) = lookup(url) {
            candidates.push(Candidate {
                source: *source,
                ..c.clone()
            });
        }
    }
    if !redirected {
        candidates.extend(first.iter().cloned());
    }
    candidates.sort_by_key(|c| c.source);
    candidates.dedup_by_key(|c| c.source);
    PrmFacts {
        candidates,
        superseded: if redirected { first } else { Vec::new() },
    }
}
