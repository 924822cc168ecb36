//! Stage 2 checks of the transport rules: JSON-RPC shape and ids, null ids,
//! notifications with an id, batches, sessions, DELETE, Origin, the protocol
//! version header, `ping`, and the 2026-07-28 header and version errors.

use serde_json::Value;

use crate::catalog::Code;
use crate::facts::transport::{Got, Probe, TransportFacts, FOREIGN_ORIGIN};
use crate::facts::Trace;
use crate::http::Exchange;
use crate::report::Finding;
use crate::wire::jsonrpc::{self, ResponseShape};
use crate::wire::mcp::{self, Era, Revision};

use super::excerpt;
use crate::check::seen;

/// Appends the findings of the transport rules that apply to the facts' revision.
pub fn findings(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some(revision) = facts.revision else {
        return;
    };
    shapes(out, facts, trace);
    null_ids(out, facts, trace);
    if facts.stdio {
        // Everything below is HTTP: through the bridge it would judge the bridge.
        ping(out, facts, trace, revision);
        return;
    }
    notification_with_id(out, facts, trace);
    if !revision.allows_batching() {
        batch(out, facts, trace);
    }
    if facts.era == Era::Stateful && facts.session.is_some() {
        sessions(out, facts, trace);
    }
    if revision.requires_origin_403() {
        origin(out, facts, trace);
    }
    if revision.has_version_header() && !revision.is_stateless() {
        version_header(out, facts, trace);
    }
    ping(out, facts, trace, revision);
    if revision.is_stateless() {
        stateless_errors(out, facts, trace);
    }
}

/// Response shape and id echo of the ordinary requests that got a 2xx.
fn shapes(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    for (probe, _) in &facts.probes {
        let ordinary = matches!(
            probe,
            Probe::Ping
                | Probe::ToolsList(_)
                | Probe::TasksList
                | Probe::TasksGet
                | Probe::TasksCancel
                | Probe::RequestedVersionHeader
        );
        if !ordinary {
            continue;
        }
        let Some((exchange, got)) = facts.got(trace, *probe) else {
            continue;
        };
        match got {
            Got::Invalid(why) => out.push(Finding::new(
                Code::McpJsonrpcResponseInvalid,
                format!(
                    "{}: the response to {} is not a valid JSON-RPC 2.0 response: {why}.",
                    seen(exchange),
                    probe.purpose()
                ),
                vec![exchange.id],
            )),
            Got::WrongId(other) => out.push(Finding::new(
                Code::McpJsonrpcResponseIdMismatch,
                format!(
                    "{}: {} was sent with id {} but the response carries id {other}.",
                    seen(exchange),
                    probe.purpose(),
                    probe.id()
                ),
                vec![exchange.id],
            )),
            _ => {}
        }
    }
}

/// Whether a request was accepted rather than rejected with an HTTP error:
/// a result, or a 2xx without any response (treated as a notification).
/// Through the stdio bridge only a result counts: the bridge sets the status.
fn accepted(got: &Got, stdio: bool) -> bool {
    match got {
        Got::Result(_) => true,
        Got::NoResponse(_) => !stdio,
        _ => false,
    }
}

fn null_ids(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let mut hits: Vec<&Exchange> = Vec::new();
    for probe in [
        Probe::NullIdInitialize,
        Probe::NullIdToolsList,
        Probe::NullIdDiscover,
    ] {
        if let Some((exchange, got)) = facts.got(trace, probe) {
            if accepted(&got, facts.stdio) {
                hits.push(exchange);
            }
        }
    }
    if hits.is_empty() {
        return;
    }
    out.push(Finding::new(
        Code::McpJsonrpcIdNullAccepted,
        format!(
            "A request with \"id\": null was accepted instead of rejected: {}. Request ids must be a string or an integer, never null.",
            hits.iter().map(|e| format!("{} ({})", seen(e), outcome_of(e))).collect::<Vec<_>>().join("; ")
        ),
        hits.iter().map(|e| e.id).collect(),
    ));
}

fn outcome_of(exchange: &Exchange) -> &'static str {
    match Got::of(exchange, &Value::Null) {
        Got::Result(_) => "served with a result",
        _ => "treated as a notification",
    }
}

