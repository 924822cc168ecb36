//! The scan result: outcome, steps, findings, exchanges, and the primary-finding rule.

use serde::{Deserialize, Serialize};

use crate::catalog::Code;
use crate::http::{Exchange, ExchangeId};

/// Version of the JSON report layout.
pub const SCHEMA_VERSION: u32 = 1;

/// The funnel stages, in the order a client walks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// 1: the unauthenticated request and its challenge.
    Challenge,
    /// 2: MCP transport and lifecycle.
    Transport,
    /// 3: RFC 9728 protected resource metadata.
    Prm,
    /// 4: authorization server metadata.
    AuthServer,
    /// 5: token endpoint readiness.
    Token,
    /// 6: client registration.
    Registration,
    /// 7: the authenticated session.
    Session,
}

impl Stage {
    /// Every stage in funnel order.
    pub const ALL: [Stage; 7] = [
        Stage::Challenge,
        Stage::Transport,
        Stage::Prm,
        Stage::AuthServer,
        Stage::Token,
        Stage::Registration,
        Stage::Session,
    ];

    /// Stage number, 1 to 7.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// Human title of the stage.
    pub fn title(self) -> &'static str {
        match self {
            Stage::Challenge => "Challenge",
            Stage::Transport => "MCP transport",
            Stage::Prm => "Protected resource metadata",
            Stage::AuthServer => "Authorization server metadata",
            Stage::Token => "Token endpoint",
            Stage::Registration => "Client registration",
            Stage::Session => "Authenticated session",
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// An observation; never fails a gate.
    Info,
    /// SHOULD-level or best practice.
    Low,
    /// Breaks some clients, or a compatibility hazard.
    Medium,
    /// A conforming client cannot get in, or a security MUST is broken.
    High,
}

impl Severity {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// One step up (strict mode); `high` stays `high`, `info` stays `info`.
    pub fn raised(self) -> Severity {
        match self {
            Severity::Low => Severity::Medium,
            Severity::Medium | Severity::High => Severity::High,
            Severity::Info => Severity::Info,
        }
    }
}

/// The one-word answer of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Auth is required and discovery works.
    ProtectedOk,
    /// Auth is required and a conforming client cannot (reliably) get in.
    ProtectedBroken,
    /// The server answers MCP without credentials (neutral: auth is optional in MCP).
    NoAuth,
    /// 401/403 with a non-OAuth scheme and no OAuth discovery.
    NonOauthAuth,
    /// The URL redirects elsewhere.
    Redirected,
    /// No MCP endpoint at this URL.
    NotMcp,
    /// DNS, connection or TLS failure.
    Unreachable,
    /// Nothing answered in time.
    Timeout,
}

impl Outcome {
    /// Kebab-case name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::ProtectedOk => "protected-ok",
            Outcome::ProtectedBroken => "protected-broken",
            Outcome::NoAuth => "no-auth",
            Outcome::NonOauthAuth => "non-oauth-auth",
            Outcome::Redirected => "redirected",
            Outcome::NotMcp => "not-mcp",
            Outcome::Unreachable => "unreachable",
            Outcome::Timeout => "timeout",
        }
    }

    /// True when the scan learned nothing about the server (exit code 3).
    pub fn is_failure_to_scan(self) -> bool {
        matches!(self, Outcome::Unreachable | Outcome::Timeout)
    }
}

/// One judged deviation, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Catalog code.
    pub code: Code,
    /// Effective severity (after `--mcp/--rfc strict`).
    pub severity: Severity,
    /// 0.0–1.0: how directly the observation proves it.
    pub confidence: f32,
    /// Stage that raised it.
    pub stage: Stage,
    /// What was seen and what was expected, in plain words.
    pub evidence: String,
    /// Exchanges that prove it.
    pub exchange_ids: Vec<ExchangeId>,
    /// The finding this one is a consequence of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caused_by: Option<Code>,
}

impl Finding {
    /// A finding with the catalog's default severity and confidence.
    pub fn new(code: Code, evidence: impl Into<String>, exchange_ids: Vec<ExchangeId>) -> Self {
        let entry = code.entry();
        Finding {
            code,
            severity: entry.severity,
            confidence: entry.confidence,
            stage: entry.stage,
            evidence: evidence.into(),
            exchange_ids,
            caused_by: None,
        }
    }

    /// Marks this finding as a consequence of `cause`.
    pub fn caused_by(mut self, cause: Code) -> Self {
        self.caused_by = Some(cause);
        self
    }

