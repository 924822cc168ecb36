//! Recorded inputs for the stage 4–6 checks: hand-built exchanges and a trace to
//! number them in. Nothing here touches the network.

use serde_json::Value;
use url::Url;

use crate::facts::{Recorded, Trace};
use crate::http::{
    ErrorKind, Exchange, ExchangeError, Fetched, Header, RecordedRequest, RecordedResponse,
    RedirectStop, Timing,
};
use crate::report::Stage;

pub fn url(s: &str) -> Url {
    Url::parse(s).expect("fixture URL")
}

fn exchange(method: &str, target: &str) -> Exchange {
    Exchange {
        id: 0,
        stage: Stage::AuthServer,
        purpose: "fixture".into(),
        request: RecordedRequest {
            method: method.into(),
            url: target.into(),
            headers: Vec::new(),
            body: None,
        },
        response: None,
        error: None,
        redirect_of: None,
        connection: None,
        timing: Timing::default(),
    }
}

/// One answered request: status, headers, body.
pub fn answer(
    method: &str,
    target: &str,
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Fetched {
    let mut e = exchange(method, target);
    e.response = Some(RecordedResponse {
        status,
        version: "HTTP/1.1".into(),
        headers: headers.iter().map(|(n, v)| Header::new(*n, *v)).collect(),
        body: body.into(),
        body_bytes: body.len(),
        truncated: false,
    });
    Fetched {
        exchanges: vec![e],
        redirect_stopped: None,
    }
}

/// A JSON answer.
pub fn json(method: &str, target: &str, status: u16, value: &Value) -> Fetched {
    answer(
        method,
        target,
        status,
        &[("Content-Type", "application/json")],
        &value.to_string(),
    )
}

/// A request that got no response.
pub fn failed(method: &str, target: &str, kind: ErrorKind) -> Fetched {
    let mut e = exchange(method, target);
    e.error = Some(ExchangeError {
        kind,
        message: format!("{} (fixture)", kind.as_str()),
    });
    Fetched {
        exchanges: vec![e],
        redirect_stopped: None,
    }
}

/// A 302 to `to` that was not followed.
pub fn redirect(method: &str, target: &str, to: &str, stop: RedirectStop) -> Fetched {
    let mut f = answer(method, target, 302, &[("Location", to)], "");
    f.redirect_stopped = Some(stop);
    f
}

/// Records a fetched request.
pub fn record(trace: &mut Trace, fetched: Fetched) -> Recorded {
    trace.record(fetched)
}

/// The codes of some findings, in order.
pub fn codes(findings: &[crate::report::Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}
