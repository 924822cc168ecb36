//! Stage 2 checks: the era, `initialize` / `server/discover`, the
//! `initialized` notification, version negotiation and the session id. The
//! other rules live in [`rules`] and `tools`; every check runs only
//! in the revisions that have its rule.

use serde_json::Value;

use crate::catalog::Code;
use crate::facts::transport::{Got, Probe, TransportFacts};
use crate::facts::Trace;
use crate::http::{ErrorKind, Exchange};
use crate::report::Finding;
use crate::wire::mcp::{Era, Revision};
use crate::wire::sse::parse_all;

pub mod rules;
pub mod steps;

use super::seen;
use super::tools;

/// Every stage-2 finding.
pub fn findings(facts: &TransportFacts, trace: &Trace) -> Vec<Finding> {
    let mut out = Vec::new();
    incomplete(&mut out, facts, trace);
    if facts.era == Era::LegacySse {
        legacy(&mut out, facts, trace);
        return out;
    }
    let usable = initialization(&mut out, facts, trace);
    if !usable {
        return out;
    }
    if facts.era == Era::Stateful && !facts.stdio {
        initialized(&mut out, facts, trace);
        negotiation(&mut out, facts, trace);
        session_id(&mut out, facts, trace);
    }
    rules::findings(&mut out, facts, trace);
    tools::findings(&mut out, facts, trace);
    out
}

/// A response cut at the timeout or the body cap: observed, never a violation.
fn incomplete(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    for (probe, _) in &facts.probes {
        let Some((exchange, Got::Cut { kind, bytes, .. })) = facts.got(trace, *probe) else {
            continue;
        };
        if matches!(
            probe,
            Probe::Initialized | Probe::Delete | Probe::DeleteNullIdSession | Probe::LegacyGet
        ) {
            continue;
        }
        let limit = match kind {
            ErrorKind::Timeout => "was still arriving when the per-request timeout ran out",
            ErrorKind::TooLarge => "reached the body cap",
            _ => "was cut short",
        };
        let events = exchange
            .response
            .as_ref()
            .filter(|r| r.media_type().as_deref() == Some("text/event-stream"))
            .map(|r| {
                format!(
                    ", {} complete SSE events",
                    parse_all(r.body.as_bytes()).len()
                )
            })
            .unwrap_or_default();
        out.push(Finding::new(
            Code::McpResponseIncomplete,
            format!(
                "{}: the answer to {} {limit} after {bytes} bytes{events}, without the JSON-RPC response; that check was not judged.",
                seen(exchange),
                probe.purpose()
            ),
            vec![exchange.id],
        ));
    }
}

fn legacy(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some(get) = facts.exchange(trace, Probe::LegacyGet) else {
        return;
    };
    let endpoint = get
        .response
        .as_ref()
        .and_then(|r| parse_all(r.body.as_bytes()).into_iter().next())
        .map(|e| e.data)
        .unwrap_or_default();
    let mut ids = Vec::new();
    let mut lines = Vec::new();
    for probe in [Probe::Discover, Probe::Initialize] {
        if let Some(e) = facts.exchange(trace, probe) {
            ids.push(e.id);
            lines.push(seen(e));
        }
    }
    ids.push(get.id);
    out.push(Finding::new(
        Code::McpLegacySseTransport,
        format!(
            "The Streamable HTTP requests fail ({}), and {} opens an event stream whose first event is `endpoint` ({}): only the deprecated 2024-11-05 HTTP+SSE transport answers here.",
            lines.join("; "),
            seen(get),
            excerpt(&endpoint)
        ),
        ids,
    ));
}

