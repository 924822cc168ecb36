//! The corrected challenge and protected resource metadata for this server, built
//! from the scan's own URLs, for the findings whose fix is one of them.

use serde_json::{json, Value};
use url::Url;

use super::Artifact;
use crate::catalog::Code;
use crate::report::{Finding, Report};

/// The well-known suffix of RFC 9728 §3.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Stands in for the issuer when the scan learned none.
const ISSUER_PLACEHOLDER: &str = "https://<issuer of your authorization server>";

/// Findings fixed by the challenge: 401 with a Bearer challenge naming the metadata URL.
const CHALLENGE_FIXES: &[Code] = &[
    Code::AuthRequiredButNotAdvertised,
    Code::DiscoveryNoWwwAuthenticate,
    Code::HeaderStrippedByProxySuspected,
    Code::WwwAuthenticateMalformed,
    Code::DiscoveryResourceMetadataMissing,
    Code::DiscoveryResourceMetadataInvalid,
    Code::ChallengeScopeMissing,
    Code::OauthDiscoveryUnavailable,
    Code::AuthChallengeInconsistent,
];

/// Findings fixed by the metadata document itself.
const DOCUMENT_FIXES: &[Code] = &[
    Code::AuthRequiredButNotAdvertised,
    Code::OauthDiscoveryUnavailable,
    Code::PrmHttpStatusNot200,
    Code::PrmRequiresAuth,
    Code::PrmContentTypeNotJson,
    Code::PrmNotJsonObject,
    Code::PrmResourceMissing,
    Code::PrmResourceMismatch,
    Code::PrmResourceParentPath,
    Code::PrmResourceTrailingSlash,
    Code::PrmResourceNotCanonical,
    Code::ResourceFragmentForbidden,
    Code::PrmMissingAuthorizationServers,
    Code::PrmAuthorizationServersInvalid,
    Code::PrmBearerMethodsInvalid,
    Code::PrmFieldTypeInvalid,
    Code::PrmHintResourceMismatch,
    Code::PrmWellknownPathSuffixMissing,
    Code::DiscoveryRootWellknown404,
];

/// The artifacts for this finding; none when its fix is not a header or a document.
pub(super) fn artifacts(report: &Report, finding: &Finding) -> Vec<Artifact> {
    let Ok(target) = Url::parse(&report.target) else {
        return Vec::new();
    };
    let resource = canonical(&target);
    let metadata_url = metadata_url(report, finding.code, &target);
    let mut out = Vec::new();
    if CHALLENGE_FIXES.contains(&finding.code) {
        let mut challenge = format!("Bearer resource_metadata=\"{metadata_url}\"");
        if let Some(scope) = scope(report) {
            challenge.push_str(&format!(", scope=\"{scope}\""));
        }
        out.push(Artifact {
            label: format!("The answer to a request to {resource} without a token"),
            kind: "http".into(),
            content: format!("HTTP/1.1 401 Unauthorized\nWWW-Authenticate: {challenge}"),
        });
    }
    if DOCUMENT_FIXES.contains(&finding.code) {
        let body = serde_json::to_string_pretty(&document(report, &resource)).unwrap_or_default();
        out.push(Artifact {
            label: format!("The answer to GET {metadata_url} (no token needed)"),
            kind: "http".into(),
            content: format!("HTTP/1.1 200 OK\nContent-Type: application/json\n\n{body}"),
        });
    }
    out
}

/// The MCP canonical server URI: no fragment, and no trailing slash on an empty path.
fn canonical(target: &Url) -> String {
    let mut url = target.clone();
    url.set_fragment(None);
    let text = url.to_string();
    if url.path() == "/" && url.query().is_none() {
        text.trim_end_matches('/').to_string()
    } else {
        text
    }
}

/// Where the document should be served: the root URL for a missing root document,
/// otherwise the URL a client would use that works today, else the path-suffix URL
/// RFC 9728 §3 builds from the resource identifier.
fn metadata_url(report: &Report, code: Code, target: &Url) -> String {
    let candidates = &report.auth_discovery.prm_candidates;
    let by_source = |source: &str| {
        candidates
            .iter()
            .find(|c| c.source == source)
            .map(|c| c.url.clone())
    };
    if code == Code::DiscoveryRootWellknown404 {
        if let Some(root) = by_source("root") {
            return root;
        }
    }
    let usable = candidates
        .iter()
        .find(|c| c.usable && c.source != "header")
        .map(|c| c.url.clone());
    let keep_usable = matches!(
        code,
        Code::DiscoveryResourceMetadataMissing | Code::DiscoveryResourceMetadataInvalid
    );
    if keep_usable {
        if let Some(url) = usable {
            return url;
        }
    }
    by_source("path-suffix").unwrap_or_else(|| path_suffix_url(target))
}

/// RFC 9728 §3.1: the well-known string goes between the host and the path, with a
/// terminating slash after the host removed.
fn path_suffix_url(target: &Url) -> String {
    let origin = target.origin().ascii_serialization();
    let path = target.path().trim_end_matches('/');
    let query = target.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("{origin}{WELL_KNOWN}{path}{query}")
}

/// The scope to put in the challenge: the one the server names today, else the
/// scopes its metadata lists.
fn scope(report: &Report) -> Option<String> {
    let discovery = &report.auth_discovery;
    discovery
        .challenge_scope
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            (!discovery.scopes_supported.is_empty()).then(|| discovery.scopes_supported.join(" "))
        })
}

/// The metadata document: this server's resource identifier, its authorization
/// servers when the scan saw valid ones, its scopes when known.
fn document(report: &Report, resource: &str) -> Value {
    let discovery = &report.auth_discovery;
    let servers: Vec<String> = discovery
        .authorization_servers
        .iter()
        .filter(|s| Url::parse(s).is_ok_and(|u| u.fragment().is_none() && u.query().is_none()))
        .cloned()
        .collect();
    let servers = if servers.is_empty() {
        vec![ISSUER_PLACEHOLDER.to_string()]
    } else {
        servers
    };
    let mut doc = json!({
        "resource": resource,
        "authorization_servers": servers,
    });
    let scopes: Vec<String> = if discovery.scopes_supported.is_empty() {
        discovery
            .challenge_scope
            .iter()
            .flat_map(|s| s.split_whitespace().map(str::to_string))
            .collect()
    } else {
        discovery.scopes_supported.clone()
    };
    if !scopes.is_empty() {
        doc["scopes_supported"] = json!(scopes);
    }
    doc["bearer_methods_supported"] = json!(["header"]);
    doc
}
