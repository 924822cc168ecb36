//! Integration tests of the whole tool against the lab (one test binary: one link).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is a failure"
)]

mod action;
mod batch;
mod calibration;
mod calibration_guard;
mod calibration_oauth;
mod calibration_session;
mod calibration_transport;
mod catalog_proof;
mod cli;
mod clients_truth;
mod connections;
mod hostile;
mod html_browser;
mod interop;
mod json_schema;
mod llm;
mod llm_server;
mod login_cli;
mod mcp_server;
mod outputs;
mod outputs_cli;
mod root_cause;
mod shard;
mod stdio;
mod support;
