//! The document shapes the SDKs insist on before they use a metadata document: what
//! their schema libraries (zod in the TypeScript SDK, pydantic in the Python SDK)
//! accept, written from the schemas, not from RFC 9728 or RFC 8414.

use serde_json::{Map, Value};
use url::Url;

use super::profile::PrmSchema;

type Object = Map<String, Value>;

/// A required member and the test its value must pass.
type MemberCheck = (&'static str, fn(&Value) -> bool);

fn url_ok(value: &Value, http_only: bool) -> bool {
    value
        .as_str()
        .and_then(|s| Url::parse(s).ok())
        .is_some_and(|u| {
            if http_only {
                matches!(u.scheme(), "http" | "https") && u.host().is_some()
            } else {
                !matches!(u.scheme(), "javascript" | "data" | "vbscript")
            }
        })
}

fn strings(value: &Value) -> bool {
    value
        .as_array()
        .is_some_and(|a| a.iter().all(Value::is_string))
}

fn optional(doc: &Object, key: &str, ok: impl Fn(&Value) -> bool) -> bool {
    match doc.get(key) {
        None => true,
        // pydantic reads an explicit null as "absent" for optional members; zod does not,
        // but neither SDK's documents in the wild send one, so both read it as absent.
        Some(Value::Null) => true,
        Some(v) => ok(v),
    }
}

/// Whether a protected resource metadata document passes the client's schema.
pub fn prm_ok(doc: &Object, schema: PrmSchema) -> bool {
    let http_only = schema == PrmSchema::ResourceAndServersRequired;
    let resource = doc.get("resource").is_some_and(|r| url_ok(r, http_only));
    let servers = match doc.get("authorization_servers") {
        None | Some(Value::Null) => schema == PrmSchema::ResourceRequired,
        Some(Value::Array(list)) => {
            list.iter().all(|s| url_ok(s, http_only))
                && (schema == PrmSchema::ResourceRequired || !list.is_empty())
        }
        Some(_) => false,
    };
    resource
        && servers
        && optional(doc, "jwks_uri", |v| url_ok(v, http_only))
        && [
            "scopes_supported",
            "bearer_methods_supported",
            "resource_signing_alg_values_supported",
        ]
        .iter()
        .all(|k| optional(doc, k, strings))
        && optional(doc, "resource_name", Value::is_string)
}

/// The authorization servers a usable document names, as written.
pub fn servers(doc: &Object) -> Vec<String> {
    doc.get("authorization_servers")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The first member an OAuth metadata document lacks (or has of the wrong type), for
/// the TypeScript SDK's schema; OpenID documents also need the OpenID Provider members.
pub fn as_missing_member(doc: &Object, openid: bool) -> Option<&'static str> {
    let required: &[MemberCheck] = &[
        ("issuer", Value::is_string),
        ("authorization_endpoint", |v| url_ok(v, false)),
        ("token_endpoint", |v| url_ok(v, false)),
        ("response_types_supported", strings),
    ];
    let openid_required: &[MemberCheck] = &[
        ("jwks_uri", |v| url_ok(v, false)),
        ("subject_types_supported", strings),
        ("id_token_signing_alg_values_supported", strings),
    ];
    let extra: &[MemberCheck] = if openid { openid_required } else { &[] };
    required
        .iter()
        .chain(extra)
        .find(|(k, ok)| !doc.get(*k).is_some_and(ok))
        .map(|(k, _)| *k)
}

/// Whether the Python SDK's pydantic model accepts an authorization server metadata document.
pub fn as_ok_lenient(doc: &Object) -> bool {
    ["issuer", "authorization_endpoint", "token_endpoint"]
        .iter()
        .all(|k| doc.get(*k).is_some_and(|v| url_ok(v, true)))
        && optional(doc, "registration_endpoint", |v| url_ok(v, true))
        && [
            "scopes_supported",
            "response_types_supported",
            "grant_types_supported",
            "token_endpoint_auth_methods_supported",
            "code_challenge_methods_supported",
        ]
        .iter()
        .all(|k| optional(doc, k, strings))
}

/// A string member.
pub fn str_member<'d>(doc: &'d Object, key: &str) -> Option<&'d str> {
    doc.get(key).and_then(Value::as_str)
}

/// Whether a string array member lists `value`; `None` when the member is absent.
pub fn lists(doc: &Object, key: &str, value: &str) -> Option<bool> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|l| l.iter().any(|v| v.as_str() == Some(value)))
}

/// Scheme and host lowercased, everything else as written (how pydantic renders a URL).
pub fn lower_origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    format!(
        "{}://{}{}",
        scheme.to_ascii_lowercase(),
        rest[..end].to_ascii_lowercase(),
        &rest[end..]
    )
}
