//! The report outputs a scan was asked for (`--json`, `--md`, `--trace-ascii`,
//! `--sarif`, `--junit`, `--html`, `--bundle`, `--output-dir`): where each goes, and
//! writing them.
//!
//! `--output-dir DIR` puts the outputs in one directory: a relative path given to an
//! output flag is taken inside DIR (as the Go tool does), and with no output flag at
//! all every format is written there under its usual name (`report.json`,
//! `report.md`, `trace.txt`, `report.sarif`, `report.junit.xml`, `report.html`,
//! `bundle.zip`). `-` always means stdout.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use authprobe_core::http::ExchangeObserver;
use authprobe_core::report::{Report, Severity};
use authprobe_render::{
    diff_reports, exchange_text, read_report_json, redact_exchange, render_bundle, render_diff,
    render_explain, render_html, render_json, render_junit, render_markdown, render_sarif,
    render_terminal, render_trace, ExchangeDump, ExchangeTextOptions, RedactionOptions,
    TerminalOptions,
};

use crate::cli::{ColorChoice, OutputArgs};
use crate::exit::Failure;

/// One output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The JSON report.
    Json,
    /// The Markdown report.
    Markdown,
    /// The call trace as text.
    Trace,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// The HTML report.
    Html,
    /// The evidence bundle (zip).
    Bundle,
}

impl Format {
    /// Every format, in the order outputs are written.
    pub const ALL: [Format; 7] = [
        Format::Json,
        Format::Markdown,
        Format::Trace,
        Format::Sarif,
        Format::Junit,
        Format::Html,
        Format::Bundle,
    ];

    /// The file name used inside `--output-dir`.
    pub fn default_name(self) -> &'static str {
        match self {
            Format::Json => "report.json",
            Format::Markdown => "report.md",
            Format::Trace => "trace.txt",
            Format::Sarif => "report.sarif",
            Format::Junit => "report.junit.xml",
            Format::Html => "report.html",
            Format::Bundle => "bundle.zip",
        }
    }

    /// The flag that asks for it.
    pub fn flag(self) -> &'static str {
        match self {
            Format::Json => "--json",
            Format::Markdown => "--md",
            Format::Trace => "--trace-ascii",
            Format::Sarif => "--sarif",
            Format::Junit => "--junit",
            Format::Html => "--html",
            Format::Bundle => "--bundle",
        }
    }

    fn requested(self, output: &OutputArgs) -> Option<&String> {
        match self {
            Format::Json => output.json.as_ref(),
            Format::Markdown => output.md.as_ref(),
            Format::Trace => output.trace_ascii.as_ref(),
            Format::Sarif => output.sarif.as_ref(),
            Format::Junit => output.junit.as_ref(),
            Format::Html => output.html.as_ref(),
            Format::Bundle => output.bundle.as_ref(),
        }
    }

    /// The bytes of this format for `report` (already redacted).
    pub fn render(self, report: &Report) -> Result<Vec<u8>, Failure> {
        Ok(match self {
            Format::Json => render_json(report).into_bytes(),
            Format::Markdown => render_markdown(report).into_bytes(),
            Format::Trace => render_trace(report).into_bytes(),
            Format::Sarif => render_sarif(report).into_bytes(),
            Format::Junit => render_junit(report).into_bytes(),
            Format::Html => render_html(report).into_bytes(),
            Format::Bundle => render_bundle(report).map_err(|e| Failure::new(e.to_string()))?,
        })
    }
}

/// Where one output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// A file.
    File(PathBuf),
}

/// The outputs requested, in writing order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan(Vec<(Format, Destination)>);

impl Plan {
    /// Reads the output flags.
    pub fn from_args(output: &OutputArgs) -> Plan {
        let dir = output.output_dir.as_deref().map(Path::new);
        let requested: Vec<(Format, &String)> = Format::ALL
            .iter()
            .filter_map(|f| f.requested(output).map(|p| (*f, p)))
            .collect();
        let mut plan = Vec::new();
        match (dir, requested.is_empty()) {
            (Some(dir), true) => {
                for format in Format::ALL {
                    plan.push((format, Destination::File(dir.join(format.default_name()))));
                }
            }
            _ => {
                for (format, path) in requested {
                    let destination = if path == "-" {
                        Destination::Stdout
                    } else {
                        let path = Path::new(path);
                        match dir {
                            Some(dir) if path.is_relative() => Destination::File(dir.join(path)),
                            _ => Destination::File(path.to_path_buf()),
                        }
                    };
                    plan.push((format, destination));
                }
            }
        }
        Plan(plan)
    }

