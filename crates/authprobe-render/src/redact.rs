//! The one redaction function every output format goes through.
//!
//! Redaction runs in two passes. The first knows where secrets live (credential headers,
//! cookies, token members of JSON and form bodies, `code`/`state`/tokens in URLs, the
//! credential flags of the echoed command line), hides them while keeping the context
//! that makes the evidence readable (`Bearer [REDACTED]`, `session=[REDACTED]; Path=/`),
//! and remembers every value it hid. The second is a safety net: each remembered value,
//! and each secret the caller names, is replaced wherever else it appears in any string
//! of the report (a token echoed in an error page, a code quoted in an evidence sentence).

mod command;
mod scan;
mod walk;

#[cfg(test)]
mod tests;

use authprobe_core::http::{Exchange, Header};
use authprobe_core::report::Report;

/// What a hidden value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Secrets shorter than this are hidden where they are found but not hunted through
/// the rest of the report: replacing `abc` everywhere would destroy unrelated text.
const MIN_GLOBAL_LEN: usize = 4;

/// How to redact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactionOptions {
    /// False for `--no-redact`: the report is returned unchanged.
    pub enabled: bool,
    /// Secrets the caller knows about (the user's bearer token, client secret, API keys),
    /// replaced wherever they appear, even where no rule would find them.
    pub extra_secrets: Vec<String>,
}

impl Default for RedactionOptions {
    /// Redaction on, no extra secrets.
    fn default() -> Self {
        RedactionOptions {
            enabled: true,
            extra_secrets: Vec::new(),
        }
    }
}

/// Returns a copy of `report` with every secret replaced by [`REDACTED`].
///
/// Every renderer expects a report that went through this function first (unless the
/// user asked for `--no-redact`); renderers never redact on their own.
pub fn redact_report(report: &Report, options: &RedactionOptions) -> Report {
    let mut out = report.clone();
    if !options.enabled {
        return out;
    }
    let mut secrets = Secrets::default();
    let header_names = command::redact_command(&mut out.command, &mut secrets);
    for exchange in &mut out.exchanges {
        redact_exchange_in_place(exchange, &header_names, &mut secrets);
    }
    for tool in &mut out.tools {
        scan::redact_value_members(tool, &mut secrets);
    }
    walk::report_strings(&mut out, &mut |s| redact_text(s, &mut secrets));
    let hunted = secrets.hunted(&options.extra_secrets);
    walk::report_strings(&mut out, &mut |s| replace_all(s, &hunted));
    out
}

/// Redacts one exchange on its own, for output that streams while the scan runs
/// (`--verbose`). Pass the user's credentials in `extra_secrets`: unlike
/// [`redact_report`], this cannot learn them from the command line.
pub fn redact_exchange(exchange: &Exchange, options: &RedactionOptions) -> Exchange {
    let mut out = exchange.clone();
    if !options.enabled {
        return out;
    }
    let mut secrets = Secrets::default();
    redact_exchange_in_place(&mut out, &[], &mut secrets);
    walk::exchange_strings(&mut out, &mut |s| redact_text(s, &mut secrets));
    let hunted = secrets.hunted(&options.extra_secrets);
    walk::exchange_strings(&mut out, &mut |s| replace_all(s, &hunted));
    out
}

/// True for a value that is nothing but markers: it was hidden by an earlier pass.
fn is_hidden(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty() && value.replace(REDACTED, "").trim().is_empty()
}

/// The values hidden so far.
#[derive(Debug, Default)]
struct Secrets {
    values: Vec<String>,
}

impl Secrets {
    fn add(&mut self, value: &str) {
        let value = value.trim();
        // A value that is part of the marker would make the marker itself a target.
        if !value.is_empty() && !REDACTED.contains(value) && !is_hidden(value) {
            self.values.push(value.to_string());
        }
    }

    /// Every form in which a secret may appear elsewhere (as is, percent-encoded, form
    /// encoded, JSON-escaped), longest first so that a secret containing another is
    /// replaced whole.
    fn hunted(mut self, extra: &[String]) -> Vec<String> {
        for secret in extra {
            self.add(secret);
        }
        let mut forms = Vec::new();
        for secret in &self.values {
            if secret.chars().count() < MIN_GLOBAL_LEN {
                continue;
            }
            forms.push(secret.clone());
            forms.push(scan::percent_encode(secret, false, false));
            forms.push(scan::percent_encode(secret, false, true));
            forms.push(scan::percent_encode(secret, true, false));
            if let Ok(quoted) = serde_json::to_string(secret) {
                forms.push(quoted.trim_matches('"').to_string());
            }
        }
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        forms
    }
}

fn replace_all(text: &mut String, hunted: &[String]) {
    for secret in hunted {
        if text.contains(secret.as_str()) {
            *text = text.replace(secret.as_str(), REDACTED);
        }
    }
}

