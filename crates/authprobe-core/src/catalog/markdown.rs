//! The catalog as text: the user-facing page `docs/findings.md` and the entry
//! `authprobe explain CODE` prints. Both are generated from the table, so they
//! cannot drift from it.

use std::fmt::Write as _;

use super::{Code, Entry, Family, Impact, Status, Strength};
use crate::report::{Severity, Stage};

/// The command that regenerates `docs/findings.md` (and the code snapshot).
pub(crate) const REGENERATE_COMMAND: &str =
    "AUTHPROBE_BLESS=1 cargo test -p authprobe-core --lib catalog";

/// Width of `explain_text` output.
const WIDTH: usize = 80;

/// The catalog page (`docs/findings.md`): an introduction, then every code,
/// stage by stage in catalog order, each under a `### CODE` heading so that
/// `docs/findings.md#code_name` links work. The output is deterministic.
pub fn findings_markdown() -> String {
    let mut out = String::new();
    let _ = write_intro(&mut out);
    for stage in Stage::ALL {
        let _ = write_stage(&mut out, stage);
    }
    let _ = write_planned(&mut out);
    out
}

/// The plain-text entry printed by `authprobe explain CODE`: code and title,
/// severity, confidence, stage and family, when it fires, the references (with
/// their URLs) and how to fix it. No colour codes; lines wrap at 80 columns.
pub fn explain_text(code: Code) -> String {
    let e = code.entry();
    let mut out = String::new();
    let _ = write_explain(&mut out, e);
    out
}

