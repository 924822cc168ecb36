//! The order of the stage-2 requests: detection, then each era's probes, in
//! as few round trips as their dependencies allow.

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::client::{set_header, McpHttp};
use super::Plan;
use crate::facts::transport::{
    Got, Probe, Run, BOGUS_VERSION, FOREIGN_ORIGIN, MAX_PAGES, UNKNOWN_SESSION,
};
use crate::http::{Client, Fetched, RequestSpec};
use crate::wire::mcp::{self, Era, Revision, LATEST_STATEFUL_VERSION, MODERN_VERSION};
use crate::wire::sse::parse_all;

/// The task id the task probes ask about: no server has one of this name.
const UNKNOWN_TASK: &str = "authprobe-unknown-task";

/// Runs stage 2 against `plan.url`.
pub async fn run(client: &Client, plan: &Plan) -> Run {
    let mut mcp = McpHttp::new(client.clone(), plan.url.clone(), plan.token.clone());
    let mut run = Run {
        requested: LATEST_STATEFUL_VERSION.into(),
        ..Run::default()
    };
    let forced = plan
        .forced_version
        .as_deref()
        .map(|v| (v, Revision::rules_for(v)));
    match forced {
        Some((v, r)) if r.is_stateless() || v == MODERN_VERSION => {
            run.requested = v.into();
            let got = discover(&mcp, &mut run, v, None).await;
            if got.result().is_some() {
                stateless(&mut mcp, &mut run, v, plan).await;
            } else {
                run.era = Era::Stateless;
                run.revision = Some(Revision::V2026_07_28);
                run.stopped = stop_reason(&got, "server/discover");
            }
        }
        Some((v, Revision::V2024_11_05)) if v == Revision::V2024_11_05.as_str() => {
            run.requested = v.into();
            legacy_get(&mcp, &mut run).await;
        }
        Some((v, _)) => {
            run.requested = v.into();
            if !plan.stdio {
                // Sent first, so that it truly precedes any initialization.
                let spec = ordering_probe(&mcp);
                let fetched = mcp.send(spec).await;
                run.depth += fetched.hops();
                run.sends.push((Probe::Ordering, fetched));
            }
            initialize(&mut mcp, &mut run, v, None, plan).await;
        }
        None => detect(&mut mcp, &mut run, plan).await,
    }
    run
}

/// Detection without a forced version: modern first, then the fallbacks.
async fn detect(mcp: &mut McpHttp, run: &mut Run, plan: &Plan) {
    let ordering = (!plan.stdio).then(|| ordering_probe(mcp));
    let got = discover(mcp, run, MODERN_VERSION, ordering).await;
    let modern = match &got {
        Got::Result(_) => true,
        Got::Status(400, Some(e)) | Got::Error(e) if mcp::is_modern_error(e.code) => {
            // A modern server that only lists older versions is a dual-era one
            // without 2026-07-28: the legacy handshake is the way in.
            let legacy_listed = e.code == mcp::UNSUPPORTED_PROTOCOL_VERSION
                && mcp::supported_versions(&e.raw)
                    .is_some_and(|list| list.iter().any(|v| v.as_str() < MODERN_VERSION));
            !legacy_listed
        }
        _ => false,
    };
    if modern {
        run.requested = MODERN_VERSION.into();
        match got.result() {
            Some(_) => stateless(mcp, run, MODERN_VERSION, plan).await,
            None => {
                run.era = Era::Stateless;
                run.revision = Some(Revision::V2026_07_28);
                run.stopped = stop_reason(&got, "server/discover");
            }
        }
        return;
    }
    initialize(mcp, run, LATEST_STATEFUL_VERSION, Some(got), plan).await;
}

/// `tools/list` without a session, before this scan's `initialize`.
fn ordering_probe(mcp: &McpHttp) -> RequestSpec {
    let message = mcp::stateful_request(Probe::Ordering.id(), "tools/list", Value::Null);
    mcp.post(&message, &Probe::Ordering.purpose())
}