    /// Overrides the severity, where the catalog names two levels for one code
    /// (for example a rule that binds less strictly in one situation).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Overrides the confidence.
    pub fn with_confidence(mut self, confidence: f32) -> Self {
        self.confidence = confidence;
        self
    }
}

/// Verdict of one step of the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum StepStatus {
    /// Checked and fine.
    Pass,
    /// Checked: a finding at `high` (or `medium`) severity.
    Fail,
    /// Checked: only `low` findings.
    Warn,
    /// Not checked; `detail` says why.
    Skip,
}

impl StepStatus {
    /// The verdict of a checked step from the worst severity among its findings:
    /// high or medium fail it, low warns, info or nothing passes.
    pub fn from_worst(worst: Option<Severity>) -> StepStatus {
        match worst {
            Some(Severity::High | Severity::Medium) => StepStatus::Fail,
            Some(Severity::Low) => StepStatus::Warn,
            _ => StepStatus::Pass,
        }
    }

    /// For a step whose request got no answer: nothing was judged, so no finding
    /// means SKIP, never PASS; a finding keeps its status.
    pub fn or_skip(self) -> StepStatus {
        match self {
            StepStatus::Pass => StepStatus::Skip,
            other => other,
        }
    }

    /// Uppercase label.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pass => "PASS",
            StepStatus::Fail => "FAIL",
            StepStatus::Warn => "WARN",
            StepStatus::Skip => "SKIP",
        }
    }
}

/// One line of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Stable identifier, e.g. `challenge`.
    pub id: String,
    /// Stage it belongs to.
    pub stage: Stage,
    /// Human name.
    pub name: String,
    /// Verdict.
    pub status: StepStatus,
    /// One-line reason.
    pub detail: String,
    /// Exchanges this step sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchange_ids: Vec<ExchangeId>,
}

/// The access token of stage 7 as the report shows it: the decoded claims of
/// a JWT (never verified, never the token or its signature), or that it is
/// opaque.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// `jwt` or `opaque`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `given` (`--bearer-token`, `--bearer-token-file`) or `login` (`--login`).
    pub source: String,
    /// The JOSE header's `alg`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// The `iss` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The `aud` claim (one or more audiences).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aud: Vec<String>,
    /// The `scope` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The `exp` claim, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The `client_id` claim (or `azp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// One PRM candidate URL and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrmCandidate {
    /// `header`, `path-suffix` or `root`.
    pub source: String,
    /// The URL fetched.
    pub url: String,
    /// The exchange that fetched it (absent when it could not be built).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_id: Option<ExchangeId>,
    /// HTTP status, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// True when it yielded a usable RFC 9728 document.
    pub usable: bool,
    /// True for the candidate a MCP 2025-11-25 client would use.
    pub chosen: bool,
}

/// What the scan learned about the OAuth discovery path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthDiscovery {
    /// The `resource_metadata` URL from the challenge, resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_metadata: Option<String>,
    /// Every PRM candidate, in client order.
    pub prm_candidates: Vec<PrmCandidate>,
    /// The `resource` of the chosen document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// `authorization_servers` of the chosen document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// `scopes_supported` of the chosen document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// The scope named by the challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_scope: Option<String>,
    /// Stage 4: every issuer probed, its metadata candidates and what they offer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_server_metadata: Vec<AuthServerInfo>,
    /// Stage 6: how a client can register with the selected authorization server
    /// (`client-id-metadata-document`, `dynamic-client-registration`, `pre-registration-only`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registration_paths: Vec<String>,
    /// Stage 6 (`--active`): the clients the scan registered, and whether each was deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_clients: Vec<TestClient>,
}

/// One authorization server metadata URL tried and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsCandidateInfo {
    /// `oauth`, `oidc-inserted` or `oidc-appended`.
    pub kind: String,
    /// The URL fetched.
    pub url: String,
    /// The exchange that fetched it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_id: Option<ExchangeId>,
    /// HTTP status, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// True for the candidate a MCP 2025-11-25 client ends up with.
    pub chosen: bool,
}

/// One issuer of `authorization_servers` and its metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthServerInfo {
    /// The issuer identifier, as the protected resource metadata gives it.
    pub issuer: String,
    /// Every candidate URL, in the order a client tries them.
    pub candidates: Vec<AsCandidateInfo>,
    /// True when its metadata is usable (issuer matches, required members present).
    pub usable: bool,
    /// True for the authorization server the later stages used.
    pub selected: bool,
    /// `authorization_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// `registration_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// `jwks_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// `grant_types_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant_types_supported: Vec<String>,
    /// `response_types_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_types_supported: Vec<String>,
    /// `scopes_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// `code_challenge_methods_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_challenge_methods_supported: Vec<String>,
    /// `token_endpoint_auth_methods_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub token_endpoint_auth_methods_supported: Vec<String>,
}

