//! A `curl` command line per exchange, so that anyone can send the same request again.
//!
//! The command is built from the recorded request, so it is exactly as redacted as the
//! report it comes from: `Authorization: Bearer [REDACTED]` stays a placeholder the
//! reader fills in, unless the user chose `--no-redact`.

use authprobe_core::http::Exchange;

/// How to build the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CurlOptions {
    /// Add `--insecure`, as the scan itself accepted invalid certificates.
    pub insecure: bool,
}

/// Headers curl writes itself from the URL and the body; repeating them could only
/// make the reproduction differ from what curl computes.
const CURL_OWN: &[&str] = &["host", "content-length", "transfer-encoding", "connection"];

/// The command reproducing the request of `exchange`, one option per line, joined by
/// ` \` continuations (paste it as is into a POSIX shell).
pub fn curl_command(exchange: &Exchange, options: &CurlOptions) -> String {
    let request = &exchange.request;
    let method = request.method.to_ascii_uppercase();
    let mut head = vec!["curl -sS -i".to_string()];
    let mut lines = Vec::new();
    let wants_stream = request.headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("accept")
            && h.value.to_ascii_lowercase().contains("text/event-stream")
    });
    match (method.as_str(), &request.body) {
        ("GET", None) => {}
        ("HEAD", None) => head.push("--head".to_string()),
        ("POST", Some(_)) => {}
        _ => head.push(format!("-X {}", quote(&method))),
    }
    if options.insecure {
        head.push("--insecure".to_string());
    }
    if method == "GET" && wants_stream {
        // A stream stays open: stop reading after a few seconds, as the scan did.
        head.push("-N --max-time 5".to_string());
    }
    head.push(quote(&request.url));
    lines.push(head.join(" "));
    for header in &request.headers {
        let name = header.name.to_ascii_lowercase();
        if CURL_OWN.contains(&name.as_str()) {
            continue;
        }
        let value = if header.value.is_empty() {
            // `-H 'name:'` would remove the header; `name;` sends it empty.
            format!("{};", header.name)
        } else {
            format!("{}: {}", header.name, header.value)
        };
        lines.push(format!("-H {}", quote(&value)));
    }
    if let Some(body) = &request.body {
        lines.push(format!("--data-raw {}", quote(body)));
    }
    lines.join(" \\\n  ")
}

/// Quotes a word for a POSIX shell: single quotes when the text is printable, the
/// `$'…'` form (bash, zsh, ksh) when it holds control characters that single quotes
/// would carry raw into the terminal.
pub(crate) fn quote(text: &str) -> String {
    let plain = |c: char| !c.is_control() || c == '\n' || c == '\t';
    if text.chars().all(plain) {
        if !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b))
        {
            return text.to_string();
        }
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            '\n' => out.push_str(r"\n"),
            '\t' => out.push_str(r"\t"),
            '\r' => out.push_str(r"\r"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests;
