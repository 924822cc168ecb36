//! Plain-text helpers: neutralising characters that steer a terminal, and wrapping.

use std::borrow::Cow;

/// Characters a server could use to rewrite the screen or reorder what is shown
/// (escape sequences, carriage returns, bidirectional overrides). Newlines are handled
/// by the callers, who know whether the text is one line or many.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text with unsafe characters made visible (`\u{1b}`); a tab becomes a space and
/// a carriage return is dropped (it would move the cursor back over the line).
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            '\r' => {}
            c if is_unsafe(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`clean`], with line breaks turned into spaces.
pub(crate) fn one_line(text: &str) -> String {
    clean(text).replace('\n', " ")
}

/// Visible width, counted in characters.
pub(crate) fn width_of(text: &str) -> usize {
    text.chars().count()
}

/// Breaks `text` at spaces into lines of at most `first` columns, then `rest` columns.
/// A word wider than the room keeps a line of its own, unbroken, so URLs stay copyable.
/// Always returns at least one (possibly empty) line.
pub(crate) fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut current_width = 0;
    for word in text.split_whitespace() {
        let word_width = width_of(word);
        let room = if lines.is_empty() { first } else { rest };
        if current_width == 0 {
            current.push_str(word);
            current_width = word_width;
        } else if current_width + 1 + word_width <= room {
            current.push(' ');
            current.push_str(word);
            current_width += 1 + word_width;
        } else {
            lines.push(std::mem::take(&mut current));
            current.push_str(word);
            current_width = word_width;
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests;
