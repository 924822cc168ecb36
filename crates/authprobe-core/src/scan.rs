//! The scan: runs the probes as a dependency graph and assembles the report.
//!
//! Graph (each level waits only for what it needs):
//! 1. at once: unauthenticated `initialize`, GET stream, bogus-token `initialize`,
//!    and the well-known PRM candidates of the target URL (GET + CORS preflight);
//! 2. once the challenge is known: the challenge's `resource_metadata` URL, the
//!    well-known candidates of the final URL if the target redirected, and the GET
//!    stream inside the session when the first GET needed one;
//! 3. cleanup: DELETE of the session the probe opened, if any;
//! 4. once the PRM a client would use is known (and names authorization servers):
//!    every metadata candidate of every issuer, and the root probe of path issuers;
//! 5. once the metadata is known: the JWK Set, an invalid grant at the token
//!    endpoint and, with `--active`, the realistic client registration;
//! 6. (active) the unsafe registrations, a second client, the authorization
//!    requests and the invalid grant from the registered client;
//! 7. (active) an RFC 7592 DELETE of every client created.

use std::time::Instant;

use futures_util::future::join_all;
use url::Url;

use crate::check::oauth::OauthScan;
use crate::check::{
    auth_server as auth_server_check, challenge, discovery, outcome, prm as prm_check, steps,
};
use crate::config::ScanConfig;
use crate::http::{Client, ClientConfig, ClientError, Fetched, Trust};
use crate::probe::challenge as challenge_probe;
use crate::probe::prm::{self as prm_probe, Candidate, PrmFacts, Source};
use crate::probe::{auth_server as auth_server_probe, oauth as oauth_probe};
use crate::probe::{Trace, DEFAULT_PROTOCOL_VERSION};
use crate::report::{primary_finding, AuthDiscovery, PrmCandidate, Report, SCHEMA_VERSION};
use crate::wire::www_authenticate::ResourceMetadataRef;

/// Why a scan could not start at all (everything after that lands in the report).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The HTTP client could not be configured.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// One PRM candidate in flight: GET and preflight.
struct PendingCandidate {
    source: Source,
    url: Url,
    fetch: Fetched,
    preflight: Fetched,
}

