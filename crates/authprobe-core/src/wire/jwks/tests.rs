use super::*;

#[test]
fn rfc7517_public_keys_are_valid() {
    // RFC 7517 Appendix A.1 (abbreviated moduli are still strings).
    let keys = parse_jwks(
        r#"{"keys":[
              {"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
               "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"enc","kid":"1"},
              {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbf",
               "e":"AQAB","alg":"RS256","kid":"2011-04-29"},
              {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
              {"kty":"future-type","anything":1}
            ]}"#,
    )
    .unwrap();
    assert_eq!(keys.len(), 4);
    for key in &keys {
        assert!(key.problems.is_empty(), "{key:?}");
        assert!(key.private_members.is_empty(), "{key:?}");
    }
    assert_eq!(keys[1].label(), "key 1 (kid \"2011-04-29\", RSA)");
    assert_eq!(keys[3].label(), "key 3 (future-type)");
}

#[test]
fn private_and_symmetric_members_are_found() {
    // RFC 7517 Appendix A.2 shape, and a symmetric key (A.3).
    let keys = parse_jwks(
        r#"{"keys":[
              {"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c","kid":"priv"},
              {"kty":"RSA","n":"a","e":"AQAB","d":"x","p":"x","q":"x","dp":"x","dq":"x","qi":"x"},
              {"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg"}
            ]}"#,
    )
    .unwrap();
    assert_eq!(keys[0].private_members, ["d"]);
    assert_eq!(keys[1].private_members, ["d", "p", "q", "dp", "dq", "qi"]);
    assert_eq!(keys[2].private_members, ["k"]);
    assert!(keys.iter().all(|k| k.problems.is_empty()));
}

#[test]
fn invalid_keys_say_why() {
    let keys = parse_jwks(
        r#"{"keys":[{"kid":"x"}, "text", {"kty":"RSA","e":"AQAB"}, {"kty":7},
                        {"kty":"EC","crv":"P-256","x":"","y":"b","key_ops":"sign"}]}"#,
    )
    .unwrap();
    assert_eq!(keys[0].problems, ["has no `kty`"]);
    assert_eq!(keys[1].problems, ["is a string, not a JSON object"]);
    assert_eq!(keys[2].problems, ["is a RSA key without `n`"]);
    assert_eq!(keys[3].problems, ["has a `kty` that is a number"]);
    assert_eq!(keys[4].problems.len(), 2, "{:?}", keys[4].problems);
}

#[test]
fn documents_that_are_not_sets() {
    assert_eq!(parse_jwks(r#"{"keys":[]}"#), Ok(vec![]));
    assert_eq!(parse_jwks("{}"), Err(JwksError::KeysMissing));
    assert_eq!(
        parse_jwks(r#"{"keys":{}}"#),
        Err(JwksError::KeysNotArray("an object"))
    );
    assert_eq!(
        parse_jwks("[]"),
        Err(JwksError::NotAnObject(NotAnObject::WrongType {
            found: "an array"
        }))
    );
    assert_eq!(parse_jwks("").unwrap_err().to_string(), "the body is empty");
}
