//! Stage 2 checks of the server's features: `tools/list` and each tool
//! (input and output schemas, names, icons), the server's own icons, and the
//! task methods a 2025-11-25 server advertises.

use std::collections::HashMap;

use serde_json::Value;

use crate::catalog::Code;
use crate::facts::transport::{Got, Probe, TransportFacts};
use crate::facts::Trace;
use crate::http::Exchange;
use crate::report::Finding;
use crate::wire::mcp::{self, Revision};

use super::seen;
use super::tool_schema::{self, SchemaVerdict};
use super::transport::{excerpt, members};

/// Appends the tool, icon and task findings that apply to the facts' revision.
pub fn findings(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let Some(revision) = facts.revision else {
        return;
    };
    let init = facts.init_result(trace);
    let declared = init
        .as_ref()
        .and_then(|r| r.get("capabilities"))
        .and_then(|c| c.get("tools"))
        .is_some();
    list(out, facts, trace, declared);
    let tools = facts.tools(trace);
    let Some((first, _)) = facts.got(trace, Probe::ToolsList(0)) else {
        return;
    };
    each_tool(out, first, &tools, revision);
    if revision.has_tool_metadata_rules() {
        if let (Some(result), Some(e)) = (&init, init_exchange(facts, trace)) {
            server_icons(out, e, result);
        }
    }
    if revision.has_core_tasks() {
        tasks(out, facts, trace);
    }
}

fn init_exchange<'t>(facts: &TransportFacts, trace: &'t Trace) -> Option<&'t Exchange> {
    facts
        .exchange(trace, Probe::Initialize)
        .filter(|_| facts.era != crate::wire::mcp::Era::Stateless)
        .or_else(|| facts.exchange(trace, Probe::Discover))
}

fn list(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace, declared: bool) {
    for page in 0..5u8 {
        let probe = Probe::ToolsList(page);
        let Some((exchange, got)) = facts.got(trace, probe) else {
            return;
        };
        let why = match &got {
            Got::Result(result) => {
                if !result.get("tools").is_some_and(Value::is_array) {
                    out.push(Finding::new(
                        Code::McpToolsListInvalid,
                        format!(
                            "{}: the tools/list result has no `tools` array ({}).",
                            seen(exchange),
                            members(result)
                        ),
                        vec![exchange.id],
                    ));
                }
                continue;
            }
            Got::NoAnswer(_) | Got::Cut { .. } | Got::Status(401 | 403, _) => return,
            // A server that does not declare tools may say it has no such method.
            Got::Error(e) | Got::Status(_, Some(e))
                if !declared && e.code == mcp::METHOD_NOT_FOUND =>
            {
                return
            }
            Got::Error(e) => format!("JSON-RPC error {} ({})", e.code, excerpt(&e.message)),
            Got::Status(status, Some(e)) => format!("HTTP {status} with JSON-RPC error {}", e.code),
            Got::Status(status, None) => format!("HTTP {status}"),
            Got::Unreadable(_, why) => format!("the body is not JSON-RPC ({why})"),
            Got::NoResponse(status) => format!("{status} without a JSON-RPC response"),
            Got::Invalid(_) | Got::WrongId(_) => "the response is not usable".to_string(),
        };
        if !declared {
            return;
        }
        let mut finding = Finding::new(
            Code::McpToolsListFailed,
            format!(
                "{}: {why}, although the server declares the tools capability (the duty follows from the declared capability: clients that see it list tools).",
                seen(exchange)
            ),
            vec![exchange.id],
        );
        finding = match got {
            Got::Invalid(_) => finding.caused_by(Code::McpJsonrpcResponseInvalid),
            Got::WrongId(_) => finding.caused_by(Code::McpJsonrpcResponseIdMismatch),
            _ => finding,
        };
        out.push(finding);
        return;
    }
}

