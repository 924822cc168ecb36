use serde_json::json;

use super::*;

#[test]
fn valid_schemas_pass() {
    for schema in [
        json!({"type": "object"}),
        json!({"type": "object", "additionalProperties": false}),
        json!({"type": "object", "properties": {"a": {"type": "number"}}, "required": ["a"]}),
        json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "definitions": {}}),
        json!({"type": "object", "$defs": {"x": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/x"}}}),
        json!({"type": "object", "properties": {"a": {"$ref": "https://example.com/s.json"}}}),
    ] {
        assert_eq!(judge(&schema), SchemaVerdict::Valid, "{schema}");
    }
}

#[test]
fn invalid_schemas_say_why() {
    let cases = [
        (json!({"type": "object", "required": "text"}), "required"),
        (json!({"type": "objekt"}), "objekt"),
        (
            json!({"type": "object", "properties": {"a": {"minimum": "zero"}}}),
            "/properties/a/minimum",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "string", "pattern": "(unclosed"}}}),
            "pattern",
        ),
        (
            json!({"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}),
            "missing",
        ),
        (json!({"$schema": 5, "type": "object"}), "$schema"),
        (json!(null), "null"),
        (json!(true), "not a JSON Schema object"),
    ];
    for (schema, needle) in cases {
        match judge(&schema) {
            SchemaVerdict::Invalid(why) => assert!(why.contains(needle), "{schema}: {why}"),
            other => panic!("{schema}: {other:?}"),
        }
    }
}

#[test]
fn an_unknown_dialect_is_not_judged() {
    let schema = json!({"$schema": "https://example.com/my-dialect", "type": 7});
    assert_eq!(
        judge(&schema),
        SchemaVerdict::UnknownDialect("https://example.com/my-dialect".into())
    );
}
