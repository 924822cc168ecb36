use super::*;

#[test]
fn grant_body_is_form_encoded() {
    let body = grant_body(
        &GrantClient::MadeUp("c 1&x".into()),
        "http://127.0.0.1:47813/callback",
        &Url::parse("https://mcp.example.com/mcp").unwrap(),
    );
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("grant_type"), Some("authorization_code"));
    assert_eq!(get("client_id"), Some("c 1&x"));
    assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:47813/callback"));
    assert_eq!(get("code_verifier"), Some(PKCE_VERIFIER));
    assert_eq!(get("resource"), Some("https://mcp.example.com/mcp"));
    assert!(get("code").unwrap().starts_with("authprobe-invalid-code-"));
    assert!(!body.contains(' '));
}
