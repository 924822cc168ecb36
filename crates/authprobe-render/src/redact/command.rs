//! Redaction of the echoed command line: the values of credential flags and of `-H`.
//!
//! The command is split the way a POSIX shell would split it (quotes, backslashes), and
//! only the byte spans of secret values are rewritten, so the rest reads as typed.

use super::{header_secrets, Secrets, REDACTED};

/// Long flags whose value is a credential.
const SECRET_FLAGS: &[&str] = &[
    "--bearer-token",
    "--client-secret",
    "--openai-api-key",
    "--anthropic-api-key",
];

/// Short flags of `scan` that take a value, so that a cluster like `-vH` can be read.
const SHORT_WITH_VALUE: &[char] = &['H', 'd'];

/// One shell word: its byte span in the command and its unquoted text.
struct Word {
    start: usize,
    end: usize,
    text: String,
}

/// Splits like a shell: whitespace separates, `'…'` is literal, `"…"` honours `\"` and
/// `\\`, a backslash outside quotes escapes the next character. An unterminated quote
/// runs to the end rather than failing: the command is display text.
fn split_words(command: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut chars = command.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut text = String::new();
        let mut end = command.len();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c.is_whitespace() => {
                    end = i;
                    break;
                }
                '\'' => {
                    for (_, c) in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                        text.push(c);
                    }
                }
                '"' => {
                    while let Some((_, c)) = chars.next() {
                        match c {
                            '"' => break,
                            '\\' if chars
                                .peek()
                                .is_some_and(|(_, n)| matches!(n, '"' | '\\' | '$' | '`')) =>
                            {
                                if let Some((_, n)) = chars.next() {
                                    text.push(n);
                                }
                            }
                            c => text.push(c),
                        }
                    }
                }
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        text.push(n);
                    }
                }
                c => text.push(c),
            }
        }
        words.push(Word { start, end, text });
    }
    words
}

/// What a `-H` value becomes: the header name stays (it says what was sent), the value goes.
fn header_display(value: &str) -> String {
    match value.split_once(':') {
        Some((name, _))
            if !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            format!("'{name}: {REDACTED}'")
        }
        _ => REDACTED.to_string(),
    }
}

/// Records a `-H` value: its secret parts, and its name so that the same header is
/// redacted in the recorded requests.
fn note_header(value: &str, secrets: &mut Secrets, names: &mut Vec<String>) {
    let (name, header_value) = match value.split_once(':') {
        Some((name, v)) => (name.trim(), v.trim()),
        None => ("", value.trim()),
    };
    if is_plain_header(name) {
        return;
    }
    header_secrets(name, header_value, secrets);
    secrets.add(header_value);
    if !name.is_empty() {
        names.push(name.to_ascii_lowercase());
    }
}

/// Standard headers that never carry credentials. A `-H 'Accept: …'` is still hidden in
/// the echoed command, but its value is not hunted through the report: replacing
/// `application/json` everywhere would wreck the evidence.
fn is_plain_header(name: &str) -> bool {
    const PLAIN: &[&str] = &[
        "accept",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "content-type",
        "mcp-protocol-version",
        "origin",
        "user-agent",
    ];
    PLAIN.iter().any(|p| p.eq_ignore_ascii_case(name))
}

/// Rewrites `command` in place and returns the lowercased names of headers given with
/// `-H`/`--header` (they are redacted in the exchanges too).
pub(super) fn redact_command(command: &mut String, secrets: &mut Secrets) -> Vec<String> {
    let words = split_words(command);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut header_names = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        // As the argument parser does, a `--flag` is never taken as the previous flag's value.
        let next = words.get(i + 1).filter(|w| !w.text.starts_with("--"));
        let text = word.text.as_str();
        if text == "--" {
            break;
        }
        if SECRET_FLAGS.contains(&text) {
            if let Some(value) = next {
                secrets.add(&value.text);
                edits.push((value.start, value.end, REDACTED.to_string()));
                i += 1;
            }
        } else if text == "--header" {
            if let Some(value) = next {
                note_header(&value.text, secrets, &mut header_names);
                edits.push((value.start, value.end, header_display(&value.text)));
                i += 1;
            }
        } else if let Some((flag, value)) =
            text.split_once('=').filter(|(f, _)| f.starts_with("--"))
        {
            if SECRET_FLAGS.contains(&flag) {
                secrets.add(value);
                edits.push((word.start, word.end, format!("{flag}={REDACTED}")));
            } else if flag == "--header" {
                note_header(value, secrets, &mut header_names);
                edits.push((
                    word.start,
                    word.end,
                    format!("--header={}", header_display(value)),
                ));
            }
        } else if let Some(cluster) = text.strip_prefix('-').filter(|c| !c.starts_with('-')) {
            // A short-flag cluster: `-H v`, `-Hv`, `-H=v`, `-vH v`.
            let position = cluster
                .char_indices()
                .find(|(_, c)| SHORT_WITH_VALUE.contains(c));
            if let Some((at, 'H')) = position {
                let attached = cluster[at + 1..].trim_start_matches('=');
                let prefix = &text[..at + 2];
                if !attached.is_empty() {
                    note_header(attached, secrets, &mut header_names);
                    edits.push((
                        word.start,
                        word.end,
                        format!("{prefix}{}", header_display(attached)),
                    ));
                } else if let Some(value) = next {
                    note_header(&value.text, secrets, &mut header_names);
                    edits.push((value.start, value.end, header_display(&value.text)));
                    i += 1;
                }
            } else if let Some((at, _)) = position {
                // `-d name` takes a value too; skip it so it is not read as a flag.
                if cluster[at + 1..].is_empty() {
                    i += 1;
                }
            }
        }
        i += 1;
    }
    for (start, end, replacement) in edits.into_iter().rev() {
        // A value hidden by an earlier pass keeps its spelling, so redaction is idempotent.
        let current = &command[start..end];
        if !current.trim_matches(['\'', '"']).ends_with(REDACTED) {
            command.replace_range(start..end, &replacement);
        }
    }
    header_names
}