/// Sends `server/discover` (with `extra` alongside, when given) and records both.
async fn discover(mcp: &McpHttp, run: &mut Run, version: &str, extra: Option<RequestSpec>) -> Got {
    let mut modern = mcp.clone();
    modern.modern = true;
    modern.version_header = Some(version.to_string());
    let message = mcp::modern_request(
        Probe::Discover.id(),
        "server/discover",
        Value::Null,
        version,
    );
    let spec = modern.post(&message, &Probe::Discover.purpose());
    let (fetched, extra) = futures_util::future::join(mcp.send(spec), async {
        match extra {
            Some(spec) => Some(mcp.send(spec).await),
            None => None,
        }
    })
    .await;
    let got = Got::of(fetched.last(), &Probe::Discover.id());
    run.depth += fetched.hops().max(extra.as_ref().map_or(0, Fetched::hops));
    run.sends.push((Probe::Discover, fetched));
    if let Some(f) = extra {
        run.sends.push((Probe::Ordering, f));
    }
    got
}

/// `initialize`, then the stateful probes, or the legacy GET after a 4xx.
async fn initialize(
    mcp: &mut McpHttp,
    run: &mut Run,
    version: &str,
    discovered: Option<Got>,
    plan: &Plan,
) {
    let message = mcp::initialize(Probe::Initialize.id(), version);
    let fetched = mcp
        .send(mcp.post(&message, &Probe::Initialize.purpose()))
        .await;
    let exchange = fetched.last().clone();
    let got = Got::of(&exchange, &Probe::Initialize.id());
    run.depth += fetched.hops();
    run.sends.push((Probe::Initialize, fetched));
    let Got::Result(result) = &got else {
        match &got {
            Got::Status(400 | 404 | 405, _) if !plan.stdio => legacy_get(mcp, run).await,
            Got::Status(401 | 403, _) => {
                run.stopped = Some(refused(plan, &got, discovered.as_ref()));
            }
            _ => run.stopped = stop_reason(&got, "initialize"),
        }
        return;
    };
    let negotiated = result
        .get("protocolVersion")
        .and_then(Value::as_str)
        .map(str::to_string);
    // Without a version the server leaves the client to assume the one it asked for.
    let rules = match Revision::rules_for(negotiated.as_deref().unwrap_or(version)) {
        // A stateless version named in an initialize result: judge the session it opened.
        r if r.is_stateless() => Revision::V2025_11_25,
        r => r,
    };
    run.era = Era::Stateful;
    run.revision = Some(rules);
    run.negotiated = negotiated.clone();
    run.session = exchange
        .response
        .as_ref()
        .and_then(|r| r.header("mcp-session-id"))
        .map(str::to_string);
    mcp.session = run.session.clone();
    if rules.has_version_header() {
        mcp.version_header = Some(negotiated.clone().unwrap_or_else(|| version.to_string()));
    }
    stateful(mcp, run, version, result.clone(), plan).await;
}

/// GET, hoping for the `endpoint` event of the 2024-11-05 HTTP+SSE transport.
async fn legacy_get(mcp: &McpHttp, run: &mut Run) {
    let fetched = mcp.send(mcp.legacy_get(&Probe::LegacyGet.purpose())).await;
    let first_event = fetched
        .last()
        .response
        .as_ref()
        .filter(|r| r.is_success() && r.media_type().as_deref() == Some("text/event-stream"))
        .and_then(|r| parse_all(r.body.as_bytes()).into_iter().next());
    run.depth += fetched.hops();
    run.sends.push((Probe::LegacyGet, fetched));
    if first_event.is_some_and(|e| e.event == "endpoint") {
        run.era = Era::LegacySse;
        run.revision = Some(Revision::V2024_11_05);
        run.negotiated = None;
    }
}

