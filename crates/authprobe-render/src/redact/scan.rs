//! Text scanners that find secret values by the name they travel under: `name=value`
//! pairs (query strings, fragments, form bodies) and `"name": "value"` JSON members,
//! whether the JSON is whole, truncated at the body cap, or escaped inside another string.
//!
//! They work on the text rather than on a parsed document so that the evidence keeps its
//! exact formatting, and so that a body cut off mid-token is still covered.

use serde_json::Value;

use super::{is_hidden, Secrets, REDACTED};

/// Member names whose string values are secrets in JSON and form bodies.
pub(super) const BODY_NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "registration_access_token",
    "password",
    "code",
    "code_verifier",
    "assertion",
    "client_assertion",
    "token",
    "device_code",
];

/// Parameter names whose values are secrets in URL query strings and fragments.
pub(super) const QUERY_NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "registration_access_token",
    "password",
    "code",
    "code_verifier",
    "assertion",
    "client_assertion",
    "token",
    "state",
    "device_code",
];

fn is_listed(names: &[&str], name: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Bytes that end a parameter value. Besides the URL delimiters this includes the quotes,
/// angle brackets and backslashes that surround a URL quoted in JSON, HTML or prose.
fn ends_value(b: u8) -> bool {
    matches!(
        b,
        b'&' | b'#' | b';' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`'
    ) || b.is_ascii_whitespace()
}

fn ends_key(b: u8) -> bool {
    ends_value(b) || matches!(b, b'=' | b'?')
}

/// True when a parameter name can start at byte `i`: right after a query, fragment or
/// pair delimiter, after `&amp;`'s `;`, or after the `\u0026` that JSON encoders
/// write for `&`.
fn starts_key(bytes: &[u8], i: usize, at_start: bool) -> bool {
    if i == 0 {
        return at_start;
    }
    matches!(bytes[i - 1], b'?' | b'&' | b'#' | b';') || bytes[..i].ends_with(b"\\u0026")
}

/// Replaces the values of listed `name=value` pairs with the marker. With `at_start`, a
/// pair may also begin the text (a form body); otherwise it must follow `?`, `&`, `#` or
/// `;`, which keeps prose like `x=1` alone. Returns `None` when nothing changed.
pub(super) fn redact_pairs(
    text: &str,
    names: &[&str],
    at_start: bool,
    secrets: &mut Secrets,
) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !starts_key(bytes, i, at_start) {
            i += 1;
            continue;
        }
        // `i` follows an ASCII byte (or is 0), so it is a char boundary, and so is every
        // index below: each stops at an ASCII delimiter or at the end.
        let key_end = i + bytes[i..].iter().take_while(|b| !ends_key(**b)).count();
        if key_end == i || bytes.get(key_end) != Some(&b'=') {
            i += 1;
            continue;
        }
        let value_start = key_end + 1;
        let value_end = value_start
            + bytes[value_start..]
                .iter()
                .take_while(|b| !ends_value(**b))
                .count();
        let value = &text[value_start..value_end];
        let key = percent_decode(&text[i..key_end]);
        if is_listed(names, &key) && !value.is_empty() && !is_marker(value) {
            secrets.add(value);
            secrets.add(&percent_decode(value));
            out.push_str(&text[last..value_start]);
            out.push_str(REDACTED);
            last = value_end;
            i = value_end;
        } else {
            // A value may carry a nested, unencoded URL (`redirect_uri=…?code=…`).
            i = value_start;
        }
    }
    if last == 0 {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

fn is_marker(value: &str) -> bool {
    is_hidden(value) || is_hidden(&percent_decode(value))
}

/// Replaces the string values of listed JSON members with the marker, at any depth, in
/// plain JSON and in JSON escaped inside a JSON string (`\"token\":\"…\"`). Non-string
/// values are kept: a JSON-RPC error `code` is a number and is evidence, not a secret.
/// Returns `None` when nothing changed.
pub(super) fn redact_json_members(text: &str, secrets: &mut Secrets) -> Option<String> {
    let plain = members_quoted_by(text, "\"", secrets);
    let escaped = members_quoted_by(plain.as_deref().unwrap_or(text), "\\\"", secrets);
    escaped.or(plain)
}

fn members_quoted_by(text: &str, quote: &str, secrets: &mut Secrets) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    let mut i = 0;
    while let Some(offset) = text.get(i..).and_then(|rest| rest.find(quote)) {
        let name_start = i + offset + quote.len();
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let name_end = name_start + name_len;
        i = name_start;
        if name_len == 0
            || !text[name_end..].starts_with(quote)
            || !is_listed(BODY_NAMES, &text[name_start..name_end])
        {
            continue;
        }
        let mut j = skip_spaces(bytes, name_end + quote.len());
        if bytes.get(j) != Some(&b':') {
            continue;
        }
        j = skip_spaces(bytes, j + 1);
        if !text[j..].starts_with(quote) {
            continue;
        }
        let value_start = j + quote.len();
        let value_end = string_end(text, value_start, quote);
        let raw = &text[value_start..value_end];
        if !raw.is_empty() && !is_hidden(raw) {
            secrets.add(raw);
            if let Ok(decoded) = serde_json::from_str::<String>(&format!("\"{raw}\"")) {
                secrets.add(&decoded);
            }
            out.push_str(&text[last..value_start]);
            out.push_str(REDACTED);
            last = value_end;
        }
        i = value_end;
    }
    if last == 0 {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// Index of the quote closing a string value that starts at `start`, or the end of the
/// text when the body was cut off inside the value.
fn string_end(text: &str, start: usize, quote: &str) -> usize {
    if quote != "\"" {
        return text[start..].find(quote).map_or(text.len(), |p| start + p);
    }
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    text.len()
}

/// Redacts listed members of a parsed JSON value (the tool list), at any depth.
pub(super) fn redact_value_members(value: &mut Value, secrets: &mut Secrets) {
    match value {
        Value::Object(map) => {
            for (name, member) in map.iter_mut() {
                match member {
                    Value::String(s) if is_listed(BODY_NAMES, name) && !is_hidden(s) => {
                        secrets.add(s);
                        *s = REDACTED.to_string();
                    }
                    other => redact_value_members(other, secrets),
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| redact_value_members(item, secrets)),
        _ => {}
    }
}

/// Decodes `%XX` escapes and `+` (form encoding); invalid escapes are kept as written.
pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything outside the RFC 3986 unreserved set; `space_as_plus`
/// gives the form encoding.
pub(super) fn percent_encode(text: &str, space_as_plus: bool, lower: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            b' ' if space_as_plus => out.push('+'),
            _ if lower => out.push_str(&format!("%{b:02x}")),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