fn write_intro(out: &mut String) -> std::fmt::Result {
    let example = Code::PrmResourceMismatch;
    writeln!(out, "# Finding codes")?;
    writeln!(out)?;
    writeln!(
        out,
        "<!-- Generated from the catalog in crates/authprobe-core/src/catalog/entries/. \
         Do not edit by hand: regenerate with `{REGENERATE_COMMAND}`. -->"
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Every deviation `authprobe scan` reports is a **finding** identified by a stable \
         **code**, such as [`{}`](#{}). Codes are public API: they appear in JSON reports, \
         SARIF rule ids and `--fail-on` gates, so a code is never renamed or removed; new \
         ones are only added. `authprobe explain <CODE>` prints any entry of this page in \
         the terminal.",
        example.as_str(),
        code_anchor(example)
    )?;
    writeln!(out)?;
    writeln!(out, "## How to read an entry")?;
    writeln!(out)?;
    writeln!(out, "- **Severity** is the default weight of a finding:")?;
    for severity in [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        writeln!(
            out,
            "  - `{}`: {}",
            severity.as_str(),
            severity_meaning(severity)
        )?;
    }
    writeln!(
        out,
        "- **Impact** says what the finding means for a client; it decides the scan's \
         outcome (see [Impact and the outcome](#impact-and-the-outcome)):"
    )?;
    for impact in Impact::ALL {
        writeln!(out, "  - `{}`: {}", impact.as_str(), impact.meaning())?;
    }
    writeln!(
        out,
        "- **Confidence** (0.00 to 1.00) says how directly the evidence proves the finding: \
         1.00 for a direct, deterministic observation (a status, a header, a field, an exact \
         inequality), 0.85 to 0.95 for an inference from several probes, 0.60 to 0.80 for a \
         heuristic. A scan may lower it for a particular finding."
    )?;
    writeln!(
        out,
        "- **Family** says where the rule comes from: `mcp` (the MCP specification), `rfc` \
         (the RFCs, OAuth 2.1, HTTP and URI texts) or `policy` (authprobe's own policy, such \
         as the SSRF guard, and plain observations)."
    )?;
    writeln!(
        out,
        "- **Rule** is the strength of the text behind it: MUST, SHOULD (which includes \
         RECOMMENDED and best practice), implied (no sentence states the duty, but the \
         flow it breaks does: a declared capability, the discovery flow, a rule that binds \
         clients; the finding says so) or observation."
    )?;
    writeln!(
        out,
        "- **Fires when** gives the exact condition, **References** the sections it rests \
         on, and **Fix** what the server operator can change. In a report, every finding \
         also names the exchanges (request/response pairs of the trace) that prove it."
    )?;
    writeln!(out)?;
    writeln!(out, "## Impact and the outcome")?;
    writeln!(out)?;
    writeln!(
        out,
        "A scan of a server that requires authorization ends `protected-broken` only when a \
         finding with a `blocks-discovery`, `blocks-login` or `blocks-session` impact is \
         present: a conforming client cannot get in or stay in. Findings that degrade some \
         clients, that are unsafe (`security`) or that are spec drift (`hygiene`) leave the \
         outcome `protected-ok`; they keep their severity, so `--fail-on` and the exit \
         code still see them. When security findings are present, every report prints a \
         one-line security summary next to the outcome (JSON: `security_summary`)."
    )?;
    writeln!(out)?;
    writeln!(out, "## Gates and strictness")?;
    writeln!(out)?;
    writeln!(
        out,
        "- `--fail-on none|low|medium|high` (default `high`) makes `authprobe scan` exit \
         with status 2 when a finding at or above that severity is present; `info` \
         findings never fail a gate."
    )?;
    writeln!(
        out,
        "- `--mcp strict` and `--rfc strict` raise the SHOULD-level findings of their family \
         one step (low to medium, medium to high); `--mcp off` and `--rfc off` skip the \
         family (with the consequences of its findings); the default is `best-effort`. \
         `policy` findings are affected by neither flag, and neither changes the outcome, \
         which says what happened on the wire."
    )?;
    writeln!(out)?;
    writeln!(out, "## Codes by stage")?;
    writeln!(out)?;
    writeln!(out, "| Stage | Codes | What it covers |")?;
    writeln!(out, "|---|---:|---|")?;
    for stage in Stage::ALL {
        writeln!(
            out,
            "| [{}. {}](#{}) | {} | {} |",
            stage.number(),
            stage.title(),
            github_anchor(&stage_heading(stage)),
            entries_of(stage)
                .filter(|e| e.status != Status::Planned)
                .count(),
            stage_summary(stage)
        )?;
    }
    Ok(())
}

fn write_stage(out: &mut String, stage: Stage) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "## {}", stage_heading(stage))?;
    writeln!(out)?;
    writeln!(out, "{}", stage_summary(stage))?;
    writeln!(out)?;
    writeln!(out, "| Code | Severity | Impact | Title |")?;
    writeln!(out, "|---|---|---|---|")?;
    let listed = || entries_of(stage).filter(|e| e.status != Status::Planned);
    for e in listed() {
        write_row(out, e)?;
    }
    for e in listed() {
        write_entry(out, e)?;
    }
    Ok(())
}

/// Codes that are specified but not built: listed apart, never as checks.
fn write_planned(out: &mut String) -> std::fmt::Result {
    let planned: Vec<&Entry> = Code::ALL
        .iter()
        .map(|c| c.entry())
        .filter(|e| e.status == Status::Planned)
        .collect();
    if planned.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "## Planned codes")?;
    writeln!(out)?;
    writeln!(
        out,
        "These codes are reserved for checks that are not yet implemented: no scan raises \
         them today. They are listed so that gates can name them in advance."
    )?;
    writeln!(out)?;
    writeln!(out, "| Code | Severity | Impact | Title |")?;
    writeln!(out, "|---|---|---|---|")?;
    for e in &planned {
        write_row(out, e)?;
    }
    for e in planned {
        write_entry(out, e)?;
    }
    Ok(())
}

fn write_row(out: &mut String, e: &Entry) -> std::fmt::Result {
    let severity = match e.status {
        Status::Raised => e.severity.as_str(),
        Status::Planned => "planned",
        Status::Reserved => "reserved",
    };
    writeln!(
        out,
        "| [`{}`](#{}) | {} | {} | {} |",
        e.code.as_str(),
        code_anchor(e.code),
        severity,
        e.impact.as_str(),
        e.title
    )
}

