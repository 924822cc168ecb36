//! Stage 2 inside a scan: whether it runs and with which credentials, what it
//! adds to the report (the era, the negotiated version, the tools), and the
//! whole scan of a stdio server through authprobe's loopback bridge.

use std::time::Instant;

use crate::check::challenge::{answer_not_mcp, get_is_stream_or_auth};
use crate::check::outcome;
use crate::check::transport::{self as transport_check, steps as transport_steps};
use crate::config::ScanConfig;
use crate::facts::challenge::{classify, final_url, Answer, ChallengeFacts};
use crate::facts::transport::{Got, Run, TransportFacts};
use crate::facts::Trace;
use crate::http::{Client, ErrorKind, Exchange};
use crate::probe::transport::{self, Plan};
use crate::report::{
    primary_finding, AuthDiscovery, Outcome, ProtocolInfo, Report, Stage, Step, StepStatus,
    SCHEMA_VERSION,
};
use crate::wire::mcp::Era;

/// Why stage-1 steps and OAuth stages do not apply to a stdio server.
const STDIO_NO_AUTH: &str = "stdio server: MCP authorization does not apply (a stdio server takes its credentials from the environment)";

/// The stage-2 plan after stage 1, or why stage 2 does not run.
pub(crate) fn plan(
    config: &ScanConfig,
    facts: &ChallengeFacts,
    trace: &Trace,
) -> Result<Plan, String> {
    let primary = trace.last_of(&facts.initialize);
    let get = Some(trace.last_of(&facts.get));
    decide(config, primary, facts.primary_method, &facts.answer, get)
        .unwrap_or_else(|| Err("the endpoint did not answer".into()))
}

/// The stage-2 plan from the primary answer alone, so that stage 2 need not wait for
/// the rest of stage 1; `None` when only the GET probe can tell whether an MCP
/// endpoint answers here.
pub(crate) fn early_plan(
    config: &ScanConfig,
    primary: &Exchange,
    method: &'static str,
) -> Option<Result<Plan, String>> {
    decide(config, Some(primary), method, &classify(primary), None)
}

/// The decision behind [`plan`] and [`early_plan`]: `get` is the GET probe's final
/// exchange, when it is known.
fn decide(
    config: &ScanConfig,
    primary: Option<&Exchange>,
    method: &'static str,
    answer: &Answer,
    get: Option<Option<&Exchange>>,
) -> Option<Result<Plan, String>> {
    let Some(exchange) = primary.filter(|e| e.response.is_some()) else {
        return Some(Err("the endpoint did not answer".into()));
    };
    // A server that could not finish one answer in time would only repeat that here.
    if exchange.error.as_ref().map(|e| e.kind) == Some(ErrorKind::Timeout) {
        return Some(Err("the endpoint did not finish its answer in time".into()));
    }
    let refusal = match answer {
        Answer::AuthRequired(status) if config.bearer_token.is_none() && config.login.is_none() => Some(format!(
            "authorization is required ({method} answered {status}) and no token was given: give --bearer-token, --bearer-token-file or --login to check the transport and lifecycle"
        )),
        Answer::Redirect(_) => Some("the target redirects".into()),
        Answer::Html(_) | Answer::Other(..) if answer_not_mcp(answer, primary) => match get {
            None => return None,
            Some(get) if !get_is_stream_or_auth(get) => Some("no MCP endpoint answers here".into()),
            Some(_) => None,
        },
        Answer::NoResponse => Some("the endpoint did not answer".into()),
        _ => None,
    };
    Some(match refusal {
        Some(why) => Err(why),
        None => Ok(Plan {
            url: final_url(primary),
            token: config.bearer_token.clone(),
            forced_version: config.protocol_version.clone(),
            stdio: config.stdio_bridge,
        }),
    })
}

/// The protocol section of the report: stage 2's answer, else what stage 1 saw.
pub(crate) fn protocol(t: &TransportFacts, facts: Option<&ChallengeFacts>) -> ProtocolInfo {
    let mut era = t.era;
    let mut negotiated = t.negotiated.clone();
    if era == Era::Unknown {
        if let Some(Answer::JsonRpcResult(v)) = facts.map(|f| &f.answer) {
            if facts.is_some_and(|f| f.primary_method == "server/discover") {
                era = Era::Stateless;
                negotiated = Some(crate::wire::mcp::MODERN_VERSION.into());
            } else if let Some(version) = v.get("protocolVersion").and_then(|v| v.as_str()) {
                era = Era::Stateful;
                negotiated = Some(version.to_string());
            }
        }
    }
    ProtocolInfo {
        era: era.as_str().into(),
        negotiated_version: negotiated,
        requested_version: t.requested.clone(),
    }
}

