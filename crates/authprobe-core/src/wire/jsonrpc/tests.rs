use serde_json::json;

use super::*;

const RESULT: &str = r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25"}}"#;

#[test]
fn json_object_body() {
    let messages = messages_in_body(Some("application/json"), RESULT).unwrap();
    assert_eq!(
        messages,
        vec![serde_json::from_str::<Value>(RESULT).unwrap()]
    );
}

#[test]
fn media_type_parameters_and_case_are_ignored() {
    let messages = messages_in_body(Some("Application/JSON; charset=utf-8"), RESULT).unwrap();
    assert_eq!(messages.len(), 1);
}

#[test]
fn json_array_body_gives_its_elements() {
    let body = r#"[{"jsonrpc":"2.0","id":1,"result":{}}, {"jsonrpc":"2.0","method":"x"}, 3]"#;
    let messages = messages_in_body(Some("application/json"), body).unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[2], json!(3));
}

#[test]
fn json_body_errors() {
    assert_eq!(
        messages_in_body(Some("application/json"), " "),
        Err(BodyError::Empty)
    );
    assert_eq!(
        messages_in_body(Some("application/json"), "\"hi\""),
        Err(BodyError::NotAMessage { found: "a string" })
    );
    match messages_in_body(Some("application/json"), "{\"jsonrpc\":") {
        Err(BodyError::InvalidJson { line, .. }) => assert_eq!(line, 1),
        other => panic!("expected invalid JSON, got {other:?}"),
    }
}

#[test]
fn other_media_types_are_named() {
    let e = messages_in_body(Some("text/html; charset=utf-8"), "<html>").unwrap_err();
    assert_eq!(
        e,
        BodyError::NotJsonRpc {
            media_type: Some("text/html".into())
        }
    );
    assert!(e
        .to_string()
        .starts_with("text/html is not a JSON-RPC media type"));
    let e = messages_in_body(None, RESULT).unwrap_err();
    assert_eq!(e, BodyError::NotJsonRpc { media_type: None });
    assert!(e.to_string().contains("no Content-Type"));
}

#[test]
fn event_stream_body() {
    let body = format!(
        "id: prime\ndata:\n\n: keep-alive\n\nevent: message\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}}\n\ndata: {RESULT}\n\n"
    );
    let messages = messages_in_body(Some("text/event-stream"), &body).unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["id"], json!(1));
}

#[test]
fn event_stream_skips_other_event_types_and_bad_events_when_one_parses() {
    let body =
        format!("event: endpoint\ndata: /messages?s=1\n\ndata: not json\n\ndata: {RESULT}\n\n");
    let messages = messages_in_body(Some("text/event-stream"), &body).unwrap();
    assert_eq!(messages.len(), 1);
}