/// Judges the first request of the era; true when its result is usable.
fn initialization(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) -> bool {
    let stateless = facts.era == Era::Stateless;
    let probe = if stateless {
        Probe::Discover
    } else {
        Probe::Initialize
    };
    let Some((exchange, got)) = facts
        .got(trace, probe)
        .or_else(|| facts.got(trace, Probe::Discover))
    else {
        return false;
    };
    let what = if stateless {
        "server/discover"
    } else {
        "initialize"
    };
    let failed = |why: String| {
        let mut ids = vec![exchange.id];
        let mut text = String::new();
        // When detection fell back, the modern attempt is part of the story.
        if let (false, Some(d)) = (stateless, facts.exchange(trace, Probe::Discover)) {
            if d.id != exchange.id {
                ids.insert(0, d.id);
                text = format!("{} first; then ", seen(d));
            }
        }
        Finding::new(
            Code::McpInitializeFailed,
            format!("{text}{}: {why}. Expected a JSON-RPC result to {what}, as application/json or an SSE stream.", seen(exchange)),
            ids,
        )
    };
    let result = match got {
        Got::Result(v) => v,
        Got::NoAnswer(_) | Got::Cut { .. } => return false,
        Got::Status(401 | 403, _) => return false,
        Got::Status(status, error) => {
            let why = match error {
                Some(e) => format!(
                    "HTTP {status} with JSON-RPC error {} ({})",
                    e.code,
                    excerpt(&e.message)
                ),
                None => format!("HTTP {status}"),
            };
            out.push(failed(why));
            return false;
        }
        Got::Unreadable(_, why) => {
            out.push(failed(format!("the body is not JSON-RPC ({why})")));
            return false;
        }
        Got::NoResponse(status) => {
            out.push(failed(format!("{status} without any JSON-RPC response")));
            return false;
        }
        Got::Error(e) => {
            out.push(failed(format!(
                "JSON-RPC error {} ({})",
                e.code,
                excerpt(&e.message)
            )));
            return false;
        }
        Got::Invalid(why) => {
            out.push(Finding::new(
                Code::McpJsonrpcResponseInvalid,
                format!(
                    "{}: the {what} response is not a valid JSON-RPC 2.0 response: {why}.",
                    seen(exchange)
                ),
                vec![exchange.id],
            ));
            out.push(
                failed("the response is not valid JSON-RPC".into())
                    .caused_by(Code::McpJsonrpcResponseInvalid),
            );
            return false;
        }
        Got::WrongId(other) => {
            out.push(Finding::new(
                Code::McpJsonrpcResponseIdMismatch,
                format!(
                    "{}: the {what} request had id {} but the response carries id {other}.",
                    seen(exchange),
                    probe.id()
                ),
                vec![exchange.id],
            ));
            out.push(
                failed("the only response answers another id".into())
                    .caused_by(Code::McpJsonrpcResponseIdMismatch),
            );
            return false;
        }
    };
    if stateless {
        discover_result(out, exchange, &result);
    } else {
        initialize_result(out, exchange, &result);
    }
    true
}

fn initialize_result(out: &mut Vec<Finding>, exchange: &Exchange, result: &Value) {
    let mut missing = Vec::new();
    let version_missing = !result.get("protocolVersion").is_some_and(Value::is_string);
    if version_missing {
        out.push(Finding::new(
            Code::McpProtocolVersionMissing,
            format!("{}: the initialize result has no protocolVersion string ({}), so the client cannot tell which revision the server speaks.", seen(exchange), members(result)),
            vec![exchange.id],
        ));
        missing.push("protocolVersion");
    }
    capabilities(out, exchange, result, &mut missing);
    let server_info_ok = result.get("serverInfo").is_some_and(|s| {
        s.get("name").is_some_and(Value::is_string)
            && s.get("version").is_some_and(Value::is_string)
    });
    if !server_info_ok {
        missing.push("serverInfo (with name and version)");
    }
    if !missing.is_empty() {
        let mut finding = Finding::new(
            Code::McpInitializeResultInvalid,
            format!(
                "{}: the initialize result lacks {} ({}).",
                seen(exchange),
                missing.join(", "),
                members(result)
            ),
            vec![exchange.id],
        );
        if missing == ["protocolVersion"] {
            finding = finding.caused_by(Code::McpProtocolVersionMissing);
        }
        out.push(finding);
    }
}

fn discover_result(out: &mut Vec<Finding>, exchange: &Exchange, result: &Value) {
    let mut missing = Vec::new();
    let versions_ok = result
        .get("supportedVersions")
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().all(Value::is_string));
    if !versions_ok {
        missing.push("supportedVersions (an array of strings)");
    }
    capabilities(out, exchange, result, &mut missing);
    if !result.get("resultType").is_some_and(Value::is_string) {
        missing.push("resultType");
    }
    if result.get("ttlMs").and_then(Value::as_u64).is_none() {
        missing.push("ttlMs (a non-negative integer)");
    }
    if !matches!(
        result.get("cacheScope").and_then(Value::as_str),
        Some("public" | "private")
    ) {
        missing.push("cacheScope (\"public\" or \"private\")");
    }
    if !missing.is_empty() {
        out.push(Finding::new(
            Code::McpInitializeResultInvalid,
            format!("{}: the server/discover result lacks {} ({}), all required by the 2026-07-28 DiscoverResult schema.", seen(exchange), missing.join(", "), members(result)),
            vec![exchange.id],
        ));
    }
}

