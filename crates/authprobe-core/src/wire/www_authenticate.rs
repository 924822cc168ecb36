//! `WWW-Authenticate` challenges under the RFC 9110 §11.6.1 grammar, and the
//! RFC 9728 §5.1 `resource_metadata` parameter.
//!
//! The parser is strict where the grammar is (quoted strings, tokens, commas
//! between parameters, one occurrence of each parameter name) and lenient
//! where the recipient rules of RFC 9110 §5.6.1.2 ask for leniency (empty list
//! elements, whitespace around commas). It runs in time linear in the input.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use url::Url;

/// One challenge: `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// The authentication scheme exactly as sent (compare with [`Challenge::is_scheme`]).
    pub scheme: String,
    /// The token68 form of the credentials, when the challenge uses it instead of parameters.
    pub token68: Option<String>,
    /// The parameters in the order they were sent.
    pub params: Vec<AuthParam>,
}

impl Challenge {
    /// True when the scheme is `scheme`, compared case-insensitively (RFC 9110 §11.1).
    pub fn is_scheme(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The value of the parameter `name`, compared case-insensitively (RFC 9110 §11.2).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }
}

/// One `auth-param`: `token BWS "=" BWS ( token / quoted-string )`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthParam {
    /// The parameter name, lowercased (names are case-insensitive).
    pub name: String,
    /// The value, with the quotes removed and quoted-pairs unescaped.
    pub value: String,
    /// True when the value was sent as a quoted-string rather than a token.
    pub quoted: bool,
}

/// Where and why a `WWW-Authenticate` value does not follow the grammar.
///
/// Displayed as `header 1, byte 27: unterminated quoted string`: the header
/// number counts from 1 for people, the byte offset counts from 0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("header {}, byte {position}: {message}", .header_index + 1)]
pub struct ChallengeSyntaxError {
    /// Index (from 0) of the offending value in the slice given to [`parse_challenges`].
    pub header_index: usize,
    /// Byte offset (from 0) in that value where the problem was found.
    pub position: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

/// Parses every `WWW-Authenticate` field line of a response, in order.
///
/// Several lines form one list (RFC 9110 §5.3): the challenges of each line are
/// appended in order. An empty value is an empty list, not an error; whether a
/// response carries at least one challenge is for the caller to judge.
pub fn parse_challenges(header_values: &[&str]) -> Result<Vec<Challenge>, ChallengeSyntaxError> {
    let mut challenges = Vec::new();
    for (index, value) in header_values.iter().enumerate() {
        let mut parser = Parser {
            text: value,
            bytes: value.as_bytes(),
            pos: 0,
            header_index: index,
        };
        parser.challenges(&mut challenges)?;
    }
    Ok(challenges)
}

/// The `resource_metadata` parameter resolved against the URL that was requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceMetadataRef {
    /// An absolute URL, as RFC 9728 §5.1 requires.
    Absolute(Url),
    /// A relative reference: not allowed, but a lenient client would resolve it this way.
    Relative {
        /// The reference resolved against the request URL.
        resolved: Url,
    },
    /// Neither an absolute URL nor a resolvable reference; says why.
    Invalid(String),
}

/// Resolves a `resource_metadata` value, remembering whether it was absolute.
pub fn resolve_resource_metadata(value: &str, request_url: &Url) -> ResourceMetadataRef {
    if value.trim().is_empty() {
        return ResourceMetadataRef::Invalid("the value is empty".to_string());
    }
    match Url::parse(value) {
        Ok(url) => ResourceMetadataRef::Absolute(url),
        Err(url::ParseError::RelativeUrlWithoutBase) => match request_url.join(value) {
            Ok(resolved) => ResourceMetadataRef::Relative { resolved },
            Err(e) => ResourceMetadataRef::Invalid(e.to_string()),
        },
        Err(e) => ResourceMetadataRef::Invalid(e.to_string()),
    }
}

