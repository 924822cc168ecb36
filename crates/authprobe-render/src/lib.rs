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

mod common;
pub mod json;
pub mod redact;
pub mod terminal;
mod text;

#[cfg(test)]
mod test_support;

pub use json::render_json;
pub use redact::{redact_exchange, redact_report, RedactionOptions, REDACTED};
pub use terminal::{render_terminal, TerminalOptions};
