//! Stage 3 across candidates: which URLs answer, and whether discovery works at all.

use crate::catalog::Code;
use crate::facts::prm::{PrmFacts, Source};
use crate::facts::Trace;
use crate::http::ExchangeId;
use crate::report::Finding;

use super::prm::PrmVerdict;
use super::seen;

/// What the stage-3 findings need to know about stage 1.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiscoveryContext {
    /// The MCP request demanded credentials.
    pub auth_required: bool,
    /// The server challenged with schemes, none of them Bearer (API key, Basic…).
    pub non_oauth_scheme: bool,
}

/// Findings about the candidate set: status failures, auth on metadata, fallbacks,
/// and the overall `OAUTH_DISCOVERY_UNAVAILABLE`.
pub fn findings(
    facts: &PrmFacts,
    verdict: &PrmVerdict,
    trace: &Trace,
    ctx: DiscoveryContext,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if !ctx.auth_required {
        return out;
    }
    let any_usable = verdict.any_usable();
    if ctx.non_oauth_scheme && !any_usable {
        return out;
    }

    // Metadata behind auth: any candidate, whether chosen or not.
    let mut auth_ids: Vec<ExchangeId> = Vec::new();
    let mut auth_seen = Vec::new();
    for c in &facts.candidates {
        if let Some(e) = c.exchange(trace) {
            if matches!(e.status(), Some(401) | Some(403)) && !auth_ids.contains(&e.id) {
                auth_ids.push(e.id);
                auth_seen.push(seen(e));
            }
        }
    }
    if !auth_ids.is_empty() {
        out.push(Finding::new(
            Code::PrmRequiresAuth,
            format!(
                "{} demands credentials. No sentence says the metadata must be public, but the discovery flow fetches it before any token exists (RFC 9728 §5), so a client cannot read it.",
                auth_seen.join("; ")
            ),
            auth_ids,
        ));
    }

    // No candidate answered 200 (and the challenge named none): the client is stuck.
    if verdict.chosen.is_none() {
        let mut ids = Vec::new();
        let mut lines = Vec::new();
        for c in &facts.candidates {
            if let Some(e) = c.exchange(trace) {
                if let Some(status) = e.status() {
                    if status != 401 && status != 403 && !ids.contains(&e.id) {
                        ids.push(e.id);
                        lines.push(seen(e));
                    }
                }
            }
        }
        if !ids.is_empty() {
            out.push(Finding::new(
                Code::PrmHttpStatusNot200,
                format!(
                    "No protected resource metadata: {}. RFC 9728 §3.2 requires 200 with the document.",
                    lines.join("; ")
                ),
                ids,
            ));
        }
    } else if let Some(i) = verdict.chosen {
        // The chosen candidate (the challenge's URL) answered, but not 200.
        let candidate = &facts.candidates[i];
        if let Some(e) = candidate.exchange(trace) {
            if let Some(status) = e.status() {
                if status != 200 && status != 401 && status != 403 {
                    out.push(Finding::new(
                        Code::PrmHttpStatusNot200,
                        format!(
                            "{}, the metadata a client would use ({}), answered {status}; RFC 9728 §3.2 requires 200 with the document.",
                            seen(e),
                            candidate.source.label()
                        ),
                        vec![e.id],
                    ));
                }
            }
        }
    }

    // Fallback coverage. With a working resource_metadata hint every conforming client
    // (2025-06-18 and later use the header) finds the document: MCP asks servers for one
    // mechanism, not all, so a missing well-known URL is then no finding. Without the hint,
    // clients fall back to well-known URLs, and a missing one breaks some of them.
    let hint_works = facts
        .candidates
        .iter()
        .zip(&verdict.candidates)
        .any(|(c, v)| c.source == Source::Header && v.usable);
    if !hint_works && (verdict.chosen_usable || verdict.well_known_usable.is_some()) {
        for (i, c) in facts.candidates.iter().enumerate() {
            if c.source == Source::Header || verdict.candidates[i].usable {
                continue;
            }
            let Some(e) = c.exchange(trace) else { continue };
            if e.response.is_none() {
                continue; // a timeout says nothing about the server's configuration
            }
            let (code, what) = match c.source {
                Source::PathSuffix => (
                    Code::PrmWellknownPathSuffixMissing,
                    "without a resource_metadata hint, MCP 2025-11-25 clients try this URL first and RFC 9728 §3.1 clients try only this one",
                ),
                Source::Root => (
                    Code::DiscoveryRootWellknown404,
                    "without a resource_metadata hint, clients that follow the MCP 2025-06-18 discovery sequence fetch the root URL and will not find the metadata",
                ),
                Source::Header => continue,
            };
            out.push(Finding::new(
                code,
                format!(
                    "{} gives no usable metadata while another discovery mechanism works; {what}.",
                    seen(e)
                ),
                vec![e.id],
            ));
        }
    }

    if !verdict.chosen_usable && !every_candidate_silent(facts, trace) {
        let ids: Vec<ExchangeId> =
            facts
                .candidates
                .iter()
                .map(|c| c.fetch.last())
                .fold(Vec::new(), |mut acc, id| {
                    if !acc.contains(&id) {
                        acc.push(id);
                    }
                    acc
                });
        let which = match verdict.chosen {
            Some(i) => format!(
                "the metadata a client would use ({}, {}) is not usable",
                facts.candidates[i].source.label(),
                facts.candidates[i].url
            ),
            None => "no candidate URL serves protected resource metadata".to_string(),
        };
        let mut finding = Finding::new(
            Code::OauthDiscoveryUnavailable,
            format!("Authorization is required but {which}: a client cannot find its authorization server."),
            ids,
        );
        let cause = verdict
            .chosen
            .and_then(|i| verdict.candidates[i].blocker)
            .or_else(|| {
                out.iter()
                    .map(|f| f.code)
                    .find(|c| matches!(c, Code::PrmRequiresAuth | Code::PrmHttpStatusNot200))
            });
        if let Some(cause) = cause {
            finding = finding.caused_by(cause);
        }
        out.push(finding);
    }
    out
}

/// True when no candidate produced any HTTP response (timeouts, refused connections).
fn every_candidate_silent(facts: &PrmFacts, trace: &Trace) -> bool {
    facts.candidates.iter().all(|c| {
        c.exchange(trace)
            .map(|e| e.response.is_none())
            .unwrap_or(true)
    })
}
