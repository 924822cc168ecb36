//! What stage 7 observed: each authenticated-session request by what it tests.

use serde_json::{json, Value};

use super::transport::Got;
use super::{Recorded, Trace};
use crate::http::{Exchange, Fetched};

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

/// The requests of stage 7, before they are numbered.
#[derive(Debug, Default)]
pub struct SessionRun {
    /// Each request sent, in recording order.
    pub sends: Vec<(SessionProbe, Fetched)>,
    /// Round trips on the longest chain.
    pub depth: u32,
    /// 2026-07-28 (no sessions).
    pub modern: bool,
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
