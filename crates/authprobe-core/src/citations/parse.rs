//! Finding citations in free text: "RFC 9728 §3.3", "Section 2 of RFC 8414",
//! "OAuth 2.1 draft-15 §5.1", "OIDC Discovery §4", "JSON-RPC 2.0 §5",
//! "MCP 2025-11-25 Authorization › Canonical Server URI".

use std::sync::OnceLock;

use regex::Regex;

use super::table;
use super::{Citation, Locator};

struct Patterns {
    rfc: Regex,
    rfc_reverse: Regex,
    oauth21: Regex,
    oauth21_draft: Regex,
    oidc: Regex,
    jsonrpc: Regex,
    fetch: Regex,
    mcp: Regex,
    locator: Regex,
    paren: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        // The patterns are literals: a failure here is a programming error caught by
        // every unit test, never a runtime condition.
        #[allow(clippy::expect_used, reason = "literal patterns, compiled by every unit test")]
        let re = |s: &str| Regex::new(s).expect("citation pattern compiles");
        Patterns {
            rfc: re(r"\bRFC[ \-]?(\d{1,5})\b"),
            rfc_reverse: re(
                r"(?:§\s*|\b[Ss]ections?\s+|\bAppendix\s+)((?:\d+|[A-Z])(?:\.\d+)*)\s+(?:of|in)\s+\[?RFC[ \-]?(\d{1,5})\b\]?",
            ),
            oauth21: re(r"\b(?:OAuth\s?2\.1|draft-ietf-oauth-v2-1)"),
            oauth21_draft: re(r"^(?:-|\s*\(?\s*(?:draft-ietf-oauth-v2-1-|draft[ \-]?))(\d+)\s*\)?"),
            oidc: re(r"\b(?:OIDC|OpenID\s+Connect)\s+Discovery(?:\s+1\.0)?"),
            jsonrpc: re(r"\bJSON-RPC(?:\s*2\.0)?(?:\s+spec(?:ification)?)?"),
            fetch: re(r"\b(?:WHATWG\s+)?Fetch\s+(?:Standard|spec(?:ification)?)|\bWHATWG\s+Fetch"),
            mcp: re(r"\bMCP\s+(?:spec(?:ification)?\s+)?(?:revision\s+)?(\d{4}-\d{2}-\d{2})\b"),
            locator: re(
                r"^\s*,?\s*(?:§\s*|[Ss]ections?\s+|[Ss]ec\.\s*|Appendix\s+)((?:\d+|[A-Z])(?:\.\d+)*)",
            ),
            paren: re(r"^\s*\(([^()\n]{1,100})\)"),
        }
    })
}

/// Every citation in `text`, in order of appearance, none overlapping another.
pub(super) fn find(text: &str) -> Vec<Citation> {
    let p = patterns();
    let mut found: Vec<Citation> = Vec::new();
    for m in p.rfc_reverse.captures_iter(text) {
        let (Some(all), Some(section), Some(number)) = (m.get(0), m.get(1), m.get(2)) else {
            continue;
        };
        let mut c = cite(text, all.start(), all.end(), rfc_key(number.as_str()));
        c.document = format!("RFC {}", number.as_str());
        c.locator = Locator::Section(section.as_str().to_string());
        found.push(c);
    }
    for m in p.rfc.captures_iter(text) {
        let (Some(all), Some(number)) = (m.get(0), m.get(1)) else {
            continue;
        };
        found.push(rfc(text, all.start(), all.end(), number.as_str()));
    }
    for m in p.oauth21.find_iter(text) {
        found.extend(oauth21(text, m.start(), m.end()));
    }
    let keyed = [
        (&p.oidc, "oidc-discovery"),
        (&p.jsonrpc, "jsonrpc"),
        (&p.fetch, "fetch"),
    ];
    for (re, key) in keyed {
        for m in re.find_iter(text) {
            if let Some(c) = with_section(text, m.start(), m.end(), key.to_string()) {
                found.push(c);
            }
        }
    }
    for m in p.mcp.captures_iter(text) {
        let (Some(all), Some(rev)) = (m.get(0), m.get(1)) else {
            continue;
        };
        found.push(mcp(text, all.start(), all.end(), rev.as_str()));
    }
    found.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
    let mut kept: Vec<Citation> = Vec::new();
    for c in found {
        if kept.last().is_none_or(|k| c.start >= k.end) {
            kept.push(c);
        }
    }
    let mut listed = Vec::new();
    for c in &kept {
        listed.extend(continuations(text, c));
    }
    kept.extend(listed);
    kept.sort_by_key(|c| c.start);
    kept
}

