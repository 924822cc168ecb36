//! Stage 4 checks: which metadata candidate a client following MCP 2025-11-25
//! ends up with for each issuer, and what is wrong with that document (RFC 8414).

use url::Url;

use crate::catalog::Code;
use crate::facts::auth_server::{kind_name, AsFetch, AuthServerFacts, IssuerFacts};
use crate::facts::Trace;
use crate::http::{ErrorKind, ExchangeId};
use crate::report::Finding;
use crate::wire::as_metadata::AsMetadata;

use super::as_document::judge_document;
use super::fetch::{fate, policy_finding, Fate};
use super::seen;

pub use super::as_document::scopes_whitespace;

/// What the checks need to know besides the fetched documents.
#[derive(Debug, Clone, Copy)]
pub struct AsContext<'a> {
    /// The URL of the MCP endpoint (the resource a client asks tokens for).
    pub mcp_url: &'a Url,
    /// The `resource` of the protected resource metadata in use.
    pub resource: Option<&'a str>,
}

/// The verdict on one issuer.
#[derive(Debug, Clone, Default)]
pub struct IssuerVerdict {
    /// Index of the candidate a client ends up with: the first answering 200 with a JSON object.
    pub winner: Option<usize>,
    /// The winner's metadata can be used: the issuer matches and the required members are there.
    pub usable: bool,
    /// No candidate produced any HTTP response (network failures, the guard).
    pub silent: bool,
    /// What is wrong.
    pub findings: Vec<Finding>,
}

/// What stage 4 concluded.
#[derive(Debug, Clone, Default)]
pub struct AuthServerVerdict {
    /// Per issuer, in the order of the facts.
    pub issuers: Vec<IssuerVerdict>,
    /// The issuer whose metadata the later stages use: the first usable one.
    pub selected: Option<usize>,
}

impl AuthServerVerdict {
    /// The selected issuer and its metadata.
    pub fn selected<'f>(
        &self,
        facts: &'f AuthServerFacts,
    ) -> Option<(&'f IssuerFacts, &'f AsMetadata)> {
        let i = self.selected?;
        let issuer = facts.issuers.get(i)?;
        let winner = self.issuers.get(i)?.winner?;
        Some((issuer, issuer.candidates.get(winner)?.doc()?))
    }

    /// Every finding of every issuer.
    pub fn findings(&self) -> Vec<Finding> {
        self.issuers
            .iter()
            .flat_map(|v| v.findings.iter().cloned())
            .collect()
    }
}

/// Judges every issuer and selects the one the later stages use.
pub fn evaluate(facts: &AuthServerFacts, trace: &Trace, ctx: AsContext<'_>) -> AuthServerVerdict {
    let issuers: Vec<IssuerVerdict> = facts
        .issuers
        .iter()
        .map(|i| judge_issuer(i, trace, ctx))
        .collect();
    let selected = issuers.iter().position(|v| v.usable);
    AuthServerVerdict { issuers, selected }
}

/// Adds a finding, or only its exchange ids when this code was already raised for the
/// issuer: the candidates of one issuer usually fail for one reason.
fn push_merged(findings: &mut Vec<Finding>, finding: Finding) {
    match findings.iter_mut().find(|f| f.code == finding.code) {
        Some(existing) => existing.exchange_ids.extend(finding.exchange_ids),
        None => findings.push(finding),
    }
}

fn media_is_json(media: &str) -> bool {
    media == "application/json"
}

