//! The authprobe engine: walks the discovery and authorization path of an MCP
//! server the way a conforming client would, records every exchange, and judges
//! each against the specifications.
//!
//! The engine takes a validated [`ScanConfig`] and returns a [`Report`]; it never
//! prints and never reads flags or the environment.
#![deny(missing_docs)]

pub mod catalog;
pub mod check;
pub mod citations;
pub mod clients;
pub mod config;
pub mod facts;
pub mod http;
#[cfg(test)]
mod layers;
pub mod probe;
pub mod report;
pub mod root_cause;
pub mod scan;
pub mod wire;

pub use catalog::Code;
pub use config::{FamilyMode, ScanConfig, ScanMode};
pub use report::{Finding, Outcome, Report, Severity, Stage};

#[cfg(test)]
mod tests;
