//! Stage 3 checks: the protected resource metadata a client would use (RFC 9728).

use url::Url;

use crate::catalog::Code;
use crate::facts::prm::{Candidate, PrmFacts, Source};
use crate::facts::Trace;
use crate::http::ExchangeId;
use crate::report::{Finding, Severity};
use crate::wire::resource::{
    canonical_issues, compare_resource, is_loopback_url, CanonicalIssue, ResourceMatch,
};

use super::prm_fields::{judge_authorization_servers, judge_headers, judge_other_fields};
use super::seen;

/// The verdict on one candidate's document.
#[derive(Debug, Clone, Default)]
pub struct CandidateVerdict {
    /// A client could use it to find its authorization server.
    pub usable: bool,
    /// What is wrong with it (the first one that makes it unusable comes first).
    pub findings: Vec<Finding>,
    /// The code that made it unusable, if it is.
    pub blocker: Option<Code>,
}

/// What stage 3 concluded.
#[derive(Debug, Clone, Default)]
pub struct PrmVerdict {
    /// Index into `PrmFacts::candidates` of the one a 2025-11-25 client would use.
    pub chosen: Option<usize>,
    /// Per candidate, same order as the facts.
    pub candidates: Vec<CandidateVerdict>,
    /// The chosen candidate is usable.
    pub chosen_usable: bool,
    /// The first usable well-known candidate, if any.
    pub well_known_usable: Option<Source>,
}

impl PrmVerdict {
    /// True when any candidate (header or well-known) is usable.
    pub fn any_usable(&self) -> bool {
        self.candidates.iter().any(|c| c.usable)
    }
}

/// Picks the candidate a client following MCP 2025-11-25 uses: the header's URL when
/// the challenge names one; otherwise the first well-known URL that answers 200.
pub fn choose(facts: &PrmFacts, trace: &Trace) -> Option<usize> {
    if let Some(i) = facts
        .candidates
        .iter()
        .position(|c| c.source == Source::Header)
    {
        return Some(i);
    }
    facts
        .candidates
        .iter()
        .position(|c| c.status(trace) == Some(200))
}

/// Judges every candidate's content and picks the chosen one.
pub fn evaluate(facts: &PrmFacts, trace: &Trace, mcp_url: &Url) -> PrmVerdict {
    let candidates: Vec<CandidateVerdict> = facts
        .candidates
        .iter()
        .map(|c| judge_candidate(c, trace, mcp_url))
        .collect();
    let chosen = choose(facts, trace);
    let chosen_usable = chosen.map(|i| candidates[i].usable).unwrap_or(false);
    let well_known_usable = facts
        .candidates
        .iter()
        .zip(&candidates)
        .find(|(c, v)| c.source != Source::Header && v.usable)
        .map(|(c, _)| c.source);
    PrmVerdict {
        chosen,
        candidates,
        chosen_usable,
        well_known_usable,
    }
}

/// Judges one candidate: status, media type, document fields, resource match.
pub fn judge_candidate(candidate: &Candidate, trace: &Trace, mcp_url: &Url) -> CandidateVerdict {
    let mut verdict = CandidateVerdict::default();
    let Some(exchange) = candidate.exchange(trace) else {
        return verdict;
    };
    let Some(response) = &exchange.response else {
        return verdict;
    };
    let id = exchange.id;
    if response.status != 200 {
        return verdict;
    }
    let media = response.media_type().unwrap_or_default();
    let json_type = media == "application/json";
    if !json_type {
        let what = if media == "text/html" || response.body.trim_start().starts_with('<') {
            format!(
                "{} (an HTML page, not JSON: a catch-all or single-page-app route answers this URL)",
                if media.is_empty() { "no Content-Type" } else { &media }
            )
        } else if media.is_empty() {
            "no Content-Type".to_string()
        } else {
            media.clone()
        };
        verdict.push(
            Finding::new(
                Code::PrmContentTypeNotJson,
                format!(
                    "{} answered with {what}; RFC 9728 §3.2 requires a JSON object served as application/json.",
                    seen(exchange)
                ),
                vec![id],
            ),
            false,
        );
    }
    let doc = match &candidate.document {
        Some(Ok(doc)) => doc,
        Some(Err(not_object)) => {
            if !json_type && verdict.blocker.is_none() {
                // The wrong media type is the root cause of the unreadable body.
                verdict.blocker = Some(Code::PrmContentTypeNotJson);
            }
            if json_type {
                verdict.push(
                    Finding::new(
                        Code::PrmNotJsonObject,
                        format!(
                            "{}: the body is not a JSON object ({not_object}).",
                            seen(exchange)
                        ),
                        vec![id],
                    ),
                    true,
                );
            }
            verdict.usable = false;
            return verdict;
        }
        None => return verdict,
    };
    let mut usable = true;

    match &doc.resource {
        None => {
            let typed_wrong = doc.type_errors.iter().any(|t| t.field == "resource");
            if typed_wrong && verdict.blocker.is_none() {
                verdict.blocker = Some(Code::PrmFieldTypeInvalid);
            }
            if !typed_wrong {
                verdict.push(
                    Finding::new(
                        Code::PrmResourceMissing,
                        format!(
                            "The document at {} has no `resource` member; RFC 9728 §2 requires it and §3.3 requires clients to check it.",
                            candidate.url
                        ),
                        vec![id],
                    ),
                    true,
                );
            }
            usable = false;
        }
        Some(raw) => {
            if !judge_resource(&mut verdict, raw, mcp_url, candidate.source, id) {
                usable = false;
            }
        }
    }

    if !judge_authorization_servers(&mut verdict, doc, id) {
        usable = false;
    }
    judge_other_fields(&mut verdict, doc, id);
    if usable {
        judge_headers(&mut verdict, candidate, trace);
    }
    verdict.usable = usable && verdict.blocker.is_none();
    verdict
}

