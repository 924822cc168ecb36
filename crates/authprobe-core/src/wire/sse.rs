//! Server-sent events, interpreted as the WHATWG HTML standard's
//! "event stream interpretation" says, fed incrementally.
//!
//! Lines end with CRLF, LF or CR; a CR that ends one chunk and an LF that
//! starts the next are one line end. Events are dispatched as soon as their
//! blank line arrives, so everything complete is returned by [`SseParser::feed`].

use serde::{Deserialize, Serialize};

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SseEvent {
    /// The event type: the last `event` field of the block, or "message".
    pub event: String,
    /// The `data` lines joined with `\n`.
    pub data: String,
    /// The stream's last event ID when the event was dispatched (it persists
    /// across events until an `id` field changes it); `None` when empty.
    pub id: Option<String>,
    /// The reconnection time set by a valid `retry` field in this event's block.
    pub retry: Option<u64>,
}

/// An incremental event-stream parser.
#[derive(Debug, Clone, Default)]
pub struct SseParser {
    /// How many bytes of a leading BOM have been seen; 3 once decided.
    bom_seen: usize,
    bom_decided: bool,
    /// The previous chunk ended with CR: an LF at the start of this one is part of that line end.
    skip_lf: bool,
    line: Vec<u8>,
    data: String,
    event_type: String,
    last_event_id: String,
    block_retry: Option<u64>,
    reconnection_time: Option<u64>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes of the stream; returns the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        let mut rest = bytes;
        while !self.bom_decided {
            let Some((&b, tail)) = rest.split_first() else {
                return out;
            };
            if BOM.get(self.bom_seen) == Some(&b) {
                self.bom_seen += 1;
                rest = tail;
                self.bom_decided = self.bom_seen == BOM.len();
            } else {
                // Not a BOM after all: the bytes held back belong to the first line.
                self.line
                    .extend_from_slice(BOM.get(..self.bom_seen).unwrap_or(&[]));
                self.bom_decided = true;
            }
        }
        while let Some((&first, tail)) = rest.split_first() {
            if self.skip_lf {
                self.skip_lf = false;
                if first == b'\n' {
                    rest = tail;
                    continue;
                }
            }
            match rest.iter().position(|&b| b == b'\r' || b == b'\n') {
                Some(i) => {
                    self.line.extend_from_slice(rest.get(..i).unwrap_or(&[]));
                    self.skip_lf = rest.get(i) == Some(&b'\r');
                    self.end_line(&mut out);
                    rest = rest.get(i + 1..).unwrap_or(&[]);
                }
                None => {
                    self.line.extend_from_slice(rest);
                    break;
                }
            }
        }
        out
    }

    /// Ends the stream. Per the standard, an event without its closing blank
    /// line is discarded, and complete events were already returned by
    /// [`SseParser::feed`]; so this returns nothing, and exists so that callers
    /// need not rely on that.
    pub fn finish(self) -> Vec<SseEvent> {
        Vec::new()
    }

    /// Bytes held for an unfinished line or event: what a caller bounds to cap memory.
    pub fn pending_bytes(&self) -> usize {
        let held_bom = if self.bom_decided { 0 } else { self.bom_seen };
        held_bom + self.line.len() + self.data.len() + self.event_type.len()
    }

    /// The stream's last event ID so far (empty when none), even when no event carried it out.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection time set by the latest valid `retry` field, in milliseconds.
    pub fn reconnection_time(&self) -> Option<u64> {
        self.reconnection_time
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.first() == Some(&b':') {
            return;
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let value = line.get(i + 1..).unwrap_or(&[]);
                (
                    line.get(..i).unwrap_or(&[]),
                    value.strip_prefix(b" ").unwrap_or(value),
                )
            }
            None => (&line[..], &[][..]),
        };
        let value = String::from_utf8_lossy(value);
        match name {
            b"event" => self.event_type = value.into_owned(),
            b"data" => {
                self.data.push_str(&value);
                self.data.push('\n');
            }
            b"id" if !value.contains('\0') => self.last_event_id = value.into_owned(),
            b"retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // A value too large for u64 is ignored like any other invalid one.
                if let Ok(ms) = value.parse::<u64>() {
                    self.block_retry = Some(ms);
                    self.reconnection_time = Some(ms);
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let retry = self.block_retry.take();
        let event_type = std::mem::take(&mut self.event_type);
        // The emptiness test comes before the trailing LF is removed, so a lone
        // `data` line still dispatches an event with empty data.
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        out.push(SseEvent {
            event: if event_type.is_empty() {
                "message".to_string()
            } else {
                event_type
            },
            data,
            id: (!self.last_event_id.is_empty()).then(|| self.last_event_id.clone()),
            retry,
        });
    }
}

/// Parses a complete stream in one go.
pub fn parse_all(bytes: &[u8]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events = parser.feed(bytes);
    events.extend(parser.finish());
    events
}

#[cfg(test)]
mod tests;
