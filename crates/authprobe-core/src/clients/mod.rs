//! Which clients get in: every client profile ([`profiles::PROFILES`]) judged over
//! the facts a scan recorded. The profiles are data; the judging is pure code over the
//! report (its findings and its exchanges) and sends no request of its own.
//!
//! An SDK profile is replayed step by step over the recorded exchanges (`walk`): the
//! URLs that client would request, in its order, with its parsing and its checks, until
//! it fails (with the step, the finding that explains it and the message the client
//! prints) or holds what it needs to log in. A URL the scan never fetched ends the walk
//! as "unknown", never as a guess. A closed host's profile is a list of documented
//! requirements (`documented`), each with its public source.

mod documented;
pub mod message;
pub mod profile;
pub mod profiles;
mod schema;
#[cfg(test)]
mod tests;
mod walk;
mod walk_as;
mod web;

use serde::{Deserialize, Serialize};

use crate::catalog::Code;
use crate::report::Report;
use profile::{Basis, Profile, Rules};

/// Whether a client gets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The client reaches an authorized MCP session (as far as the scan can tell).
    GetsIn,
    /// The client stops at `step`.
    Fails,
    /// The scan did not record what this client's next step depends on.
    Unknown,
}

impl Verdict {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::GetsIn => "gets-in",
            Verdict::Fails => "fails",
            Verdict::Unknown => "unknown",
        }
    }
}

/// Where in its walk a client stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientStep {
    /// The first request and its challenge.
    Challenge,
    /// Protected resource metadata.
    ProtectedResourceMetadata,
    /// Authorization server metadata.
    AuthorizationServerMetadata,
    /// Client registration.
    Registration,
    /// The authorization request.
    Authorization,
    /// The token request.
    Token,
    /// The MCP session with the token.
    Session,
}

impl ClientStep {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStep::Challenge => "challenge",
            ClientStep::ProtectedResourceMetadata => "protected-resource-metadata",
            ClientStep::AuthorizationServerMetadata => "authorization-server-metadata",
            ClientStep::Registration => "registration",
            ClientStep::Authorization => "authorization",
            ClientStep::Token => "token",
            ClientStep::Session => "session",
        }
    }
}

/// One client's verdict on one scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientVerdict {
    /// Profile id (`--client`).
    pub client: String,
    /// Human name and version.
    pub name: String,
    /// `code` (read from the client's code), `documented-behaviour` or `specification`.
    pub basis: String,
    /// Gets in, fails, or unknown.
    pub verdict: Verdict,
    /// Where it stops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<ClientStep>,
    /// What happens, in one sentence.
    pub detail: String,
    /// The finding that explains the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<Code>,
    /// The error message this client prints there (SDK profiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the verdict takes for granted because the scan could not see it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// The public pages a documented verdict rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// The result of judging one profile, before it is labelled.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Judged {
    pub verdict: Option<Verdict>,
    pub step: Option<ClientStep>,
    pub detail: String,
    pub finding: Option<Code>,
    pub message: Option<String>,
    pub assumptions: Vec<String>,
    pub sources: Vec<String>,
}

impl Judged {
    pub(crate) fn gets_in(detail: impl Into<String>) -> Judged {
        Judged {
            verdict: Some(Verdict::GetsIn),
            detail: detail.into(),
            ..Judged::default()
        }
    }

    pub(crate) fn unknown(step: ClientStep, detail: impl Into<String>) -> Judged {
        Judged {
            verdict: Some(Verdict::Unknown),
            step: Some(step),
            detail: detail.into(),
            ..Judged::default()
        }
    }

    pub(crate) fn fails(step: ClientStep, detail: impl Into<String>) -> Judged {
        Judged {
            verdict: Some(Verdict::Fails),
            step: Some(step),
            detail: detail.into(),
            ..Judged::default()
        }
    }

    /// The first of `codes` the report raised explains this verdict.
    pub(crate) fn explained_by(mut self, report: &Report, codes: &[Code]) -> Judged {
        self.finding = codes
            .iter()
            .copied()
            .find(|c| report.findings.iter().any(|f| f.code == *c));
        self
    }

    pub(crate) fn says(mut self, message: Option<String>) -> Judged {
        self.message = message
            .filter(|m| !m.is_empty())
            .map(|m| message::display(&m));
        self
    }
}

/// Judges every profile over a finished report.
pub fn judge(report: &Report) -> Vec<ClientVerdict> {
    profiles::PROFILES
        .iter()
        .map(|p| judge_one(p, report))
        .collect()
}

/// Judges one profile.
pub fn judge_one(profile: &Profile, report: &Report) -> ClientVerdict {
    let judged = match &profile.rules {
        Rules::Walk(rules) => walk::walk(rules, report),
        Rules::Documented(rules) => documented::judge(rules, report),
    };
    let name = match profile.basis {
        Basis::Documented | Basis::Specification => profile.name.to_string(),
        _ => format!("{} {}", profile.name, profile.version),
    };
    ClientVerdict {
        client: profile.id.to_string(),
        name,
        basis: profile.basis.as_str().to_string(),
        verdict: judged.verdict.unwrap_or(Verdict::Unknown),
        step: judged.step,
        detail: judged.detail,
        finding: judged.finding,
        message: judged.message,
        assumptions: judged.assumptions,
        sources: judged.sources,
    }
}

/// A profile and failure point whose message matches a pasted error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMatch {
    /// The profile id.
    pub client: &'static str,
    /// The template that matched.
    pub template: &'static str,
    /// Where the client prints it.
    pub step: ClientStep,
    /// What it means, in one sentence.
    pub meaning: &'static str,
    /// The findings that lead there.
    pub codes: &'static [Code],
}

/// The profiles and findings behind an error message a client printed.
pub fn explain_error(message: &str) -> Vec<MessageMatch> {
    walk::failure_points()
        .into_iter()
        .filter(|m| message::loosely_matches(m.template, message))
        .collect()
}

/// The exit code under `--fail-on-client`: 0 only when the client gets in; 2 when it
/// fails, when the scan cannot tell, or when no profile of that name was judged (the
/// gate is for CI: "not shown to get in" must not pass).
pub fn exit_code(verdict: Option<Verdict>) -> i32 {
    match verdict {
        Some(Verdict::GetsIn) => 0,
        _ => 2,
    }
}
