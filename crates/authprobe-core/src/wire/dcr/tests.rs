use super::*;

#[test]
fn rfc7592_client_information_response() {
    // RFC 7592 §3's example.
    let info = parse_client_information(
            r#"{
              "registration_access_token": "reg-23410913-abewfq.123483",
              "registration_client_uri": "https://server.example.com/register/s6BhdRkqt3",
              "client_id": "s6BhdRkqt3",
              "client_secret": "cf136dc3c1fc93f31185e5885805d",
              "client_id_issued_at": 2893256800,
              "client_secret_expires_at": 2893276800,
              "client_name": "My Example Client",
              "redirect_uris": ["https://client.example.org/callback", "https://client.example.org/callback2"],
              "grant_types": ["authorization_code", "refresh_token"],
              "token_endpoint_auth_method": "client_secret_basic"
            }"#,
        )
        .unwrap();
    assert_eq!(info.client_id.as_deref(), Some("s6BhdRkqt3"));
    assert!(info.deletable());
    assert_eq!(info.redirect_uris.as_ref().map(Vec::len), Some(2));
    assert_eq!(
        info.token_endpoint_auth_method.as_deref(),
        Some("client_secret_basic")
    );
    assert!(info.extra.contains_key("client_name"));
}

#[test]
fn registration_without_management_is_not_deletable() {
    let info = parse_client_information(r#"{"client_id": "abc"}"#).unwrap();
    assert!(!info.deletable());
    let info = parse_client_information(
            r#"{"client_id": 7, "registration_access_token": "", "registration_client_uri": "https://x/r/1"}"#,
        )
        .unwrap();
    assert_eq!(info.client_id, None);
    assert_eq!(info.type_errors[0].field, "client_id");
    assert!(!info.deletable());
}

#[test]
fn oauth_errors() {
    let e = parse_oauth_error(
            r#"{"error":"invalid_redirect_uri","error_description":"The redirection URI is not allowed."}"#,
        )
        .unwrap();
    assert_eq!(e.error.as_deref(), Some("invalid_redirect_uri"));
    assert_eq!(
        e.error_description.as_deref(),
        Some("The redirection URI is not allowed.")
    );
    let e = parse_oauth_error(r#"{"error": 400}"#).unwrap();
    assert_eq!((e.error, e.error_type), (None, Some("a number")));
    assert_eq!(parse_oauth_error("{}").unwrap(), OAuthError::default());
    assert!(parse_oauth_error("<html>").is_err());
    assert!(REGISTRATION_ERRORS.contains(&"invalid_client_metadata"));
    assert!(TOKEN_ERRORS.contains(&"invalid_grant"));
}
