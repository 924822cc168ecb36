//! Error message templates: filled from the facts for a report, and matched against a
//! message a user pasted (`explain --error`) or a client really printed (the truth
//! table). `{name}` is a value filled in; `{*}` is text that depends on the client's
//! runtime and matches anything.

use regex::Regex;

/// How runtime-dependent text (`{*}`) is shown in a report.
pub const ELLIPSIS: &str = "…";

/// The message as a report shows it: runtime-dependent parts as an ellipsis.
pub fn display(text: &str) -> String {
    text.replace("{*}", ELLIPSIS)
}

/// Fills the named placeholders of `template`; `{*}` and unknown names stay as they are.
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A pattern for a message: the literal parts of `text` exactly, every `{…}`
/// placeholder as any text (across lines).
pub fn pattern(text: &str) -> Option<Regex> {
    let text = text.replace(ELLIPSIS, "{*}");
    let mut re = String::from("(?s)^");
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        re.push_str(&regex::escape(&rest[..open]));
        re.push_str(".*?");
        rest = &rest[open + close + 1..];
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    Regex::new(&re).ok()
}

/// True when `message` is one `text` (a rendered template) stands for.
pub fn matches(text: &str, message: &str) -> bool {
    pattern(text).is_some_and(|p| p.is_match(message.trim_end()))
        || pattern(text.trim_end()).is_some_and(|p| p.is_match(message.trim_end()))
}

/// The literal words of a template, for judging how much of it a pasted message shares.
pub fn literal_len(template: &str) -> usize {
    let mut len = 0;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        len += rest[..open].trim().len();
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => return len + rest.len(),
        }
    }
    len + rest.trim().len()
}

/// Makes a pasted message comparable with a template: URLs, quoted JSON and long
/// identifiers are what differs between two servers, so a pasted message matches a
/// template when, after replacing every such value by a placeholder, the template's
/// literal text is found in order.
pub fn loosely_matches(template: &str, message: &str) -> bool {
    if literal_len(template) < 12 {
        return false; // "{error_description}" alone would match every message
    }
    let parts: Vec<String> = split_literals(template)
        .into_iter()
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    let haystack = message.to_ascii_lowercase();
    let mut from = 0;
    for part in &parts {
        match haystack[from..].find(part.as_str()) {
            Some(at) => from += at + part.len(),
            None => return false,
        }
    }
    true
}

fn split_literals(template: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        parts.push(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    parts.push(rest);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_templates_match_their_messages_and_wildcards_stay_open() {
        let t = "HTTP {status} trying to load {kind} metadata from {url}";
        let text = render(t, &[("status", "500"), ("kind", "OAuth")]);
        assert_eq!(text, "HTTP 500 trying to load OAuth metadata from {url}");
        assert!(matches(
            &text,
            "HTTP 500 trying to load OAuth metadata from http://h/x"
        ));
        assert!(!matches(
            &text,
            "HTTP 502 trying to load OAuth metadata from http://h/x"
        ));
        assert!(matches(
            "[{*}\"token_endpoint\"{*}]",
            "[\n {\"path\": [\n\"token_endpoint\"]}\n]"
        ));
        assert!(!matches("[{*}\"token_endpoint\"{*}]", "[\"jwks_uri\"]"));
    }

    #[test]
    fn a_pasted_message_with_other_urls_matches_loosely() {
        let t = "Protected resource {resource} does not match expected {expected} (or origin)";
        assert!(loosely_matches(
            t,
            "Error: Protected resource https://a.example/mcp/ does not match expected https://a.example/mcp (or origin)"
        ));
        assert!(!loosely_matches(t, "Registration failed: 400"));
        assert!(!loosely_matches("{error_description}", "anything"));
    }
}
