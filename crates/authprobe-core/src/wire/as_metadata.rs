//! Authorization server metadata: RFC 8414 §2, the OpenID Connect Discovery 1.0
//! provider metadata that MCP clients read the same way, and the extension
//! members MCP relies on (`client_id_metadata_document_supported`, RFC 9207's
//! `authorization_response_iss_parameter_supported`, RFC 9728 §4's
//! `protected_resources`).
//!
//! Like the protected resource metadata parser, a body that is a JSON object
//! always parses: known members of the wrong JSON type are left out and
//! remembered in `type_errors`, unknown members are kept in `extra`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::fields::{boolean, string, string_array, FieldTypeError};
use super::prm::{parse_object, NotAnObject};

/// An authorization server metadata document as received.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AsMetadata {
    /// `issuer` (REQUIRED): the issuer identifier.
    pub issuer: Option<String>,
    /// `authorization_endpoint` (REQUIRED unless no grant uses it).
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint` (REQUIRED unless only the implicit grant is offered).
    pub token_endpoint: Option<String>,
    /// `jwks_uri`: the server's JWK Set.
    pub jwks_uri: Option<String>,
    /// `registration_endpoint`: RFC 7591 dynamic client registration.
    pub registration_endpoint: Option<String>,
    /// `scopes_supported`.
    pub scopes_supported: Option<Vec<String>>,
    /// `response_types_supported` (REQUIRED).
    pub response_types_supported: Option<Vec<String>>,
    /// `response_modes_supported`.
    pub response_modes_supported: Option<Vec<String>>,
    /// `grant_types_supported` (default `authorization_code`, `implicit`).
    pub grant_types_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_methods_supported` (default `client_secret_basic`).
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `code_challenge_methods_supported` (RFC 7636 methods; absent means no PKCE).
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `revocation_endpoint` (RFC 7009).
    pub revocation_endpoint: Option<String>,
    /// `introspection_endpoint` (RFC 7662).
    pub introspection_endpoint: Option<String>,
    /// `userinfo_endpoint` (OpenID Connect).
    pub userinfo_endpoint: Option<String>,
    /// `end_session_endpoint` (OpenID Connect RP-initiated logout).
    pub end_session_endpoint: Option<String>,
    /// `pushed_authorization_request_endpoint` (RFC 9126).
    pub pushed_authorization_request_endpoint: Option<String>,
    /// `device_authorization_endpoint` (RFC 8628).
    pub device_authorization_endpoint: Option<String>,
    /// `service_documentation`: a page for developers.
    pub service_documentation: Option<String>,
    /// `client_id_metadata_document_supported`: Client ID Metadata Documents accepted.
    pub client_id_metadata_document_supported: Option<bool>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// `protected_resources` (RFC 9728 §4): resources this server issues tokens for.
    pub protected_resources: Option<Vec<String>>,
    /// `signed_metadata`: a JWT carrying the metadata (RFC 8414 §2.1).
    pub signed_metadata: Option<String>,
    /// Members this parser does not model, in document order.
    pub extra: Map<String, Value>,
    /// Known members of the wrong JSON type, in document order.
    pub type_errors: Vec<FieldTypeError>,
}

/// The members whose value is the URL of an endpoint a client or the server
/// itself calls (pages for people, such as `service_documentation`, are not
/// endpoints).
pub const ENDPOINT_MEMBERS: [&str; 10] = [
    "authorization_endpoint",
    "token_endpoint",
    "registration_endpoint",
    "jwks_uri",
    "revocation_endpoint",
    "introspection_endpoint",
    "userinfo_endpoint",
    "end_session_endpoint",
    "pushed_authorization_request_endpoint",
    "device_authorization_endpoint",
];

impl AsMetadata {
    /// Every endpoint URL present, as `(member name, value)`, in [`ENDPOINT_MEMBERS`] order.
    pub fn endpoints(&self) -> Vec<(&'static str, &str)> {
        let values = [
            &self.authorization_endpoint,
            &self.token_endpoint,
            &self.registration_endpoint,
            &self.jwks_uri,
            &self.revocation_endpoint,
            &self.introspection_endpoint,
            &self.userinfo_endpoint,
            &self.end_session_endpoint,
            &self.pushed_authorization_request_endpoint,
            &self.device_authorization_endpoint,
        ];
        ENDPOINT_MEMBERS
            .iter()
            .zip(values)
            .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v)))
            .collect()
    }

    /// The type error of a member, if it had one.
    pub fn type_error(&self, field: &str) -> Option<&FieldTypeError> {
        self.type_errors.iter().find(|t| t.field == field)
    }

    /// True when `client_id_metadata_document_supported` is `true`.
    pub fn supports_cimd(&self) -> bool {
        self.client_id_metadata_document_supported == Some(true)
    }
}

/// Parses an authorization server metadata body.
pub fn parse_as_metadata(body: &str) -> Result<AsMetadata, NotAnObject> {
    let mut doc = AsMetadata::default();
    let errors = &mut doc.type_errors;
    for (key, value) in parse_object(body)? {
        let k = key.as_str();
        match k {
            "issuer" => doc.issuer = string(k, value, errors),
            "authorization_endpoint" => doc.authorization_endpoint = string(k, value, errors),
            "token_endpoint" => doc.token_endpoint = string(k, value, errors),
            "jwks_uri" => doc.jwks_uri = string(k, value, errors),
            "registration_endpoint" => doc.registration_endpoint = string(k, value, errors),
            "scopes_supported" => doc.scopes_supported = string_array(k, value, errors),
            "response_types_supported" => {
                doc.response_types_supported = string_array(k, value, errors)
            }
            "response_modes_supported" => {
                doc.response_modes_supported = string_array(k, value, errors)
            }
            "grant_types_supported" => doc.grant_types_supported = string_array(k, value, errors),
            "token_endpoint_auth_methods_supported" => {
                doc.token_endpoint_auth_methods_supported = string_array(k, value, errors)
            }
            "code_challenge_methods_supported" => {
                doc.code_challenge_methods_supported = string_array(k, value, errors)
            }
            "revocation_endpoint" => doc.revocation_endpoint = string(k, value, errors),
            "introspection_endpoint" => doc.introspection_endpoint = string(k, value, errors),
            "userinfo_endpoint" => doc.userinfo_endpoint = string(k, value, errors),
            "end_session_endpoint" => doc.end_session_endpoint = string(k, value, errors),
            "pushed_authorization_request_endpoint" => {
                doc.pushed_authorization_request_endpoint = string(k, value, errors)
            }
            "device_authorization_endpoint" => {
                doc.device_authorization_endpoint = string(k, value, errors)
            }
            "service_documentation" => doc.service_documentation = string(k, value, errors),
            "client_id_metadata_document_supported" => {
                doc.client_id_metadata_document_supported = boolean(k, value, errors)
            }
            "authorization_response_iss_parameter_supported" => {
                doc.authorization_response_iss_parameter_supported = boolean(k, value, errors)
            }
            "protected_resources" => doc.protected_resources = string_array(k, value, errors),
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
