//! JWK Sets (RFC 7517 §5): which keys a document publishes, whether each is a
//! well-formed JWK (§4 and RFC 7518 §6), and whether any carries private or
//! symmetric key material that must never be published (RFC 7517 §9.2).

use serde::Serialize;
use serde_json::{Map, Value};

use super::fields::describe;
use super::prm::{parse_object, NotAnObject};

/// Members that hold private (RSA, EC, OKP) or symmetric (`oct`) key material
/// (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
pub const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];

/// One key of a set, as far as the checks need it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Jwk {
    /// Position in the `keys` array, from 0.
    pub index: usize,
    /// `kid`, if it is a string.
    pub kid: Option<String>,
    /// `kty`, if it is a string.
    pub kty: Option<String>,
    /// Private or symmetric members present, in [`PRIVATE_MEMBERS`] order.
    pub private_members: Vec<&'static str>,
    /// What makes the key invalid (empty for a valid key).
    pub problems: Vec<String>,
}

impl Jwk {
    /// A short name for evidence: `key 0 (kid "a", RSA)`.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(kid) = &self.kid {
            parts.push(format!("kid \"{kid}\""));
        }
        if let Some(kty) = &self.kty {
            parts.push(kty.clone());
        }
        if parts.is_empty() {
            format!("key {}", self.index)
        } else {
            format!("key {} ({})", self.index, parts.join(", "))
        }
    }
}

/// Why a document is not a JWK Set at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum JwksError {
    /// Not a JSON object.
    #[error("{0}")]
    NotAnObject(NotAnObject),
    /// No `keys` member.
    #[error("the object has no `keys` member")]
    KeysMissing,
    /// `keys` is not an array.
    #[error("`keys` is {0}, not an array")]
    KeysNotArray(&'static str),
}

/// Parses a JWK Set and judges each key.
pub fn parse_jwks(body: &str) -> Result<Vec<Jwk>, JwksError> {
    let object = parse_object(body).map_err(JwksError::NotAnObject)?;
    let keys = match object.get("keys") {
        None => return Err(JwksError::KeysMissing),
        Some(Value::Array(keys)) => keys,
        Some(other) => return Err(JwksError::KeysNotArray(describe(other))),
    };
    Ok(keys
        .iter()
        .enumerate()
        .map(|(index, key)| judge_key(index, key))
        .collect())
}

fn judge_key(index: usize, value: &Value) -> Jwk {
    let mut jwk = Jwk {
        index,
        ..Jwk::default()
    };
    let Value::Object(key) = value else {
        jwk.problems
            .push(format!("is {}, not a JSON object", describe(value)));
        return jwk;
    };
    jwk.private_members = PRIVATE_MEMBERS
        .iter()
        .copied()
        .filter(|m| key.contains_key(*m))
        .collect();
    jwk.kid = key.get("kid").and_then(Value::as_str).map(str::to_string);
    match key.get("kty") {
        None => jwk.problems.push("has no `kty`".to_string()),
        Some(Value::String(kty)) => {
            jwk.kty = Some(kty.clone());
            let required: &[&str] = match kty.as_str() {
                "RSA" => &["n", "e"],
                "EC" => &["crv", "x", "y"],
                "OKP" => &["crv", "x"],
                "oct" => &["k"],
                // RFC 7517 §5: keys of a type the reader does not understand are ignored, not invalid.
                _ => &[],
            };
            for member in required {
                require_string(&mut jwk.problems, key, member, kty);
            }
        }
        Some(other) => jwk
            .problems
            .push(format!("has a `kty` that is {}", describe(other))),
    }
    for member in ["kid", "use", "alg", "x5u", "x5t", "x5t#S256"] {
        if let Some(v) = key.get(member).filter(|v| !v.is_string()) {
            jwk.problems
                .push(format!("has a `{member}` that is {}", describe(v)));
        }
    }
    for member in ["key_ops", "x5c"] {
        match key.get(member) {
            None => {}
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
            Some(v) => jwk.problems.push(format!(
                "has a `{member}` that is not an array of strings ({})",
                describe(v)
            )),
        }
    }
    jwk
}

fn require_string(problems: &mut Vec<String>, key: &Map<String, Value>, member: &str, kty: &str) {
    match key.get(member) {
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(Value::String(_)) => problems.push(format!("has an empty `{member}`")),
        Some(other) => problems.push(format!("has a `{member}` that is {}", describe(other))),
        None => problems.push(format!("is a {kty} key without `{member}`")),
    }
}

#[cfg(test)]
mod tests;
