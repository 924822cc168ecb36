use super::*;

fn strings(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

#[test]
fn rfc8414_example_document() {
    // RFC 8414 §3.2's example response.
    let doc = parse_as_metadata(
            r#"{
              "issuer": "https://server.example.com",
              "authorization_endpoint": "https://server.example.com/authorize",
              "token_endpoint": "https://server.example.com/token",
              "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
              "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
              "userinfo_endpoint": "https://server.example.com/userinfo",
              "jwks_uri": "https://server.example.com/jwks.json",
              "registration_endpoint": "https://server.example.com/register",
              "scopes_supported": ["openid", "profile", "email", "address", "phone", "offline_access"],
              "response_types_supported": ["code", "code token"],
              "service_documentation": "http://server.example.com/service_documentation.html",
              "ui_locales_supported": ["en-US", "en-GB", "en-CA", "fr-FR", "fr-CA"]
            }"#,
        )
        .unwrap();
    assert_eq!(doc.issuer.as_deref(), Some("https://server.example.com"));
    assert_eq!(
        doc.response_types_supported,
        strings(&["code", "code token"])
    );
    assert_eq!(
        doc.token_endpoint_auth_methods_supported,
        strings(&["client_secret_basic", "private_key_jwt"])
    );
    assert!(doc.type_errors.is_empty());
    let extra: Vec<&str> = doc.extra.keys().map(String::as_str).collect();
    assert_eq!(
        extra,
        [
            "token_endpoint_auth_signing_alg_values_supported",
            "ui_locales_supported"
        ]
    );
    let endpoints: Vec<&str> = doc.endpoints().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        endpoints,
        [
            "authorization_endpoint",
            "token_endpoint",
            "registration_endpoint",
            "jwks_uri",
            "userinfo_endpoint"
        ]
    );
    assert_eq!(doc.code_challenge_methods_supported, None);
    assert!(!doc.supports_cimd());
}

#[test]
fn extension_members_are_typed() {
    let doc = parse_as_metadata(
        r#"{"client_id_metadata_document_supported": true,
                "authorization_response_iss_parameter_supported": true,
                "protected_resources": ["https://mcp.example.com/mcp"],
                "code_challenge_methods_supported": ["S256"]}"#,
    )
    .unwrap();
    assert!(doc.supports_cimd());
    assert_eq!(
        doc.authorization_response_iss_parameter_supported,
        Some(true)
    );
    assert_eq!(
        doc.protected_resources,
        strings(&["https://mcp.example.com/mcp"])
    );
    assert_eq!(doc.code_challenge_methods_supported, strings(&["S256"]));
}

#[test]
fn wrong_types_are_remembered_not_fatal() {
    let doc = parse_as_metadata(
        r#"{"issuer": 42, "code_challenge_methods_supported": "S256",
                "client_id_metadata_document_supported": "true",
                "response_types_supported": ["code", null], "token_endpoint": "https://t"}"#,
    )
    .unwrap();
    assert_eq!(doc.issuer, None);
    assert_eq!(doc.code_challenge_methods_supported, None);
    assert_eq!(doc.client_id_metadata_document_supported, None);
    assert_eq!(doc.token_endpoint.as_deref(), Some("https://t"));
    let fields: Vec<&str> = doc.type_errors.iter().map(|t| t.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "issuer",
            "code_challenge_methods_supported",
            "client_id_metadata_document_supported",
            "response_types_supported"
        ]
    );
    assert_eq!(
        doc.type_error("response_types_supported").unwrap().found,
        "an array containing null"
    );
    assert_eq!(doc.type_error("issuer").unwrap().found, "a number");
}

#[test]
fn non_objects_are_refused_with_the_reason() {
    assert_eq!(parse_as_metadata("  "), Err(NotAnObject::Empty));
    assert!(matches!(
        parse_as_metadata("<!doctype html>"),
        Err(NotAnObject::Syntax { .. })
    ));
    assert_eq!(
        parse_as_metadata("[]"),
        Err(NotAnObject::WrongType { found: "an array" })
    );
}