/// The further sections of a list after a numbered citation ("RFC 9728 §3.1, §3.2
/// and §3.3"): each is a citation of the same document, checked on its own.
fn continuations(text: &str, first: &Citation) -> Vec<Citation> {
    static NEXT: OnceLock<Regex> = OnceLock::new();
    #[allow(
        clippy::expect_used,
        reason = "a literal pattern, compiled by every unit test"
    )]
    let next = NEXT.get_or_init(|| {
        Regex::new(
            r"^\s*(?:,|and|or|&)\s*(?:and\s+)?((?:§\s*|[Ss]ections?\s+)((?:\d+|[A-Z])(?:\.\d+)*))",
        )
        .expect("continuation pattern compiles")
    });
    let mut out = Vec::new();
    if !matches!(first.locator, Locator::Section(_)) {
        return out;
    }
    let mut at = first.end;
    while let Some(m) = next.captures(&text[at..]) {
        let (Some(all), Some(span), Some(section)) = (m.get(0), m.get(1), m.get(2)) else {
            break;
        };
        let mut c = cite(text, at + span.start(), at + span.end(), first.key.clone());
        c.document = first.document.clone();
        c.locator = Locator::Section(section.as_str().to_string());
        c.text = format!("{} {}", first.document, span.as_str());
        at += all.end();
        out.push(c);
    }
    out
}

fn rfc_key(number: &str) -> String {
    format!("rfc{}", number.trim_start_matches('0'))
}

fn cite(text: &str, start: usize, end: usize, key: String) -> Citation {
    Citation {
        text: text[start..end].to_string(),
        start,
        end,
        document: String::new(),
        key,
        locator: Locator::Document,
        claimed_title: None,
    }
}

/// "RFC 9728", then optionally "(title)" or "(§3.3)", a section, and "(title)".
fn rfc(text: &str, start: usize, end: usize, number: &str) -> Citation {
    let p = patterns();
    let mut c = cite(text, start, end, rfc_key(number));
    c.document = format!("RFC {number}");
    let mut at = end;
    for _ in 0..2 {
        let rest = &text[at..];
        if let Some(m) = p.paren.captures(rest) {
            let (Some(all), Some(inner)) = (m.get(0), m.get(1)) else {
                break;
            };
            if let Some(l) = p.locator.captures(inner.as_str()).and_then(|l| l.get(1)) {
                c.locator = Locator::Section(l.as_str().to_string());
            } else if c.claimed_title.is_none() && looks_like_title(inner.as_str()) {
                c.claimed_title = Some(inner.as_str().trim().to_string());
            } else {
                break;
            }
            at += all.end();
        } else if let Some(m) = p.locator.captures(rest) {
            if c.locator != Locator::Document {
                break;
            }
            let (Some(all), Some(l)) = (m.get(0), m.get(1)) else {
                break;
            };
            c.locator = Locator::Section(l.as_str().to_string());
            at += all.end();
        } else {
            break;
        }
    }
    c.end = at;
    c.text = text[start..at].to_string();
    c
}

/// Whether a parenthesis after an RFC number reads as the document's title ("OAuth
/// Security Best Practices", "PKCE") rather than a remark ("unbalanced quotes, …").
fn looks_like_title(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let capitalised = words
        .iter()
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .count();
    !words.is_empty()
        && words.len() <= 12
        && !text.contains([',', ':', ';', '§'])
        && words[0].chars().next().is_some_and(char::is_uppercase)
        && capitalised * 2 >= words.len()
}

/// A document cited only with a section number: no section, no citation.
fn with_section(text: &str, start: usize, end: usize, key: String) -> Option<Citation> {
    let m = patterns().locator.captures(&text[end..])?;
    let (all, section) = (m.get(0)?, m.get(1)?);
    let mut c = cite(text, start, end + all.end(), key);
    c.document = table::document(&c.key).map_or_else(|| c.text.clone(), |d| d.name.to_string());
    c.locator = Locator::Section(section.as_str().to_string());
    Some(c)
}

/// "OAuth 2.1 §4.1.2", "OAuth 2.1 (draft 15) §5.1", "draft-ietf-oauth-v2-1-15 §5.1".
/// Only draft 15 is in the table; another draft's numbers may differ.
fn oauth21(text: &str, start: usize, end: usize) -> Option<Citation> {
    let (draft, at) = match patterns().oauth21_draft.captures(&text[end..]) {
        Some(m) => (
            m.get(1).map(|d| d.as_str().to_string()),
            end + m.get(0)?.end(),
        ),
        None => (None, end),
    };
    let key = match draft.as_deref().map(|d| d.trim_start_matches('0')) {
        None | Some("15") => "oauth21".to_string(),
        Some(other) => format!("oauth21-draft-{other}"),
    };
    let mut c = with_section(text, start, at, key)?;
    c.document = match draft {
        Some(d) => format!("OAuth 2.1 draft-{d}"),
        None => "OAuth 2.1".to_string(),
    };
    Some(c)
}

