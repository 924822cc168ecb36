//! Probes: they build requests, send them through the recording client, and turn
//! the exchanges into observations ("facts") that the pure checks judge.

pub mod auth_server;
pub mod challenge;
pub mod login;
pub mod oauth;
pub mod prm;
pub mod registration;
pub mod session;
pub mod token;
mod trace;
pub mod transport;

pub use trace::{Recorded, Trace};

/// The MCP revision the probes offer when none is forced.
pub const DEFAULT_PROTOCOL_VERSION: &str = "2025-11-25";
