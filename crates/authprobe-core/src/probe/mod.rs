//! Probes: they build requests, send them through the recording client, and turn
//! the exchanges into observations ([`crate::facts`]) that the pure checks judge.
//! A probe never judges: what to fetch next is decided in [`crate::scan`].

pub mod auth_server;
pub mod challenge;
pub mod login;
pub mod oauth;
pub mod prm;
pub mod registration;
pub mod session;
pub mod token;
pub mod transport;

/// The MCP revision the probes offer when none is forced.
pub const DEFAULT_PROTOCOL_VERSION: &str = "2025-11-25";