/// Walks the candidates in the MCP order and judges the one a client ends up with.
pub fn judge_issuer(facts: &IssuerFacts, trace: &Trace, ctx: AsContext<'_>) -> IssuerVerdict {
    let mut verdict = IssuerVerdict::default();
    let raw = facts.issuer.raw.as_str();
    let mut five_xx: Vec<ExchangeId> = Vec::new();
    let mut cause: Option<Code> = None;
    let mut answered = false;
    for (i, candidate) in facts.candidates.iter().enumerate() {
        if let Some(f) = policy_finding(
            &candidate.fetch,
            trace,
            &format!("The metadata candidate {} of issuer {raw}", candidate.url),
            Code::AuthServerIssuerPrivateBlocked,
        ) {
            cause.get_or_insert(f.code);
            push_merged(&mut verdict.findings, f);
        }
        let Some(exchange) = candidate.exchange(trace) else {
            continue;
        };
        let Some(response) = &exchange.response else {
            continue;
        };
        answered = true;
        if response.status >= 500 {
            five_xx.push(exchange.id);
            continue;
        }
        if response.status != 200 {
            continue;
        }
        let media = response.media_type().unwrap_or_default();
        if !media_is_json(&media) {
            let what = if media.is_empty() {
                "no Content-Type".to_string()
            } else if media == "text/html" || response.body.trim_start().starts_with('<') {
                format!("{media} (an HTML page, not JSON)")
            } else {
                media.clone()
            };
            verdict.findings.push(Finding::new(
                Code::AuthServerMetadataContentTypeNotJson,
                format!(
                    "{} answered with {what}; RFC 8414 §3.2 requires the metadata as application/json.",
                    seen(exchange)
                ),
                vec![exchange.id],
            ));
            cause.get_or_insert(Code::AuthServerMetadataContentTypeNotJson);
        }
        match &candidate.document {
            Some(Ok(_)) => {
                verdict.winner = Some(i);
                break;
            }
            Some(Err(why)) if media_is_json(&media) => {
                verdict.findings.push(Finding::new(
                    Code::AuthServerMetadataInvalid,
                    format!("{}: the body is not a JSON object ({why}).", seen(exchange)),
                    vec![exchange.id],
                ));
                cause.get_or_insert(Code::AuthServerMetadataInvalid);
            }
            _ => {}
        }
    }
    verdict.silent = !answered;

    let Some(w) = verdict.winner else {
        if answered {
            let lines: Vec<String> = facts
                .candidates
                .iter()
                .filter_map(|c| c.exchange(trace))
                .map(seen)
                .collect();
            let ids = facts.candidates.iter().map(|c| c.fetch.last()).collect();
            let mut finding = Finding::new(
                Code::AuthServerMetadataUnreachable,
                format!(
                    "No metadata for issuer {raw}: {}. A client tries these URLs in this order (MCP 2025-11-25) and needs one to answer 200 with a JSON object.",
                    lines.join("; ")
                ),
                ids,
            );
            if let Some(cause) = cause {
                finding = finding.caused_by(cause);
            }
            verdict.findings.push(finding);
        }
        return verdict;
    };

    let winner = &facts.candidates[w];
    let Some(exchange) = winner.exchange(trace) else {
        return verdict;
    };
    let id = exchange.id;
    if !five_xx.is_empty() {
        let errors: Vec<String> = five_xx
            .iter()
            .filter_map(|i| trace.get(*i))
            .map(seen)
            .collect();
        let mut ids = five_xx.clone();
        ids.push(id);
        verdict.findings.push(Finding::new(
            Code::AuthServerCandidate5xx,
            format!(
                "{} answered with a server error before {} served the metadata; clients that stop at the first server error never reach it (4xx is what tells a client to try the next URL).",
                errors.join("; "),
                winner.url
            ),
            ids,
        ));
    }
    if let Some(doc) = winner.doc() {
        verdict.usable = judge_document(&mut verdict.findings, facts, winner, doc, id, ctx);
    }
    if let Some(root) = &facts.root {
        judge_root(&mut verdict.findings, root, trace, raw);
    }
    verdict
}

/// The 2025-03-26 compatibility probe: only a served document counts.
fn judge_root(findings: &mut Vec<Finding>, root: &AsFetch, trace: &Trace, raw: &str) {
    let Some(exchange) = root.exchange(trace) else {
        return;
    };
    if exchange.response.is_none() {
        return; // a timeout says nothing about the server's configuration
    }
    if root.doc().is_some() {
        return;
    }
    findings.push(Finding::new(
        Code::AuthServerRootWellknownProbeFailed,
        format!(
            "The issuer {raw} has a path, and {} serves no metadata; clients that look only at the root of the host (as MCP 2025-03-26 prescribed, and as clients that drop the issuer's path do) find nothing.",
            seen(exchange)
        ),
        vec![exchange.id],
    ));
}

/// Why an issuer's metadata could not be judged, for the funnel: "no answer (…)".
pub fn silence_reason(facts: &IssuerFacts, trace: &Trace) -> String {
    let kinds: Vec<String> = facts
        .candidates
        .iter()
        .filter_map(|c| match fate(&c.fetch, trace) {
            Fate::Failed(id, kind) => Some(
                trace
                    .get(id)
                    .and_then(|e| e.error.as_ref())
                    .map(|e| e.message.clone())
                    .unwrap_or_else(|| kind_label(kind).to_string()),
            ),
            Fate::Blocked(_) => Some("refused by the SSRF guard".to_string()),
            _ => None,
        })
        .collect();
    kinds.first().cloned().unwrap_or_else(|| "no answer".into())
}

fn kind_label(kind: ErrorKind) -> &'static str {
    kind.as_str()
}

/// `oauth candidate /.well-known/… → 200 application/json`: the winner, for the funnel.
pub fn winner_phrase(facts: &IssuerFacts, verdict: &IssuerVerdict, trace: &Trace) -> String {
    match verdict.winner {
        Some(w) => {
            let c = &facts.candidates[w];
            format!(
                "{} candidate {} → {}",
                kind_name(c.kind),
                c.url.path(),
                c.status(trace).map(|s| s.to_string()).unwrap_or_default()
            )
        }
        None => "no candidate serves metadata".into(),
    }
}

#[cfg(test)]
mod tests;
