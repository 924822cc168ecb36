use serde_json::json;

use super::*;
use crate::facts::transport::tests::{empty, exchange, json, no_answer, sse};
use crate::facts::transport::Probe;

fn got(answer: crate::facts::transport::tests::Answer, id: serde_json::Value) -> Got {
    Got::of(&exchange(Probe::Ping, &answer), &id)
}

#[test]
fn json_and_sse_results_are_read() {
    let body = json!({"jsonrpc": "2.0", "id": 2, "result": {}});
    assert_eq!(
        got(json(200, body.clone()), json!(2)),
        Got::Result(json!({}))
    );
    // A priming event with an id and empty data, a notification, then the response, CRLF line ends.
    let stream = format!(
        "id: 1\r\ndata:\r\n\r\n: comment\r\nevent: message\r\ndata: {}\r\n\r\ndata: {}\r\n\r\n",
        json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {}}),
        body
    );
    assert_eq!(got(sse(200, &stream), json!(2)), Got::Result(json!({})));
    // Multi-line data joins with a newline, which JSON ignores.
    let split = "data: {\"jsonrpc\": \"2.0\",\ndata: \"id\": 2, \"result\": {\"a\": 1}}\n\n";
    assert_eq!(got(sse(200, split), json!(2)), Got::Result(json!({"a": 1})));
}

#[test]
fn errors_and_statuses() {
    let error = json!({"jsonrpc": "2.0", "id": 2, "error": {"code": -32601, "message": "no"}});
    match got(json(200, error.clone()), json!(2)) {
        Got::Error(e) => assert_eq!((e.code, e.message.as_str()), (-32601, "no")),
        other => panic!("{other:?}"),
    }
    match got(json(404, error), json!(2)) {
        Got::Status(404, Some(e)) => assert_eq!(e.code, -32601),
        other => panic!("{other:?}"),
    }
    assert_eq!(got(empty(400), json!(2)), Got::Status(400, None));
    assert_eq!(got(empty(202), json!(2)), Got::NoResponse(202));
    // An error without an id still answers (the server could not read ours).
    let anonymous = json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "bad"}});
    assert!(matches!(got(json(200, anonymous), json!(2)), Got::Error(_)));
}

#[test]
fn wrong_ids_and_invalid_shapes() {
    let other = json!({"jsonrpc": "2.0", "id": "2", "result": {}});
    assert_eq!(got(json(200, other), json!(2)), Got::WrongId(json!("2")));
    let both =
        json!({"jsonrpc": "2.0", "id": 2, "result": {}, "error": {"code": 1, "message": "x"}});
    assert!(matches!(got(json(200, both), json!(2)), Got::Invalid(w) if w.contains("both")));
    let no_version = json!({"id": 2, "result": {}});
    assert!(
        matches!(got(json(200, no_version), json!(2)), Got::Invalid(w) if w.contains("jsonrpc"))
    );
    let null_id = json!({"jsonrpc": "2.0", "id": null, "result": {"tools": []}});
    assert_eq!(
        got(json(200, null_id), json!(null)),
        Got::Result(json!({"tools": []}))
    );
}

#[test]
fn cut_and_missing_answers_are_inconclusive() {
    let endless = sse(200, ": keepalive\n\nevent: junk\ndata: nope\n\n").cut(ErrorKind::Timeout);
    let g = got(endless, json!(2));
    assert!(
        matches!(
            g,
            Got::Cut {
                status: 200,
                kind: ErrorKind::Timeout,
                ..
            }
        ),
        "{g:?}"
    );
    assert!(g.is_inconclusive());
    let huge =
        sse(200, "data: {\"jsonrpc\":\"2.0\",\"method\":\"x\"}\n\n").cut(ErrorKind::TooLarge);
    assert!(matches!(
        got(huge, json!(2)),
        Got::Cut {
            kind: ErrorKind::TooLarge,
            ..
        }
    ));
    assert!(got(no_answer(ErrorKind::Timeout), json!(2)).is_inconclusive());
    // A response that arrived before the cut is still the answer.
    let late = sse(
        200,
        "data: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n\n: more\n",
    )
    .cut(ErrorKind::Timeout);
    assert_eq!(got(late, json!(2)), Got::Result(json!({})));
}

#[test]
fn unreadable_bodies_say_why() {
    let mut html = empty(200).header("content-type", "text/html");
    html.body = "<html></html>".into();
    assert!(matches!(got(html, json!(2)), Got::Unreadable(200, w) if w.contains("text/html")));
    let mut broken = empty(200).header("content-type", "application/json");
    broken.body = "{\"jsonrpc\":".into();
    assert!(matches!(got(broken, json!(2)), Got::Unreadable(200, _)));
}
