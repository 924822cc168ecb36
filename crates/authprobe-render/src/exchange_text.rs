//! One exchange as HTTP text: the request as sent and the response as received, with a
//! few `#` lines of context above them. Used by the evidence bundle (one file per
//! exchange), `--verbose` (live, on stderr) and the Markdown and HTML reports.

use authprobe_core::http::{Exchange, Header};

use crate::common::{excerpt, format_ms, path_and_query};
use crate::text::clean;

/// How to write an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExchangeTextOptions {
    /// Keep at most this many bytes of each body (`None`: the whole recorded body).
    pub body_limit: Option<usize>,
    /// Make control characters visible, for text shown on a terminal.
    pub terminal_safe: bool,
}

/// `#3 · stage 3 Protected resource metadata · PRM path-suffix candidate · 4 ms`; the
/// `#id` is left out while the scan has not numbered the exchange yet (live output).
pub fn exchange_heading(exchange: &Exchange) -> String {
    let mut head = if exchange.id == 0 {
        String::new()
    } else {
        format!("#{} · ", exchange.id)
    };
    head.push_str(&format!(
        "stage {} {} · {}",
        exchange.stage.number(),
        exchange.stage.title(),
        exchange.purpose
    ));
    if let Some(origin) = exchange.redirect_of {
        head.push_str(&format!(" · redirect of #{origin}"));
    }
    if let Some(total) = format_ms(exchange.timing.total_ms) {
        head.push_str(&format!(" · {total}"));
    }
    head
}

/// The request and the response as HTTP/1.1-style text. The request line carries the
/// path (as on the wire); the full URL is in the `#` lines above it.
pub fn exchange_text(exchange: &Exchange, options: &ExchangeTextOptions) -> String {
    let mut out = String::new();
    let request = &exchange.request;
    out.push_str(&format!("# {}\n", exchange_heading(exchange)));
    if exchange.connection.is_some() {
        out.push_str(&format!("# {}\n", crate::phases::breakdown(exchange)));
    }
    out.push_str(&format!("# {} {}\n", request.method, request.url));
    out.push_str(&format!(
        "{} {} HTTP/1.1\n",
        request.method,
        path_and_query(&request.url)
    ));
    headers(&mut out, &request.headers);
    out.push('\n');
    if let Some(body) = &request.body {
        body_text(&mut out, body, options, None);
    }
    match &exchange.response {
        Some(response) => {
            out.push('\n');
            out.push_str(&format!("{} {}\n", response.version, response.status));
            headers(&mut out, &response.headers);
            out.push('\n');
            let stopped = response.truncated.then_some(response.body_bytes);
            body_text(&mut out, &response.body, options, stopped);
        }
        None => out.push_str("\n# no response\n"),
    }
    if let Some(error) = &exchange.error {
        out.push_str(&format!(
            "# error ({}): {}\n",
            error.kind.as_str(),
            error.message.replace('\n', " ")
        ));
    }
    if options.terminal_safe {
        clean(&out).into_owned()
    } else {
        out
    }
}

fn headers(out: &mut String, headers: &[Header]) {
    for header in headers {
        // A header value cannot hold a line break on the wire; one in the record would
        // forge a line of this text.
        out.push_str(&format!(
            "{}: {}\n",
            header.name,
            header.value.replace(['\r', '\n'], " ")
        ));
    }
}

fn body_text(
    out: &mut String,
    body: &str,
    options: &ExchangeTextOptions,
    capture_stopped: Option<usize>,
) {
    if body.is_empty() {
        return;
    }
    let shown = match options.body_limit {
        Some(limit) => excerpt(body, limit),
        None => body,
    };
    out.push_str(shown);
    if !shown.ends_with('\n') {
        out.push('\n');
    }
    if shown.len() < body.len() {
        out.push_str(&format!(
            "# … {} more bytes not shown\n",
            body.len() - shown.len()
        ));
    }
    if let Some(bytes) = capture_stopped {
        out.push_str(&format!("# (capture stopped after {bytes} bytes)\n"));
    }
}

#[cfg(test)]
mod tests;
