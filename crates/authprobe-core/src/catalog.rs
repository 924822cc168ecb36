//! The check catalog as data: one [`Code`] per finding and one [`Entry`] each.
//!
//! Codes are public API (JSON reports, `--fail-on`, SARIF rule ids): never rename
//! or remove one; add new ones at the end of their stage.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::report::{Severity, Stage};

macro_rules! define_codes {
    ($($variant:ident = $name:literal,)*) => {
        /// Every finding code, in catalog order (stage by stage, root causes first).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $name]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in catalog order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The public spelling, e.g. `PRM_RESOURCE_MISMATCH`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

include!("catalog/codes.rs");

impl Code {
    /// Position in catalog order.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Looks a code up by its public spelling (case-insensitive, `-` accepted for `_`).
    pub fn parse(input: &str) -> Option<Code> {
        let wanted = input.trim().replace('-', "_");
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(&wanted))
    }

    /// The catalog entry of this code.
    pub fn entry(self) -> &'static Entry {
        entries::entry(self)
    }

    /// The id of the funnel step this code counts towards (`challenge`, `prm`, …).
    pub fn step_id(self) -> &'static str {
        self.entry().step.as_str()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown finding code {s}")))
    }
}

/// Which conformance family a code belongs to (`--mcp` / `--rfc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Rules from the MCP specification.
    Mcp,
    /// Rules from the RFCs (OAuth, HTTP, URI).
    Rfc,
    /// Local policy (SSRF guard) and observations; unaffected by `--mcp` / `--rfc`.
    Policy,
}

/// How strong the rule behind a code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// A MUST / MUST NOT / REQUIRED.
    Must,
    /// A SHOULD / SHOULD NOT / RECOMMENDED, or a best practice (raised by `strict`).
    Should,
    /// A duty no sentence states, implied by the flow it breaks (a declared
    /// capability, the discovery flow, a rule that binds clients); the finding
    /// says so instead of citing a MUST that does not exist.
    Implied,
    /// An observation or local policy.
    Observation,
}

/// A citation: which document, which section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// Document, e.g. `RFC 9728` or `MCP 2025-11-25`.
    pub spec: &'static str,
    /// Section, e.g. `§3.3` or `Authorization › Canonical Server URI`.
    pub section: &'static str,
    /// Where to read it.
    pub url: &'static str,
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.spec, self.section)
    }
}

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Entry {
    /// The code.
    pub code: Code,
    /// Default severity.
    pub severity: Severity,
    /// Default confidence.
    pub confidence: f32,
    /// Stage that raises it.
    pub stage: Stage,
    /// Conformance family.
    pub family: Family,
    /// Strength of the rule.
    pub strength: Strength,
    /// One-line title.
    pub title: &'static str,
    /// When it fires.
    pub fires_when: &'static str,
    /// Spec references.
    pub references: &'static [Reference],
    /// How to fix it.
    pub remediation: &'static str,
    /// What the finding means for a client (drives the outcome).
    pub impact: Impact,
    /// The funnel step whose verdict the finding counts towards.
    pub step: FunnelStep,
    /// Whether the scanner raises the code today.
    pub status: Status,
}

impl Entry {
    /// True when the scanner raises this code today (not planned, not reserved).
    pub fn raised(&self) -> bool {
        self.status == Status::Raised
    }
}

/// What a finding means for a client: whether it can get in, and whether it is safe.
///
/// The scan's outcome is `protected-broken` only when a finding with a `blocks-*`
/// impact is present; severity alone drives `--fail-on` and the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// A conforming client cannot find the authorization server.
    BlocksDiscovery,
    /// A conforming client finds the authorization server but cannot log in.
    BlocksLogin,
    /// A conforming client cannot open or keep an MCP session.
    BlocksSession,
    /// Some clients, or some situations, fail.
    Degrades,
    /// Clients get in, but the setup is unsafe.
    Security,
    /// Drift from the texts without consequence for clients today.
    Hygiene,
}

