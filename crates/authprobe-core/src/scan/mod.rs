//! The scan: runs the probes as a dependency graph ([`graph`] draws it) and
//! assembles the report.
//!
//! Three branches run at once: stages 1 and 3 then stages 4 to 6 ([`first`],
//! [`later`]), stage 2 (started as soon as the primary answer allows), and the
//! DELETE of a session stage 1 opened. Each records into the trace in a fixed order
//! when its answers are in.

mod discovery;
mod graph;
mod login;
mod oauth;
mod session;
mod transport;

use std::time::Instant;

use futures_util::future::join;
use tokio::sync::oneshot;

use crate::check::discovery as discovery_check;
use crate::check::{challenge, outcome, prm as prm_check, steps};
use crate::config::ScanConfig;
use crate::facts::challenge as challenge_facts;
use crate::facts::prm::PrmFacts;
use crate::facts::Trace;
use crate::http::{Client, ClientConfig, ClientError, Fetched};
use crate::probe::transport::Plan;
use crate::probe::DEFAULT_PROTOCOL_VERSION;
use crate::report::{
    primary_finding, AuthDiscovery, Outcome, PrmCandidate, Report, StepStatus, SCHEMA_VERSION,
};
use crate::wire::mcp::Era;
use crate::wire::www_authenticate::ResourceMetadataRef;

/// Why a scan could not start at all (everything after that lands in the report).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The HTTP client could not be configured.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// `--login` could not finish because of the person or the command line
    /// (the login was not completed in time, an option is missing); the
    /// message names the request it stopped at and never holds a secret.
    #[error("{0}")]
    Login(String),
}

/// The recording client for one scan.
fn client(config: &ScanConfig, started: Instant) -> Result<Client, ClientError> {
    let mut client_config = ClientConfig::new(config.target.clone(), config.timeout);
    // The person's part of a login does not eat into the scan's own deadline.
    let waiting = config
        .login
        .as_ref()
        .map_or(Default::default(), |l| l.timeout);
    client_config.deadline = started + config.deadline + waiting;
    client_config.scan_start = started;
    client_config.body_cap = config.body_cap;
    client_config.insecure = config.insecure;
    client_config.extra_headers = config.headers.clone();
    client_config.allow_private = config.allow_private_issuers;
    client_config.observer = config.observer.clone();
    client_config.limits = config.limits.clone();
    Client::new(client_config)
}

/// Runs a scan and returns its report, with its root-cause analysis. Only a
/// configuration error fails; a server that is down, slow or hostile yields a report
/// that says so.
pub async fn scan(config: &ScanConfig) -> Result<Report, ScanError> {
    let mut report = judged(config).await?;
    report.clients = crate::clients::judge(&report);
    report.root_cause = Some(crate::root_cause::analyse(&report));
    Ok(report)
}

