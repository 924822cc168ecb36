use super::*;

#[test]
fn realistic_metadata_is_what_mcp_clients_send() {
    let m = client_metadata(Case::Realistic);
    assert_eq!(m["application_type"], "native");
    assert_eq!(m["token_endpoint_auth_method"], "none");
    assert_eq!(
        m["redirect_uris"],
        json!(["http://127.0.0.1:47813/callback"])
    );
    assert_eq!(
        m["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert!(client_metadata(Case::HttpsControl)
        .get("application_type")
        .is_none());
    assert_eq!(
        client_metadata(Case::EmptyRedirects)["redirect_uris"],
        json!([])
    );
    assert!(Case::NEGATIVE.iter().all(|c| c.must_be_refused()));
    assert!(!Case::Realistic.must_be_refused());
}

#[test]
fn authorize_urls() {
    let endpoint = Url::parse("https://as.example/authorize?tenant=a").unwrap();
    let resource = Url::parse("https://mcp.example/mcp").unwrap();
    let url = authorize_url(
        &endpoint,
        AuthorizeCase::WithoutPkce,
        "cid",
        &resource,
        Some("mcp:tools"),
    );
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "tenant",
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "scope",
            "resource"
        ]
    );
    let url = authorize_url(
        &endpoint,
        AuthorizeCase::UnregisteredRedirect,
        "cid",
        &resource,
        None,
    );
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("code_challenge_method".into(), "S256".into())));
    assert!(pairs.contains(&(
        "redirect_uri".into(),
        "http://127.0.0.1:47813/callback/authprobe-unregistered".into()
    )));
}