fn write_entry(out: &mut String, e: &Entry) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "### {}", e.code.as_str())?;
    writeln!(out)?;
    writeln!(out, "**{}**", e.title)?;
    writeln!(out)?;
    match e.status {
        Status::Raised => {}
        Status::Reserved => {
            writeln!(
                out,
                "> **Reserved:** this code is never raised. It is kept so that existing \
                 gates and scripts that name it keep working."
            )?;
            writeln!(out)?;
        }
        Status::Planned => {
            writeln!(
                out,
                "> **Planned:** not yet implemented; no scan raises this code today."
            )?;
            writeln!(out)?;
        }
    }
    writeln!(
        out,
        "Severity: **{}** · Impact: `{}` · Confidence: {:.2} · Family: `{}` · Rule: {} · \
         Funnel step: `{}`",
        e.severity.as_str(),
        e.impact.as_str(),
        e.confidence,
        family_name(e.family),
        rule_text(e, true),
        e.step.as_str()
    )?;
    writeln!(out)?;
    writeln!(out, "**Fires when:** {}", e.fires_when)?;
    writeln!(out)?;
    if e.references.is_empty() {
        writeln!(
            out,
            "**References:** none; this is an observation, not a rule."
        )?;
    } else {
        writeln!(out, "**References:**")?;
        writeln!(out)?;
        for r in e.references {
            writeln!(out, "- [{} {}]({})", r.spec, r.section, r.url)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "**Fix:** {}", e.remediation)
}

fn write_explain(out: &mut String, e: &Entry) -> std::fmt::Result {
    writeln!(out, "{}", e.code.as_str())?;
    out.push_str(&wrap(e.title, ""));
    writeln!(out)?;
    let rows: [(&str, String); 7] = [
        ("Severity", e.severity.as_str().to_owned()),
        (
            "Impact",
            format!("{} ({})", e.impact.as_str(), e.impact.meaning()),
        ),
        ("Confidence", format!("{:.2}", e.confidence)),
        (
            "Stage",
            format!("{} ({})", e.stage.number(), e.stage.title()),
        ),
        (
            "Family",
            format!("{} ({})", family_name(e.family), family_meaning(e.family)),
        ),
        ("Rule", rule_text(e, false)),
        ("Step", e.step.as_str().to_owned()),
    ];
    for (label, value) in rows {
        // The label column is 12 wide; a long value continues under the value column.
        let pad = " ".repeat(12);
        let text = wrap(&value, &pad);
        write!(out, "{:<12}{}", format!("{label}:"), &text[pad.len()..])?;
    }
    match e.status {
        Status::Raised => {}
        Status::Reserved => writeln!(
            out,
            "{:<12}reserved, never raised (kept so that existing gates keep working)",
            "Status:"
        )?,
        Status::Planned => writeln!(
            out,
            "{:<12}planned: not yet implemented, never raised today",
            "Status:"
        )?,
    }
    writeln!(out)?;
    writeln!(out, "When it fires:")?;
    out.push_str(&wrap(e.fires_when, "    "));
    writeln!(out)?;
    writeln!(out, "References:")?;
    if e.references.is_empty() {
        writeln!(out, "    none; this is an observation, not a rule")?;
    }
    for r in e.references {
        out.push_str(&wrap_hanging(
            &format!("{} {}", r.spec, r.section),
            "    ",
            "      ",
        ));
        writeln!(out, "        {}", r.url)?;
    }
    writeln!(out)?;
    writeln!(out, "How to fix:")?;
    out.push_str(&wrap(e.remediation, "    "));
    writeln!(out)?;
    writeln!(
        out,
        "Full catalog: docs/findings.md#{}",
        code_anchor(e.code)
    )?;
    Ok(())
}

/// The entries of one stage, in catalog order.
fn entries_of(stage: Stage) -> impl Iterator<Item = &'static Entry> {
    Code::ALL
        .iter()
        .map(|c| c.entry())
        .filter(move |e| e.stage == stage)
}

