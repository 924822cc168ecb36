//! What the stage-2 probes observed: each request by what it tests, the era and
//! version, and the answers read as JSON-RPC.

mod reply;

use serde_json::{json, Value};

pub use reply::{Got, RpcError};

use super::{Recorded, Trace};
use crate::http::{ErrorKind, Exchange, Fetched};
use crate::wire::mcp::{Era, Revision};

/// Pages of `tools/list` followed at most.
pub const MAX_PAGES: u8 = 5;

/// One stage-2 request, by what it tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Probe {
    /// `server/discover`: the modern request that detects 2026-07-28.
    Discover,
    /// `initialize` (stateful revisions).
    Initialize,
    /// GET looking for the 2024-11-05 `endpoint` event.
    LegacyGet,
    /// `tools/list` without any session, sent before initialization.
    Ordering,
    /// `notifications/initialized`.
    Initialized,
    /// `tools/list`, page n (from 0).
    ToolsList(u8),
    /// `ping`.
    Ping,
    /// `initialize` with `"id": null`.
    NullIdInitialize,
    /// `tools/list` with `"id": null` (inside the session, if any).
    NullIdToolsList,
    /// `server/discover` with `"id": null`.
    NullIdDiscover,
    /// A `notifications/…` message that carries an `id`.
    NotificationWithId,
    /// A JSON array body holding one request.
    Batch,
    /// A request with an invalid `MCP-Protocol-Version` header.
    BadVersionHeader,
    /// A request whose `MCP-Protocol-Version` is the version first requested.
    RequestedVersionHeader,
    /// A request with a session id the server never issued.
    UnknownSession,
    /// `tools/list` after initialization but without the session id.
    NoSession,
    /// A request with `Origin: https://evil.example`.
    Origin,
    /// `server/discover` without `Mcp-Method`.
    HeaderMissing,
    /// `server/discover` whose `Mcp-Method` says `tools/list`.
    HeaderMismatch,
    /// `server/discover` for a protocol version no server implements.
    UnsupportedVersion,
    /// `tasks/list`.
    TasksList,
    /// `tasks/get` for a task that does not exist.
    TasksGet,
    /// `tasks/cancel` for a task that does not exist.
    TasksCancel,
    /// DELETE of the session.
    Delete,
    /// DELETE of a session that a null-id `initialize` opened.
    DeleteNullIdSession,
}

/// The origin the Origin probe claims to come from.
pub const FOREIGN_ORIGIN: &str = "https://evil.example";
/// A protocol version no server implements.
pub const BOGUS_VERSION: &str = "1900-01-01";
/// A session id no server issued.
pub const UNKNOWN_SESSION: &str = "authprobe-unknown-session-0000";

impl Probe {
    /// The JSON-RPC `id` the probe sends (`null` for the null-id probes); each
    /// probe has its own, so parallel requests through a bridge cannot collide.
    pub fn id(self) -> Value {
        let n: u64 = match self {
            Probe::Discover | Probe::Initialize => 1,
            Probe::Ping => 2,
            Probe::NotificationWithId => 3,
            Probe::Batch => 4,
            Probe::BadVersionHeader => 5,
            Probe::RequestedVersionHeader => 6,
            Probe::UnknownSession => 7,
            Probe::NoSession => 8,
            Probe::Origin => 9,
            Probe::ToolsList(page) => 10 + u64::from(page),
            Probe::Ordering => 20,
            Probe::HeaderMissing => 21,
            Probe::HeaderMismatch => 22,
            Probe::UnsupportedVersion => 23,
            Probe::TasksList => 30,
            Probe::TasksGet => 31,
            Probe::TasksCancel => 32,
            Probe::NullIdInitialize | Probe::NullIdToolsList | Probe::NullIdDiscover => {
                return Value::Null
            }
            Probe::Initialized | Probe::LegacyGet | Probe::Delete | Probe::DeleteNullIdSession => {
                return Value::Null
            }
        };
        json!(n)
    }

    /// Why the request is sent, for the report.
    pub fn purpose(self) -> String {
        match self {
            Probe::Discover => "server/discover (2026-07-28 era detection)".into(),
            Probe::Initialize => "initialize".into(),
            Probe::LegacyGet => "GET for the 2024-11-05 endpoint event".into(),
            Probe::Ordering => "tools/list before initialize, without a session".into(),
            Probe::Initialized => "notifications/initialized".into(),
            Probe::ToolsList(0) => "tools/list".into(),
            Probe::ToolsList(n) => format!("tools/list, page {}", n + 1),
            Probe::Ping => "ping".into(),
            Probe::NullIdInitialize => "initialize with a null id".into(),
            Probe::NullIdToolsList => "tools/list with a null id".into(),
            Probe::NullIdDiscover => "server/discover with a null id".into(),
            Probe::NotificationWithId => "a notification carrying an id".into(),
            Probe::Batch => "a JSON-RPC batch (array body)".into(),
            Probe::BadVersionHeader => "an invalid MCP-Protocol-Version header".into(),
            Probe::RequestedVersionHeader => {
                "MCP-Protocol-Version set to the version first requested".into()
            }
            Probe::UnknownSession => "a session id the server never issued".into(),
            Probe::NoSession => "tools/list without the session id".into(),
            Probe::Origin => format!("a request from Origin {FOREIGN_ORIGIN}"),
            Probe::HeaderMissing => "server/discover without Mcp-Method".into(),
            Probe::HeaderMismatch => "server/discover with Mcp-Method: tools/list".into(),
            Probe::UnsupportedVersion => format!("server/discover for version {BOGUS_VERSION}"),
            Probe::TasksList => "tasks/list".into(),
            Probe::TasksGet => "tasks/get for an unknown task".into(),
            Probe::TasksCancel => "tasks/cancel for an unknown task".into(),
            Probe::Delete => "DELETE the session".into(),
            Probe::DeleteNullIdSession => "DELETE the session the null-id initialize opened".into(),
        }
    }
}