/// The stateful probes: `notifications/initialized`, then everything else in
/// parallel, then the remaining `tools/list` pages followed by the DELETE of the
/// session; the session a null-id `initialize` opened is deleted beside them.
async fn stateful(mcp: &McpHttp, run: &mut Run, requested: &str, init: Value, plan: &Plan) {
    let rules = run.revision.unwrap_or(Revision::V2025_11_25);
    let http = !plan.stdio;
    let initialized = mcp::stateful_request(Value::Null, "notifications/initialized", Value::Null);
    let mut spec = mcp.post(
        &initialized_without_id(initialized),
        &Probe::Initialized.purpose(),
    );
    spec.stop_when = None;
    let fetched = mcp.send(spec).await;
    run.depth += fetched.hops();
    run.sends.push((Probe::Initialized, fetched));

    let ping = |probe: Probe| mcp::stateful_request(probe.id(), "ping", Value::Null);
    let mut batch: Vec<(Probe, RequestSpec)> = Vec::new();
    let tools = mcp::stateful_request(Probe::ToolsList(0).id(), "tools/list", Value::Null);
    batch.push((
        Probe::ToolsList(0),
        mcp.post(&tools, &Probe::ToolsList(0).purpose()),
    ));
    if rules.has_ping() {
        batch.push((
            Probe::Ping,
            mcp.post(&ping(Probe::Ping), &Probe::Ping.purpose()),
        ));
    }
    if http {
        let null_init = mcp::initialize(Value::Null, requested);
        let mut fresh = mcp.clone();
        fresh.session = None;
        fresh.version_header = None;
        batch.push((
            Probe::NullIdInitialize,
            fresh.post(&null_init, &Probe::NullIdInitialize.purpose()),
        ));
    }
    let null_list = mcp::stateful_request(Value::Null, "tools/list", Value::Null);
    batch.push((
        Probe::NullIdToolsList,
        mcp.post(&null_list, &Probe::NullIdToolsList.purpose()),
    ));
    if http {
        push_http_rules(mcp, run, &mut batch, rules, requested);
    }
    push_tasks(mcp, &mut batch, rules, &init);
    send_all(mcp, run, batch).await;
    // The session the null-id initialize opened has nothing more to wait for: it is
    // closed beside the remaining pages, while the scan's own session stays open
    // until its last request.
    let null_session = run
        .sends
        .iter()
        .find(|(p, _)| *p == Probe::NullIdInitialize)
        .and_then(|(_, f)| f.last().response.as_ref())
        .and_then(|r| r.header("mcp-session-id"))
        .map(str::to_string);
    let batch_depth = run.depth;
    let own_session = run.session.clone().filter(|_| http);
    let own = async {
        pages(mcp, run, |cursor, page| {
            mcp::stateful_request(
                Probe::ToolsList(page).id(),
                "tools/list",
                json!({"cursor": cursor}),
            )
        })
        .await;
        if let Some(session) = own_session {
            let fetched = mcp
                .send(mcp.delete(&session, &Probe::Delete.purpose()))
                .await;
            run.depth += fetched.hops();
            run.sends.push((Probe::Delete, fetched));
        }
    };
    let other = async {
        match null_session {
            Some(session) => Some(
                mcp.send(mcp.delete(&session, &Probe::DeleteNullIdSession.purpose()))
                    .await,
            ),
            None => None,
        }
    };
    let ((), other) = futures_util::future::join(own, other).await;
    if let Some(fetched) = other {
        run.depth = run.depth.max(batch_depth + fetched.hops());
        run.sends.push((Probe::DeleteNullIdSession, fetched));
    }
}

/// `notifications/initialized` must not carry an id: drop the one the builder put there.
fn initialized_without_id(mut message: Value) -> Value {
    if let Value::Object(obj) = &mut message {
        obj.remove("id");
    }
    message
}

/// The probes that test HTTP-level rules of a stateful session.
fn push_http_rules(
    mcp: &McpHttp,
    run: &Run,
    batch: &mut Vec<(Probe, RequestSpec)>,
    rules: Revision,
    requested: &str,
) {
    let ping = |probe: Probe| {
        let message = mcp::stateful_request(probe.id(), "ping", Value::Null);
        mcp.post(&message, &probe.purpose())
    };
    let with_id = mcp::stateful_request(
        Probe::NotificationWithId.id(),
        "notifications/initialized",
        Value::Null,
    );
    batch.push((
        Probe::NotificationWithId,
        mcp.post(&with_id, &Probe::NotificationWithId.purpose()),
    ));
    if !rules.allows_batching() {
        let array = json!([mcp::stateful_request(
            Probe::Batch.id(),
            "ping",
            Value::Null
        )]);
        batch.push((Probe::Batch, mcp.post(&array, &Probe::Batch.purpose())));
    }
    if rules.has_version_header() {
        let mut spec = ping(Probe::BadVersionHeader);
        set_header(&mut spec, "MCP-Protocol-Version", Some(BOGUS_VERSION));
        batch.push((Probe::BadVersionHeader, spec));
        if run.negotiated.as_deref().is_some_and(|n| n != requested) {
            let mut spec = ping(Probe::RequestedVersionHeader);
            set_header(&mut spec, "MCP-Protocol-Version", Some(requested));
            batch.push((Probe::RequestedVersionHeader, spec));
        }
    }
    if run.session.is_some() {
        let mut spec = ping(Probe::UnknownSession);
        set_header(&mut spec, "Mcp-Session-Id", Some(UNKNOWN_SESSION));
        batch.push((Probe::UnknownSession, spec));
        let list = mcp::stateful_request(Probe::NoSession.id(), "tools/list", Value::Null);
        let mut spec = mcp.post(&list, &Probe::NoSession.purpose());
        set_header(&mut spec, "Mcp-Session-Id", None);
        batch.push((Probe::NoSession, spec));
    }
    if rules.requires_origin_403() {
        let mut spec = ping(Probe::Origin);
        set_header(&mut spec, "Origin", Some(FOREIGN_ORIGIN));
        batch.push((Probe::Origin, spec));
    }
}

