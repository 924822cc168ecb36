//! The validated scan configuration: the engine's only input.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::http::{ExchangeObserver, HostLimits};

/// How strictly a family of checks (MCP or RFC) is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FamilyMode {
    /// The family is skipped.
    Off,
    /// Default severities.
    #[default]
    BestEffort,
    /// SHOULD-level findings of the family are raised one step.
    Strict,
}

impl FamilyMode {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FamilyMode::Off => "off",
            FamilyMode::BestEffort => "best-effort",
            FamilyMode::Strict => "strict",
        }
    }
}

/// What the scan may do to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanMode {
    /// Anonymous GET/POST/OPTIONS only; creates no state on the target.
    #[default]
    Passive,
    /// May register clients and start authorization requests (and cleans up).
    Active,
}

impl ScanMode {
    /// Lowercase name, as reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanMode::Passive => "passive",
            ScanMode::Active => "active",
        }
    }
}

/// A validated scan configuration. Build it with [`ScanConfig::new`] and adjust fields.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// The MCP endpoint to scan.
    pub target: Url,
    /// Extra headers sent on every request to the target (`-H`).
    pub headers: Vec<(String, String)>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Overall deadline for the whole scan.
    pub deadline: Duration,
    /// Follow redirects of the target URL (up to 5).
    pub follow_redirects: bool,
    /// Accept invalid TLS certificates.
    pub insecure: bool,
    /// Let document-derived URLs reach private and loopback addresses.
    pub allow_private_issuers: bool,
    /// Body cap per response, in bytes.
    pub body_cap: usize,
    /// MCP check family.
    pub mcp_mode: FamilyMode,
    /// RFC check family.
    pub rfc_mode: FamilyMode,
    /// Passive or active.
    pub mode: ScanMode,
    /// A bearer token for authenticated checks.
    pub bearer_token: Option<String>,
    /// Force this MCP protocol version instead of detecting one.
    pub protocol_version: Option<String>,
    /// The command line to echo in reports (redacted when rendered).
    pub command_line: String,
    /// The target is authprobe's loopback bridge to a stdio server: authorization
    /// does not apply (MCP: stdio servers take credentials from the environment),
    /// so only stage 2 runs, without the HTTP-level rules that would judge the bridge.
    pub stdio_bridge: bool,
    /// Told about each exchange as it completes, for live output (`--verbose`).
    pub observer: Option<ExchangeObserver>,
    /// The cap on requests in flight per host (`--concurrency`); a batch gives every
    /// scan a clone of the same one, so targets on one host share it.
    pub limits: HostLimits,
    /// `--login`: obtain a token through the server's own OAuth setup.
    pub login: Option<LoginConfig>,
}

/// Which OAuth grant `--login` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoginFlow {
    /// Authorization code with PKCE S256 and a loopback redirect (RFC 8252 §7.3).
    #[default]
    Code,
    /// The device authorization grant (RFC 8628).
    Device,
    /// The client credentials grant (a pre-registered confidential client).
    ClientCredentials,
}

impl LoginFlow {
    /// The spelling of `--login`.
    pub fn as_str(self) -> &'static str {
        match self {
            LoginFlow::Code => "code",
            LoginFlow::Device => "device",
            LoginFlow::ClientCredentials => "client-credentials",
        }
    }
}

/// The person's side of a login: the engine never prints, so showing the
/// authorization URL, opening a browser and showing a device code go through
/// this trait, which the binary implements. The engine waits for the
/// redirect itself, on its own loopback listener.
pub trait LoginFrontEnd: Send + Sync {
    /// The authorization URL is ready: show it, and open a browser unless told not to.
    fn authorize(&self, url: &str);
    /// A device authorization is ready: show the code and where to enter it.
    fn device_code(&self, verification_uri: &str, user_code: &str, complete: Option<&str>);
    /// The token response obtained (JSON text), e.g. to save it for `--token-out`.
    fn obtained(&self, token_response: &str);
}

/// How `--login` logs in.
#[derive(Clone)]
pub struct LoginConfig {
    /// The grant.
    pub flow: LoginFlow,
    /// A pre-registered client (`--client-id`).
    pub client_id: Option<String>,
    /// Its secret (`--client-secret`): a confidential client.
    pub client_secret: Option<String>,
    /// A Client ID Metadata Document URL the user hosts (`--client-metadata-url`).
    pub client_metadata_url: Option<String>,
    /// The scopes to ask for (`--scope`); otherwise the challenge's, else the PRM's.
    pub scope: Option<String>,
    /// How long the person may take (`--login-timeout`).
    pub timeout: Duration,
    /// Keep a client registered for the login (its token is saved for later
    /// use, `--token-out`, and deleting the client would revoke it).
    pub keep_client: bool,
    /// The person's side.
    pub front_end: Arc<dyn LoginFrontEnd>,
}

/// Default `--login-timeout`.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(120);

impl std::fmt::Debug for LoginConfig {
    // Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginConfig")
            .field("flow", &self.flow)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("client_metadata_url", &self.client_metadata_url)
            .field("scope", &self.scope)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(8);
/// Default overall deadline.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// Default body cap: 1 MiB.
pub const DEFAULT_BODY_CAP: usize = 1024 * 1024;

impl ScanConfig {
    /// A configuration with every default for `target`.
    pub fn new(target: Url) -> Self {
        ScanConfig {
            target,
            headers: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            follow_redirects: true,
            insecure: false,
            allow_private_issuers: false,
            body_cap: DEFAULT_BODY_CAP,
            mcp_mode: FamilyMode::default(),
            rfc_mode: FamilyMode::default(),
            mode: ScanMode::default(),
            bearer_token: None,
            protocol_version: None,
            command_line: String::new(),
            stdio_bridge: false,
            observer: None,
            limits: HostLimits::default(),
            login: None,
        }
    }
}

/// Why a target URL cannot be scanned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    /// Not a URL at all.
    #[error("`{input}` is not a valid URL ({reason}); give an absolute URL such as https://example.com/mcp")]
    Unparseable {
        /// What the user typed.
        input: String,
        /// The parser's complaint.
        reason: String,
    },
    /// A URL with a scheme other than http or https.
    #[error(
        "`{input}` uses the scheme `{scheme}`; authprobe scans http:// and https:// MCP endpoints"
    )]
    UnsupportedScheme {
        /// What the user typed.
        input: String,
        /// The scheme found.
        scheme: String,
    },
}

/// Parses and validates a target URL given by the user.
pub fn parse_target(input: &str) -> Result<Url, TargetError> {
    let url = Url::parse(input.trim()).map_err(|e| TargetError::Unparseable {
        input: input.to_string(),
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err(TargetError::Unparseable {
            input: input.to_string(),
            reason: "no host".to_string(),
        }),
        other => Err(TargetError::UnsupportedScheme {
            input: input.to_string(),
            scheme: other.to_string(),
        }),
    }
}