fn notification_with_id(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some((exchange, got)) = facts.got(trace, Probe::NotificationWithId) else {
        return;
    };
    if let Got::NoResponse(status) = got {
        out.push(Finding::new(
            Code::McpNotificationWithIdAccepted,
            format!("{}: notifications/initialized sent with an id (which makes it a request) was accepted like a notification ({status}, no JSON-RPC response); a message with an id gets a response, here an error.", seen(exchange)),
            vec![exchange.id],
        ));
    }
}

fn batch(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some(exchange) = facts.exchange(trace, Probe::Batch) else {
        return;
    };
    let Some(response) = exchange.response.as_ref().filter(|r| r.is_success()) else {
        return;
    };
    let Ok(messages) = jsonrpc::messages_in_body(response.media_type().as_deref(), &response.body)
    else {
        return;
    };
    let served = jsonrpc::find_response(&messages, &Probe::Batch.id())
        .is_some_and(|m| matches!(jsonrpc::classify_response(m), ResponseShape::Result(_)));
    if served {
        out.push(Finding::new(
            Code::McpBatchAccepted,
            format!("{}: a JSON array body (a JSON-RPC batch holding one request) was processed and its request answered with a result; since 2025-06-18 a POST body is a single JSON-RPC message.", seen(exchange)),
            vec![exchange.id],
        ));
    }
}

fn sessions(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let required = facts.got(trace, Probe::NoSession);
    if let Some((exchange, Got::Result(_))) = &required {
        out.push(Finding::new(
            Code::McpSessionIdRequiredNotEnforced,
            format!("The server issued an Mcp-Session-Id, yet {} without it was served with a result; expected 400 Bad Request.", seen(exchange)),
            vec![exchange.id],
        ));
    }
    if let Some((exchange, Got::Result(_))) = facts.got(trace, Probe::Ordering) {
        let mut finding = Finding::new(
            Code::McpInitializeOrderingNotEnforced,
            format!("{}: tools/list sent before any initialize, with no session, was served with a result on a server that issues sessions; initialization must come first.", seen(exchange)),
            vec![exchange.id],
        );
        if matches!(required, Some((_, Got::Result(_)))) {
            finding = finding.caused_by(Code::McpSessionIdRequiredNotEnforced);
        }
        out.push(finding);
    }
    if let Some(exchange) = facts.exchange(trace, Probe::UnknownSession) {
        match exchange.status() {
            Some(404) | Some(401) | Some(403) | None => {}
            Some(status) => out.push(Finding::new(
                Code::McpSessionIdRejectionMissing,
                format!("{}: a request with an Mcp-Session-Id the server never issued was answered {status}; expected 404 Not Found, which tells clients to initialize again.", seen(exchange)),
                vec![exchange.id],
            )),
        }
    }
    if let Some(exchange) = facts.exchange(trace, Probe::Delete) {
        match exchange.status() {
            Some(s) if (200..300).contains(&s) || matches!(s, 405 | 401 | 403) => {}
            None => {}
            Some(status) => out.push(Finding::new(
                Code::McpSessionDeleteInvalid,
                format!("{}: DELETE with the session id was answered {status}; expected 2xx (session ended) or 405 (clients may not end sessions).", seen(exchange)),
                vec![exchange.id],
            )),
        }
    }
}

fn origin(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some(exchange) = facts.exchange(trace, Probe::Origin) else {
        return;
    };
    match exchange.status() {
        Some(403) | None => {}
        Some(status) => out.push(Finding::new(
            Code::McpOriginNotValidated,
            format!("{}: a request carrying Origin: {FOREIGN_ORIGIN} was answered {status}; a present and invalid Origin must be refused with 403 Forbidden (DNS-rebinding protection).", seen(exchange)),
            vec![exchange.id],
        )),
    }
}

fn version_header(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some(exchange) = facts.exchange(trace, Probe::BadVersionHeader) else {
        return;
    };
    match exchange.status() {
        Some(400) | Some(401) | Some(403) | None => {}
        Some(status) => out.push(Finding::new(
            Code::McpProtocolVersionRejectionMissing,
            format!("{}: a request declaring MCP-Protocol-Version: {} was answered {status}; an invalid or unsupported version must be answered 400 Bad Request.", seen(exchange), crate::facts::transport::BOGUS_VERSION),
            vec![exchange.id],
        )),
    }
}

