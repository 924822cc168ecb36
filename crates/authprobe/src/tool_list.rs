//! `-l/--tool-list` and `-d/--tool-detail <name>`: the server's tools, from the
//! (redacted) report, after it.

use std::io::Write;

use authprobe_core::report::{Report, StdioServer};
use serde_json::Value;

use crate::cli::ScanArgs;
use crate::exit::Failure;

/// What to print about the tools after the report.
#[derive(Debug, Clone, Default)]
pub enum ToolOutput {
    /// Nothing.
    #[default]
    None,
    /// One line per tool.
    List,
    /// One tool's JSON.
    Detail(String),
}

/// Reads what the report says about a stdio server, when the scan is done.
pub type StdioReporter = Box<dyn Fn() -> StdioServer + Send + Sync>;

/// What `scan` adds to a plain engine run.
#[derive(Default)]
pub struct Extras {
    /// The tool listing asked for.
    pub tools: ToolOutput,
    /// The stdio server behind the bridge, read after the scan for the report.
    pub stdio: Option<StdioReporter>,
    /// The LLM that rewrites the root-cause analysis, if one is configured.
    pub llm: Option<crate::llm::Settings>,
}

impl ToolOutput {
    /// From `-l` / `-d`.
    pub fn from_args(args: &ScanArgs) -> ToolOutput {
        match (&args.tool_detail, args.tool_list) {
            (Some(name), _) => ToolOutput::Detail(name.clone()),
            (None, true) => ToolOutput::List,
            (None, false) => ToolOutput::None,
        }
    }

    /// Prints the listing (on stderr when stdout carries a machine-readable
    /// report). False when the tool asked for does not exist.
    pub fn show(&self, report: &Report, stdout_taken: bool) -> Result<bool, Failure> {
        let (text, found) = match self {
            ToolOutput::None => return Ok(true),
            ToolOutput::List => (list(report), true),
            ToolOutput::Detail(name) => match detail(report, name) {
                Some(text) => (text, true),
                None => (missing(report, name), false),
            },
        };
        let written = if stdout_taken || !found {
            std::io::stderr().lock().write_all(text.as_bytes())
        } else {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.flush())
        };
        written.map_err(|e| Failure::new(format!("cannot write the tool list: {e}")))?;
        Ok(found)
    }
}

fn name_of(tool: &Value) -> &str {
    tool.get("name")
        .and_then(Value::as_str)
        .unwrap_or("(no name)")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `Tools (2):` then `  name  Title: description` per tool.
fn list(report: &Report) -> String {
    if report.tools.is_empty() {
        return format!("\nNo tools listed: {}\n", why_none(report));
    }
    let width = report
        .tools
        .iter()
        .map(|t| name_of(t).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("\nTools ({}):\n", report.tools.len());
    for tool in &report.tools {
        let title = tool.get("title").and_then(Value::as_str);
        let description = tool.get("description").and_then(Value::as_str);
        let about = match (title, description) {
            (Some(t), Some(d)) => format!("{}: {}", one_line(t), one_line(d)),
            (Some(t), None) => one_line(t),
            (None, Some(d)) => one_line(d),
            (None, None) => String::new(),
        };
        let about: String = about.chars().take(100).collect();
        out.push_str(&format!("  {:<width$}  {about}\n", one_line(name_of(tool))));
    }
    out
}

fn detail(report: &Report, name: &str) -> Option<String> {
    let tool = report.tools.iter().find(|t| name_of(t) == name)?;
    let pretty = serde_json::to_string_pretty(tool).unwrap_or_else(|_| tool.to_string());
    Some(format!("{pretty}\n"))
}

fn missing(report: &Report, name: &str) -> String {
    if report.tools.is_empty() {
        return format!("error: no tool named `{name}`: {}\n", why_none(report));
    }
    let names: Vec<&str> = report.tools.iter().map(name_of).collect();
    format!(
        "error: no tool named `{name}`; the server lists: {}\n",
        names.join(", ")
    )
}

/// Why the report has no tools: the stage-2 step that says so.
fn why_none(report: &Report) -> String {
    report
        .steps
        .iter()
        .filter(|s| s.id == "tools" || s.id == "transport")
        .find(|s| s.status.as_str() == "SKIP" || s.id == "tools")
        .map(|s| s.detail.clone())
        .unwrap_or_else(|| "tools/list was not answered".into())
}
