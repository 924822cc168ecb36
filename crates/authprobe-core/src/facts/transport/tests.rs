//! Recorded stage-2 inputs for unit tests: hand-built exchanges numbered into
//! a trace exactly as the scan numbers them. Nothing here touches the network.

use serde_json::Value;

use super::{Probe, TransportFacts};
use crate::facts::Trace;
use crate::http::{
    ErrorKind, Exchange, ExchangeError, Fetched, Header, RecordedRequest, RecordedResponse, Timing,
};
use crate::report::Stage;
use crate::wire::mcp::{Era, Revision};

/// The endpoint of the recorded server.
pub(crate) const URL: &str = "https://mcp.example.com/mcp";

/// What the recorded server answered.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub error: Option<ErrorKind>,
}

/// `status` with a JSON body.
pub(crate) fn json(status: u16, body: Value) -> Answer {
    Answer {
        status: Some(status),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
        error: None,
    }
}

/// `status` with an SSE body.
pub(crate) fn sse(status: u16, body: &str) -> Answer {
    Answer {
        status: Some(status),
        headers: vec![("content-type".into(), "text/event-stream".into())],
        body: body.to_string(),
        error: None,
    }
}

/// `status` with no body.
pub(crate) fn empty(status: u16) -> Answer {
    Answer {
        status: Some(status),
        headers: Vec::new(),
        body: String::new(),
        error: None,
    }
}

/// No response headers at all.
pub(crate) fn no_answer(kind: ErrorKind) -> Answer {
    Answer {
        status: None,
        headers: Vec::new(),
        body: String::new(),
        error: Some(kind),
    }
}

impl Answer {
    /// Adds a response header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Marks the body as cut for this reason.
    pub(crate) fn cut(mut self, kind: ErrorKind) -> Self {
        self.error = Some(kind);
        self
    }
}

/// One exchange for a probe.
pub(crate) fn exchange(probe: Probe, answer: &Answer) -> Exchange {
    let method = match probe {
        Probe::LegacyGet => "GET",
        Probe::Delete | Probe::DeleteNullIdSession => "DELETE",
        _ => "POST",
    };
    Exchange {
        id: 0,
        stage: Stage::Transport,
        purpose: probe.purpose(),
        request: RecordedRequest {
            method: method.into(),
            url: URL.into(),
            headers: Vec::new(),
            body: None,
        },
        response: answer.status.map(|status| RecordedResponse {
            status,
            version: "HTTP/1.1".into(),
            headers: answer
                .headers
                .iter()
                .map(|(n, v)| Header::new(n.clone(), v.clone()))
                .collect(),
            body: answer.body.clone(),
            body_bytes: answer.body.len(),
            truncated: answer.error.is_some(),
        }),
        error: answer.error.map(|kind| ExchangeError {
            kind,
            message: format!("{} (recorded)", kind.as_str()),
        }),
        redirect_of: None,
        connection: None,
        timing: Timing::default(),
    }
}

/// Records `answers` in order and builds the facts of a server of `era`.
pub(crate) fn facts(
    era: Era,
    revision: Option<Revision>,
    answers: &[(Probe, Answer)],
) -> (TransportFacts, Trace) {
    let mut trace = Trace::new();
    let probes = answers
        .iter()
        .map(|(p, a)| {
            let fetched = Fetched {
                exchanges: vec![exchange(*p, a)],
                redirect_stopped: None,
            };
            (*p, trace.record(fetched))
        })
        .collect();
    let session = answers
        .iter()
        .find(|(p, _)| *p == Probe::Initialize)
        .and_then(|(_, a)| {
            a.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("mcp-session-id"))
                .map(|(_, v)| v.clone())
        });
    let facts = TransportFacts {
        era,
        revision,
        negotiated: revision.map(|r| r.as_str().to_string()),
        requested: revision
            .map(|r| r.as_str().to_string())
            .unwrap_or_else(|| "2025-11-25".into()),
        session,
        skipped: None,
        stdio: false,
        probes,
    };
    (facts, trace)
}
