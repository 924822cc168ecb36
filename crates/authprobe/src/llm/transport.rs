//! Sending a provider request through the scan's own HTTP client (hyper + rustls).
//!
//! The exchange is never recorded in the report nor shown by `--verbose`: its
//! request carries the API key. The user's `-H` headers are not sent either: they
//! belong to the scanned server.

use std::time::{Duration, Instant};

use authprobe_core::http::{Client, ClientConfig, ErrorKind, RedirectPolicy, RequestSpec, Trust};
use authprobe_core::report::Stage;
use url::Url;

use super::providers::{error_message, WireRequest};

/// Why a provider gave no answer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallError {
    /// No answer within `--llm-timeout`.
    #[error("no answer within {0} s (--llm-timeout)")]
    Timeout(u64),
    /// The provider could not be reached.
    #[error("cannot reach {url}: {message}")]
    Network {
        /// The endpoint.
        url: String,
        /// What failed.
        message: String,
    },
    /// The provider answered with an error status.
    #[error("HTTP {status}{}{}", retry.as_ref().map(|r| format!(" (Retry-After: {r})")).unwrap_or_default(), message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// The error message of its body, if it had one.
        message: Option<String>,
        /// Its `Retry-After`, for 429 and 503.
        retry: Option<String>,
    },
    /// The answer could not be read.
    #[error("malformed answer: {0}")]
    Malformed(String),
}

/// Longest error message kept from a provider's error body.
const MESSAGE_LIMIT: usize = 200;

/// POSTs the request and returns the body of a 2xx answer.
pub async fn post(request: &WireRequest, timeout: Duration) -> Result<String, CallError> {
    let url = Url::parse(&request.url).map_err(|e| CallError::Network {
        url: request.url.clone(),
        message: format!("not a URL ({e})"),
    })?;
    let mut config = ClientConfig::new(url.clone(), timeout);
    config.deadline = Instant::now() + timeout;
    // The endpoint is the user's choice (a local model server is fine).
    config.allow_private = true;
    let client = Client::new(config).map_err(|e| CallError::Network {
        url: request.url.clone(),
        message: e.to_string(),
    })?;
    let mut spec = RequestSpec::new("POST", url, Stage::Challenge, "LLM root-cause analysis")
        .trust(Trust::Target)
        .redirects(RedirectPolicy::None)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(request.body.clone().into_bytes());
    for (name, value) in &request.headers {
        spec = spec.header(name.clone(), value.clone());
    }
    let fetched = client.send(spec).await;
    let Some(exchange) = fetched.exchanges.last() else {
        return Err(CallError::Malformed("no exchange".into()));
    };
    let response = match (&exchange.response, &exchange.error) {
        (_, Some(error)) if error.kind == ErrorKind::Timeout => {
            return Err(CallError::Timeout(timeout.as_secs().max(1)))
        }
        (Some(response), None) => response,
        (_, Some(error)) => {
            return Err(CallError::Network {
                url: request.url.clone(),
                message: error.message.clone(),
            })
        }
        (None, None) => return Err(CallError::Malformed("no response".into())),
    };
    if !(200..300).contains(&response.status) {
        let message = error_message(&response.body).map(|m| shorten(&m));
        let retry = response.header("retry-after").map(|r| shorten(r.trim()));
        return Err(CallError::Status {
            status: response.status,
            message,
            retry,
        });
    }
    Ok(response.body.clone())
}

fn shorten(text: &str) -> String {
    let one_line = text.replace(['\r', '\n'], " ");
    match one_line.char_indices().nth(MESSAGE_LIMIT) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}
