//! Dynamic client registration (RFC 7591) and its management protocol
//! (RFC 7592): the client information response, and the OAuth error object
//! that registration and token endpoints both use.

use serde::Serialize;
use serde_json::{Map, Value};

use super::fields::{string, string_array, FieldTypeError};
use super::prm::{parse_object, NotAnObject};

/// The registration error codes of RFC 7591 §3.2.2.
pub const REGISTRATION_ERRORS: [&str; 4] = [
    "invalid_redirect_uri",
    "invalid_client_metadata",
    "invalid_software_statement",
    "unapproved_software_statement",
];

/// The token endpoint error codes of RFC 6749 §5.2.
pub const TOKEN_ERRORS: [&str; 6] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];

/// Token endpoint error codes registered by later specifications in the
/// "OAuth Extensions Error Registry" (RFC 6749 §11.4): RFC 8707's
/// `invalid_target`, RFC 9449's DPoP errors, RFC 9396's
/// `invalid_authorization_details` and the device grant's (RFC 8628 §3.5).
/// A server answering with one of them is using the registry as designed.
pub const TOKEN_EXTENSION_ERRORS: [&str; 8] = [
    "invalid_target",
    "invalid_dpop_proof",
    "use_dpop_nonce",
    "invalid_authorization_details",
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token",
];

/// A client information response (RFC 7591 §3.2.1, RFC 7592 §3) as received.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClientInformation {
    /// `client_id` (REQUIRED).
    pub client_id: Option<String>,
    /// `client_secret`, for confidential clients.
    pub client_secret: Option<String>,
    /// `registration_access_token` (RFC 7592 §3).
    pub registration_access_token: Option<String>,
    /// `registration_client_uri` (RFC 7592 §3).
    pub registration_client_uri: Option<String>,
    /// `redirect_uris` as registered (the server may have changed them).
    pub redirect_uris: Option<Vec<String>>,
    /// `token_endpoint_auth_method` as registered.
    pub token_endpoint_auth_method: Option<String>,
    /// `grant_types` as registered.
    pub grant_types: Option<Vec<String>>,
    /// Other members, in document order.
    pub extra: Map<String, Value>,
    /// Known members of the wrong JSON type.
    pub type_errors: Vec<FieldTypeError>,
}

impl ClientInformation {
    /// True when the response names a way to delete the client (RFC 7592 §2.3).
    pub fn deletable(&self) -> bool {
        self.registration_access_token
            .as_deref()
            .is_some_and(|t| !t.is_empty())
            && self
                .registration_client_uri
                .as_deref()
                .is_some_and(|u| !u.is_empty())
    }
}

/// Parses a registration response body.
pub fn parse_client_information(body: &str) -> Result<ClientInformation, NotAnObject> {
    let mut info = ClientInformation::default();
    let errors = &mut info.type_errors;
    for (key, value) in parse_object(body)? {
        let k = key.as_str();
        match k {
            "client_id" => info.client_id = string(k, value, errors),
            "client_secret" => info.client_secret = string(k, value, errors),
            "registration_access_token" => {
                info.registration_access_token = string(k, value, errors)
            }
            "registration_client_uri" => info.registration_client_uri = string(k, value, errors),
            "redirect_uris" => info.redirect_uris = string_array(k, value, errors),
            "token_endpoint_auth_method" => {
                info.token_endpoint_auth_method = string(k, value, errors)
            }
            "grant_types" => info.grant_types = string_array(k, value, errors),
            _ => {
                info.extra.insert(key, value);
            }
        }
    }
    Ok(info)
}

/// An OAuth error response body (RFC 6749 §5.2, RFC 7591 §3.2.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OAuthError {
    /// `error`, when it is a string.
    pub error: Option<String>,
    /// What `error` was when it is not a string (e.g. "a number"), or `None`.
    pub error_type: Option<&'static str>,
    /// `error_description`, when it is a string.
    pub error_description: Option<String>,
}

/// Reads the error members of a JSON object body.
pub fn parse_oauth_error(body: &str) -> Result<OAuthError, NotAnObject> {
    let object = parse_object(body)?;
    let (error, error_type) = match object.get("error") {
        None => (None, None),
        Some(Value::String(s)) => (Some(s.clone()), None),
        Some(other) => (None, Some(super::fields::describe(other))),
    };
    Ok(OAuthError {
        error,
        error_type,
        error_description: object
            .get("error_description")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

#[cfg(test)]
mod tests;