fn stage_heading(stage: Stage) -> String {
    format!("Stage {}: {}", stage.number(), stage.title())
}

fn stage_summary(stage: Stage) -> &'static str {
    match stage {
        Stage::Challenge => {
            "The unauthenticated request to the MCP endpoint, the challenge it gets back, and \
             a request with a made-up token."
        }
        Stage::Transport => {
            "The MCP transport and lifecycle of the detected revision: initialization, \
             sessions, JSON-RPC framing, tools."
        }
        Stage::Prm => {
            "RFC 9728 protected resource metadata, which tells clients where the \
             authorization server is."
        }
        Stage::AuthServer => {
            "Authorization server metadata (RFC 8414 or OpenID Connect Discovery), its keys, \
             and the SSRF policy for URLs taken from documents."
        }
        Stage::Token => "The token endpoint, probed with an invalid authorization code.",
        Stage::Registration => {
            "Client registration, and with `--active` the registration and \
             authorization-request probes (test clients are deleted afterwards)."
        }
        Stage::Session => "Checks that need an access token (`--bearer-token` or `--login`).",
    }
}

fn severity_meaning(severity: Severity) -> &'static str {
    match severity {
        Severity::High => {
            "a conforming client cannot complete discovery, authorization or the session, or \
             a MUST with security impact is broken"
        }
        Severity::Medium => "a MUST is broken in a way that breaks some clients or some situations",
        Severity::Low => {
            "a SHOULD or SHOULD NOT is broken, or a MUST is broken with no client impact today"
        }
        Severity::Info => {
            "MAY-level text, a best practice, a compatibility hint or an observation; it never \
             fails a gate"
        }
    }
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::Mcp => "mcp",
        Family::Rfc => "rfc",
        Family::Policy => "policy",
    }
}

fn family_meaning(family: Family) -> &'static str {
    match family {
        Family::Mcp => "the MCP specification; skipped by --mcp off",
        Family::Rfc => "RFCs, OAuth 2.1, HTTP and URI texts; skipped by --rfc off",
        Family::Policy => "authprobe policy or observation; unaffected by --mcp/--rfc",
    }
}

/// "MUST", "SHOULD (`--rfc strict` raises it to medium)" or "observation".
fn rule_text(e: &Entry, markdown: bool) -> String {
    match e.strength {
        Strength::Must => "MUST".to_owned(),
        Strength::Observation => "observation".to_owned(),
        Strength::Implied => "implied (no sentence states it; the flow it breaks does)".to_owned(),
        Strength::Should => {
            let raised = e.severity.raised();
            let flag = match e.family {
                Family::Mcp => Some("--mcp strict"),
                Family::Rfc => Some("--rfc strict"),
                Family::Policy => None,
            };
            match flag {
                Some(flag) if raised != e.severity => {
                    let tick = if markdown { "`" } else { "" };
                    format!(
                        "SHOULD ({tick}{flag}{tick} raises it to {})",
                        raised.as_str()
                    )
                }
                _ => "SHOULD".to_owned(),
            }
        }
    }
}

/// The anchor GitHub gives the `### CODE` heading.
fn code_anchor(code: Code) -> String {
    github_anchor(code.as_str())
}

/// GitHub's heading anchor: lowercase, spaces to hyphens, other punctuation
/// than `-` and `_` dropped.
fn github_anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Wraps `text` at `WIDTH` columns, each line starting with `indent`; words
/// longer than a line (URLs) are kept whole.
fn wrap(text: &str, indent: &str) -> String {
    wrap_hanging(text, indent, indent)
}

/// Like [`wrap`], with `first` before the first line and `rest` before the others.
fn wrap_hanging(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut line_len = 0;
    let mut indent = first;
    for word in text.split_whitespace() {
        let word_len = word.chars().count();
        if line_len > 0 && indent.chars().count() + line_len + 1 + word_len > WIDTH {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
            line_len = 0;
            indent = rest;
        }
        if line_len > 0 {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += word_len;
    }
    if line_len > 0 {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}
