use std::time::{Duration, Instant};

use url::Url;

use super::*;

fn one(value: &str) -> Vec<Challenge> {
    match parse_challenges(&[value]) {
        Ok(c) => c,
        Err(e) => panic!("{value:?} should parse, got {e}"),
    }
}

fn err(value: &str) -> ChallengeSyntaxError {
    match parse_challenges(&[value]) {
        Ok(c) => panic!("{value:?} should not parse, got {c:?}"),
        Err(e) => e,
    }
}

fn params(c: &Challenge) -> Vec<(&str, &str, bool)> {
    c.params
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str(), p.quoted))
        .collect()
}

#[test]
fn bare_scheme() {
    let c = one("Bearer");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].scheme, "Bearer");
    assert!(c[0].params.is_empty());
    assert_eq!(c[0].token68, None);
}

#[test]
fn bearer_with_realm() {
    let c = one(r#"Bearer realm="x""#);
    assert_eq!(params(&c[0]), vec![("realm", "x", true)]);
}

#[test]
fn basic_then_bearer_with_scope() {
    let c = one(
        r#"Basic realm="a", Bearer resource_metadata="https://r.example/.well-known/oauth-protected-resource/mcp", scope="a b""#,
    );
    assert_eq!(c.len(), 2);
    assert!(c[0].is_scheme("basic"));
    assert_eq!(params(&c[0]), vec![("realm", "a", true)]);
    assert!(c[1].is_scheme("BEARER"));
    assert_eq!(
        c[1].param("resource_metadata"),
        Some("https://r.example/.well-known/oauth-protected-resource/mcp")
    );
    assert_eq!(c[1].param("scope"), Some("a b"));
}

#[test]
fn rfc9110_example() {
    let c = one(r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#);
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].scheme, "Newauth");
    assert_eq!(
        params(&c[0]),
        vec![
            ("realm", "apps", true),
            ("type", "1", false),
            ("title", r#"Login to "apps""#, true)
        ]
    );
    assert_eq!(c[1].scheme, "Basic");
    assert_eq!(c[1].param("realm"), Some("simple"));
}

#[test]
fn rfc9110_example_in_its_own_order() {
    let c = one(r#"Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"""#);
    assert_eq!(c.len(), 2);
    assert_eq!(c[1].params.len(), 3);
}

#[test]
fn scheme_and_param_names_are_case_insensitive() {
    let c = one(r#"bEaReR ReSoUrCe_MeTaDaTa="https://x.example/m", SCOPE=read"#);
    assert!(c[0].is_scheme("Bearer"));
    assert_eq!(c[0].scheme, "bEaReR", "scheme is kept as sent");
    assert_eq!(c[0].params[0].name, "resource_metadata");
    assert_eq!(c[0].param("Resource_Metadata"), Some("https://x.example/m"));
    assert_eq!(c[0].param("scope"), Some("read"));
    assert!(!c[0].is_scheme("Bear"));
}

#[test]
fn escapes_are_unescaped() {
    let c = one(r#"Bearer realm="a\\b\"c\d", error_description="tab\	here""#);
    assert_eq!(c[0].param("realm"), Some(r#"a\b"cd"#));
    assert_eq!(c[0].param("error_description"), Some("tab\there"));
}

#[test]
fn several_header_lines_are_concatenated_in_order() {
    let c = parse_challenges(&[
        r#"Basic realm="one""#,
        "",
        r#"Bearer scope="s", DPoP algs="ES256""#,
    ])
    .unwrap();
    let schemes: Vec<&str> = c.iter().map(|c| c.scheme.as_str()).collect();
    assert_eq!(schemes, vec!["Basic", "Bearer", "DPoP"]);
    assert_eq!(c[2].param("algs"), Some("ES256"));
}

#[test]
fn error_on_second_line_names_that_line() {
    let e = parse_challenges(&["Bearer", r#"Bearer realm="x"#]).unwrap_err();
    assert_eq!(e.header_index, 1);
    assert_eq!(e.position, 13);
    assert_eq!(
        e.to_string(),
        "header 2, byte 13: unterminated quoted string"
    );
}

#[test]
fn token68_with_padding() {
    let c = one("Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg+/_-.~==");
    assert_eq!(
        c[0].token68.as_deref(),
        Some("YIIBhwYGKwYBBQUCoIIBezCCAXeg+/_-.~==")
    );
    assert!(c[0].params.is_empty());
}

#[test]
fn token68_followed_by_another_challenge() {
    let c = one(r#"Negotiate abc=, Bearer realm="r""#);
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].token68.as_deref(), Some("abc="));
    assert_eq!(c[1].param("realm"), Some("r"));
}

#[test]
fn bare_token_after_scheme_is_token68() {
    let c = one("Bearer realm");
    assert_eq!(c[0].token68.as_deref(), Some("realm"));
}

#[test]
fn odd_commas_and_spaces() {
    let c = one(r#" ,, Bearer  ,realm = "x" ,, scope=a ,  , Basic ,"#);
    assert_eq!(c.len(), 2);
    assert_eq!(
        params(&c[0]),
        vec![("realm", "x", true), ("scope", "a", false)]
    );
    assert_eq!(c[1].scheme, "Basic");
    assert!(c[1].params.is_empty());
}

#[test]
fn comma_directly_after_scheme_continues_its_params() {
    let c = one(r#"Bearer,realm="x",Basic"#);
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].param("realm"), Some("x"));
}

#[test]
fn schemes_without_params_in_a_list() {
    let c = one("Bearer, Basic, Negotiate");
    let schemes: Vec<&str> = c.iter().map(|c| c.scheme.as_str()).collect();
    assert_eq!(schemes, vec!["Bearer", "Basic", "Negotiate"]);
}

#[test]
fn empty_and_blank_values_give_no_challenges() {
    assert!(parse_challenges(&[]).unwrap().is_empty());
    assert!(one("").is_empty());
    assert!(one(" , ,").is_empty());
}

#[test]
fn non_ascii_inside_quotes_is_kept() {
    let c = one("Bearer realm=\"caf\u{e9} \u{1F600}\"");
    assert_eq!(c[0].param("realm"), Some("caf\u{e9} \u{1F600}"));
}

#[test]
fn empty_quoted_value() {
    let c = one(r#"Bearer scope="""#);
    assert_eq!(params(&c[0]), vec![("scope", "", true)]);
}

#[test]
fn unterminated_quoted_string() {
    let e = err(r#"Bearer realm="x, scope=y"#);
    assert_eq!(e.position, 13);
    assert!(e.message.contains("unterminated"), "{e}");
    // The quote that was meant to open `scope` closes `realm` instead.
    let e = err(r#"Bearer realm="x, scope="y"#);
    assert_eq!(e.position, 24);
    assert!(e.message.contains("missing comma"), "{e}");
    let e = err(r#"Bearer realm="abc\"#);
    assert!(e.message.contains("unterminated"), "{e}");
    assert_eq!(e.position, 13);
}

#[test]
fn missing_comma_between_params() {
    let e = err(r#"Bearer realm="x" scope="y""#);
    assert_eq!(e.position, 17);
    assert!(e.message.contains("missing comma"), "{e}");
}

#[test]
fn missing_comma_between_challenges() {
    let e = err(r#"Basic realm="a" Bearer"#);
    assert!(e.message.contains("missing comma"), "{e}");
}

#[test]
fn token68_mixed_with_params() {
    let e = err(r#"Bearer abc==, realm="x""#);
    assert_eq!(e.position, 14);
    assert!(e.message.contains("token68"), "{e}");
}

#[test]
fn param_without_value() {
    let e = err(r#"Bearer realm="x", scope="#);
    assert!(e.message.contains("has no value"), "{e}");
    let e = err(r#"Bearer realm="x", scope=, error="y""#);
    assert!(e.message.contains("`scope` has no value"), "{e}");
    let e = err(r#"Bearer realm "x""#);
    assert!(e.message.contains("`realm` has no value"), "{e}");
}

#[test]
fn bad_characters_in_tokens() {
    let e = err(r#"Bearer re@lm="x""#);
    assert_eq!(e.position, 9);
    assert!(e.message.contains("'@'"), "{e}");
    let e = err(r#"Bear(er realm="x""#);
    assert!(e.message.contains("authentication scheme"), "{e}");
    let e = err(r#"Bearer realm="x", scope=a/b"#);
    assert!(e.message.contains("value of `scope`"), "{e}");
    let e = err("Bearer realm=\"x\u{1}\"");
    assert!(e.message.contains("control character 0x01"), "{e}");
    let e = err("Bearer realm=\"x\r\ny\"");
    assert!(e.message.contains("0x0D"), "{e}");
}

#[test]
fn empty_scheme() {
    let e = err(r#"="x""#);
    assert_eq!(e.position, 0);
    assert!(
        e.message.contains("expected an authentication scheme"),
        "{e}"
    );
    let e = err(r#"Bearer realm="x", "y""#);
    assert_eq!(e.position, 18);
    assert!(
        e.message.contains("expected an authentication scheme"),
        "{e}"
    );
    let e = err("\u{e9}Bearer");
    assert!(e.message.contains("U+00E9"), "{e}");
}

#[test]
fn duplicated_param_name_in_one_challenge() {
    let e = err(r#"Bearer realm="a", REALM="b""#);
    assert_eq!(e.position, 18);
    assert!(e.message.contains("occurs twice"), "{e}");
}

#[test]
fn same_param_in_two_challenges_is_fine() {
    let c = one(r#"Bearer realm="a", Bearer realm="b""#);
    assert_eq!(c.len(), 2);
    assert_eq!(c[1].param("realm"), Some("b"));
}

#[test]
fn hostile_inputs_fail_fast() {
    let start = Instant::now();
    let long_quote = format!("Bearer realm=\"{}", "a\\\"".repeat(500_000));
    assert!(err(&long_quote).message.contains("unterminated"));
    let many_params: String = (0..100_000).map(|i| format!("p{i}=v, ")).collect();
    let value = format!("Bearer {many_params}p0=dup");
    assert!(err(&value).message.contains("occurs twice"));
    let commas = format!("Bearer {}\"", ",".repeat(1_000_000));
    assert!(err(&commas)
        .message
        .contains("expected an authentication scheme"));
    let long_token = format!("Bearer {}", "a".repeat(1_000_000));
    assert_eq!(
        one(&long_token)[0].token68.as_ref().map(String::len),
        Some(1_000_000)
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn resolve_absolute_relative_and_invalid() {
    let req = Url::parse("https://mcp.example.com/api/mcp").unwrap();
    assert_eq!(
        resolve_resource_metadata(
            "https://mcp.example.com/.well-known/oauth-protected-resource",
            &req
        ),
        ResourceMetadataRef::Absolute(
            Url::parse("https://mcp.example.com/.well-known/oauth-protected-resource").unwrap()
        )
    );
    assert_eq!(
        resolve_resource_metadata("/.well-known/oauth-protected-resource/api/mcp", &req),
        ResourceMetadataRef::Relative {
            resolved: Url::parse(
                "https://mcp.example.com/.well-known/oauth-protected-resource/api/mcp"
            )
            .unwrap()
        }
    );
    assert_eq!(
        resolve_resource_metadata("prm.json", &req),
        ResourceMetadataRef::Relative {
            resolved: Url::parse("https://mcp.example.com/api/prm.json").unwrap()
        }
    );
    assert!(matches!(
        resolve_resource_metadata("", &req),
        ResourceMetadataRef::Invalid(_)
    ));
    assert!(matches!(
        resolve_resource_metadata("https://[::1", &req),
        ResourceMetadataRef::Invalid(_)
    ));
}