/// The task methods the server advertises (2025-11-25 only).
fn push_tasks(mcp: &McpHttp, batch: &mut Vec<(Probe, RequestSpec)>, rules: Revision, init: &Value) {
    if !rules.has_core_tasks() {
        return;
    }
    let Some(tasks) = init
        .pointer("/capabilities/tasks")
        .and_then(Value::as_object)
    else {
        return;
    };
    let task = json!({"taskId": UNKNOWN_TASK});
    let mut wanted = Vec::new();
    if tasks.contains_key("list") {
        wanted.push((Probe::TasksList, "tasks/list", Value::Null));
    }
    if tasks
        .get("requests")
        .and_then(Value::as_object)
        .is_some_and(|r| !r.is_empty())
    {
        wanted.push((Probe::TasksGet, "tasks/get", task.clone()));
    }
    if tasks.contains_key("cancel") {
        wanted.push((Probe::TasksCancel, "tasks/cancel", task));
    }
    for (probe, method, params) in wanted {
        let message = mcp::stateful_request(probe.id(), method, params);
        batch.push((probe, mcp.post(&message, &probe.purpose())));
    }
}

/// The 2026-07-28 probes, all independent of each other.
async fn stateless(mcp: &mut McpHttp, run: &mut Run, version: &str, plan: &Plan) {
    run.era = Era::Stateless;
    run.revision = Some(Revision::V2026_07_28);
    // The server served a request made in this version: it speaks it (the
    // checks compare this with the `supportedVersions` it lists).
    run.negotiated = Some(version.to_string());
    mcp.modern = true;
    mcp.version_header = Some(version.to_string());
    let req = |probe: Probe, method: &str, params: Value| {
        mcp::modern_request(probe.id(), method, params, version)
    };
    let mut batch: Vec<(Probe, RequestSpec)> = Vec::new();
    let tools = req(Probe::ToolsList(0), "tools/list", Value::Null);
    batch.push((
        Probe::ToolsList(0),
        mcp.post(&tools, &Probe::ToolsList(0).purpose()),
    ));
    let null = |method: &str| mcp::modern_request(Value::Null, method, Value::Null, version);
    batch.push((
        Probe::NullIdDiscover,
        mcp.post(&null("server/discover"), &Probe::NullIdDiscover.purpose()),
    ));
    batch.push((
        Probe::NullIdToolsList,
        mcp.post(&null("tools/list"), &Probe::NullIdToolsList.purpose()),
    ));
    if !plan.stdio {
        let discover = |probe: Probe| req(probe, "server/discover", Value::Null);
        let mut spec = mcp.post(
            &discover(Probe::HeaderMissing),
            &Probe::HeaderMissing.purpose(),
        );
        set_header(&mut spec, "Mcp-Method", None);
        batch.push((Probe::HeaderMissing, spec));
        let mut spec = mcp.post(
            &discover(Probe::HeaderMismatch),
            &Probe::HeaderMismatch.purpose(),
        );
        set_header(&mut spec, "Mcp-Method", Some("tools/list"));
        batch.push((Probe::HeaderMismatch, spec));
        let unsupported = mcp::modern_request(
            Probe::UnsupportedVersion.id(),
            "server/discover",
            Value::Null,
            BOGUS_VERSION,
        );
        let mut spec = mcp.post(&unsupported, &Probe::UnsupportedVersion.purpose());
        set_header(&mut spec, "MCP-Protocol-Version", Some(BOGUS_VERSION));
        batch.push((Probe::UnsupportedVersion, spec));
        let with_id = req(
            Probe::NotificationWithId,
            "notifications/initialized",
            Value::Null,
        );
        batch.push((
            Probe::NotificationWithId,
            mcp.post(&with_id, &Probe::NotificationWithId.purpose()),
        ));
        let array = json!([discover(Probe::Batch)]);
        let mut spec = mcp.post(&array, &Probe::Batch.purpose());
        set_header(&mut spec, "Mcp-Method", Some("server/discover"));
        batch.push((Probe::Batch, spec));
        let mut spec = mcp.post(&discover(Probe::Origin), &Probe::Origin.purpose());
        set_header(&mut spec, "Origin", Some(FOREIGN_ORIGIN));
        batch.push((Probe::Origin, spec));
    }
    send_all(mcp, run, batch).await;
    pages(mcp, run, |cursor, page| {
        req(
            Probe::ToolsList(page),
            "tools/list",
            json!({"cursor": cursor}),
        )
    })
    .await;
}

