use super::*;

// RFC 7519 §3.1's example JWT (HS256).
const EXAMPLE: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

#[test]
fn decodes_the_rfc_7519_example() {
    let jwt = Jwt::decode(EXAMPLE).expect("a JWT");
    assert_eq!(jwt.alg().as_deref(), Some("HS256"));
    assert_eq!(jwt.typ().as_deref(), Some("JWT"));
    assert_eq!(jwt.iss().as_deref(), Some("joe"));
    assert_eq!(jwt.exp(), Some(1_300_819_380));
    assert!(jwt.aud().is_empty());
}

#[test]
fn opaque_tokens_are_not_jwts() {
    for token in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "2YotnFZFEjr1zCsicMWpAA",
        "e30.W10.x",
    ] {
        assert_eq!(Jwt::decode(token), None, "{token}");
    }
}

#[test]
fn audience_and_scope_forms() {
    let claims = URL_SAFE_NO_PAD.encode(r#"{"aud":["a","b"],"scp":["x","y"],"azp":"c1"}"#);
    let token = format!(
        "{}.{claims}.sig",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#)
    );
    let jwt = Jwt::decode(&token).unwrap();
    assert_eq!(jwt.aud(), ["a", "b"]);
    assert_eq!(jwt.scope().as_deref(), Some("x y"));
    assert_eq!(jwt.client_id().as_deref(), Some("c1"));
}

#[test]
fn forged_variants_keep_the_claims() {
    let none = unsigned(EXAMPLE).unwrap();
    assert!(none.ends_with('.'));
    let jwt = Jwt::decode(&none).unwrap();
    assert_eq!(jwt.alg().as_deref(), Some("none"));
    assert_eq!(jwt.claims, Jwt::decode(EXAMPLE).unwrap().claims);
    let flipped = tampered(EXAMPLE).unwrap();
    assert_ne!(flipped, EXAMPLE);
    assert_eq!(flipped.len(), EXAMPLE.len());
    assert_eq!(
        flipped.rsplit_once('.').unwrap().0,
        EXAMPLE.rsplit_once('.').unwrap().0
    );
    assert_eq!(unsigned("opaque"), None);
    assert_eq!(tampered(&none), None, "no signature to flip");
}
