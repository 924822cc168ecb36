//! Closed hosts: their documented requirements checked against the report. Only what
//! the host's own public documentation says is judged; each verdict names its pages.

use super::profile::{DocCheck, DocRule};
use super::web::{with_path, Web};
use super::{ClientStep, Judged};
use crate::catalog::Code;
use crate::report::{Outcome, Report};

/// Judges a closed host's documented requirements, in order; the first unmet one fails it.
pub(super) fn judge(rules: &[DocRule], report: &Report) -> Judged {
    let mut judged = match report.outcome {
        Outcome::NoAuth => Judged::gets_in("the server answers without authorization"),
        Outcome::ProtectedOk | Outcome::ProtectedBroken => first_unmet(rules, report)
            .unwrap_or_else(|| Judged::gets_in("meets every documented requirement")),
        other => Judged::unknown(
            ClientStep::Challenge,
            format!("the scan's outcome is {}: nothing to judge", other.as_str()),
        ),
    };
    judged.sources = rules.iter().map(|r| r.source.to_string()).collect();
    judged.sources.dedup();
    judged
}

fn first_unmet(rules: &[DocRule], report: &Report) -> Option<Judged> {
    rules.iter().find_map(|rule| unmet(rule, report))
}

fn selected(report: &Report) -> Option<&crate::report::AuthServerInfo> {
    report
        .auth_discovery
        .authorization_server_metadata
        .iter()
        .find(|s| s.selected)
}

fn unmet(rule: &DocRule, report: &Report) -> Option<Judged> {
    let documented = |step, detail: String, codes: &[Code]| {
        Some(
            Judged::fails(step, format!("{detail} (documented: {})", rule.rule))
                .explained_by(report, codes),
        )
    };
    match rule.check {
        DocCheck::ProtectedResourceMetadata if !report.prm_ok => documented(
            ClientStep::ProtectedResourceMetadata,
            "no usable protected resource metadata".into(),
            &[
                Code::AuthRequiredButNotAdvertised,
                Code::OauthDiscoveryUnavailable,
                Code::PrmResourceTrailingSlash,
                Code::PrmResourceParentPath,
                Code::PrmHintResourceMismatch,
            ],
        ),
        DocCheck::AuthorizationServerMetadata if !report.authz_server_metadata_ok => documented(
            ClientStep::AuthorizationServerMetadata,
            "no usable authorization server metadata".into(),
            &[
                Code::AuthServerMetadataUnreachable,
                Code::AuthServerMetadataInvalid,
                Code::AuthServerIssuerMismatch,
                Code::OauthDiscoveryUnavailable,
            ],
        ),
        DocCheck::MetadataOrOrigin if !report.authz_server_metadata_ok && !origin_metadata(report) => {
            documented(
                ClientStep::AuthorizationServerMetadata,
                "no usable authorization server metadata, through protected resource metadata or at the MCP origin".into(),
                &[Code::AuthRequiredButNotAdvertised, Code::OauthDiscoveryUnavailable, Code::AuthServerMetadataUnreachable],
            )
        }
        DocCheck::S256Advertised => {
            let listed = selected(report)
                .is_some_and(|s| s.code_challenge_methods_supported.iter().any(|m| m == "S256"));
            (!listed).then(|| {
                documented(
                    ClientStep::Authorization,
                    "the authorization server does not advertise S256".into(),
                    &[Code::AuthServerPkceS256Missing],
                )
            })?
        }
        DocCheck::Registration { cimd, manual } => registration(rule, report, cimd, manual),
        _ => None,
    }
}

/// Whether the MCP origin serves authorization server metadata (a JSON object at its
/// `/.well-known/oauth-authorization-server`).
fn origin_metadata(report: &Report) -> bool {
    let web = Web::new(report);
    web.target()
        .map(|t| with_path(&t, "/.well-known/oauth-authorization-server"))
        .and_then(|u| web.get(&u))
        .is_some_and(|a| a.status() == Some(200) && a.json_object().is_some())
}

fn registration(rule: &DocRule, report: &Report, cimd: bool, manual: bool) -> Option<Judged> {
    let paths = &report.auth_discovery.registration_paths;
    let dcr = paths.iter().any(|p| p == "dynamic-client-registration");
    let refused = report.findings.iter().any(|f| {
        matches!(
            f.code,
            Code::DcrRegistrationRejected | Code::DcrLoopbackRedirectRejected
        )
    });
    let public = selected(report).is_some_and(|s| {
        s.token_endpoint_auth_methods_supported.is_empty()
            || s.token_endpoint_auth_methods_supported
                .iter()
                .any(|m| m == "none")
    });
    let by_cimd = cimd && paths.iter().any(|p| p == "client-id-metadata-document") && public;
    if (dcr && !refused) || by_cimd || selected(report).is_none() {
        return None;
    }
    let way_out = if manual {
        "; only a client id (and secret) the user enters by hand gets it in"
    } else {
        ""
    };
    Some(
        Judged::fails(
            ClientStep::Registration,
            format!(
                "no registration path it supports{way_out} (documented: {})",
                rule.rule
            ),
        )
        .explained_by(
            report,
            &[
                Code::AuthServerNoRegistrationPath,
                Code::DcrLoopbackRedirectRejected,
                Code::DcrRegistrationRejected,
                Code::AuthServerPublicClientAuthMissing,
            ],
        ),
    )
}