async fn fetch_candidate(
    client: &Client,
    source: Source,
    url: Url,
    trust: Trust,
) -> PendingCandidate {
    let (fetch, preflight) = futures_util::future::join(
        client.send(prm_probe::fetch_request(source, &url, trust)),
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

fn bogus_token() -> String {
    // Looks like a real opaque token; unique so that no cache could have seen it.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("authprobe-invalid-{nanos:x}")
}

/// Runs a scan and returns its report. Only a configuration error fails; a server
/// that is down, slow or hostile yields a report that says so.
pub async fn scan(config: &ScanConfig) -> Result<Report, ScanError> {
    let started = Instant::now();
    let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut client_config = ClientConfig::new(config.target.clone(), config.timeout);
    client_config.deadline = started + config.deadline;
    client_config.scan_start = started;
    client_config.body_cap = config.body_cap;
    client_config.insecure = config.insecure;
    client_config.extra_headers = config.headers.clone();
    client_config.allow_private = config.allow_private_issuers;
    client_config.observer = config.observer.clone();
    let client = Client::new(client_config)?;
    if config.stdio_bridge {
        return Ok(crate::stage2::scan_stdio(config, &client, started, timestamp).await);
    }

    let version = config
        .protocol_version
        .clone()
        .unwrap_or_else(|| DEFAULT_PROTOCOL_VERSION.to_string());
    let target = &config.target;
    let follow = config.follow_redirects;

    // Level 1. The primary request is `initialize`, with a modern
    // `server/discover` beside it unless a version is forced; a forced
    // 2026-07-28 makes `server/discover` the primary.
    let well_known = prm_probe::well_known(target);
    let forced_modern = version == crate::wire::mcp::MODERN_VERSION;
    let primary = if forced_modern {
        challenge_probe::discover_request(target, follow)
    } else {
        challenge_probe::initialize_request(target, &version, follow)
    };
    let discover = (config.protocol_version.is_none())
        .then(|| challenge_probe::discover_request(target, follow));
    let (init, get, bogus, wk, discover) = tokio::join!(
        client.send(primary.clone()),
        client.send(challenge_probe::get_stream_request(target, follow, None)),
        client.send(challenge_probe::with_bogus_token(primary, &bogus_token())),
        join_all(well_known.iter().map(|(source, url)| fetch_candidate(
            &client,
            *source,
            url.clone(),
            Trust::Target
        ))),
        async {
            match discover {
                Some(spec) => Some(client.send(spec).await),
                None => None,
            }
        },
    );
    let mut trace = Trace::new();
    let init = trace.record(init);
    let get = trace.record(get);
    let bogus = trace.record(bogus);
    let first_candidates = record_candidates(&mut trace, wk);
    let discover = discover.map(|d| trace.record(d));
    let initialize = init.clone();
    let (init, primary_method) = match &discover {
        // A server that answers the modern request as a 2026-07-28 server does is judged on it.
        Some(d)
            if trace.last_of(d).is_some_and(|e| {
                challenge_probe::is_modern_answer(&challenge_probe::classify(e))
            }) =>
        {
            (d.clone(), "server/discover")
        }
        _ if forced_modern => (init, "server/discover"),
        _ => (init, "initialize"),
    };
    let mut facts = challenge_probe::ChallengeFacts::new(&trace, init, get, bogus);
    facts.primary_method = primary_method;
    if facts.session_id.is_none() {
        // A server that speaks both generations may have opened a session for the
        // `initialize` even when it is judged on `server/discover`: the GET probe (sent
        // without a version header, so under the older rules) is judged against that
        // session, and the session is closed at the end.
        facts.session_id = challenge_probe::issued_session(&trace, &initialize);
    }

    // Level 2.
    let effective = facts.effective_url.clone();
    let mut wanted: Vec<(Source, Url, Trust)> = Vec::new();
    if let Some(rm) = &facts.resource_metadata {
        let url = match rm {
            ResourceMetadataRef::Absolute(u) => Some(u.clone()),
            ResourceMetadataRef::Relative { resolved } => Some(resolved.clone()),
            ResourceMetadataRef::Invalid(_) => None,
        };
        if let Some(url) = url {
            wanted.push((Source::Header, url, Trust::Steered));
        }
    }
    let redirected = facts.initialize.redirected() && &effective != target;
    if redirected {
        for (source, url) in prm_probe::well_known(&effective) {
            wanted.push((source, url, Trust::Steered));
        }
    }
    let known = |url: &Url| first_candidates.iter().find(|c| &c.url == url);
    let mut to_fetch: Vec<(Source, Url, Trust)> = Vec::new();
    for (source, url, trust) in &wanted {
        // One request per URL, however many roles it plays.
        if known(url).is_none() && !to_fetch.iter().any(|(_, u, _)| u == url) {
            to_fetch.push((*source, url.clone(), *trust));
        }
    }
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
    // Stage 2 runs beside level 2: it needs only to know whether auth blocks it.
    let stage2_plan = crate::stage2::plan(config, &facts, &trace);
    let (fetched, session_get, stage2) = tokio::join!(
        join_all(
            to_fetch
                .iter()
                .map(|(s, u, t)| fetch_candidate(&client, *s, u.clone(), *t))
        ),
        async {
            match session_get {
                Some(spec) => Some(client.send(spec).await),
                None => None,
            }
        },
        crate::stage2::run(&client, stage2_plan),
    );
    facts.get_with_session = session_get.map(|f| trace.record(f));
    let second_candidates = record_candidates(&mut trace, fetched);
    let transport = crate::stage2::record(stage2, &mut trace, false, &version);

    // The candidate list in client order, reusing exchanges where URLs coincide.
    let mut candidates = Vec::new();
    let lookup = |url: &Url| {
        second_candidates
            .iter()
            .chain(first_candidates.iter())
            .find(|c| &c.url == url)
    };
    for (source, url, _) in &wanted {
        if let Some(c) = lookup(url) {
            candidates.push(Candidate {
                source: *source,
                ..c.clone()
            });
        }
    }
    if !redirected {
        candidates.extend(first_candidates.iter().cloned());
    }
    candidates.sort_by_key(|c| c.source);
    candidates.dedup_by_key(|c| c.source);
    let superseded = if redirected {
        first_candidates.clone()
    } else {
        Vec::new()
    };
    let prm = PrmFacts {
        candidates,
        superseded,
    };

    // Level 3: leave nothing behind.
    if let Some(session) = &facts.session_id {
        let fetched = client
            .send(challenge_probe::delete_session_request(&effective, session))
            .await;
        trace.record(fetched);
    }

    // Levels 4 to 7.
    let verdict = prm_check::evaluate(&prm, &trace, &effective);
    let oauth = oauth_stages(
        &client, &mut trace, &facts, &prm, &verdict, config, &effective,
    )
    .await;

    // Judge.
    let non_oauth = facts.challenge.bearer().is_none()
        && matches!(facts.challenge, challenge_probe::ChallengeState::Parsed(ref l) if !l.is_empty());
    let mut findings = challenge::findings(&facts, &prm, &verdict, &trace);
    if facts.auth_required() && (!non_oauth || verdict.any_usable()) {
        if let Some(i) = verdict.chosen {
            findings.extend(verdict.candidates[i].findings.iter().cloned());
        }
    }
    findings.extend(discovery::findings(
        &prm,
        &verdict,
        &trace,
        discovery::DiscoveryContext {
            auth_required: facts.auth_required(),
            non_oauth_scheme: non_oauth,
        },
    ));
    findings.extend(oauth.findings(&trace));
    findings.extend(crate::check::transport::findings(&transport, &trace));
    outcome::link_consequences(&mut findings);
    let findings = outcome::apply_family_modes(findings, config.mcp_mode, config.rfc_mode);
    let findings = outcome::order_and_merge(findings);
    let result = oauth.adjust_outcome(
        outcome::outcome(&facts, &verdict, &trace, &findings),
        &trace,
    );
    let mut steps = steps::steps(
        &facts,
        &prm,
        &verdict,
        &trace,
        &findings,
        config.bearer_token.is_some(),
        oauth.steps(&trace, &findings),
    );
    crate::check::transport_steps::insert(
        &mut steps,
        crate::check::transport_steps::steps(&transport, &trace, &findings),
    );
    let primary = primary_finding(&findings);
    let tools = transport.tools(&trace);
    let protocol = crate::stage2::protocol(&transport, Some(&facts));

    let mut auth_discovery = auth_discovery(&facts, &prm, &verdict, &trace);
    (
        auth_discovery.authorization_server_metadata,
        auth_discovery.registration_paths,
        auth_discovery.test_clients,
    ) = oauth.discovery(&trace);
    let auth_required = trace
        .last_of(&facts.initialize)
        .and_then(|e| e.response.as_ref())
        .map(|_| facts.auth_required());
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: config.command_line.clone(),
        target: target.to_string(),
        mode: match config.mode {
            crate::config::ScanMode::Passive => "passive".into(),
            crate::config::ScanMode::Active => "active".into(),
        },
        mcp_mode: config.mcp_mode.as_str().into(),
        rfc_mode: config.rfc_mode.as_str().into(),
        timestamp,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        outcome: result,
        auth_required,
        prm_ok: verdict.chosen_usable,
        oauth_discovery_viable: facts.auth_required() && verdict.chosen_usable,
        authz_server_metadata_ok: oauth.metadata_ok(),
        protocol,
        auth_discovery,
        steps,
        findings,
        primary_finding: primary,
        exchanges: trace.into_exchanges(),
        tools,
        stdio: None,
    })
}