/// Runs stage 2, or passes on why not.
pub(crate) async fn run(client: &Client, plan: Result<Plan, String>) -> Result<Run, String> {
    match plan {
        Ok(plan) => Ok(transport::run(client, &plan).await),
        Err(why) => Err(why),
    }
}

/// Records a stage-2 run (or its absence) into the trace.
pub(crate) fn record(
    run: Result<Run, String>,
    trace: &mut Trace,
    stdio: bool,
    requested: &str,
) -> TransportFacts {
    match run {
        Ok(run) => TransportFacts::record(run, trace, stdio),
        Err(why) => TransportFacts::skipped(why, requested),
    }
}

/// A scan of a stdio server through the bridge: stage 2 only.
pub(crate) async fn scan_stdio(
    config: &ScanConfig,
    client: &Client,
    started: Instant,
    timestamp: String,
) -> Report {
    let plan = Plan {
        url: config.target.clone(),
        token: None,
        forced_version: config.protocol_version.clone(),
        stdio: true,
    };
    let run = transport::run(client, &plan).await;
    let critical_path = run.depth;
    let mut trace = Trace::new();
    let facts = TransportFacts::record(run, &mut trace, true);
    let mut findings = transport_check::findings(&facts, &trace);
    outcome::link_consequences(&mut findings);
    let findings = outcome::apply_family_modes(findings, config.mcp_mode, config.rfc_mode);
    let findings = outcome::order_and_merge(findings);

    let result = stdio_outcome(&facts, &trace);
    let mut steps: Vec<Step> = Vec::new();
    for stage in Stage::ALL {
        if stage != Stage::Transport {
            steps.push(Step {
                id: stage_step_id(stage).into(),
                stage,
                name: stage.title().into(),
                status: StepStatus::Skip,
                detail: STDIO_NO_AUTH.into(),
                exchange_ids: Vec::new(),
            });
        }
    }
    transport_steps::insert(
        &mut steps,
        transport_steps::steps(&facts, &trace, &findings),
    );
    let tools = facts.tools(&trace);
    Report {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: config.command_line.clone(),
        target: config.target.to_string(),
        mode: config.mode.as_str().into(),
        mcp_mode: config.mcp_mode.as_str().into(),
        rfc_mode: config.rfc_mode.as_str().into(),
        timestamp,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        critical_path,
        outcome: result,
        auth_required: Some(false),
        prm_ok: false,
        oauth_discovery_viable: false,
        authz_server_metadata_ok: false,
        protocol: protocol(&facts, None),
        auth_discovery: AuthDiscovery::default(),
        steps,
        primary_finding: primary_finding(&findings),
        findings,
        exchanges: trace.into_exchanges(),
        tools,
        clients: Vec::new(),
        stdio: None,
        token: None,
        root_cause: None,
    }
}

/// The outcome of a stdio scan: the server answered MCP, answered something
/// else, never answered in time, or was gone.
fn stdio_outcome(facts: &TransportFacts, trace: &Trace) -> Outcome {
    if facts.init_result(trace).is_some() {
        return Outcome::NoAuth;
    }
    let answers: Vec<Got> = facts
        .probes
        .iter()
        .filter_map(|(p, _)| facts.got(trace, *p).map(|(_, g)| g))
        .collect();
    if answers.iter().any(|g| !g.is_inconclusive()) {
        return Outcome::NotMcp;
    }
    let timed_out = answers
        .iter()
        .any(|g| matches!(g, Got::NoAnswer(Some(ErrorKind::Timeout)) | Got::Cut { .. }));
    if timed_out {
        Outcome::Timeout
    } else {
        Outcome::Unreachable
    }
}

fn stage_step_id(stage: Stage) -> &'static str {
    match stage {
        Stage::Challenge => "challenge",
        Stage::Transport => "transport",
        Stage::Prm => "prm",
        Stage::AuthServer => "auth-server",
        Stage::Token => "token",
        Stage::Registration => "registration",
        Stage::Session => "session",
    }
}
