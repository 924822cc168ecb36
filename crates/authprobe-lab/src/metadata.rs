//! The authorization server's metadata (RFC 8414, and the OpenID Connect
//! Discovery locations MCP clients also try), its JWK Set, and the metadata
//! defects.
//!
//! Where the metadata is served follows the issuer: for an issuer without a
//! path, `/.well-known/oauth-authorization-server`; for `/tenant1`,
//! `/.well-known/oauth-authorization-server/tenant1`, and also the host root
//! for clients of MCP 2025-03-26, which look only there.

use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL,
};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::defects::Defect;
use crate::state::{Lab, SCOPE};
use crate::wire::{method_not_allowed, not_found, Reply};

const OAUTH_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
const OIDC_WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// The index page a single-page app's catch-all route returns for any path.
const SPA_INDEX: &str = "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
<title>Auth Console</title></head>\n<body><div id=\"root\"></div></body>\n</html>\n";

/// What a metadata location serves.
enum Serve {
    Document,
    Html,
    ServerError,
    Nothing,
}

/// Answers a metadata URL, or `None` when `path` is not one.
pub(crate) fn route(lab: &Lab, path: &str, method: &Method) -> Option<Response> {
    let issuer_path = lab.issuer_path.as_str();
    let oauth_inserted = format!("{OAUTH_WELL_KNOWN}{issuer_path}");
    let oidc_inserted = format!("{OIDC_WELL_KNOWN}{issuer_path}");
    let oidc_appended = format!("{issuer_path}{OIDC_WELL_KNOWN}");
    let oidc_only = lab.has(Defect::AsOidcOnly);
    let serve = if path == oauth_inserted {
        if oidc_only {
            Serve::Nothing
        } else if lab.has(Defect::AsCandidate5xx) {
            Serve::ServerError
        } else if lab.has(Defect::AsMetadataHtml) {
            Serve::Html
        } else {
            Serve::Document
        }
    } else if !issuer_path.is_empty() && path == OAUTH_WELL_KNOWN {
        // The host root, for clients of MCP 2025-03-26.
        if oidc_only {
            Serve::Nothing
        } else if lab.has(Defect::AsMetadataHtml) {
            Serve::Html
        } else {
            Serve::Document
        }
    } else if path == oidc_inserted {
        if lab.has(Defect::AsCandidate5xx) {
            Serve::Document
        } else {
            Serve::Nothing
        }
    } else if !issuer_path.is_empty() && path == oidc_appended {
        if oidc_only {
            Serve::Document
        } else {
            Serve::Nothing
        }
    } else {
        return None;
    };
    if !lab.oauth_enabled() {
        return Some(not_found());
    }
    Some(match serve {
        Serve::Nothing => not_found(),
        Serve::ServerError => Reply::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error\n",
        )
        .into_response(),
        Serve::Html => Reply::html(StatusCode::OK, SPA_INDEX)
            .header(CACHE_CONTROL, "public, max-age=3600")
            .into_response(),
        Serve::Document => serve_document(lab, method),
    })
}

