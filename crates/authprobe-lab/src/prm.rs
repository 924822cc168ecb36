//! OAuth 2.0 Protected Resource Metadata (RFC 9728) at the path-suffix and
//! root well-known URLs, with its CORS preflight and the metadata defects.

use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::auth::{self, Refusal};
use crate::defects::Defect;
use crate::state::{Lab, SCOPE};
use crate::wire::{method_not_allowed, not_found, Reply};

/// Which of the two well-known URLs was requested.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    /// `/.well-known/oauth-protected-resource/<path of the MCP endpoint>`.
    PathSuffix,
    /// `/.well-known/oauth-protected-resource`.
    Root,
}

/// The index page a single-page app's catch-all route returns for any path.
const SPA_INDEX: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Lab Console</title>\n<script type=\"module\" src=\"/assets/index.js\"></script>\n</head>\n\
<body>\n<div id=\"root\"></div>\n</body>\n</html>\n";

pub(crate) fn handle(
    lab: &Lab,
    method: &Method,
    headers: &HeaderMap,
    location: Location,
) -> Response {
    if !served(lab, location) {
        return not_found();
    }
    let cors = !lab.has(Defect::PrmNoCors);
    if method == Method::OPTIONS {
        if !cors {
            return method_not_allowed("GET, HEAD");
        }
        return Reply::new(StatusCode::NO_CONTENT)
            .header(ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .header(ACCESS_CONTROL_ALLOW_METHODS, "GET, OPTIONS")
            .header(ACCESS_CONTROL_ALLOW_HEADERS, "*, mcp-protocol-version")
            .header(ACCESS_CONTROL_MAX_AGE, "86400")
            .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed(if cors {
            "GET, HEAD, OPTIONS"
        } else {
            "GET, HEAD"
        });
    }
    let authorised = auth::bearer(headers).is_some_and(|t| lab.token_valid(t));
    let mut reply = if lab.has(Defect::PrmRequiresAuth) && !authorised {
        let mut reply = Reply::json(
            StatusCode::UNAUTHORIZED,
            &json!({ "message": "Authentication required" }),
        );
        if let Some(challenge) = auth::challenge(lab, Refusal::NoCredentials) {
            reply = reply.header(WWW_AUTHENTICATE, &challenge);
        }
        reply
    } else if lab.has(Defect::PrmHtmlCatchAll) {
        Reply::html(StatusCode::OK, SPA_INDEX)
    } else if lab.has(Defect::PrmNotObject) {
        Reply::new(StatusCode::OK)
            .header(CONTENT_TYPE, "application/json")
            .body(r#"["not","an","object"]"#)
    } else {
        Reply::json(StatusCode::OK, &document(lab))
    };
    // The remaining headers are kept on the defective answers too, so that
    // each defect stays the only thing wrong.
    if !lab.has(Defect::PrmNoCacheControl) {
        reply = reply.header(CACHE_CONTROL, "public, max-age=3600");
    }
    if cors {
        reply = reply.header(ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    }
    reply.into_response()
}

/// Whether the metadata exists at this location at all.
fn served(lab: &Lab, location: Location) -> bool {
    let anywhere =
        lab.oauth_enabled() && !lab.has(Defect::AuthNotAdvertised) && !lab.has(Defect::NoPrm);
    anywhere
        && match location {
            Location::PathSuffix => !lab.has(Defect::PrmRootOnly),
            Location::Root => !lab.has(Defect::PrmPathSuffixOnly),
        }
}

/// The metadata document, with the field defects applied.
fn document(lab: &Lab) -> Value {
    let mut doc = Map::new();
    let resource = if lab.has(Defect::PrmResourceTrailingSlash) {
        Some(format!("{}/", lab.resource()))
    } else if lab.has(Defect::PrmResourceParent) {
        Some(format!("{}/", lab.base))
    } else if lab.has(Defect::PrmResourceOther) {
        Some("https://other.example/mcp".to_owned())
    } else if lab.has(Defect::PrmResourceMissing) {
        None
    } else if lab.has(Defect::PrmResourceFragment) {
        Some(format!("{}#main", lab.resource()))
    } else if lab.has(Defect::PrmResourceNotCanonical) {
        let resource = lab.resource();
        let rest = resource.strip_prefix("http://").unwrap_or(&resource);
        Some(format!("HTTP://{rest}"))
    } else {
        Some(lab.resource())
    };
    if let Some(resource) = resource {
        doc.insert("resource".into(), json!(resource));
    }
    if lab.has(Defect::PrmAuthorizationServersRelative) {
        doc.insert("authorization_servers".into(), json!(["/"]));
    } else if lab.has(Defect::PrmAuthorizationServerHttp) {
        doc.insert(
            "authorization_servers".into(),
            json!(["http://auth.example"]),
        );
    } else if lab.has(Defect::AsIssuerLinkLocal) {
        doc.insert(
            "authorization_servers".into(),
            json!(["https://169.254.169.254"]),
        );
    } else if !lab.has(Defect::PrmNoAuthorizationServers) {
        doc.insert("authorization_servers".into(), json!([lab.issuer()]));
    }
    let scopes = if lab.has(Defect::PrmFieldType) {
        json!(SCOPE)
    } else if lab.has(Defect::PrmOfflineAccess) {
        json!([SCOPE, "offline_access"])
    } else {
        json!([SCOPE])
    };
    doc.insert("scopes_supported".into(), scopes);
    let methods = if lab.has(Defect::PrmBearerMethodsInvalid) {
        json!(["header", "cookie"])
    } else {
        json!(["header"])
    };
    doc.insert("bearer_methods_supported".into(), methods);
    doc.insert("resource_name".into(), json!("authprobe lab"));
    if lab.has(Defect::PrmJwksUriHttp) {
        doc.insert("jwks_uri".into(), json!("http://keys.example/jwks.json"));
    }
    if lab.has(Defect::PrmSigningAlgNone) {
        doc.insert(
            "resource_signing_alg_values_supported".into(),
            json!(["RS256", "none"]),
        );
    }
    Value::Object(doc)
}