impl CandidateVerdict {
    pub(super) fn push(&mut self, finding: Finding, blocks: bool) {
        if blocks && self.blocker.is_none() {
            self.blocker = Some(finding.code);
        }
        self.findings.push(finding);
    }
}

/// Returns false when the resource makes the document unusable.
fn judge_resource(
    verdict: &mut CandidateVerdict,
    raw: &str,
    mcp_url: &Url,
    source: Source,
    id: ExchangeId,
) -> bool {
    let header_sourced = source == Source::Header;
    let issues = canonical_issues(raw);
    if issues.contains(&CanonicalIssue::Fragment) {
        verdict.push(
            Finding::new(
                Code::ResourceFragmentForbidden,
                format!("`resource` is \"{raw}\", which has a fragment; RFC 8707 §2 forbids fragments in resource identifiers."),
                vec![id],
            ),
            false,
        );
    }
    let spelling: Vec<String> = issues
        .iter()
        .filter(|i| **i != CanonicalIssue::Fragment)
        .map(|i| i.to_string())
        .collect();
    if !spelling.is_empty() {
        verdict.push(
            Finding::new(
                Code::PrmResourceNotCanonical,
                format!(
                    "`resource` is \"{raw}\": {}. Clients compare it with the URL they called; the canonical form avoids mismatches.",
                    spelling.join("; ")
                ),
                vec![id],
            ),
            false,
        );
    }
    match compare_resource(mcp_url, raw) {
        ResourceMatch::Exact => true,
        ResourceMatch::TrailingSlashOnly => {
            verdict.push(
                Finding::new(
                    Code::PrmResourceTrailingSlash,
                    format!("`resource` is \"{raw}\" but the MCP URL is {mcp_url}: they differ only by a trailing slash, and RFC 9728 §3.3 requires them to be identical (strict clients such as Microsoft Entra reject this)."),
                    vec![id],
                ),
                false,
            );
            true
        }
        ResourceMatch::QueryOnly { query } => {
            verdict.push(
                Finding::new(
                    Code::PrmResourceQueryDiffers,
                    format!("`resource` is \"{raw}\", the MCP URL {mcp_url} without its query (?{query}): that is the only difference. RFC 9728 §3.3 asks for identical values, while RFC 8707 §2 advises resource identifiers without a query, and the official TypeScript and Python SDK clients compare origin and path only; strict clients may refuse it."),
                    vec![id],
                ),
                false,
            );
            true
        }
        ResourceMatch::ParentPath => {
            verdict.push(parent_path_finding(raw, mcp_url, source, id), false);
            true
        }
        ResourceMatch::Mismatch { reason } => {
            let code = if header_sourced {
                Code::PrmHintResourceMismatch
            } else {
                Code::PrmResourceMismatch
            };
            let origin = if header_sourced {
                "the document named by the challenge's resource_metadata"
            } else {
                "the document"
            };
            verdict.push(
                Finding::new(
                    code,
                    format!("`resource` in {origin} is \"{raw}\" but the MCP URL requested was {mcp_url} ({reason}); RFC 9728 §3.3 says a client MUST NOT use metadata whose resource is not identical."),
                    vec![id],
                ),
                true,
            );
            false
        }
        ResourceMatch::Unparseable(why) => {
            verdict.push(
                Finding::new(
                    Code::Rfc3986InvalidUri,
                    format!("`resource` \"{raw}\" is not a valid URI ({why})."),
                    vec![id],
                ),
                true,
            );
            false
        }
        ResourceMatch::Relative => {
            verdict.push(
                Finding::new(
                    Code::Rfc3986AbsoluteHttpsRequired,
                    format!("`resource` \"{raw}\" is a relative reference; RFC 9728 §1.2 requires an absolute https URL."),
                    vec![id],
                ),
                true,
            );
            false
        }
    }
}

/// A parent-path `resource`, judged by where the document was found (RFC 9728 §3.3):
/// through the challenge or the path-suffix URL the value must be the MCP URL itself;
/// at the root well-known URL, the origin is exactly the identifier that URL was built
/// from, so only clients that compare with the MCP URL are affected.
fn parent_path_finding(raw: &str, mcp_url: &Url, source: Source, id: ExchangeId) -> Finding {
    let origin_at_root = source == Source::Root
        && Url::parse(raw).is_ok_and(|r| r.path() == "/" && r.query().is_none());
    if origin_at_root {
        return Finding::new(
            Code::PrmResourceParentPath,
            format!("`resource` is \"{raw}\", the origin of the MCP URL {mcp_url}, in the document at the root well-known URL: RFC 9728 §3.3 is met there (the origin is the identifier that URL was built from), but clients that compare `resource` with the MCP URL refuse it; the TypeScript, Python and Rust SDK clients accept a prefix."),
            vec![id],
        )
        .with_severity(Severity::Low);
    }
    let via = match source {
        Source::Header => "named by the challenge's resource_metadata",
        Source::PathSuffix => "at the path-suffix well-known URL",
        Source::Root => "at the root well-known URL",
    };
    Finding::new(
        Code::PrmResourceParentPath,
        format!("`resource` is \"{raw}\", a parent path of the MCP URL {mcp_url}, in the document {via}; RFC 9728 §3.3 requires it to be identical there. Strict clients refuse it; the TypeScript, Python and Rust SDK clients accept a prefix."),
        vec![id],
    )
}

/// True when `url` is on loopback, where https rules do not apply.
pub fn local(url: &Url) -> bool {
    is_loopback_url(url)
}