/// Rules that apply to any string: JSON token members and URL parameters.
fn redact_text(text: &mut String, secrets: &mut Secrets) {
    if let Some(changed) = scan::redact_json_members(text, secrets) {
        *text = changed;
    }
    if let Some(changed) = scan::redact_pairs(text, scan::QUERY_NAMES, false, secrets) {
        *text = changed;
    }
}

/// The rules that need the exchange's structure: headers by name, form bodies by type.
fn redact_exchange_in_place(
    exchange: &mut Exchange,
    extra_names: &[String],
    secrets: &mut Secrets,
) {
    let request = &mut exchange.request;
    let request_form = is_form(&request.headers);
    redact_headers(&mut request.headers, extra_names, secrets);
    if let Some(body) = &mut request.body {
        redact_form_body(body, request_form, secrets);
    }
    if let Some(response) = &mut exchange.response {
        let response_form = is_form(&response.headers);
        redact_headers(&mut response.headers, extra_names, secrets);
        redact_form_body(&mut response.body, response_form, secrets);
    }
}

fn is_form(headers: &[Header]) -> bool {
    headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("content-type")
            && h.value
                .to_ascii_lowercase()
                .contains("application/x-www-form-urlencoded")
    })
}

fn redact_form_body(body: &mut String, declared_form: bool, secrets: &mut Secrets) {
    // Without a declared type, a single line of `a=b&c=d` is still read as a form: the
    // recorder may not have kept the header, and a false positive only hides a value.
    let looks_like_form = !body.is_empty()
        && body.contains('=')
        && !body.chars().any(char::is_whitespace)
        && !body.starts_with(['{', '[', '<']);
    if declared_form || looks_like_form {
        if let Some(changed) = scan::redact_pairs(body, scan::BODY_NAMES, true, secrets) {
            *body = changed;
        }
    }
}

fn redact_headers(headers: &mut [Header], extra_names: &[String], secrets: &mut Secrets) {
    for header in headers {
        let extra = extra_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&header.name));
        if let Some(redacted) = redact_header_value(&header.name, &header.value, extra, secrets) {
            header.value = redacted;
        }
    }
}

/// True for header names that carry credentials by convention.
fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace('_', "-");
    const EXACT: &[&str] = &[
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
    ];
    const CONTAINS: &[&str] = &["token", "secret", "api-key", "apikey", "password"];
    EXACT.contains(&name.as_str()) || CONTAINS.iter().any(|c| name.contains(c))
}

/// The redacted form of a header value, or `None` when the header carries no secret.
fn redact_header_value(
    name: &str,
    value: &str,
    extra: bool,
    secrets: &mut Secrets,
) -> Option<String> {
    if value.trim().is_empty() || is_hidden(value) || !(extra || is_secret_header(name)) {
        return None;
    }
    Some(header_secrets(name, value, secrets))
}

/// Adds the secret parts of a header value to `secrets` and returns the value with
/// those parts hidden: the scheme of `Authorization`, the cookie names and the
/// `Set-Cookie` attributes stay.
fn header_secrets(name: &str, value: &str, secrets: &mut Secrets) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "authorization" | "proxy-authorization" => credentials(value, secrets),
        "cookie" => value
            .split(';')
            .map(|pair| cookie_pair(pair.trim(), secrets))
            .collect::<Vec<_>>()
            .join("; "),
        "set-cookie" => match value.split_once(';') {
            Some((pair, attributes)) => {
                format!("{};{attributes}", cookie_pair(pair.trim(), secrets))
            }
            None => cookie_pair(value.trim(), secrets),
        },
        _ => {
            secrets.add(value);
            REDACTED.to_string()
        }
    }
}

/// `Bearer abc` becomes `Bearer [REDACTED]`; a bare scheme name is no secret and stays.
fn credentials(value: &str, secrets: &mut Secrets) -> String {
    let value = value.trim();
    match value.split_once(char::is_whitespace) {
        Some((scheme, credential)) if is_scheme(scheme) => {
            secrets.add(credential);
            format!("{scheme} {REDACTED}")
        }
        None if is_scheme(value) && is_known_scheme(value) => value.to_string(),
        _ => {
            secrets.add(value);
            REDACTED.to_string()
        }
    }
}

fn is_scheme(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn is_known_scheme(word: &str) -> bool {
    const SCHEMES: &[&str] = &[
        "bearer",
        "basic",
        "digest",
        "dpop",
        "negotiate",
        "ntlm",
        "hoba",
        "mutual",
    ];
    SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(word))
}

fn cookie_pair(pair: &str, secrets: &mut Secrets) -> String {
    match pair.split_once('=') {
        Some((name, value)) => {
            secrets.add(value.trim().trim_matches('"'));
            format!("{}={REDACTED}", name.trim())
        }
        None => {
            secrets.add(pair);
            REDACTED.to_string()
        }
    }
}
