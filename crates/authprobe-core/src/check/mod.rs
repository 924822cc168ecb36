//! Checks: pure functions from observations to findings, one module per stage.
//! They never touch the network; they read the recorded trace.

pub mod as_document;
pub mod auth_server;
pub mod challenge;
pub mod discovery;
pub mod fetch;
pub mod jwks;
pub mod login;
pub mod oauth;
pub mod outcome;
pub mod prm;
mod prm_fields;
pub mod registration;
pub mod session;
pub mod session_steps;
pub mod steps;
pub mod token;
pub mod tool_schema;
pub mod tools;
pub mod transport;

use crate::http::Exchange;

/// Short description of what an exchange got: `GET http://… → 404 text/html`.
pub(crate) fn seen(exchange: &Exchange) -> String {
    let what = match (&exchange.response, &exchange.error) {
        (Some(r), _) => match r.media_type() {
            Some(mt) if !mt.is_empty() => format!("{} {}", r.status, mt),
            _ => r.status.to_string(),
        },
        (None, Some(e)) => format!("no response ({})", e.message),
        (None, None) => "no response".into(),
    };
    format!(
        "{} {} → {} (#{})",
        exchange.request.method, exchange.request.url, what, exchange.id
    )
}

#[cfg(test)]
mod tests;