    /// Refuses two outputs on stdout: stdout carries one output or none, so a
    /// reader of it never gets two documents run together.
    pub fn check_stdout(output: &OutputArgs) -> Result<(), Failure> {
        let on_stdout: Vec<&str> = Format::ALL
            .iter()
            .filter(|f| f.requested(output).is_some_and(|p| p == "-"))
            .map(|f| f.flag())
            .collect();
        if on_stdout.len() > 1 {
            return Err(Failure::new(format!(
                "{} all ask for stdout, which carries one output: give a file name to all but one",
                on_stdout.join(", ")
            )));
        }
        Ok(())
    }

    /// True when some output goes to stdout, which then carries nothing else.
    pub fn uses_stdout(&self) -> bool {
        self.0.iter().any(|(_, d)| *d == Destination::Stdout)
    }

    /// The planned outputs.
    #[cfg(test)]
    pub fn entries(&self) -> &[(Format, Destination)] {
        &self.0
    }

    /// Renders and writes every output; the first failure stops and is returned.
    pub fn write(&self, report: &Report) -> Result<(), Failure> {
        for (format, destination) in &self.0 {
            let bytes = format.render(report)?;
            match destination {
                Destination::Stdout => write_stdout(&bytes)?,
                Destination::File(path) => write_file(path, &bytes, *format)?,
            }
        }
        Ok(())
    }
}

/// Writes bytes to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // The reader went away (`authprobe … | head`): nothing is wrong, and nobody is
        // left to read an error, so the rest of the output is dropped quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(format!("cannot write to stdout: {e}"))),
    }
}

fn write_file(path: &Path, bytes: &[u8], format: Format) -> Result<(), Failure> {
    let shown = path.display();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            Failure::new(format!(
                "cannot create the directory {} for {} {shown}: {e}",
                parent.display(),
                format.flag()
            ))
        })?;
    }
    std::fs::write(path, bytes)
        .map_err(|e| Failure::new(format!("cannot write {} {shown}: {e}", format.flag())))
}

/// Longest body excerpt printed live by `--verbose`.
const LIVE_BODY: usize = 2048;

/// The `--verbose` hook: each exchange, redacted, on stderr as soon as it completes.
pub fn live_trace(redaction: RedactionOptions) -> ExchangeObserver {
    ExchangeObserver::new(move |exchange| {
        let shown = redact_exchange(exchange, &redaction);
        let text = exchange_text(
            &shown,
            &ExchangeTextOptions {
                body_limit: Some(LIVE_BODY),
                terminal_safe: true,
            },
        );
        // One write per exchange, so that concurrent exchanges do not interleave.
        let _ = std::io::stderr()
            .lock()
            .write_all(format!("{text}\n").as_bytes());
    })
}

/// Everything a finished scan prints and writes.
pub struct Presentation<'a> {
    /// The output flags.
    pub output: &'a OutputArgs,
    /// The `--fail-on` gate, for the summary line.
    pub fail_on: Option<Severity>,
    /// The earlier report of `--baseline`, if any.
    pub baseline: Option<&'a Report>,
}

impl Presentation<'_> {
    /// Writes the requested outputs, then prints the terminal report, `--explain` and the
    /// comparison with the baseline. Returns true when the baseline comparison found a
    /// regression.
    pub fn show(&self, report: &Report) -> Result<bool, Failure> {
        let output = self.output;
        let plan = Plan::from_args(output);
        plan.write(report)?;
        let stdout_free = !plan.uses_stdout();
        if !output.quiet && stdout_free {
            let text = render_terminal(
                report,
                &TerminalOptions {
                    color: color(output.color),
                    width: 100,
                    exchanges: if output.trace_failure {
                        ExchangeDump::Failed
                    } else {
                        ExchangeDump::None
                    },
                    fail_on: self.fail_on,
                    fail_on_client: output.fail_on_client.clone(),
                },
            );
            write_stdout(text.as_bytes())?;
        }
        // Asked for by name, these print even with --quiet; on stderr when stdout carries
        // a machine-readable output.
        let aside = |text: String| -> Result<(), Failure> {
            if stdout_free {
                write_stdout(format!("\n{text}").as_bytes())
            } else {
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
                Ok(())
            }
        };
        if output.explain {
            aside(render_explain(report))?;
        }
        let mut regressed = false;
        if let Some(old) = self.baseline {
            let diff = diff_reports(old, report);
            regressed = diff.regressed();
            aside(render_diff(&diff))?;
        }
        Ok(regressed)
    }
}

/// Whether to colour the terminal report: `auto` means a terminal without `NO_COLOR`.
fn color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Reads an earlier JSON report (`--baseline`, `authprobe diff`).
pub fn read_report(path: &Path, flag: &str) -> Result<Report, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::new(format!("cannot read {flag}{}: {e}", path.display())))?;
    read_report_json(&text).map_err(|e| {
        Failure::new(format!(
            "{flag}{} is {e}; give a report written by `authprobe scan --json`",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests;
