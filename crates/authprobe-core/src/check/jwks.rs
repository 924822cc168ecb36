//! Stage 4: the authorization server's JWK Set (RFC 7517 §5), fetched from `jwks_uri`.

use crate::catalog::Code;
use crate::facts::{Recorded, Trace};
use crate::http::ErrorKind;
use crate::report::Finding;
use crate::wire::jwks::{parse_jwks, JwksError};

use super::fetch::{fate, policy_finding, Fate};
use super::seen;

/// Judges the JWK Set fetch.
pub fn findings(fetch: &Recorded, trace: &Trace) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(f) = policy_finding(fetch, trace, "The jwks_uri", Code::MetadataSsrfBlocked) {
        out.push(f);
        return out;
    }
    let Some(exchange) = trace.last_of(fetch) else {
        return out;
    };
    if let Fate::Failed(id, kind) = fate(fetch, trace) {
        if kind != ErrorKind::Timeout {
            out.push(Finding::new(
                Code::JwksFetchError,
                format!(
                    "{}: the JWK Set cannot be fetched, so no signature from this server can be verified.",
                    seen(exchange)
                ),
                vec![id],
            ));
        }
        return out;
    }
    let Some(response) = &exchange.response else {
        return out;
    };
    let id = exchange.id;
    if response.status != 200 {
        out.push(Finding::new(
            Code::JwksFetchError,
            format!(
                "{}: the jwks_uri from the metadata does not serve the key set (RFC 8414 §2 names it as the server's JWK Set document).",
                seen(exchange)
            ),
            vec![id],
        ));
        return out;
    }
    let keys = match parse_jwks(&response.body) {
        Ok(keys) => keys,
        Err(why) => {
            let why = match why {
                JwksError::NotAnObject(n) => format!("the body is not a JSON object ({n})"),
                other => other.to_string(),
            };
            out.push(Finding::new(
                Code::JwksInvalid,
                format!(
                    "{}: {why}; RFC 7517 §5 defines a JWK Set as an object with a `keys` array.",
                    seen(exchange)
                ),
                vec![id],
            ));
            return out;
        }
    };
    if keys.is_empty() {
        out.push(Finding::new(
            Code::JwksEmpty,
            format!(
                "{} is a JWK Set with an empty `keys` array: legal, but nothing signed by this server can be verified with it.",
                seen(exchange)
            ),
            vec![id],
        ));
    }
    let invalid: Vec<String> = keys
        .iter()
        .filter(|k| !k.problems.is_empty())
        .map(|k| format!("{} {}", k.label(), k.problems.join(", ")))
        .collect();
    if !invalid.is_empty() {
        out.push(Finding::new(
            Code::JwksInvalid,
            format!(
                "{}: {}; RFC 7517 §4 and RFC 7518 §6 define the members each key type needs.",
                seen(exchange),
                invalid.join("; ")
            ),
            vec![id],
        ));
    }
    let private: Vec<String> = keys
        .iter()
        .filter(|k| !k.private_members.is_empty())
        .map(|k| format!("{} has {}", k.label(), k.private_members.join(", ")))
        .collect();
    if !private.is_empty() {
        out.push(Finding::new(
            Code::JwksPrivateKeyExposed,
            format!(
                "{} publishes private or symmetric key material: {}. Anyone can sign tokens with these keys (RFC 7517 §9.2): treat them as compromised.",
                seen(exchange),
                private.join("; ")
            ),
            vec![id],
        ));
    }
    out
}
