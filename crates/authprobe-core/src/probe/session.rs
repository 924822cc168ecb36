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

use super::transport::{set_header, Got, McpHttp};
use super::{Recorded, Trace};
use crate::http::{Client, Exchange, Fetched, RequestSpec};
use crate::report::Stage;
use crate::wire::{jwt, mcp};

/// The credential of the garbage-header probe: not a token68 string.
const GARBAGE: &str = "Bearer %%% not a token %%%";

/// One stage-7 request, by what it tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionProbe {
    /// `initialize` / `server/discover` with the token.
    Initialize,
    /// `notifications/initialized` with the token.
    Initialized,
    /// `tools/list` with the token.
    ToolsList,
    /// `tools/list` inside the session, without any `Authorization` header.
    WithoutToken,
    /// The opening request with `?access_token=` and no header.
    QueryToken,
    /// The opening request with `Authorization: Bearer` and no credential.
    EmptyBearer,
    /// The opening request with a Bearer credential that is not token68.
    GarbageBearer,
    /// The opening request with the JWT re-encoded as `alg: none`.
    Unsigned,
    /// The opening request with one signature bit flipped.
    Tampered,
    /// DELETE of a session this stage opened.
    Delete,
}

impl SessionProbe {
    /// The JSON-RPC id of the probe's request.
    pub fn id(self) -> Value {
        json!(match self {
            SessionProbe::Initialize => 71,
            SessionProbe::Initialized | SessionProbe::Delete => 0,
            SessionProbe::ToolsList => 72,
            SessionProbe::WithoutToken => 73,
            SessionProbe::QueryToken => 74,
            SessionProbe::EmptyBearer => 75,
            SessionProbe::GarbageBearer => 76,
            SessionProbe::Unsigned => 77,
            SessionProbe::Tampered => 78,
        })
    }

    /// Why the request is sent, for the report.
    pub fn purpose(self) -> &'static str {
        match self {
            SessionProbe::Initialize => "authenticated session: opening request with the token",
            SessionProbe::Initialized => "authenticated session: notifications/initialized",
            SessionProbe::ToolsList => "authenticated session: tools/list with the token",
            SessionProbe::WithoutToken => {
                "authenticated session: tools/list with the session id but no Authorization header"
            }
            SessionProbe::QueryToken => {
                "authenticated session: the token in ?access_token= instead of the header"
            }
            SessionProbe::EmptyBearer => {
                "authenticated session: Authorization: Bearer without a credential"
            }
            SessionProbe::GarbageBearer => {
                "authenticated session: Authorization: Bearer with a credential that is not a token"
            }
            SessionProbe::Unsigned => {
                "authenticated session (active): the JWT re-encoded with alg none"
            }
            SessionProbe::Tampered => {
                "authenticated session (active): the JWT with one signature bit flipped"
            }
            SessionProbe::Delete => "authenticated session: DELETE of a session this stage opened",
        }
    }
}

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

/// The requests of stage 7, before they are numbered.
#[derive(Debug, Default)]
pub struct SessionRun {
    sends: Vec<(SessionProbe, Fetched)>,
    /// Round trips on the longest chain.
    pub depth: u32,
    modern: bool,
}

/// The requests of stage 7, numbered in the trace.
#[derive(Debug, Clone, Default)]
pub struct SessionFacts {
    /// Each probe and its exchanges.
    pub recorded: Vec<(SessionProbe, Recorded)>,
    /// 2026-07-28 (no sessions).
    pub modern: bool,
}

impl SessionRun {
    /// Numbers the exchanges in the trace.
    pub fn record(self, trace: &mut Trace) -> SessionFacts {
        SessionFacts {
            recorded: self
                .sends
                .into_iter()
                .map(|(probe, fetched)| (probe, trace.record(fetched)))
                .collect(),
            modern: self.modern,
        }
    }
}

impl SessionFacts {
    /// The final exchange of a probe.
    pub fn exchange<'t>(&self, trace: &'t Trace, probe: SessionProbe) -> Option<&'t Exchange> {
        self.recorded
            .iter()
            .find(|(p, _)| *p == probe)
            .and_then(|(_, r)| trace.last_of(r))
    }

    /// The answer a probe got.
    pub fn got<'t>(&self, trace: &'t Trace, probe: SessionProbe) -> Option<(&'t Exchange, Got)> {
        let exchange = self.exchange(trace, probe)?;
        Some((exchange, Got::of(exchange, &probe.id())))
    }

    /// Every exchange id of the stage.
    pub fn ids(&self) -> Vec<u32> {
        self.recorded
            .iter()
            .flat_map(|(_, r)| r.ids.iter().copied())
            .collect()
    }
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
