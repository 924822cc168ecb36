use serde_json::json;

use super::*;

#[test]
fn describes_every_type() {
    let cases = [
        (json!(null), "null"),
        (json!(true), "a boolean"),
        (json!(1.5), "a number"),
        (json!("x"), "a string"),
        (json!([]), "an array"),
        (json!({}), "an object"),
    ];
    for (value, text) in cases {
        assert_eq!(describe(&value), text);
    }
}

#[test]
fn string_array_reports_first_bad_element() {
    let mut errors = Vec::new();
    assert_eq!(string_array("f", json!(["a", 1, null]), &mut errors), None);
    assert_eq!(errors[0].found, "an array containing a number");
    assert_eq!(
        string_array("f", json!(["a", "b"]), &mut errors),
        Some(vec!["a".to_string(), "b".to_string()])
    );
    assert_eq!(string_array("f", json!([]), &mut errors), Some(vec![]));
    assert_eq!(errors.len(), 1);
}
