//! The full exchange dump (`--trace-failure`): each request and response as sent and
//! received, with body excerpts. Lines are not wrapped: this is evidence to copy.

use authprobe_core::http::{ExchangeId, Header};
use authprobe_core::report::Report;

use super::{Out, BOLD, DIM};
use crate::common::format_ms;
use crate::text::{clean, one_line};

/// Longest body excerpt shown, in bytes.
const BODY_EXCERPT: usize = 2048;

/// Appends the exchanges in full: all of them, or only those listed in `only`.
pub(super) fn render(out: &mut Out, report: &Report, only: Option<&[ExchangeId]>) {
    out.blank();
    let heading = match only {
        Some(_) => "Exchanges of the failed steps",
        None => "Exchanges",
    };
    let heading = out.paint(BOLD, heading);
    out.line(&heading);
    let shown: Vec<_> = report
        .exchanges
        .iter()
        .filter(|e| only.is_none_or(|ids| ids.contains(&e.id)))
        .collect();
    if shown.is_empty() {
        out.line(match only {
            Some(_) => "  (no step failed)",
            None => "  (none recorded)",
        });
        return;
    }
    for exchange in shown {
        out.blank();
        let mut head = format!(
            "#{}  stage {} {} · {}",
            exchange.id,
            exchange.stage.number(),
            exchange.stage.title(),
            one_line(&exchange.purpose)
        );
        if let Some(origin) = exchange.redirect_of {
            head.push_str(&format!(" · redirect of #{origin}"));
        }
        if let Some(total) = format_ms(exchange.timing.total_ms) {
            head.push_str(&format!(" · {total}"));
        }
        let head = out.paint(BOLD, &head);
        out.line(&head);
        if exchange.connection.is_some() {
            let timing = out.paint(DIM, &format!("  {}", crate::phases::breakdown(exchange)));
            out.line(&timing);
        }

        let request = &exchange.request;
        out.line(&format!(
            "  > {} {}",
            one_line(&request.method),
            one_line(&request.url)
        ));
        headers(out, "  > ", &request.headers);
        if let Some(body) = &request.body {
            body_lines(out, "  > ", body, None);
        }

        if let Some(response) = &exchange.response {
            out.line(&format!(
                "  < {} {}",
                one_line(&response.version),
                response.status
            ));
            headers(out, "  < ", &response.headers);
            let captured = response.truncated.then_some(response.body_bytes);
            body_lines(out, "  < ", &response.body, captured);
        }
        if let Some(error) = &exchange.error {
            out.line(&format!(
                "  ! {}: {}",
                error.kind.as_str(),
                one_line(&error.message)
            ));
        }
    }
}

fn headers(out: &mut Out, prefix: &str, headers: &[Header]) {
    for header in headers {
        out.line(&format!(
            "{prefix}{}: {}",
            one_line(&header.name),
            one_line(&header.value)
        ));
    }
}

/// A blank marker line, then at most [`BODY_EXCERPT`] bytes of the body, each line
/// prefixed. `capture_stopped` holds the byte count when the recorder itself stopped
/// reading before the body ended.
fn body_lines(out: &mut Out, prefix: &str, body: &str, capture_stopped: Option<usize>) {
    if body.is_empty() {
        return;
    }
    out.line(prefix.trim_end());
    let excerpt = excerpt(body, BODY_EXCERPT);
    for line in excerpt.lines() {
        out.line(&format!("{prefix}{}", clean(line)));
    }
    let omitted = body.len() - excerpt.len();
    if omitted > 0 {
        let note = out.paint(DIM, &format!("… {omitted} more bytes not shown"));
        out.line(&format!("{prefix}{note}"));
    }
    if let Some(bytes) = capture_stopped {
        let note = out.paint(DIM, &format!("(capture stopped after {bytes} bytes)"));
        out.line(&format!("{prefix}{note}"));
    }
}

/// The longest prefix of `text` of at most `limit` bytes that ends on a character.
fn excerpt(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests;