impl Impact {
    /// Every impact, from the most to the least severe for a client.
    pub const ALL: [Impact; 6] = [
        Impact::BlocksDiscovery,
        Impact::BlocksLogin,
        Impact::BlocksSession,
        Impact::Degrades,
        Impact::Security,
        Impact::Hygiene,
    ];

    /// The public spelling, e.g. `blocks-discovery`.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::BlocksDiscovery => "blocks-discovery",
            Impact::BlocksLogin => "blocks-login",
            Impact::BlocksSession => "blocks-session",
            Impact::Degrades => "degrades",
            Impact::Security => "security",
            Impact::Hygiene => "hygiene",
        }
    }

    /// True for the `blocks-*` impacts, the only ones that make a scan `protected-broken`.
    pub fn is_blocking(self) -> bool {
        matches!(
            self,
            Impact::BlocksDiscovery | Impact::BlocksLogin | Impact::BlocksSession
        )
    }

    /// One line saying what the impact means.
    pub fn meaning(self) -> &'static str {
        match self {
            Impact::BlocksDiscovery => "a conforming client cannot find the authorization server",
            Impact::BlocksLogin => {
                "a conforming client finds the authorization server but cannot log in"
            }
            Impact::BlocksSession => "a conforming client cannot open or keep an MCP session",
            Impact::Degrades => "some clients, or some situations, fail",
            Impact::Security => "clients get in, but the setup is unsafe",
            Impact::Hygiene => "drift from the texts without consequence for clients today",
        }
    }
}

/// The funnel steps a finding can count towards, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FunnelStep {
    /// The unauthenticated request and its challenge.
    Challenge,
    /// The request with a made-up token.
    InvalidToken,
    /// The GET that may open a stream.
    GetStream,
    /// MCP lifecycle: initialization, version, notifications.
    Transport,
    /// The other transport rules (sessions, JSON-RPC framing, headers).
    TransportRules,
    /// Tool listing and tool definitions.
    Tools,
    /// Protected resource metadata.
    Prm,
    /// Authorization server metadata and keys.
    AuthServer,
    /// The token endpoint.
    Token,
    /// Client registration.
    Registration,
    /// The scan's own login (`--login`).
    Login,
    /// The authenticated session.
    Session,
    /// Requests the authenticated server must refuse (no token, a token in
    /// the query, malformed or forged credentials).
    SessionTokens,
}

impl FunnelStep {
    /// The step id used in reports, e.g. `invalid-token`.
    pub fn as_str(self) -> &'static str {
        match self {
            FunnelStep::Challenge => "challenge",
            FunnelStep::InvalidToken => "invalid-token",
            FunnelStep::GetStream => "get-stream",
            FunnelStep::Transport => "transport",
            FunnelStep::TransportRules => "transport-rules",
            FunnelStep::Tools => "tools",
            FunnelStep::Prm => "prm",
            FunnelStep::AuthServer => "auth-server",
            FunnelStep::Token => "token",
            FunnelStep::Registration => "registration",
            FunnelStep::Login => "login",
            FunnelStep::Session => "session",
            FunnelStep::SessionTokens => "session-tokens",
        }
    }
}

/// Whether the scanner raises a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Raised by a check today.
    Raised,
    /// A check that is specified but not built yet: never raised.
    Planned,
    /// Kept only so that old gates keep working: never raised.
    Reserved,
}

/// Codes whose rule exists in one protocol revision only, with that revision: they
/// are raised only for servers judged to speak it.
pub const REVISION_RULES: &[(Code, &str)] = &[
    (Code::ChallengeOfflineAccess, "2026-07-28"),
    (Code::PrmScopesOfflineAccess, "2026-07-28"),
];

mod entries;
mod markdown;
mod proofs;

pub use markdown::{explain_text, findings_markdown};
pub use proofs::UNIT_PROOFS;

#[cfg(test)]
mod citation_tests;
#[cfg(test)]
mod tests;