/// The scan and its judgement, before the root-cause analysis.
async fn judged(config: &ScanConfig) -> Result<Report, ScanError> {
    let started = Instant::now();
    let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let client = client(config, started)?;
    if config.stdio_bridge {
        return Ok(transport::scan_stdio(config, &client, started, timestamp).await);
    }

    let version = config
        .protocol_version
        .clone()
        .unwrap_or_else(|| DEFAULT_PROTOCOL_VERSION.to_string());
    let (to_stage2, stage2_plan) = oneshot::channel::<(Result<Plan, String>, graph::Depth)>();
    // With --login, stage 2 waits for the login's token (and starts where the login ends).
    let (token_tx, token_rx) = oneshot::channel::<(Option<String>, graph::Depth)>();
    let stage2 = async {
        match stage2_plan.await {
            Ok((Ok(mut plan), start)) if config.login.is_some() => match token_rx.await {
                Ok((Some(token), after_login)) => {
                    plan.token = Some(token);
                    (
                        transport::run(&client, Ok(plan)).await,
                        start.max(after_login),
                    )
                }
                _ => (
                    Err("the login did not obtain a token (see the Login step)".to_string()),
                    start,
                ),
            },
            Ok((plan, start)) => (transport::run(&client, plan).await, start),
            // Stage 1 always decides; without a decision there is nothing to run.
            Err(_) => (Err("stage 1 did not finish".to_string()), 0),
        }
    };
    let main = async {
        let first = discovery::run(&client, config, &version, to_stage2).await;
        let discovery::First {
            mut trace,
            facts,
            prm,
            delete,
            prm_depth,
            depth,
        } = first;
        let verdict = prm_check::evaluate(&prm, &trace, &facts.effective_url);
        let (delete_spec, delete_start) = delete.unzip();
        let (deleted, oauth) = join(
            async {
                match delete_spec {
                    Some(spec) => Some(client.send(spec).await),
                    None => None,
                }
            },
            oauth::run(
                &client, &mut trace, &facts, &prm, &verdict, config, prm_depth,
            ),
        )
        .await;
        let delete_depth = delete_start.unwrap_or(0) + deleted.as_ref().map_or(0, Fetched::hops);
        let (oauth, oauth_depth) = oauth;
        let login = login::run(
            &client,
            config,
            &oauth,
            &facts.effective_url,
            started,
            &mut trace,
        )
        .await;
        let after_login = oauth_depth + login.as_ref().map_or(0, |l| l.depth);
        let _ = token_tx.send((
            login
                .as_ref()
                .and_then(|l| l.secrets())
                .map(|s| s.access_token.clone()),
            after_login,
        ));
        let depth = depth.max(delete_depth).max(after_login);
        (trace, facts, prm, verdict, deleted, oauth, depth, login)
    };
    let (
        (mut trace, facts, prm, verdict, deleted, oauth, depth, mut login),
        (stage2, stage2_start),
    ) = join(main, stage2).await;
    let stage2_depth = stage2_start + stage2.as_ref().map_or(0, |run| run.depth);
    let transport = transport::record(stage2, &mut trace, false, &version);
    if let Some(fetched) = deleted {
        trace.record(fetched);
    }
    let target = &config.target;

    // Stage 7 starts when stages 2 to 6 are in: they name the era, resource and issuer.
    let prm_resource = verdict
        .chosen
        .and_then(|i| prm.candidates.get(i))
        .and_then(|c| c.doc())
        .and_then(|d| d.resource.clone());
    let obtained = login
        .as_ref()
        .and_then(|l| l.secrets())
        .map(|s| s.access_token.clone());
    let before = session::Before {
        facts: &facts,
        prm_resource: prm_resource.clone(),
        oauth: &oauth,
        transport: &transport,
        version: &version,
        obtained: obtained.is_some(),
        no_token: login
            .as_ref()
            .map(|_| "the login did not obtain a token (see the Login step)".to_string()),
    };
    let stage7 = session::run(
        &client,
        config,
        config.bearer_token.as_deref().or(obtained.as_deref()),
        before,
        &mut trace,
    )
    .await;
    if let Some(login) = login.as_mut() {
        let session = (&facts.effective_url, stage7.modern, stage7.version.as_str());
        login
            .finish(&client, config, &oauth, session, &mut trace)
            .await;
        if let Some(why) = login::user_failure(login) {
            return Err(ScanError::Login(why));
        }
    }
    let critical_path = depth.max(stage2_depth) + stage7.depth;

    // Judge.
    let non_oauth = facts.challenge.bearer().is_none()
        && matches!(facts.challenge, challenge_facts::ChallengeState::Parsed(ref l) if !l.is_empty());
    let mut findings = challenge::findings(&facts, &prm, &verdict, &trace);
    if facts.auth_required() && (!non_oauth || verdict.any_usable()) {
        if let Some(i) = verdict.chosen {
            findings.extend(verdict.candidates[i].findings.iter().cloned());
        }
    }
    findings.extend(discovery_check::findings(
        &prm,
        &verdict,
        &trace,
        discovery_check::DiscoveryContext {
            auth_required: facts.auth_required(),
            non_oauth_scheme: non_oauth,
        },
    ));
    findings.extend(oauth.findings(&trace));
    findings.extend(crate::check::transport::findings(&transport, &trace));
    findings.extend(stage7.findings(&trace));
    let selected = oauth.verdict.selected(&oauth.servers).map(|(_, m)| m);
    let login_ctx = crate::check::login::LoginContext {
        canonical: facts.effective_url.as_str(),
        prm_resource: prm_resource.as_deref(),
        issuer: selected.and_then(|m| m.issuer.as_deref()),
        iss_advertised: selected
            .is_some_and(|m| m.authorization_response_iss_parameter_supported == Some(true)),
    };
    if let Some(login) = &login {
        findings.extend(login.findings(&trace, &login_ctx));
    }
    // The revision the server was judged on: server/discover answered (or was forced),
    // or stage 2 read the stateless era; otherwise not 2026-07-28.
    let modern = facts.primary_method == "server/discover" || transport.era == Era::Stateless;
    outcome::keep_rules_of_revision(&mut findings, modern.then_some("2026-07-28"));
    outcome::link_consequences(&mut findings);
    // The outcome says what happened on the wire: it is judged on every finding,
    // before --mcp/--rfc leave some out of the report.
    let on_the_wire = outcome::outcome(&facts, &verdict, &trace, &findings);
    let unjudged = outcome::unjudged_steps(&findings, config.mcp_mode, config.rfc_mode);
    let findings = outcome::apply_family_modes(findings, config.mcp_mode, config.rfc_mode);
    let findings = outcome::order_and_merge(findings);
    let result = oauth.adjust_outcome(on_the_wire, &trace);
    let mut steps = steps::steps(
        &facts,
        &prm,
        &verdict,
        &trace,
        &findings,
        oauth.steps(&trace, &findings),
        login
            .iter()
            .map(|l| l.step(&findings))
            .chain(stage7.steps(&trace, &findings))
            .collect(),
    );
    crate::check::transport::steps::insert(
        &mut steps,
        crate::check::transport::steps::steps(&transport, &trace, &findings),
    );
    outcome::mark_unjudged(&mut steps, &unjudged);
    if on_the_wire == Outcome::NoAuth {
        // A login to a server that asks for none has nothing to find: not a failure.
        for step in steps
            .iter_mut()
            .filter(|s| s.id == "login" && s.status == StepStatus::Fail)
        {
            step.status = StepStatus::Skip;
            step.detail = format!("authorization not required ({})", step.detail);
        }
    }
    let primary = primary_finding(&findings);
    let tools = transport.tools(&trace);
    let protocol = transport::protocol(&transport, Some(&facts));

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
        mode: config.mode.as_str().into(),
        mcp_mode: config.mcp_mode.as_str().into(),
        rfc_mode: config.rfc_mode.as_str().into(),
        timestamp,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        critical_path,
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
        clients: Vec::new(),
        stdio: None,
        token: stage7.token_info(),
        root_cause: None,
    })
}

fn auth_discovery(
    facts: &challenge_facts::ChallengeFacts,
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