fn auth_discovery(
    facts: &challenge_probe::ChallengeFacts,
    prm: &PrmFacts,
    verdict: &prm_check::PrmVerdict,
    trace: &Trace,
) -> AuthDiscovery {
    let resource_metadata = facts.resource_metadata.as_ref().and_then(|r| match r {
        ResourceMetadataRef::Absolute(u) => Some(u.to_string()),
        ResourceMetadataRef::Relative { resolved } => Some(resolved.to_string()),
        ResourceMetadataRef::Invalid(_) => None,
    });
    let prm_candidates = prm
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| PrmCandidate {
            source: c.source.as_str().into(),
            url: c.url.to_string(),
            exchange_id: Some(c.fetch.last()),
            status: c.status(trace),
            usable: verdict.candidates.get(i).map(|v| v.usable).unwrap_or(false),
            chosen: verdict.chosen == Some(i),
        })
        .collect();
    let chosen_doc = verdict.chosen.and_then(|i| prm.candidates[i].doc());
    AuthDiscovery {
        resource_metadata,
        prm_candidates,
        resource: chosen_doc.and_then(|d| d.resource.clone()),
        authorization_servers: chosen_doc
            .and_then(|d| d.authorization_servers.clone())
            .unwrap_or_default(),
        scopes_supported: chosen_doc
            .and_then(|d| d.scopes_supported.clone())
            .unwrap_or_default(),
        challenge_scope: facts
            .challenge
            .bearer()
            .and_then(|b| b.param("scope"))
            .map(str::to_string),
        ..AuthDiscovery::default()
    }
}

/// Stages 4 to 6: the authorization server metadata of every issuer the PRM names,
/// then (for the first usable one) the JWK Set, token endpoint and registration.
async fn oauth_stages(
    client: &Client,
    trace: &mut Trace,
    facts: &challenge_probe::ChallengeFacts,
    prm: &PrmFacts,
    verdict: &prm_check::PrmVerdict,
    config: &ScanConfig,
    mcp_url: &Url,
) -> OauthScan {
    let plan = oauth_probe::plan(facts, prm, verdict, trace);
    let servers = auth_server_probe::fetch(client, plan.issuers.clone(), plan.left_out.clone())
        .await
        .record(trace);
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
    OauthScan {
        plan,
        servers,
        verdict: server_verdict,
        later,
        mode: config.mode,
    }
}