fn each_tool(out: &mut Vec<Finding>, exchange: &Exchange, tools: &[Value], revision: Revision) {
    let rules = revision.has_tool_metadata_rules();
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut bad_names = Vec::new();
    for (index, tool) in tools.iter().enumerate() {
        let name = tool.get("name").and_then(Value::as_str);
        let label = match name {
            Some(n) => format!("tool `{}`", excerpt(n)),
            None => format!("tool #{}", index + 1),
        };
        match tool.get("inputSchema") {
            None | Some(Value::Null) => out.push(Finding::new(
                Code::McpToolInputSchemaMissing,
                format!("{}: {label} has no inputSchema; every tool declares one (an empty-argument tool uses {{\"type\": \"object\"}}).", seen(exchange)),
                vec![exchange.id],
            )),
            Some(schema) if rules => schema_finding(out, exchange, &label, "inputSchema", schema),
            Some(_) => {}
        }
        if rules {
            if let Some(schema) = tool.get("outputSchema").filter(|s| !s.is_null()) {
                schema_finding(out, exchange, &label, "outputSchema", schema);
            }
            match name {
                Some(n) => {
                    *names.entry(n).or_default() += 1;
                    if let Some(problem) = mcp::tool_name_problem(n) {
                        bad_names.push(format!("`{}` {problem}", excerpt(n)));
                    }
                }
                None => bad_names.push(format!("{label} has no name")),
            }
            icons(out, exchange, &label, tool);
        }
    }
    let mut duplicates: Vec<&&str> = names
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, _)| k)
        .collect();
    duplicates.sort();
    for d in duplicates {
        bad_names.push(format!("`{}` is used by {} tools", excerpt(d), names[*d]));
    }
    if !bad_names.is_empty() {
        out.push(Finding::new(
            Code::McpToolNameInvalid,
            format!("{}: {}; tool names are 1 to 128 characters of A-Z, a-z, 0-9, `_`, `-` and `.`, unique within the server.", seen(exchange), bad_names.join("; ")),
            vec![exchange.id],
        ));
    }
}

fn schema_finding(
    out: &mut Vec<Finding>,
    exchange: &Exchange,
    label: &str,
    member: &str,
    schema: &Value,
) {
    match tool_schema::judge(schema) {
        SchemaVerdict::Valid | SchemaVerdict::UnknownDialect(_) => {}
        SchemaVerdict::Invalid(why) => out.push(Finding::new(
            Code::McpToolInputSchemaInvalid,
            format!(
                "{}: the {member} of {label} is not a valid JSON Schema ({}): {why}.",
                seen(exchange),
                dialect(schema)
            ),
            vec![exchange.id],
        )),
    }
}

fn dialect(schema: &Value) -> String {
    match schema.get("$schema").and_then(Value::as_str) {
        Some(uri) => format!("dialect {}", excerpt(uri)),
        None => "JSON Schema 2020-12, the default".into(),
    }
}

fn icons(out: &mut Vec<Finding>, exchange: &Exchange, label: &str, item: &Value) {
    let Some(list) = item.get("icons").and_then(Value::as_array) else {
        return;
    };
    let bad: Vec<String> = list
        .iter()
        .filter_map(|icon| icon.get("src").and_then(Value::as_str))
        .filter_map(|src| {
            mcp::unsafe_icon_scheme(src).map(|s| format!("`{}` (scheme {s})", excerpt(src)))
        })
        .collect();
    if !bad.is_empty() {
        out.push(Finding::new(
            Code::McpIconUnsafeScheme,
            format!("{}: an icon of {label} uses an unsafe URI: {}; icon URIs are https: or data:, and clients must reject others.", seen(exchange), bad.join(", ")),
            vec![exchange.id],
        ));
    }
}

fn server_icons(out: &mut Vec<Finding>, exchange: &Exchange, result: &Value) {
    if let Some(info) = result.get("serverInfo") {
        icons(out, exchange, "the server (serverInfo)", info);
    }
    if let Some(info) = result.pointer("/_meta/io.modelcontextprotocol~1serverInfo") {
        icons(out, exchange, "the server (_meta serverInfo)", info);
    }
}

fn tasks(out: &mut Vec<Finding>, facts: &TransportFacts, trace: &Trace) {
    let mut missing = Vec::new();
    for (probe, method) in [
        (Probe::TasksList, "tasks/list"),
        (Probe::TasksGet, "tasks/get"),
        (Probe::TasksCancel, "tasks/cancel"),
    ] {
        if let Some((exchange, got)) = facts.got(trace, probe) {
            if got.error().is_some_and(|e| e.code == mcp::METHOD_NOT_FOUND) {
                missing.push((exchange, method));
            }
        }
    }
    if missing.is_empty() {
        return;
    }
    out.push(Finding::new(
        Code::McpTasksMethodMissing,
        format!(
            "The server declares the tasks capability, but {} answered -32601 Method not found ({}).",
            missing.iter().map(|(_, m)| *m).collect::<Vec<_>>().join(", "),
            missing.iter().map(|(e, _)| seen(e)).collect::<Vec<_>>().join("; ")
        ),
        missing.iter().map(|(e, _)| e.id).collect(),
    ));
}