/// What the stage-2 probes did, before their exchanges are numbered.
#[derive(Debug, Default)]
pub struct Run {
    /// Every request in a deterministic order.
    pub sends: Vec<(Probe, Fetched)>,
    /// The detected era.
    pub era: Era,
    /// The revision whose rules apply.
    pub revision: Option<Revision>,
    /// The version the server named (initialize result) or accepted (2026-07-28).
    pub negotiated: Option<String>,
    /// The version offered.
    pub requested: String,
    /// The session the server issued.
    pub session: Option<String>,
    /// Why the probes stopped early, if they did.
    pub stopped: Option<String>,
    /// Round trips on the longest chain of stage-2 requests that wait for each other.
    pub depth: u32,
}

/// Everything stage 2 observed, with exchange ids.
#[derive(Debug, Clone, Default)]
pub struct TransportFacts {
    /// The detected era.
    pub era: Era,
    /// The revision whose rules apply (none when nothing answered).
    pub revision: Option<Revision>,
    /// The negotiated version.
    pub negotiated: Option<String>,
    /// The version offered.
    pub requested: String,
    /// The session id issued by `initialize`.
    pub session: Option<String>,
    /// Why stage 2 did not run, or stopped early.
    pub skipped: Option<String>,
    /// Whether the target is the stdio bridge.
    pub stdio: bool,
    /// Each probe sent and its exchanges.
    pub probes: Vec<(Probe, Recorded)>,
}

impl TransportFacts {
    /// Facts for a stage 2 that did not run.
    pub fn skipped(reason: impl Into<String>, requested: &str) -> Self {
        TransportFacts {
            skipped: Some(reason.into()),
            requested: requested.to_string(),
            ..TransportFacts::default()
        }
    }

    /// Numbers the exchanges of a run into the trace.
    pub fn record(run: Run, trace: &mut Trace, stdio: bool) -> Self {
        let probes = run
            .sends
            .into_iter()
            .map(|(probe, fetched)| (probe, trace.record(fetched)))
            .collect();
        TransportFacts {
            era: run.era,
            revision: run.revision,
            negotiated: run.negotiated,
            requested: run.requested,
            session: run.session,
            skipped: run.stopped,
            stdio,
            probes,
        }
    }

    /// The final exchange of a probe, if it was sent.
    pub fn exchange<'t>(&self, trace: &'t Trace, probe: Probe) -> Option<&'t Exchange> {
        self.probes
            .iter()
            .find(|(p, _)| *p == probe)
            .and_then(|(_, r)| trace.last_of(r))
    }

    /// The answer to a probe's request, with its exchange. Through the stdio
    /// bridge, its own 502 (the server is gone) and 504 (the server did not
    /// answer in time) are no answer from the server.
    pub fn got<'t>(&self, trace: &'t Trace, probe: Probe) -> Option<(&'t Exchange, Got)> {
        self.exchange(trace, probe).map(|e| {
            let got = match Got::of(e, &probe.id()) {
                Got::Status(502, None) if self.stdio => Got::NoAnswer(Some(ErrorKind::Connect)),
                Got::Status(504, None) if self.stdio => Got::NoAnswer(Some(ErrorKind::Timeout)),
                got => got,
            };
            (e, got)
        })
    }

    /// Every exchange id stage 2 produced, in order.
    pub fn ids(&self) -> Vec<u32> {
        self.probes
            .iter()
            .flat_map(|(_, r)| r.ids.clone())
            .collect()
    }

    /// The tools listed over every page, in order.
    pub fn tools(&self, trace: &Trace) -> Vec<Value> {
        let mut out = Vec::new();
        for page in 0..MAX_PAGES {
            let Some((_, Got::Result(result))) = self.got(trace, Probe::ToolsList(page)) else {
                break;
            };
            match result.get("tools").and_then(Value::as_array) {
                Some(list) => out.extend(list.iter().cloned()),
                None => break,
            }
        }
        out
    }

    /// The initialize (or discover) result, if one came.
    pub fn init_result(&self, trace: &Trace) -> Option<Value> {
        let probe = if self.era == Era::Stateless {
            Probe::Discover
        } else {
            Probe::Initialize
        };
        match self.got(trace, probe) {
            Some((_, Got::Result(v))) => Some(v),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