/// "MCP 2025-11-25" and the heading path after it, if any.
fn mcp(text: &str, start: usize, end: usize, revision: &str) -> Citation {
    let mut c = cite(text, start, end, format!("mcp-{revision}"));
    c.document = format!("MCP {revision}");
    let (words, titled) = path_words(&text[end..]);
    // Headings may have lowercase words ("Major changes"), so the words run on to
    // the end of the clause, and the longest prefix that names a real heading is the
    // citation (a cut only inside the last level: a made-up last level is not
    // silently dropped). When none does, the Title Case run is kept whole, and is
    // reported as no such section.
    let first = words.iter().rposition(|w| w.separator).map_or(1, |s| s + 2);
    let doc = table::document(&c.key);
    let cut = (first..=words.len())
        .rev()
        .find(|&n| doc.is_some_and(|d| d.heading(&components(&words[..n])).is_some()))
        .unwrap_or(titled);
    let mut kept = &words[..cut.min(words.len())];
    while kept.last().is_some_and(|w| w.separator) {
        kept = &kept[..kept.len() - 1];
    }
    if let Some(last) = kept.last() {
        c.end = end + last.end;
        c.text = text[start..c.end].to_string();
        c.locator = Locator::Headings(components(kept));
    }
    c
}

/// A word of a heading path, or a `›` / `>` separator, with its end offset.
struct Word<'a> {
    text: &'a str,
    end: usize,
    separator: bool,
}

const CONNECTORS: &[&str] = &[
    "a", "an", "and", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with", "without",
    "&",
];

/// At most this many words after a revision are read as its heading path.
const MAX_WORDS: usize = 24;

fn starts_title(w: &str) -> bool {
    w.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "`(_".contains(c))
}

/// Reads the words and separators after a revision up to the end of the clause
/// (punctuation, a line end), and says how many of them form the Title Case run
/// a heading path would be when it is not in the table: capitalised words and
/// separators, joined by small words ("Listening for Messages from the Server").
fn path_words(rest: &str) -> (Vec<Word<'_>>, usize) {
    let skip = rest.len()
        - rest
            .trim_start_matches([' ', ',', '"', '“', '\'', '\t'])
            .len();
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let mut offset = skip;
    for piece in rest[skip..].split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        if !word.is_empty() {
            tokens.push((offset, word));
        }
        offset += piece.len();
        if piece.ends_with('\n') || tokens.len() >= MAX_WORDS {
            break;
        }
    }
    let mut out = Vec::new();
    let mut titled = None;
    let mut depth: i32 = 0;
    for (i, &(at, word)) in tokens.iter().enumerate() {
        if word == "›" || word == ">" {
            out.push(Word {
                text: word,
                end: at + word.len(),
                separator: true,
            });
            continue;
        }
        let joins = CONNECTORS.contains(&word)
            && out.last().is_some_and(|w: &Word| !w.separator)
            && tokens[i + 1..]
                .iter()
                .map(|&(_, n)| n)
                .find(|n| !CONNECTORS.contains(n))
                .is_some_and(starts_title);
        if titled.is_none() && !(starts_title(word) || joins) {
            titled = Some(out.len());
        }
        // A `)` that closes nothing opened in the path closes the prose around it.
        let mut trimmed = word.trim_end_matches(['.', ',', ';', ':', '!', '?', '"', '”', '\'']);
        depth += trimmed.matches('(').count() as i32;
        while trimmed.ends_with(')') && depth - (trimmed.matches(')').count() as i32) < 0 {
            trimmed = &trimmed[..trimmed.len() - 1];
        }
        depth -= trimmed.matches(')').count() as i32;
        if trimmed.is_empty() || trimmed.starts_with(['(', '[']) && !starts_title(&trimmed[1..]) {
            break;
        }
        out.push(Word {
            text: trimmed,
            end: at + trimmed.len(),
            separator: false,
        });
        if trimmed.len() != word.len() {
            break;
        }
    }
    let titled = titled.unwrap_or(out.len());
    (out, titled)
}

fn components(words: &[Word<'_>]) -> Vec<String> {
    let mut parts: Vec<String> = vec![String::new()];
    for w in words {
        if w.separator {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(w.text);
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}
