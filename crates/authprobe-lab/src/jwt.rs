//! The lab's access tokens: JWTs (RFC 7519) in the RFC 9068 profile, signed
//! with HMAC SHA-256 (RFC 7518 §3.2) under a key that never leaves the lab,
//! and their verification by the MCP endpoint.
//!
//! A symmetric key keeps the lab free of a JWK Set (the clean lab publishes
//! none): the resource server and the authorization server are one process.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// SHA-256's block size, the HMAC key pad length (RFC 2104 §2).
const BLOCK: usize = 64;

/// HMAC-SHA-256 (RFC 2104) of `message` under `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Signs `claims` as an `at+jwt` with HS256.
pub(crate) fn sign(key: &[u8], claims: &Value) -> String {
    let header = json!({ "alg": "HS256", "typ": "at+jwt", "kid": "lab-hs256" });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(hmac_sha256(key, input.as_bytes()));
    format!("{input}.{signature}")
}

/// How lax the verifier is: each flag is one of the verifier defects.
#[derive(Default, Clone, Copy)]
pub(crate) struct Leniency {
    /// `alg: none` with an empty signature passes.
    pub(crate) alg_none: bool,
    /// The signature is not compared.
    pub(crate) skip_signature: bool,
}

/// The claims of a token whose structure, algorithm and signature pass
/// (audience, issuer and expiry are the caller's to judge). `None` for
/// anything else.
pub(crate) fn verified_claims(key: &[u8], token: &str, lax: Leniency) -> Option<Value> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    if !claims.is_object() {
        return None;
    }
    match header.get("alg").and_then(Value::as_str) {
        Some("none") if lax.alg_none && signature.is_empty() => Some(claims),
        Some("HS256") if lax.skip_signature => Some(claims),
        Some("HS256") => {
            let given = URL_SAFE_NO_PAD.decode(signature).ok()?;
            let input = &token[..token.len() - signature.len() - 1];
            let expected = hmac_sha256(key, input.as_bytes());
            // Constant-time comparison: the lab is a reference, so it does it right.
            let same = given.len() == expected.len()
                && given
                    .iter()
                    .zip(expected.iter())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0;
            same.then_some(claims)
        }
        _ => None,
    }
}

/// Whether the `aud` claim (a string or an array of strings) names `audience`.
pub(crate) fn audience_contains(claims: &Value, audience: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(aud)) => aud == audience,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
