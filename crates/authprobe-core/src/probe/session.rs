//! Stage 7 probes: the authenticated session (mode `token`).
//!
//! With the token: `initialize` (or `server/discover` for 2026-07-28), then
//! `notifications/initialized`, then at once `tools/list` and the negative
//! probes: inside the session without the token, the token in the query
//! string instead of the header, two malformed `Authorization` headers, and
//! under `--active` the JWT re-encoded with `alg: none` and with one
//! signature bit flipped. Last, every session opened is deleted. The token
//! itself never leaves this module: the facts hold exchanges only.

use serde_json::{json, Value};
use url::Url;

use super::transport::{set_header, McpHttp};
use crate::facts::session::{SessionProbe, SessionRun};
use crate::facts::transport::Got;
use crate::http::{Client, Exchange, Fetched, RequestSpec};
use crate::report::Stage;
use crate::wire::{jwt, mcp};

/// The credential of the garbage-header probe: not a token68 string.
const GARBAGE: &str = "Bearer %%% not a token %%%";

/// What stage 7 is run with.
pub struct SessionInput<'a> {
    /// The MCP endpoint.
    pub url: &'a Url,
    /// The access token (sent, never recorded anywhere but the exchanges).
    pub token: &'a str,
    /// 2026-07-28: `server/discover`, no sessions.
    pub modern: bool,
    /// The protocol version to request.
    pub version: &'a str,
    /// `--active`: also send the forged tokens.
    pub active: bool,
    /// Whether the server demands authorization (otherwise the negative probes
    /// would prove nothing).
    pub auth_required: bool,
}

/// The session id a response opened.
fn session_of(exchange: &Exchange) -> Option<String> {
    exchange
        .response
        .as_ref()
        .filter(|r| r.is_success())
        .and_then(|r| r.header("mcp-session-id"))
        .map(str::to_string)
}

/// Runs the probes.
pub async fn run(client: &Client, input: SessionInput<'_>) -> SessionRun {
    let mut run = SessionRun {
        modern: input.modern,
        ..SessionRun::default()
    };
    let mut mcp = McpHttp::new(
        client.clone(),
        input.url.clone(),
        Some(input.token.to_string()),
    )
    .in_stage(Stage::Session);
    mcp.modern = input.modern;
    if input.modern {
        mcp.version_header = Some(input.version.to_string());
    }
    let opening = |id: Value| {
        if input.modern {
            mcp::modern_request(id, "server/discover", Value::Null, input.version)
        } else {
            mcp::initialize(id, input.version)
        }
    };
    let fetched = mcp
        .send(mcp.post(
            &opening(SessionProbe::Initialize.id()),
            SessionProbe::Initialize.purpose(),
        ))
        .await;
    run.depth += fetched.hops();
    let first = fetched.last().clone();
    run.sends.push((SessionProbe::Initialize, fetched));
    let Got::Result(result) = Got::of(&first, &SessionProbe::Initialize.id()) else {
        return run;
    };
    if !input.modern {
        mcp.session = session_of(&first);
        let negotiated = result.get("protocolVersion").and_then(Value::as_str);
        let rules = mcp::Revision::rules_for(negotiated.unwrap_or(input.version));
        if rules.has_version_header() {
            mcp.version_header = Some(negotiated.unwrap_or(input.version).to_string());
        }
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let fetched = mcp
            .send(mcp.post(&note, SessionProbe::Initialized.purpose()))
            .await;
        run.depth += fetched.hops();
        run.sends.push((SessionProbe::Initialized, fetched));
    }
    let batch = probes(&mcp, &input, &opening);
    let sent = futures_util::future::join_all(batch.into_iter().map(|(probe, spec)| {
        let mcp = &mcp;
        async move { (probe, mcp.send(spec).await) }
    }))
    .await;
    run.depth += sent.iter().map(|(_, f)| f.hops()).max().unwrap_or(0);
    // Every session opened here is closed again, with the real token.
    let mut sessions: Vec<String> = sent
        .iter()
        .filter(|(p, _)| *p != SessionProbe::ToolsList && *p != SessionProbe::WithoutToken)
        .filter_map(|(_, f)| session_of(f.last()))
        .collect();
    sessions.extend(mcp.session.clone());
    run.sends.extend(sent);
    if !input.modern && !sessions.is_empty() {
        let deletes = futures_util::future::join_all(
            sessions
                .iter()
                .map(|s| mcp.send(mcp.delete(s, SessionProbe::Delete.purpose()))),
        )
        .await;
        run.depth += deletes.iter().map(Fetched::hops).max().unwrap_or(0);
        run.sends
            .extend(deletes.into_iter().map(|f| (SessionProbe::Delete, f)));
    }
    run
}

/// `tools/list` and the negative probes, to be sent at once.
fn probes(
    mcp: &McpHttp,
    input: &SessionInput<'_>,
    opening: &dyn Fn(Value) -> Value,
) -> Vec<(SessionProbe, RequestSpec)> {
    let list = |id: Value| {
        if input.modern {
            mcp::modern_request(id, "tools/list", Value::Null, input.version)
        } else {
            mcp::stateful_request(id, "tools/list", Value::Null)
        }
    };
    let mut out = vec![(
        SessionProbe::ToolsList,
        mcp.post(
            &list(SessionProbe::ToolsList.id()),
            SessionProbe::ToolsList.purpose(),
        ),
    )];
    if !input.auth_required {
        return out;
    }
    if mcp.session.is_some() {
        let mut spec = mcp.post(
            &list(SessionProbe::WithoutToken.id()),
            SessionProbe::WithoutToken.purpose(),
        );
        set_header(&mut spec, "Authorization", None);
        out.push((SessionProbe::WithoutToken, spec));
    }
    // The other probes open afresh, outside the session.
    let mut fresh = mcp.clone();
    fresh.session = None;
    if !input.modern {
        fresh.version_header = None;
    }
    let with_header = |probe: SessionProbe, authorization: Option<&str>| {
        let mut spec = fresh.post(&opening(probe.id()), probe.purpose());
        set_header(&mut spec, "Authorization", authorization);
        spec
    };
    let mut query = with_header(SessionProbe::QueryToken, None);
    query
        .url
        .query_pairs_mut()
        .append_pair("access_token", input.token);
    out.push((SessionProbe::QueryToken, query));
    out.push((
        SessionProbe::EmptyBearer,
        with_header(SessionProbe::EmptyBearer, Some("Bearer")),
    ));
    out.push((
        SessionProbe::GarbageBearer,
        with_header(SessionProbe::GarbageBearer, Some(GARBAGE)),
    ));
    if input.active {
        if let Some(forged) = jwt::unsigned(input.token) {
            let header = format!("Bearer {forged}");
            out.push((
                SessionProbe::Unsigned,
                with_header(SessionProbe::Unsigned, Some(&header)),
            ));
        }
        if let Some(forged) = jwt::tampered(input.token) {
            let header = format!("Bearer {forged}");
            out.push((
                SessionProbe::Tampered,
                with_header(SessionProbe::Tampered, Some(&header)),
            ));
        }
    }
    out
}