fn serve_document(lab: &Lab, method: &Method) -> Response {
    if method == Method::OPTIONS {
        return Reply::new(StatusCode::NO_CONTENT)
            .header(ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .header(ACCESS_CONTROL_ALLOW_METHODS, "GET, OPTIONS")
            .header(ACCESS_CONTROL_ALLOW_HEADERS, "*, mcp-protocol-version")
            .header(ACCESS_CONTROL_MAX_AGE, "86400")
            .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET, HEAD, OPTIONS");
    }
    Reply::json(StatusCode::OK, &document(lab))
        .header(CACHE_CONTROL, "public, max-age=3600")
        .header(ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .into_response()
}

/// The metadata document, with the field defects applied.
pub(crate) fn document(lab: &Lab) -> Value {
    let issuer = lab.issuer();
    let mut doc = json!({
        "issuer": if lab.has(Defect::AsIssuerMismatch) { format!("{issuer}/other") } else { issuer },
        "authorization_endpoint": lab.as_url("/authorize"),
        "token_endpoint": if lab.has(Defect::TokenEndpoint404) {
            lab.as_url("/oauth/token")
        } else {
            lab.as_url("/token")
        },
        "registration_endpoint": lab.as_url("/register"),
        "scopes_supported": if lab.has(Defect::AsScopesWhitespace) {
            json!([SCOPE, "mcp: admin"])
        } else {
            json!([SCOPE])
        },
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "device_authorization_endpoint": lab.as_url("/device_authorization"),
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "client_id_metadata_document_supported": true,
        "protected_resources": [lab.resource()],
    });
    let Some(map) = doc.as_object_mut() else {
        return doc;
    };
    if lab.has(Defect::AsNoPkce) {
        map.remove("code_challenge_methods_supported");
    }
    if lab.has(Defect::AsPkcePlainOnly) {
        map.insert("code_challenge_methods_supported".into(), json!(["plain"]));
    }
    if lab.has(Defect::AsNoCodeResponseType) {
        map.insert("response_types_supported".into(), json!(["id_token"]));
    }
    if lab.has(Defect::AsLegacyGrants) {
        map.insert("response_types_supported".into(), json!(["code", "token"]));
        map.insert(
            "grant_types_supported".into(),
            json!([
                "authorization_code",
                "refresh_token",
                "implicit",
                "password"
            ]),
        );
    }
    if lab.has(Defect::AsMetadataNoTokenEndpoint) {
        map.remove("token_endpoint");
    }
    if lab.has(Defect::AsEndpointNotHttps) {
        map.insert(
            "revocation_endpoint".into(),
            json!("http://auth.example/revoke"),
        );
    }
    if lab.has(Defect::AsEndpointOtherHost) {
        let other = lab
            .as_url("/revoke")
            .replacen("127.0.0.1", "localhost", 1)
            .replacen("[::1]", "localhost", 1);
        map.insert("revocation_endpoint".into(), json!(other));
    }
    if lab.has(Defect::AsNoRegistrationPath) {
        map.remove("registration_endpoint");
        map.remove("client_id_metadata_document_supported");
    }
    if lab.has(Defect::AsNoCimd) {
        map.remove("client_id_metadata_document_supported");
    }
    if lab.has(Defect::AsNoPublicClientAuth) {
        map.insert(
            "token_endpoint_auth_methods_supported".into(),
            json!(["client_secret_basic"]),
        );
    }
    if lab.has(Defect::AsNoIssParameter) {
        map.remove("authorization_response_iss_parameter_supported");
    }
    if lab.has(Defect::AsProtectedResourcesOther) {
        map.insert(
            "protected_resources".into(),
            json!(["https://other.example/mcp"]),
        );
    }
    if jwks_published(lab) {
        map.insert("jwks_uri".into(), json!(lab.as_url("/jwks")));
    }
    doc
}

/// The lab signs nothing, so it publishes a JWK Set only under the JWKS defects.
fn jwks_published(lab: &Lab) -> bool {
    lab.has(Defect::JwksPrivateKey)
        || lab.has(Defect::JwksEmpty)
        || lab.has(Defect::JwksInvalid)
        || lab.has(Defect::JwksUnreachable)
}

/// `GET <issuer path>/jwks`: the JWK Set of the JWKS defects.
pub(crate) fn jwks(lab: &Lab, method: &Method) -> Response {
    if !jwks_published(lab) || lab.has(Defect::JwksUnreachable) {
        return not_found();
    }
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET, HEAD");
    }
    // RFC 7517 Appendix A.1's EC public key; A.2 adds its private part `d`.
    let mut key = json!({
        "kty": "EC",
        "crv": "P-256",
        "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
        "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
        "use": "sig",
        "kid": "lab-1",
    });
    if lab.has(Defect::JwksPrivateKey) {
        key["d"] = json!("870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE");
    }
    if lab.has(Defect::JwksInvalid) {
        if let Some(map) = key.as_object_mut() {
            map.remove("kty");
        }
    }
    let keys = if lab.has(Defect::JwksEmpty) {
        json!([])
    } else {
        json!([key])
    };
    Reply::json(StatusCode::OK, &json!({ "keys": keys }))
        .header(CACHE_CONTROL, "public, max-age=3600")
        .into_response()
}
