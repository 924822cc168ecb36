//! Facts: what the probes observed, in the terms the checks judge.
//!
//! The probes produce these types from the exchanges they record; the checks read
//! them and never send anything. Nothing here performs I/O, so both layers can
//! depend on this one without depending on each other.

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
