use super::*;

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn prm(s: &str) -> (Option<String>, String) {
    let wk = prm_candidates(&u(s));
    (wk.path_suffix.map(String::from), wk.root.into())
}

fn as_urls(s: &str) -> Vec<(AsCandidateKind, String)> {
    auth_server_candidates(&u(s))
        .into_iter()
        .map(|c| (c.kind, c.url.to_string()))
        .collect()
}

const ROOT: &str = "https://r.example/.well-known/oauth-protected-resource";

#[test]
fn prm_without_path_has_only_root() {
    assert_eq!(prm("https://r.example"), (None, ROOT.into()));
    assert_eq!(prm("https://r.example/"), (None, ROOT.into()));
    assert_eq!(prm("https://r.example/#frag"), (None, ROOT.into()));
}

#[test]
fn prm_rfc9728_example() {
    assert_eq!(
        prm("https://resource.example.com/resource1"),
        (
            Some(
                "https://resource.example.com/.well-known/oauth-protected-resource/resource1"
                    .into()
            ),
            "https://resource.example.com/.well-known/oauth-protected-resource".into()
        )
    );
}

#[test]
fn prm_mcp_example_with_several_segments() {
    assert_eq!(
        prm("https://example.com/public/mcp").0.as_deref(),
        Some("https://example.com/.well-known/oauth-protected-resource/public/mcp")
    );
}

#[test]
fn prm_keeps_port_and_drops_default_port() {
    assert_eq!(
        prm("http://localhost:8080/mcp"),
        (
            Some("http://localhost:8080/.well-known/oauth-protected-resource/mcp".into()),
            "http://localhost:8080/.well-known/oauth-protected-resource".into()
        )
    );
    assert_eq!(prm("https://r.example:443/").1, ROOT);
}

#[test]
fn prm_keeps_query_on_path_suffix_only() {
    assert_eq!(
        prm("https://r.example/mcp?tenant=a#x"),
        (
            Some("https://r.example/.well-known/oauth-protected-resource/mcp?tenant=a".into()),
            ROOT.into()
        )
    );
    // The slash after the host is removed, the query still makes a distinct candidate.
    assert_eq!(
        prm("https://r.example/?tenant=a").0.as_deref(),
        Some("https://r.example/.well-known/oauth-protected-resource?tenant=a")
    );
}

#[test]
fn prm_keeps_trailing_slash_of_longer_path() {
    assert_eq!(
        prm("https://r.example/api/mcp/").0.as_deref(),
        Some("https://r.example/.well-known/oauth-protected-resource/api/mcp/")
    );
}

#[test]
fn prm_keeps_percent_escapes() {
    assert_eq!(
        prm("https://r.example/a%20b/%C3%A9").0.as_deref(),
        Some("https://r.example/.well-known/oauth-protected-resource/a%20b/%C3%A9")
    );
}

#[test]
fn as_issuer_with_path() {
    assert_eq!(
        as_urls("https://auth.example.com/tenant1"),
        vec![
            (
                AsCandidateKind::Oauth,
                "https://auth.example.com/.well-known/oauth-authorization-server/tenant1".into()
            ),
            (
                AsCandidateKind::OidcInserted,
                "https://auth.example.com/.well-known/openid-configuration/tenant1".into()
            ),
            (
                AsCandidateKind::OidcAppended,
                "https://auth.example.com/tenant1/.well-known/openid-configuration".into()
            ),
        ]
    );
}

#[test]
fn as_issuer_without_path() {
    let expected = vec![
        (
            AsCandidateKind::Oauth,
            "https://auth.example.com/.well-known/oauth-authorization-server".to_string(),
        ),
        (
            AsCandidateKind::OidcInserted,
            "https://auth.example.com/.well-known/openid-configuration".to_string(),
        ),
    ];
    assert_eq!(as_urls("https://auth.example.com"), expected);
    assert_eq!(as_urls("https://auth.example.com/"), expected);
}

#[test]
fn as_issuer_trailing_slash_and_several_segments() {
    let urls = as_urls("https://auth.example.com/realms/acme/");
    assert_eq!(urls.len(), 3);
    assert_eq!(
        urls[0].1,
        "https://auth.example.com/.well-known/oauth-authorization-server/realms/acme"
    );
    assert_eq!(
        urls[1].1,
        "https://auth.example.com/.well-known/openid-configuration/realms/acme"
    );
    assert_eq!(
        urls[2].1,
        "https://auth.example.com/realms/acme/.well-known/openid-configuration"
    );
}

#[test]
fn as_issuer_port_kept_query_and_fragment_dropped() {
    let urls = as_urls("http://127.0.0.1:9000/t1?x=1#f");
    assert_eq!(
        urls[0].1,
        "http://127.0.0.1:9000/.well-known/oauth-authorization-server/t1"
    );
    assert_eq!(
        urls[2].1,
        "http://127.0.0.1:9000/t1/.well-known/openid-configuration"
    );
    let root = as_urls("https://auth.example.com:8443?x=1");
    assert_eq!(
        root[0].1,
        "https://auth.example.com:8443/.well-known/oauth-authorization-server"
    );
}

#[test]
fn non_http_urls_do_not_panic() {
    let _ = prm_candidates(&u("mailto:someone@example.com"));
    let _ = auth_server_candidates(&u("urn:ietf:x"));
    let _ = prm_candidates(&u("file:///tmp/x"));
}
