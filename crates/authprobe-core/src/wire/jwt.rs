//! Access tokens as the scan sees them: a JWT (RFC 7519, compact JWS of
//! RFC 7515 §7.1) is decoded to show its claims, never verified (the scan
//! holds no key) and never trusted; anything else is opaque.
//!
//! The forged variants the active probes send are built here too: the same
//! claims under `alg: none` with an empty signature (RFC 7518 §3.6), and the
//! token with one signature bit flipped.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

/// A token decoded as a JWS compact serialization.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims set.
    pub claims: Map<String, Value>,
}

impl Jwt {
    /// Decodes `token` when it is three base64url parts whose first two are
    /// JSON objects; `None` for an opaque token.
    pub fn decode(token: &str) -> Option<Jwt> {
        let mut parts = token.trim().split('.');
        let (Some(header), Some(claims), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let object = |part: &str| -> Option<Map<String, Value>> {
            let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
            match serde_json::from_slice(&bytes).ok()? {
                Value::Object(map) => Some(map),
                _ => None,
            }
        };
        Some(Jwt {
            header: object(header)?,
            claims: object(claims)?,
        })
    }

    fn string(map: &Map<String, Value>, name: &str) -> Option<String> {
        map.get(name).and_then(Value::as_str).map(str::to_string)
    }

    /// The header's `alg`.
    pub fn alg(&self) -> Option<String> {
        Jwt::string(&self.header, "alg")
    }

    /// The header's `typ` (RFC 9068 §2.1 asks for `at+jwt`).
    pub fn typ(&self) -> Option<String> {
        Jwt::string(&self.header, "typ")
    }

    /// The `iss` claim.
    pub fn iss(&self) -> Option<String> {
        Jwt::string(&self.claims, "iss")
    }

    /// The `aud` claim: a string or an array of strings (RFC 7519 §4.1.3).
    pub fn aud(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The `scope` claim (RFC 9068 §2.2.3), or `scp` as some servers spell it.
    pub fn scope(&self) -> Option<String> {
        Jwt::string(&self.claims, "scope").or_else(|| match self.claims.get("scp") {
            Some(Value::Array(list)) => Some(
                list.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        })
    }

    /// The `exp` claim in seconds since the epoch.
    pub fn exp(&self) -> Option<i64> {
        self.claims.get("exp").and_then(Value::as_i64)
    }

    /// The `client_id` claim (RFC 9068 §2.2), or `azp` (OpenID Connect).
    pub fn client_id(&self) -> Option<String> {
        Jwt::string(&self.claims, "client_id").or_else(|| Jwt::string(&self.claims, "azp"))
    }
}

/// The same claims re-encoded with `{"alg":"none"}` (keeping `typ`) and an
/// empty signature; `None` for a token that is not a JWT.
pub fn unsigned(token: &str) -> Option<String> {
    let jwt = Jwt::decode(token)?;
    let mut header = Map::new();
    header.insert("alg".into(), Value::String("none".into()));
    if let Some(typ) = jwt.typ() {
        header.insert("typ".into(), Value::String(typ));
    }
    let claims = token.trim().split('.').nth(1)?;
    Some(format!(
        "{}.{claims}.",
        URL_SAFE_NO_PAD.encode(Value::Object(header).to_string())
    ))
}

/// The token with the lowest bit of its signature's first byte flipped;
/// `None` for a token that is not a JWT or has an empty signature.
pub fn tampered(token: &str) -> Option<String> {
    Jwt::decode(token)?;
    let (input, signature) = token.trim().rsplit_once('.')?;
    let mut raw = URL_SAFE_NO_PAD
        .decode(signature.trim_end_matches('='))
        .ok()?;
    let first = raw.first_mut()?;
    *first ^= 1;
    Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(raw)))
}

#[cfg(test)]
mod tests;
