use serde_json::json;

use super::*;

fn strings(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

#[test]
fn rfc9728_example_document() {
    let doc = parse_prm(
        r#"{
          "resource": "https://resource.example.com",
          "authorization_servers": ["https://as1.example.com", "https://as2.example.net"],
          "bearer_methods_supported": ["header", "body"],
          "scopes_supported": ["profile", "email", "phone"],
          "resource_documentation": "https://resource.example.com/resource_documentation.html"
        }"#,
    )
    .unwrap();
    assert_eq!(
        doc.resource.as_deref(),
        Some("https://resource.example.com")
    );
    assert_eq!(
        doc.authorization_servers,
        strings(&["https://as1.example.com", "https://as2.example.net"])
    );
    assert_eq!(doc.bearer_methods_supported, strings(&["header", "body"]));
    assert_eq!(
        doc.scopes_supported,
        strings(&["profile", "email", "phone"])
    );
    assert_eq!(
        doc.resource_documentation.as_deref(),
        Some("https://resource.example.com/resource_documentation.html")
    );
    assert!(doc.type_errors.is_empty());
    assert!(doc.extra.is_empty());
    assert_eq!(doc.jwks_uri, None);
}

#[test]
fn every_member_is_read() {
    let body = json!({
        "resource": "https://r.example/mcp",
        "authorization_servers": ["https://as.example"],
        "jwks_uri": "https://r.example/jwks",
        "scopes_supported": ["a"],
        "bearer_methods_supported": [],
        "resource_signing_alg_values_supported": ["RS256"],
        "resource_name": "R",
        "resource_documentation": "https://r.example/doc",
        "resource_policy_uri": "https://r.example/policy",
        "resource_tos_uri": "https://r.example/tos",
        "tls_client_certificate_bound_access_tokens": true,
        "authorization_details_types_supported": ["payment"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "dpop_bound_access_tokens_required": false,
        "signed_metadata": "eyJ.eyJ.sig"
    })
    .to_string();
    let doc = parse_prm(&body).unwrap();
    assert_eq!(doc.jwks_uri.as_deref(), Some("https://r.example/jwks"));
    assert_eq!(doc.bearer_methods_supported, Some(vec![]));
    assert_eq!(
        doc.resource_signing_alg_values_supported,
        strings(&["RS256"])
    );
    assert_eq!(doc.resource_name.as_deref(), Some("R"));
    assert_eq!(
        doc.resource_policy_uri.as_deref(),
        Some("https://r.example/policy")
    );
    assert_eq!(
        doc.resource_tos_uri.as_deref(),
        Some("https://r.example/tos")
    );
    assert_eq!(doc.tls_client_certificate_bound_access_tokens, Some(true));
    assert_eq!(
        doc.authorization_details_types_supported,
        strings(&["payment"])
    );
    assert_eq!(doc.dpop_signing_alg_values_supported, strings(&["ES256"]));
    assert_eq!(doc.dpop_bound_access_tokens_required, Some(false));
    assert_eq!(doc.signed_metadata.as_deref(), Some("eyJ.eyJ.sig"));
    assert!(doc.type_errors.is_empty());
    assert!(doc.extra.is_empty());
}

#[test]
fn unknown_members_are_kept_in_order() {
    let doc = parse_prm(
        r#"{"zeta": 1, "resource": "https://r.example", "resource_name#fr": "R", "alpha": {"x": [1]}}"#,
    )
    .unwrap();
    let keys: Vec<&str> = doc.extra.keys().map(String::as_str).collect();
    assert_eq!(keys, vec!["zeta", "resource_name#fr", "alpha"]);
    assert_eq!(doc.extra["alpha"], json!({"x": [1]}));
}

#[test]
fn wrong_types_become_type_errors() {
    let doc = parse_prm(
        r#"{
          "resource": ["https://r.example"],
          "authorization_servers": "https://as.example",
          "jwks_uri": null,
          "scopes_supported": ["a", 7],
          "dpop_bound_access_tokens_required": "true",
          "resource_name": "fine"
        }"#,
    )
    .unwrap();
    assert_eq!(doc.resource, None);
    assert_eq!(doc.authorization_servers, None);
    assert_eq!(doc.jwks_uri, None);
    assert_eq!(doc.scopes_supported, None);
    assert_eq!(doc.dpop_bound_access_tokens_required, None);
    assert_eq!(doc.resource_name.as_deref(), Some("fine"));
    let found: Vec<(&str, &str, &str)> = doc
        .type_errors
        .iter()
        .map(|e| (e.field.as_str(), e.expected, e.found.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("resource", "a string", "an array"),
            ("authorization_servers", "an array of strings", "a string"),
            ("jwks_uri", "a string", "null"),
            (
                "scopes_supported",
                "an array of strings",
                "an array containing a number"
            ),
            ("dpop_bound_access_tokens_required", "a boolean", "a string"),
        ]
    );
    assert!(doc.extra.is_empty(), "known members never land in extra");
}

#[test]
fn nested_arrays_and_objects_in_string_arrays() {
    let doc = parse_prm(
        r#"{"authorization_servers": [{"issuer": "x"}], "bearer_methods_supported": [["header"]]}"#,
    )
    .unwrap();
    assert_eq!(doc.type_errors[0].found, "an array containing an object");
    assert_eq!(doc.type_errors[1].found, "an array containing an array");
}

#[test]
fn empty_object_is_a_document() {
    let doc = parse_prm("  {}\n").unwrap();
    assert_eq!(doc, PrmDocument::default());
}

#[test]
fn not_objects() {
    assert_eq!(parse_prm(""), Err(NotAnObject::Empty));
    assert_eq!(parse_prm(" \n"), Err(NotAnObject::Empty));
    let e = parse_prm(r#"["https://as.example"]"#).unwrap_err();
    assert_eq!(e, NotAnObject::WrongType { found: "an array" });
    assert_eq!(e.to_string(), "a JSON array, not an object");
    assert_eq!(
        parse_prm("null").unwrap_err().to_string(),
        "JSON null, not an object"
    );
    assert_eq!(
        parse_prm("\"x\"").unwrap_err().to_string(),
        "a JSON string, not an object"
    );
    assert_eq!(
        parse_prm("42").unwrap_err().to_string(),
        "a JSON number, not an object"
    );
}

#[test]
fn syntax_errors_carry_line_and_column() {
    match parse_prm("{\n  \"resource\": \"x\",\n}") {
        Err(NotAnObject::Syntax {
            message,
            line,
            column,
        }) => {
            assert_eq!((line, column), (3, 1));
            assert_eq!(message, "trailing comma");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    let e = parse_prm("<!doctype html><html></html>").unwrap_err();
    assert_eq!(
        e.to_string(),
        "not valid JSON: expected value at line 1, column 1"
    );
    assert!(matches!(
        parse_prm("{} trailing"),
        Err(NotAnObject::Syntax { .. })
    ));
    assert!(matches!(
        parse_prm("{\"a\": "),
        Err(NotAnObject::Syntax { .. })
    ));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let body = format!("{{\"x\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(parse_prm(&body), Err(NotAnObject::Syntax { .. })));
}
