//! Pure renderers of authprobe reports: `Report → String`, one module per format, and
//! the one redaction function every format goes through first.
//!
//! The caller redacts, then renders:
//!
//! ```text
//! let shown = redact_report(&report, &RedactionOptions::default());
//! print!("{}", render_terminal(&shown, &TerminalOptions::default()));
//! std::fs::write(path, render_json(&shown))?;
//! ```
//!
//! Renderers never redact, never print and never read the environment; a new format is
//! one more module that takes a `&Report` and returns its text.
#![deny(missing_docs)]

pub mod bundle;
mod common;
pub mod curl;
pub mod diff;
pub mod exchange_text;
pub mod explain;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
mod phases;
pub mod redact;
mod root_cause;
pub mod sarif;
pub mod terminal;
mod text;
pub mod trace;

#[cfg(test)]
mod test_support;

pub use bundle::{render_bundle, BundleError};
pub use common::failed_exchange_ids;
pub use curl::{curl_command, CurlOptions};
pub use diff::{
    diff_reports, read_batch_line, read_report_json, render_diff, ReportDiff, ReportReadError,
};
pub use exchange_text::{exchange_heading, exchange_text, ExchangeTextOptions};
pub use explain::render_explain;
pub use html::render_html;
pub use json::{render_batch_line, render_json, render_json_line, BatchPosition};
pub use junit::render_junit;
pub use markdown::render_markdown;
pub use phases::breakdown;
pub use redact::{redact_exchange, redact_report, RedactionOptions, REDACTED};
pub use sarif::render_sarif;
pub use terminal::{render_terminal, ExchangeDump, TerminalOptions};
pub use trace::render_trace;
