use super::*;

#[test]
fn hmac_matches_rfc_4231_case_2() {
    let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn signed_tokens_verify_and_tampered_ones_do_not() {
    let key = b"0123456789abcdef0123456789abcdef";
    let token = sign(key, &json!({ "aud": "x", "exp": 1 }));
    let strict = Leniency::default();
    assert!(verified_claims(key, &token, strict).is_some());
    assert!(verified_claims(b"another key", &token, strict).is_none());
    let mut flipped = token.clone().into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    assert!(verified_claims(key, &flipped, strict).is_none());
    let lax = Leniency {
        skip_signature: true,
        ..Leniency::default()
    };
    assert!(verified_claims(key, &flipped, lax).is_some());
    let (head, rest) = token.split_once('.').unwrap();
    let payload = rest.split('.').next().unwrap();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
    let unsigned = format!("{none_header}.{payload}.");
    assert!(verified_claims(key, &unsigned, strict).is_none());
    let lax = Leniency {
        alg_none: true,
        ..Leniency::default()
    };
    assert!(verified_claims(key, &unsigned, lax).is_some());
    assert!(!head.is_empty());
    assert!(verified_claims(key, "not.a.jwt", strict).is_none());
    assert!(verified_claims(key, "a.b", strict).is_none());
}