/// `tchar` of RFC 9110 §5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The characters of `token68` before its `=` padding (RFC 9110 §11.2).
fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A cursor over one field value; `pos` only ever stops on a character boundary
/// because it advances over ASCII bytes or over whole quoted strings.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    header_index: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn error(&self, position: usize, message: impl Into<String>) -> ChallengeSyntaxError {
        ChallengeSyntaxError {
            header_index: self.header_index,
            position,
            message: message.into(),
        }
    }

    /// Names the character at `pos` for an error message.
    fn describe_at(&self, pos: usize) -> String {
        match self.text.get(pos..).and_then(|rest| rest.chars().next()) {
            None if pos >= self.bytes.len() => "the end of the value".to_string(),
            None => format!("byte 0x{:02X}", self.bytes.get(pos).copied().unwrap_or(0)),
            Some(c) if c.is_ascii_graphic() || c == ' ' => format!("'{c}'"),
            Some(c) if c.is_ascii() => format!("control character 0x{:02X}", c as u32),
            Some(c) => format!("'{c}' (U+{:04X})", c as u32),
        }
    }

    fn skip_ows(&mut self) {
        while self.peek().is_some_and(is_ows) {
            self.pos += 1;
        }
    }

    /// Skips whitespace and commas: the empty list elements of RFC 9110 §5.6.1.2.
    fn skip_list_separators(&mut self) {
        while self.peek().is_some_and(|b| is_ows(b) || b == b',') {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// After a comma: does `token BWS "="` follow, i.e. another parameter of the
    /// current challenge rather than a new challenge?
    fn param_follows(&self) -> bool {
        let mut i = self.pos;
        let start = i;
        while self.bytes.get(i).copied().is_some_and(is_tchar) {
            i += 1;
        }
        if i == start {
            return false;
        }
        while self.bytes.get(i).copied().is_some_and(is_ows) {
            i += 1;
        }
        self.bytes.get(i) == Some(&b'=')
    }

    fn challenges(&mut self, out: &mut Vec<Challenge>) -> Result<(), ChallengeSyntaxError> {
        loop {
            self.skip_list_separators();
            if self.at_end() {
                return Ok(());
            }
            out.push(self.challenge()?);
        }
    }

    /// Parses one challenge and stops at the end of the value or at the first
    /// character of the next challenge.
    fn challenge(&mut self) -> Result<Challenge, ChallengeSyntaxError> {
        let scheme = self.token().to_string();
        if scheme.is_empty() {
            return Err(self.error(
                self.pos,
                format!(
                    "expected an authentication scheme, found {}",
                    self.describe_at(self.pos)
                ),
            ));
        }
        let mut challenge = Challenge {
            scheme,
            token68: None,
            params: Vec::new(),
        };
        match self.peek() {
            None => return Ok(challenge),
            Some(b) if is_ows(b) || b == b',' => {}
            Some(_) => {
                return Err(self.error(
                    self.pos,
                    format!(
                        "invalid character {} in authentication scheme `{}`",
                        self.describe_at(self.pos),
                        challenge.scheme
                    ),
                ))
            }
        }
        // A HashSet keeps the duplicate check linear on hostile inputs with many parameters.
        let mut seen = HashSet::new();
        self.skip_ows();
        if !self.at_end() && self.peek() != Some(b',') {
            match self.token68() {
                Some(t) => challenge.token68 = Some(t),
                None => self.push_param(&mut challenge, &mut seen)?,
            }
        }
        loop {
            self.skip_ows();
            match self.peek() {
                None => return Ok(challenge),
                Some(b',') => {}
                Some(_) => {
                    return Err(self.error(
                        self.pos,
                        format!(
                            "missing comma before {} (parameters and challenges are separated by commas)",
                            self.describe_at(self.pos)
                        ),
                    ))
                }
            }
            self.skip_list_separators();
            if self.at_end() || !self.param_follows() {
                return Ok(challenge);
            }
            if challenge.token68.is_some() {
                return Err(self.error(
                    self.pos,
                    format!(
                        "token68 mixed with auth-params in the `{}` challenge (a challenge carries one or the other)",
                        challenge.scheme
                    ),
                ));
            }
            self.push_param(&mut challenge, &mut seen)?;
        }
    }

    /// Reads a token68 when the whole list element is one; otherwise leaves the
    /// cursor where it was so the element can be read as an auth-param.
    fn token68(&mut self) -> Option<String> {
        let start = self.pos;
        let mut i = start;
        while self.bytes.get(i).copied().is_some_and(is_token68_char) {
            i += 1;
        }
        if i == start {
            return None;
        }
        while self.bytes.get(i) == Some(&b'=') {
            i += 1;
        }
        let end = i;
        while self.bytes.get(i).copied().is_some_and(is_ows) {
            i += 1;
        }
        match self.bytes.get(i) {
            None | Some(b',') => {
                self.pos = end;
                self.text.get(start..end).map(str::to_string)
            }
            Some(_) => None,
        }
    }

    fn push_param(
        &mut self,
        challenge: &mut Challenge,
        seen: &mut HashSet<String>,
    ) -> Result<(), ChallengeSyntaxError> {
        let start = self.pos;
        let param = self.auth_param()?;
        if !seen.insert(param.name.clone()) {
            return Err(self.error(
                start,
                format!(
                    "parameter `{}` occurs twice in the `{}` challenge (RFC 9110 §11.2: once per challenge)",
                    param.name, challenge.scheme
                ),
            ));
        }
        challenge.params.push(param);
        Ok(())
    }

    fn auth_param(&mut self) -> Result<AuthParam, ChallengeSyntaxError> {
        let name = self.token().to_ascii_lowercase();
        if name.is_empty() {
            return Err(self.error(
                self.pos,
                format!(
                    "expected a parameter name, found {}",
                    self.describe_at(self.pos)
                ),
            ));
        }
        if let Some(b) = self.peek() {
            if !is_ows(b) && b != b'=' && b != b',' {
                return Err(self.error(
                    self.pos,
                    format!(
                        "invalid character {} in parameter name `{name}`",
                        self.describe_at(self.pos)
                    ),
                ));
            }
        }
        self.skip_ows();
        if self.peek() != Some(b'=') {
            return Err(self.error(
                self.pos,
                format!(
                    "parameter `{name}` has no value: expected '=', found {}",
                    self.describe_at(self.pos)
                ),
            ));
        }
        self.pos += 1;
        self.skip_ows();
        if self.peek() == Some(b'"') {
            let value = self.quoted_string()?;
            return Ok(AuthParam {
                name,
                value,
                quoted: true,
            });
        }
        let value = self.token().to_string();
        if value.is_empty() {
            return Err(self.error(
                self.pos,
                format!(
                    "parameter `{name}` has no value: expected a token or a quoted string, found {}",
                    self.describe_at(self.pos)
                ),
            ));
        }
        if let Some(b) = self.peek() {
            if !is_ows(b) && b != b',' {
                return Err(self.error(
                    self.pos,
                    format!(
                        "invalid character {} in the value of `{name}` (such a value must be a quoted string)",
                        self.describe_at(self.pos)
                    ),
                ));
            }
        }
        Ok(AuthParam {
            name,
            value,
            quoted: false,
        })
    }

    /// `quoted-string` of RFC 9110 §5.6.4, unescaped.
    fn quoted_string(&mut self) -> Result<String, ChallengeSyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error(open, "unterminated quoted string"));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => {
                    let Some(escaped) = self.bytes.get(self.pos + 1).copied() else {
                        return Err(self.error(open, "unterminated quoted string"));
                    };
                    if !(escaped == b'\t' || (0x20..=0x7E).contains(&escaped) || escaped >= 0x80) {
                        return Err(self.error(
                            self.pos + 1,
                            format!(
                                "{} cannot be escaped in a quoted string",
                                self.describe_at(self.pos + 1)
                            ),
                        ));
                    }
                    out.push(escaped);
                    self.pos += 2;
                }
                b'\t' | 0x20..=0x7E | 0x80..=0xFF => {
                    out.push(b);
                    self.pos += 1;
                }
                _ => {
                    return Err(self.error(
                        self.pos,
                        format!("{} inside a quoted string", self.describe_at(self.pos)),
                    ))
                }
            }
        }
        // Only ASCII backslashes were dropped, so the bytes are still UTF-8.
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(test)]
mod tests;
