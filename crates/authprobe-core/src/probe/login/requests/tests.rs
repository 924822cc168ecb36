use super::*;

#[test]
fn pkce_s256_matches_rfc_7636_appendix_b() {
    assert_eq!(
        s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    let v = random_value();
    assert_eq!(v.len(), 43);
    assert_ne!(v, random_value());
}

#[test]
fn confidential_clients_use_basic_unless_only_post_is_listed() {
    let endpoint = Url::parse("https://as.example/token").unwrap();
    let client = LoginClient {
        id: "c 1".into(),
        secret: Some("s:2".into()),
        management: None,
        registered: false,
        kind: "pre-registered",
    };
    let mut metadata = AsMetadata::default();
    let spec = token_request(
        &endpoint,
        LoginStep::Token,
        &client,
        &metadata,
        &[("grant_type", "client_credentials")],
    );
    let auth = spec
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .unwrap();
    assert_eq!(auth.1, format!("Basic {}", STANDARD.encode("c+1:s%3A2")));
    metadata.token_endpoint_auth_methods_supported = Some(vec!["client_secret_post".into()]);
    let spec = token_request(
        &endpoint,
        LoginStep::Token,
        &client,
        &metadata,
        &[("grant_type", "client_credentials")],
    );
    let body = String::from_utf8(spec.body.clone().unwrap()).unwrap();
    assert!(body.contains("client_secret=s%3A2"), "{body}");
    assert!(spec.headers.iter().all(|(n, _)| n != "Authorization"));
}
