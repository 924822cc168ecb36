//! The stage-2 lines of the funnel: the lifecycle, the transport rules, the tools.

use serde_json::Value;

use crate::facts::transport::{Got, Probe, TransportFacts};
use crate::facts::Trace;
use crate::report::{Finding, Severity, Stage, Step, StepStatus};
use crate::wire::mcp::Era;

/// The three stage-2 steps, in funnel order.
const STEPS: [(&str, &str); 3] = [
    ("transport", "MCP transport and lifecycle"),
    ("transport-rules", "Transport rules"),
    ("tools", "Tools"),
];

fn status_of(findings: &[Finding], step: &str) -> StepStatus {
    let worst = findings
        .iter()
        .filter(|f| f.stage == Stage::Transport && f.code.step_id() == step)
        .map(|f| f.severity)
        .max();
    StepStatus::from_worst(worst)
}

fn step(index: usize, status: StepStatus, detail: String, ids: Vec<u32>) -> Step {
    let (id, name) = STEPS[index];
    Step {
        id: id.into(),
        stage: Stage::Transport,
        name: name.into(),
        status,
        detail,
        exchange_ids: ids,
    }
}

/// Builds the stage-2 steps.
pub fn steps(facts: &TransportFacts, trace: &Trace, findings: &[Finding]) -> Vec<Step> {
    // The reason is given once; the following steps point back to it.
    let skip_all = |why: &str| {
        (0..STEPS.len())
            .map(|i| {
                let detail = if i == 0 {
                    why.to_string()
                } else {
                    format!("skipped, as \"{}\" above", STEPS[0].1)
                };
                step(i, StepStatus::Skip, detail, Vec::new())
            })
            .collect::<Vec<_>>()
    };
    if facts.probes.is_empty() {
        return skip_all(facts.skipped.as_deref().unwrap_or("not run"));
    }
    let ids_of = |probes: &[Probe]| -> Vec<u32> {
        facts
            .probes
            .iter()
            .filter(|(p, _)| probes.contains(p))
            .flat_map(|(_, r)| r.ids.clone())
            .collect()
    };
    let lifecycle = [
        Probe::Discover,
        Probe::Initialize,
        Probe::LegacyGet,
        Probe::Initialized,
    ];
    let tool_probes: Vec<Probe> = facts
        .probes
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| {
            matches!(
                p,
                Probe::ToolsList(_) | Probe::TasksList | Probe::TasksGet | Probe::TasksCancel
            )
        })
        .collect();
    let rule_probes: Vec<Probe> = facts
        .probes
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| !lifecycle.contains(p) && !tool_probes.contains(p))
        .collect();

    let usable = facts.init_result(trace).is_some();
    let era = match (facts.era, &facts.negotiated) {
        (Era::Unknown, _) => "era not determined".to_string(),
        (era, Some(v)) => format!("{v} ({})", era.as_str()),
        (era, None) => era.as_str().to_string(),
    };
    let first = match facts.era {
        Era::LegacySse => "GET opens an HTTP+SSE stream with an endpoint event".to_string(),
        Era::Stateless => answer("server/discover", facts, trace, Probe::Discover),
        _ => answer("initialize", facts, trace, Probe::Initialize),
    };
    let mut detail = format!("{era}: {first}");
    if facts.session.is_some() {
        detail.push_str(", session issued");
    }
    if let Some(why) = facts.skipped.as_deref().filter(|_| !usable) {
        detail.push_str(&format!(" ({why})"));
    }
    let lifecycle_status = if usable || facts.era == Era::LegacySse {
        status_of(findings, "transport")
    } else if findings
        .iter()
        .any(|f| f.code.step_id() == "transport" && f.severity >= Severity::Low)
    {
        StepStatus::Fail
    } else {
        StepStatus::Skip
    };
    let mut out = vec![step(0, lifecycle_status, detail, ids_of(&lifecycle))];

    let not_checked = match facts.era {
        Era::LegacySse => Some("not checked over the deprecated HTTP+SSE transport".to_string()),
        _ if !usable => Some(format!("not checked: {}", first)),
        _ => None,
    };
    if let Some(why) = not_checked {
        out.push(step(1, StepStatus::Skip, why.clone(), Vec::new()));
        out.push(step(2, StepStatus::Skip, why, Vec::new()));
        return out;
    }
    let rule_detail = if facts.stdio {
        format!(
            "{} probes (HTTP-level rules not judged through the stdio bridge)",
            rule_probes.len()
        )
    } else {
        format!("{} probes", rule_probes.len())
    };
    out.push(step(
        1,
        status_of(findings, "transport-rules"),
        rule_detail,
        ids_of(&rule_probes),
    ));

    let tools = facts.tools(trace);
    let (status, detail) = match facts.got(trace, Probe::ToolsList(0)) {
        Some((_, Got::Cut { .. })) => (
            StepStatus::Skip,
            "tools/list did not end within the limits".to_string(),
        ),
        Some((_, Got::NoAnswer(_))) => (StepStatus::Skip, "tools/list got no answer".to_string()),
        Some((_, Got::Result(_))) => (status_of(findings, "tools"), tool_summary(&tools)),
        Some((e, _)) => (
            status_of(findings, "tools"),
            format!(
                "tools/list → {}",
                e.status().map(|s| s.to_string()).unwrap_or_default()
            ),
        ),
        None => (StepStatus::Skip, "tools/list not sent".to_string()),
    };
    out.push(step(2, status, detail, ids_of(&tool_probes)));
    out
}

fn answer(method: &str, facts: &TransportFacts, trace: &Trace, probe: Probe) -> String {
    match facts.exchange(trace, probe) {
        Some(e) => match &e.response {
            Some(r) => match r.media_type().filter(|m| !m.is_empty()) {
                Some(mt) => format!("{method} → {} {mt}", r.status),
                None => format!("{method} → {}", r.status),
            },
            None => format!(
                "{method} → no answer ({})",
                e.error.as_ref().map(|x| x.message.as_str()).unwrap_or("")
            ),
        },
        None => format!("{method} not sent"),
    }
}

fn tool_summary(tools: &[Value]) -> String {
    let names: Vec<&str> = tools
        .iter()
        .map(|t| t.get("name").and_then(Value::as_str).unwrap_or("?"))
        .collect();
    match names.len() {
        0 => "no tools".into(),
        1 => format!("1 tool: {}", names[0]),
        n if n <= 6 => format!("{n} tools: {}", names.join(", ")),
        n => format!("{n} tools: {}, …", names[..6].join(", ")),
    }
}

/// Puts the stage-2 steps in place: after the stage-1 steps, before the rest.
pub fn insert(all: &mut Vec<Step>, stage2: Vec<Step>) {
    all.retain(|s| s.stage != Stage::Transport);
    let at = all
        .iter()
        .position(|s| s.stage > Stage::Transport)
        .unwrap_or(all.len());
    all.splice(at..at, stage2);
}
