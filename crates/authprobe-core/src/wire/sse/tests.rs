use super::*;

/// Exercises every rule at once; each line is explained by the expected events below.
const SAMPLE: &[u8] = b"\xEF\xBB\xBF: comment\r\nevent: ping\r\ndata: one\r\ndata:two\r\n\r\n\
id: 7\rdata:  spaced\r\rdata\n\n\
retry: 1500\nid: a\0b\ndata: x\n\n\
retry: 12a\nevent\ndata: {\"jsonrpc\":\"2.0\"}\r\n\r\n\
id\ndata: last\n\nid: keep\n\n\
unknown: field\ndata: caf\xC3\xA9\r\n\r\n\
data: unterminated";

fn ev(event: &str, data: &str, id: Option<&str>, retry: Option<u64>) -> SseEvent {
    SseEvent {
        event: event.into(),
        data: data.into(),
        id: id.map(str::to_string),
        retry,
    }
}

fn expected() -> Vec<SseEvent> {
    vec![
        ev("ping", "one\ntwo", None, None),
        ev("message", " spaced", Some("7"), None),
        ev("message", "", Some("7"), None),
        ev("message", "x", Some("7"), Some(1500)),
        ev("message", "{\"jsonrpc\":\"2.0\"}", Some("7"), None),
        ev("message", "last", None, None),
        ev("message", "caf\u{e9}", Some("keep"), None),
    ]
}

#[test]
fn sample_in_one_chunk() {
    assert_eq!(parse_all(SAMPLE), expected());
}

#[test]
fn sample_split_at_every_position() {
    for split in 0..=SAMPLE.len() {
        let mut parser = SseParser::new();
        let mut events = parser.feed(&SAMPLE[..split]);
        events.extend(parser.feed(&SAMPLE[split..]));
        events.extend(parser.finish());
        assert_eq!(events, expected(), "split at byte {split}");
    }
}

#[test]
fn sample_fed_byte_by_byte() {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for b in SAMPLE {
        events.extend(parser.feed(std::slice::from_ref(b)));
    }
    assert_eq!(parser.last_event_id(), "keep");
    assert_eq!(parser.reconnection_time(), Some(1500));
    assert_eq!(parser.pending_bytes(), "data: unterminated".len());
    events.extend(parser.finish());
    assert_eq!(events, expected());
}

#[test]
fn cr_then_lf_across_chunks_is_one_line_end() {
    let mut parser = SseParser::new();
    assert!(parser.feed(b"data: a\r").is_empty());
    // Had the LF counted as a second line end, the event would dispatch here.
    assert!(parser.feed(b"\n").is_empty());
    assert_eq!(
        parser.feed(b"data: b\r\n\r\n"),
        vec![ev("message", "a\nb", None, None)]
    );
}

#[test]
fn cr_alone_ends_lines() {
    assert_eq!(
        parse_all(b"data: a\r\rdata: b\r\r"),
        vec![
            ev("message", "a", None, None),
            ev("message", "b", None, None)
        ]
    );
}

#[test]
fn bom_only_at_the_start() {
    assert_eq!(
        parse_all(b"\xEF\xBB\xBFdata: a\n\n"),
        vec![ev("message", "a", None, None)]
    );
    // A second BOM is part of the field name, which is then unknown.
    assert!(parse_all(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n").is_empty());
    // A partial BOM is not one.
    assert!(parse_all(b"\xEF\xBBdata: a\n\n").is_empty());
}

#[test]
fn only_one_space_after_the_colon_is_removed() {
    assert_eq!(parse_all(b"data:   x \n\n")[0].data, "  x ");
    assert_eq!(parse_all(b"data:\tx\n\n")[0].data, "\tx");
}

#[test]
fn events_without_data_are_not_dispatched() {
    assert!(parse_all(b"event: ping\n\n").is_empty());
    assert!(parse_all(b"id: 1\nretry: 10\n\n: just a comment\n\n\n\n").is_empty());
}

#[test]
fn event_type_does_not_leak_into_the_next_event() {
    let events = parse_all(b"event: endpoint\ndata: /messages\n\ndata: {}\n\n");
    assert_eq!(events[0].event, "endpoint");
    assert_eq!(events[1].event, "message");
}

#[test]
fn event_type_of_an_undispatched_block_is_dropped() {
    let events = parse_all(b"event: a\n\ndata: x\n\n");
    assert_eq!(events, vec![ev("message", "x", None, None)]);
}

#[test]
fn id_with_nul_is_ignored_and_empty_id_resets() {
    let events = parse_all(b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\nid:\ndata: c\n\n");
    let ids: Vec<Option<&str>> = events.iter().map(|e| e.id.as_deref()).collect();
    assert_eq!(ids, vec![Some("1"), Some("1"), None]);
}

#[test]
fn retry_needs_only_digits() {
    let retry = |s: &[u8]| parse_all(s).first().and_then(|e| e.retry);
    assert_eq!(retry(b"retry: 250\ndata: x\n\n"), Some(250));
    assert_eq!(retry(b"retry: -1\ndata: x\n\n"), None);
    assert_eq!(retry(b"retry: 1.5\ndata: x\n\n"), None);
    assert_eq!(retry(b"retry:\ndata: x\n\n"), None);
    assert_eq!(retry(b"retry: 99999999999999999999999\ndata: x\n\n"), None);
    // The retry of one block is not carried into the next event.
    assert_eq!(parse_all(b"retry: 5\n\ndata: x\n\n")[0].retry, None);
}

#[test]
fn field_names_are_case_sensitive() {
    assert!(parse_all(b"Data: x\n\n").is_empty());
}

#[test]
fn unterminated_event_is_discarded() {
    assert!(parse_all(b"data: x\n").is_empty());
    assert!(parse_all(b"data: x").is_empty());
    assert!(parse_all(b"").is_empty());
}

#[test]
fn invalid_utf8_is_replaced() {
    assert_eq!(parse_all(b"data: \xFFx\n\n")[0].data, "\u{FFFD}x");
}

#[test]
fn pending_bytes_grow_and_reset() {
    let mut parser = SseParser::new();
    parser.feed(b"\xEF\xBB");
    assert_eq!(parser.pending_bytes(), 2);
    parser.feed(b"\xBFdata: 12345\n");
    assert_eq!(parser.pending_bytes(), 6);
    parser.feed(b"event: e\ndata: 67");
    assert_eq!(parser.pending_bytes(), 6 + 1 + 8);
    assert_eq!(parser.feed(b"\n\n").len(), 1);
    assert_eq!(parser.pending_bytes(), 0);
}