/// Sends independent requests at once; records them in the order given.
async fn send_all(mcp: &McpHttp, run: &mut Run, batch: Vec<(Probe, RequestSpec)>) {
    let (probes, specs): (Vec<Probe>, Vec<RequestSpec>) = batch.into_iter().unzip();
    let fetched: Vec<Fetched> = join_all(specs.into_iter().map(|s| mcp.send(s))).await;
    run.depth += fetched.iter().map(Fetched::hops).max().unwrap_or(0);
    run.sends.extend(probes.into_iter().zip(fetched));
}

/// Follows `nextCursor` of `tools/list` for a few pages, stopping at a repeat.
async fn pages(mcp: &McpHttp, run: &mut Run, message: impl Fn(&str, u8) -> Value) {
    let mut seen: Vec<String> = Vec::new();
    for page in 1..MAX_PAGES {
        let previous = Probe::ToolsList(page - 1);
        let cursor = run
            .sends
            .iter()
            .find(|(p, _)| *p == previous)
            .and_then(|(_, f)| Got::of(f.last(), &previous.id()).result().cloned())
            .and_then(|r| {
                r.get("nextCursor")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        let Some(cursor) = cursor.filter(|c| !seen.contains(c)) else {
            return;
        };
        seen.push(cursor.clone());
        let probe = Probe::ToolsList(page);
        let fetched = mcp
            .send(mcp.post(&message(&cursor, page), &probe.purpose()))
            .await;
        run.depth += fetched.hops();
        run.sends.push((probe, fetched));
    }
}

/// Why detection ended with nothing to judge further, in a few words.
fn stop_reason(got: &Got, what: &str) -> Option<String> {
    Some(match got {
        Got::NoAnswer(_) => format!("{what} got no answer"),
        Got::Cut { .. } => format!("the {what} response did not end within the limits"),
        Got::Status(s, _) => format!("{what} was answered {s}"),
        Got::Unreadable(s, why) => format!("{what} was answered {s}: {why}"),
        Got::Error(e) => format!("{what} was answered with JSON-RPC error {}", e.code),
        Got::NoResponse(s) => format!("{what} was answered {s} without a JSON-RPC response"),
        Got::Invalid(why) => format!("the {what} response is not valid JSON-RPC: {why}"),
        Got::WrongId(_) => format!("the {what} response carries another id"),
        Got::Result(_) => return None,
    })
}

/// Why the probes stop at a 401/403.
fn refused(plan: &Plan, got: &Got, discovered: Option<&Got>) -> String {
    let status = match got {
        Got::Status(s, _) => *s,
        _ => 401,
    };
    let also = match discovered {
        Some(Got::Status(s @ (401 | 403), _)) => format!(" (server/discover too: {s})"),
        _ => String::new(),
    };
    if plan.token.is_some() {
        format!("the server refused the bearer token given: initialize was answered {status}{also}")
    } else {
        format!("authorization is required: initialize was answered {status}{also}; give --bearer-token, --bearer-token-file or --login to check the transport")
    }
}