#[test]
fn event_stream_with_only_bad_events_is_an_error() {
    let e = messages_in_body(Some("text/event-stream"), "data: nope\n\ndata: 42\n\n").unwrap_err();
    match &e {
        BodyError::NoMessageInStream { detail } => {
            assert!(detail.starts_with("event 1 is not valid JSON"), "{detail}");
            assert!(detail.ends_with("and 1 more"), "{detail}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn empty_event_stream_has_no_messages() {
    assert_eq!(messages_in_body(Some("text/event-stream"), ""), Ok(vec![]));
    assert_eq!(
        messages_in_body(
            Some("text/event-stream"),
            "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"
        ),
        Ok(vec![]),
        "an unterminated event is discarded"
    );
}

#[test]
fn find_response_matches_id_and_skips_server_requests() {
    let messages = vec![
        json!({"jsonrpc":"2.0","id":1,"method":"sampling/createMessage","params":{}}),
        json!({"jsonrpc":"2.0","id":"1","result":{}}),
        json!({"jsonrpc":"2.0","id":1,"result":{"ok":true}}),
        json!("stray"),
    ];
    assert_eq!(find_response(&messages, &json!(1)), Some(&messages[2]));
    assert_eq!(find_response(&messages, &json!("1")), Some(&messages[1]));
    assert_eq!(find_response(&messages, &json!(2)), None);
    assert_eq!(find_response(&[], &json!(1)), None);
}

#[test]
fn classify_valid_result_and_error() {
    let v = json!({"jsonrpc":"2.0","id":1,"result":{"x":1}});
    assert_eq!(
        classify_response(&v),
        ResponseShape::Result(&json!({"x":1}))
    );
    let v = json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request","data":[1]}});
    assert_eq!(
        classify_response(&v),
        ResponseShape::Error {
            code: -32600,
            message: "Invalid Request".into()
        }
    );
    let v = json!({"jsonrpc":"2.0","id":"a","result":null});
    assert_eq!(classify_response(&v), ResponseShape::Result(&Value::Null));
}

fn invalid(v: Value) -> String {
    match classify_response(&v) {
        ResponseShape::Invalid(why) => why,
        other => panic!("{v} should be invalid, got {other:?}"),
    }
}

#[test]
fn classify_invalid_responses() {
    assert!(invalid(json!([1])).contains("an array, not an object"));
    assert!(invalid(json!({"id":1,"result":{}})).contains("`jsonrpc` is missing"));
    assert!(invalid(json!({"jsonrpc":"1.0","id":1,"result":{}})).contains("\"1.0\", not \"2.0\""));
    assert!(invalid(json!({"jsonrpc":2.0,"id":1,"result":{}})).contains("`jsonrpc` is 2.0"));
    assert!(invalid(json!({"jsonrpc":"2.0","result":{}})).contains("`id` is missing"));
    assert!(invalid(json!({"jsonrpc":"2.0","id":{},"result":{}})).contains("`id` is an object"));
    assert!(invalid(json!({"jsonrpc":"2.0","id":1})).contains("neither"));
    assert!(
        invalid(json!({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}}))
            .contains("both")
    );
    assert!(invalid(json!({"jsonrpc":"2.0","id":1,"error":"boom"})).contains("`error` is a string"));
    assert!(
        invalid(json!({"jsonrpc":"2.0","id":1,"error":{"message":"m"}}))
            .contains("`error.code` is missing")
    );
    assert!(
        invalid(json!({"jsonrpc":"2.0","id":1,"error":{"code":"-1","message":"m"}}))
            .contains("`error.code` is a string")
    );
    assert!(
        invalid(json!({"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"m"}}))
            .contains("not an integer")
    );
    assert!(
        invalid(json!({"jsonrpc":"2.0","id":1,"error":{"code":u64::MAX,"message":"m"}}))
            .contains("not an integer")
    );
    assert!(invalid(json!({"jsonrpc":"2.0","id":1,"error":{"code":1}}))
        .contains("`error.message` is missing"));
    assert!(
        invalid(json!({"jsonrpc":"2.0","id":1,"error":{"code":1,"message":7}}))
            .contains("`error.message` is a number")
    );
}

#[test]
fn hostile_jsonrpc_value_is_cut_short() {
    let why = invalid(json!({"jsonrpc":"x".repeat(10_000),"id":1,"result":{}}));
    assert!(why.chars().count() < 100, "{why}");
}

#[test]
fn builds_requests_and_notifications() {
    assert_eq!(
        request(7, "tools/list", json!({})).to_string(),
        r#"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{}}"#
    );
    assert_eq!(
        request(1, "ping", Value::Null).to_string(),
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
    );
    assert_eq!(
        notification("notifications/initialized", Value::Null).to_string(),
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#
    );
    assert_eq!(
        notification("n", json!([1])).to_string(),
        r#"{"jsonrpc":"2.0","method":"n","params":[1]}"#
    );
}

#[test]
fn sse_stop_condition() {
    let full = format!(
        "data: {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}}\n\ndata: {RESULT}\n\n"
    );
    let bytes = full.as_bytes();
    let end_of_response = bytes.len();
    // Not before the response event's blank line has arrived, and from then on.
    for cut in 0..=end_of_response {
        assert_eq!(
            sse_has_response(&bytes[..cut]),
            cut == end_of_response,
            "cut at {cut}"
        );
    }
    assert!(sse_has_response(b"data: {\"id\":1,\"error\":{}}\n\n"));
    assert!(sse_has_response(b"data: [{\"id\":1,\"result\":{}}]\n\n"));
    assert!(!sse_has_response(b"data: {\"id\":1,\"method\":\"x\"}\n\n"));
    assert!(!sse_has_response(
        b"event: other\ndata: {\"id\":1,\"result\":{}}\n\n"
    ));
    assert!(
        !sse_has_response(RESULT.as_bytes()),
        "a JSON body is not a stream"
    );
}
