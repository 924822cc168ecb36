//! The protected resource metadata document of RFC 9728 §2.
//!
//! A body that is a JSON object always parses: each known member is read into
//! its typed field, a member of the wrong type is left out and remembered in
//! `type_errors`, and unknown members are kept in order in `extra`.

use serde::Serialize;
use serde_json::{Map, Value};

pub use super::fields::FieldTypeError;
use super::fields::{boolean, describe, string, string_array};

/// An RFC 9728 §2 document as received.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PrmDocument {
    /// `resource`: the protected resource's identifier (REQUIRED).
    pub resource: Option<String>,
    /// `authorization_servers`: issuer identifiers of usable authorization servers.
    pub authorization_servers: Option<Vec<String>>,
    /// `jwks_uri`: URL of the resource's JWK Set (must be https).
    pub jwks_uri: Option<String>,
    /// `scopes_supported`: scope values used to request access to the resource.
    pub scopes_supported: Option<Vec<String>>,
    /// `bearer_methods_supported`: of "header", "body", "query".
    pub bearer_methods_supported: Option<Vec<String>>,
    /// `resource_signing_alg_values_supported`: JWS algorithms for signed responses.
    pub resource_signing_alg_values_supported: Option<Vec<String>>,
    /// `resource_name`: human-readable name, without language tag.
    pub resource_name: Option<String>,
    /// `resource_documentation`: URL of developer documentation.
    pub resource_documentation: Option<String>,
    /// `resource_policy_uri`: URL of the data-use policy.
    pub resource_policy_uri: Option<String>,
    /// `resource_tos_uri`: URL of the terms of service.
    pub resource_tos_uri: Option<String>,
    /// `tls_client_certificate_bound_access_tokens`: mutual-TLS bound tokens supported.
    pub tls_client_certificate_bound_access_tokens: Option<bool>,
    /// `authorization_details_types_supported`: RFC 9396 types.
    pub authorization_details_types_supported: Option<Vec<String>>,
    /// `dpop_signing_alg_values_supported`: JWS algorithms accepted for DPoP proofs.
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// `dpop_bound_access_tokens_required`: DPoP-bound tokens always required.
    pub dpop_bound_access_tokens_required: Option<bool>,
    /// `signed_metadata`: a JWT carrying the metadata as claims (§2.2).
    pub signed_metadata: Option<String>,
    /// Members this document type does not define (including language-tagged
    /// ones such as `resource_name#en`), in document order.
    pub extra: Map<String, Value>,
    /// Known members that had the wrong JSON type, in document order.
    pub type_errors: Vec<FieldTypeError>,
}

/// Why a body is not a JSON object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum NotAnObject {
    /// Nothing but whitespace.
    #[error("the body is empty")]
    Empty,
    /// Not valid JSON.
    #[error("not valid JSON: {message} at line {line}, column {column}")]
    Syntax {
        /// The parser's message, without its position.
        message: String,
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
    },
    /// Valid JSON of another type.
    #[error("{}, not an object", json_kind(.found))]
    WrongType {
        /// The JSON type found, e.g. "an array".
        found: &'static str,
    },
}

/// "a JSON array" rather than "an array", for the error sentence.
fn json_kind(found: &str) -> String {
    match found.split_once(' ') {
        Some((_, kind)) => format!("a JSON {kind}"),
        None => format!("JSON {found}"),
    }
}

/// Parses a body as a JSON object; shared by the metadata documents.
pub(crate) fn parse_object(body: &str) -> Result<Map<String, Value>, NotAnObject> {
    if body.trim().is_empty() {
        return Err(NotAnObject::Empty);
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(NotAnObject::WrongType {
            found: describe(&other),
        }),
        Err(e) => {
            let full = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            Err(NotAnObject::Syntax {
                message: full.strip_suffix(&position).unwrap_or(&full).to_string(),
                line: e.line(),
                column: e.column(),
            })
        }
    }
}

/// Parses a protected resource metadata body.
pub fn parse_prm(body: &str) -> Result<PrmDocument, NotAnObject> {
    let mut doc = PrmDocument::default();
    let errors = &mut doc.type_errors;
    for (key, value) in parse_object(body)? {
        let k = key.as_str();
        match k {
            "resource" => doc.resource = string(k, value, errors),
            "authorization_servers" => doc.authorization_servers = string_array(k, value, errors),
            "jwks_uri" => doc.jwks_uri = string(k, value, errors),
            "scopes_supported" => doc.scopes_supported = string_array(k, value, errors),
            "bearer_methods_supported" => {
                doc.bearer_methods_supported = string_array(k, value, errors)
            }
            "resource_signing_alg_values_supported" => {
                doc.resource_signing_alg_values_supported = string_array(k, value, errors)
            }
            "resource_name" => doc.resource_name = string(k, value, errors),
            "resource_documentation" => doc.resource_documentation = string(k, value, errors),
            "resource_policy_uri" => doc.resource_policy_uri = string(k, value, errors),
            "resource_tos_uri" => doc.resource_tos_uri = string(k, value, errors),
            "tls_client_certificate_bound_access_tokens" => {
                doc.tls_client_certificate_bound_access_tokens = boolean(k, value, errors)
            }
            "authorization_details_types_supported" => {
                doc.authorization_details_types_supported = string_array(k, value, errors)
            }
            "dpop_signing_alg_values_supported" => {
                doc.dpop_signing_alg_values_supported = string_array(k, value, errors)
            }
            "dpop_bound_access_tokens_required" => {
                doc.dpop_bound_access_tokens_required = boolean(k, value, errors)
            }
            "signed_metadata" => doc.signed_metadata = string(k, value, errors),
            _ => {
                doc.extra.insert(key, value);
            }
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests;