/// A client the scan registered in `--active` mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestClient {
    /// The `client_id` issued.
    pub client_id: String,
    /// Which registration created it (`realistic`, `second-client`, …).
    pub case: String,
    /// True when the RFC 7592 DELETE succeeded.
    pub deleted: bool,
}

/// The MCP revision spoken, as far as the scan could tell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtocolInfo {
    /// `2026-07-28`, `2025-stateful`, `2024-11-05-sse`, or `unknown`.
    pub era: String,
    /// The version from the initialize result, if one was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negotiated_version: Option<String>,
    /// The version the scan offered.
    pub requested_version: String,
}

/// Everything a scan produced. Renderers turn it into bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Layout version of this structure.
    pub schema_version: u32,
    /// Version of authprobe that produced it.
    pub tool_version: String,
    /// The command line, as the user typed it (redacted when rendered).
    pub command: String,
    /// The URL scanned.
    pub target: String,
    /// `passive` or `active` (a given token enables more checks in either).
    pub mode: String,
    /// MCP family setting.
    pub mcp_mode: String,
    /// RFC family setting.
    pub rfc_mode: String,
    /// RFC 3339 start time.
    pub timestamp: String,
    /// Wall time of the scan.
    pub duration_ms: f64,
    /// Round trips on the longest chain of requests that waited for each other's
    /// answers (a redirect hop counts as one): the least time the scan can take is
    /// this many round-trip times.
    #[serde(default)]
    pub critical_path: u32,
    /// The one-word answer.
    pub outcome: Outcome,
    /// Whether the MCP endpoint demanded credentials (unknown when it never answered).
    pub auth_required: Option<bool>,
    /// Whether the PRM a client would use is usable.
    pub prm_ok: bool,
    /// Whether a conforming client can find its authorization server.
    pub oauth_discovery_viable: bool,
    /// Whether authorization server metadata was validated (stage 4; false until it runs).
    pub authz_server_metadata_ok: bool,
    /// MCP revision information.
    pub protocol: ProtocolInfo,
    /// Discovery facts.
    pub auth_discovery: AuthDiscovery,
    /// The funnel.
    pub steps: Vec<Step>,
    /// Every finding, in deterministic order (stage, then catalog order).
    pub findings: Vec<Finding>,
    /// Code of the primary finding (see [`primary_finding`]).
    pub primary_finding: Option<Code>,
    /// Every exchange, by id.
    pub exchanges: Vec<Exchange>,
    /// Tools listed by the server (filled by the transport stage).
    #[serde(default)]
    pub tools: Vec<serde_json::Value>,
    /// Which clients get in: one verdict per client profile (`crate::clients`).
    #[serde(default)]
    pub clients: Vec<crate::clients::ClientVerdict>,
    /// The stdio server behind authprobe's loopback bridge, when one was scanned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdio: Option<StdioServer>,
    /// The access token of stage 7, decoded (absent without a token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenInfo>,
    /// The root-cause analysis of the primary finding (every report from a scan has
    /// one; see [`crate::root_cause`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<crate::root_cause::RootCause>,
}

/// A stdio MCP server that authprobe launched and bridged to a loopback URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StdioServer {
    /// The command that started it, as given.
    pub command: String,
    /// Its process id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// How it ended, when it ended before the report was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<String>,
    /// The last lines it wrote to stderr, and any stdout line that was not JSON-RPC.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stderr_tail: Vec<String>,
}

impl Report {
    /// The exchange with this id.
    pub fn exchange(&self, id: ExchangeId) -> Option<&Exchange> {
        self.exchanges.iter().find(|e| e.id == id)
    }

    /// The primary finding, if any.
    pub fn primary(&self) -> Option<&Finding> {
        let code = self.primary_finding?;
        self.findings.iter().find(|f| f.code == code)
    }

    /// The highest severity among findings.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Chooses the primary finding: among findings at `low` or above that are not a
/// consequence of another, the highest severity, then the highest confidence,
/// then the earliest stage, then catalog order (root causes are listed first).
pub fn primary_finding(findings: &[Finding]) -> Option<Code> {
    findings
        .iter()
        .filter(|f| f.severity >= Severity::Low && f.caused_by.is_none())
        .min_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.confidence.total_cmp(&a.confidence))
                .then(a.stage.cmp(&b.stage))
                .then(a.code.index().cmp(&b.code.index()))
        })
        .map(|f| f.code)
}