fn capabilities(
    out: &mut Vec<Finding>,
    exchange: &Exchange,
    result: &Value,
    missing: &mut Vec<&'static str>,
) {
    match result.get("capabilities") {
        None => missing.push("capabilities"),
        Some(Value::Object(_)) => {}
        Some(other) => out.push(Finding::new(
            Code::McpCapabilitiesInvalid,
            format!(
                "{}: capabilities is {}, not an object.",
                seen(exchange),
                crate::wire::fields::describe(other)
            ),
            vec![exchange.id],
        )),
    }
}

fn initialized(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some(exchange) = facts.exchange(trace, Probe::Initialized) else {
        return;
    };
    let Some(response) = &exchange.response else {
        return;
    };
    let status = response.status;
    let error = match Got::of(exchange, &Value::Null) {
        Got::Error(e) | Got::Status(_, Some(e)) => Some(e),
        _ => None,
    };
    let body = response.body.trim();
    if !response.is_success() || error.is_some() {
        if matches!(status, 401 | 403) {
            return;
        }
        let why = error
            .map(|e| format!(" with JSON-RPC error {} ({})", e.code, excerpt(&e.message)))
            .unwrap_or_default();
        out.push(Finding::new(
            Code::McpNotificationFailed,
            format!("{} rejected notifications/initialized{why}. The client MUST send it after initialize (no sentence obliges the server in words to accept it), so refusing it breaks initialization for every client.", seen(exchange)),
            vec![exchange.id],
        ));
    } else if status != 202 {
        out.push(Finding::new(
            Code::McpNotificationStatusInvalid,
            format!("{} accepted notifications/initialized with {status}; an accepted notification is answered 202 Accepted.", seen(exchange)),
            vec![exchange.id],
        ));
    } else if !body.is_empty() {
        out.push(Finding::new(
            Code::McpNotificationBodyPresent,
            format!("{} answered notifications/initialized 202 with a body ({}); 202 comes with no body.", seen(exchange), excerpt(body)),
            vec![exchange.id],
        ));
    }
}

/// MCP_PROTOCOL_VERSION_MISMATCH: the server chose another version although
/// it accepts the requested one in the header (and rejects a bogus one, so the
/// header is really checked).
fn negotiation(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some(negotiated) = &facts.negotiated else {
        return;
    };
    if negotiated == &facts.requested || !Revision::rules_for(negotiated).has_version_header() {
        return;
    }
    let Some((accepted, Got::Result(_))) = facts.got(trace, Probe::RequestedVersionHeader) else {
        return;
    };
    let Some(bogus) = facts.exchange(trace, Probe::BadVersionHeader) else {
        return;
    };
    if bogus.status() != Some(400) {
        return;
    }
    let init = facts.exchange(trace, Probe::Initialize);
    out.push(Finding::new(
        Code::McpProtocolVersionMismatch,
        format!(
            "initialize requested {} and the server answered {negotiated} ({}), yet it serves requests declaring MCP-Protocol-Version: {} ({}) while it rejects unsupported ones ({}): it supports the requested version and should have answered with it.",
            facts.requested,
            init.map(seen).unwrap_or_default(),
            facts.requested,
            seen(accepted),
            seen(bogus)
        ),
        init.map(|e| e.id).into_iter().chain([accepted.id, bogus.id]).collect(),
    ));
}

fn session_id(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let (Some(session), Some(init)) = (&facts.session, facts.exchange(trace, Probe::Initialize))
    else {
        return;
    };
    let bad: Vec<String> = session
        .chars()
        .filter(|c| !('\u{21}'..='\u{7e}').contains(c))
        .take(3)
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    if !bad.is_empty() {
        out.push(Finding::new(
            Code::McpSessionIdInvalidChars,
            format!("{}: the Mcp-Session-Id `{}` contains {} (only visible ASCII, 0x21–0x7E, is allowed).", seen(init), excerpt(session), bad.join(", ")),
            vec![init.id],
        ));
    }
}

/// The member names of a result, for evidence.
pub(crate) fn members(result: &Value) -> String {
    match result.as_object() {
        Some(map) if map.is_empty() => "it is an empty object".into(),
        Some(map) => format!(
            "it has {}",
            map.keys()
                .take(8)
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!("it is {}", crate::wire::fields::describe(result)),
    }
}

/// A value cut short for evidence.
pub(crate) fn excerpt(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests;