fn ping(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace, revision: Revision) {
    if !revision.has_ping() {
        return;
    }
    let Some((exchange, got)) = facts.got(trace, Probe::Ping) else {
        return;
    };
    let why = match got {
        Got::Result(Value::Object(map)) if map.keys().all(|k| k == "_meta") => return,
        Got::Result(other) => format!("the result is {}", excerpt(&other.to_string())),
        Got::Error(e) => format!(
            "it was answered with JSON-RPC error {} ({})",
            e.code,
            excerpt(&e.message)
        ),
        Got::Status(401 | 403, _) => return,
        Got::Status(status, _) => format!("it was answered {status}"),
        Got::NoResponse(status) => format!("it was answered {status} without a response"),
        Got::Unreadable(_, why) => format!("the body is not JSON-RPC ({why})"),
        // Timeouts, cut bodies and malformed responses are reported elsewhere.
        Got::NoAnswer(_) | Got::Cut { .. } | Got::Invalid(_) | Got::WrongId(_) => return,
    };
    out.push(Finding::new(
        Code::McpPingInvalidResponse,
        format!(
            "{}: {why}; ping is answered promptly with an empty result {{}}.",
            seen(exchange)
        ),
        vec![exchange.id],
    ));
}

/// 2026-07-28: header validation (-32020) and unsupported versions (-32022).
fn stateless_errors(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let mut wrong = Vec::new();
    for probe in [Probe::HeaderMissing, Probe::HeaderMismatch] {
        let Some((exchange, got)) = facts.got(trace, probe) else {
            continue;
        };
        if got.is_inconclusive() {
            continue;
        }
        let status = exchange.status().unwrap_or_default();
        let code = got.error().map(|e| e.code);
        // An intermediary may refuse with a bare 400; a server body, if any, must say -32020.
        let ok = status == 400 && code.is_none_or(|c| c == mcp::HEADER_MISMATCH);
        if !ok {
            let said = code
                .map(|c| format!(" with JSON-RPC error {c}"))
                .unwrap_or_default();
            wrong.push((
                exchange,
                format!("{} was answered {status}{said}", probe.purpose()),
            ));
        }
    }
    if !wrong.is_empty() {
        out.push(Finding::new(
            Code::McpHeaderMismatchNotRejected,
            format!(
                "{}; a missing or different Mcp-Method must be answered 400 Bad Request with JSON-RPC error -32020 (HeaderMismatch). Seen: {}.",
                wrong.iter().map(|(_, w)| w.as_str()).collect::<Vec<_>>().join("; "),
                wrong.iter().map(|(e, _)| seen(e)).collect::<Vec<_>>().join("; ")
            ),
            wrong.iter().map(|(e, _)| e.id).collect(),
        ));
    }
    let Some((exchange, got)) = facts.got(trace, Probe::UnsupportedVersion) else {
        return;
    };
    if got.is_inconclusive() {
        return;
    }
    let status = exchange.status().unwrap_or_default();
    let error = got.error();
    let supported = error.and_then(|e| mcp::supported_versions(&e.raw));
    let why = match (status, error, &supported) {
        (400, Some(e), Some(_)) if e.code == mcp::UNSUPPORTED_PROTOCOL_VERSION => return,
        (400, Some(e), None) if e.code == mcp::UNSUPPORTED_PROTOCOL_VERSION => {
            "the -32022 error has no data.supported list of versions".to_string()
        }
        (s, Some(e), _) => format!("it was answered {s} with JSON-RPC error {}", e.code),
        (s, None, _) => format!("it was answered {s} without an UnsupportedProtocolVersionError"),
    };
    out.push(Finding::new(
        Code::McpUnsupportedVersionErrorInvalid,
        format!("{}: a request for protocol version {} (header and _meta) — {why}; expected 400 with JSON-RPC error -32022 listing the supported versions in data.supported.", seen(exchange), crate::facts::transport::BOGUS_VERSION),
        vec![exchange.id],
    ));
}
