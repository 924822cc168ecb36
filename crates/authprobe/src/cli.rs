//! The command-line surface: one definition of every command and flag.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `authprobe --version`: the version and the git commit the binary was built from
/// (`unknown` when it was built without git; see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("AUTHPROBE_GIT_COMMIT"),
    ")"
);

/// Tells you exactly why an MCP client cannot get into your MCP server.
#[derive(Debug, Parser)]
#[command(name = "authprobe", version = VERSION, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the discovery and authorization path of an MCP endpoint (or many) and report.
    Scan(Box<ScanArgs>),
    /// Start the built-in lab on a free loopback port and scan it.
    Demo(DemoArgs),
    /// Run the lab server in the foreground (a compliant MCP + OAuth server, or a named mistake).
    Lab(LabArgs),
    /// Print a finding code's catalog entry: what it means, the spec text, the fix.
    Explain(ExplainArgs),
    /// Run authprobe as an MCP server: the scan as tools for agents (stdio or Streamable HTTP).
    Mcp(McpArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout: `authprobe man`, or `authprobe man scan` for a command.
    Man {
        /// A command whose own page to print (e.g. `scan`).
        command: Option<String>,
    },
    /// Compare two JSON reports: new, fixed and changed findings; exit 2 on a regression.
    Diff {
        /// The earlier report.
        old: PathBuf,
        /// The later report.
        new: PathBuf,
    },
    /// Join the outputs of sharded batch runs (`--shard I/N --json -`) into one summary
    /// table and exit code, as one batch would give.
    Merge(MergeArgs),
}

/// `authprobe merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The NDJSON files the shards wrote (`-` for stdin).
    #[arg(value_name = "NDJSON", required = true)]
    pub files: Vec<PathBuf>,
    /// Exit 2 when a finding at or above this severity exists in any report.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    pub fail_on: FailOn,
}

/// A check family's strictness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FamilyArg {
    /// Skip the family.
    Off,
    /// Default severities.
    BestEffort,
    /// Raise SHOULD-level findings one step.
    Strict,
}

/// Severity gate for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Never exit 2 because of findings.
    None,
    /// Exit 2 on any finding at low or above.
    Low,
    /// Exit 2 on medium or high.
    Medium,
    /// Exit 2 on high.
    High,
}

/// When to colour the terminal report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Flags that shape what is sent.
#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// Extra request header `Name: value` on every request to the target's origin (repeatable).
    #[arg(short = 'H', long = "header", value_name = "K:V")]
    pub header: Vec<String>,
    /// Per-request timeout in seconds.
    #[arg(long, value_parser = seconds, allow_negative_numbers = true, default_value_t = 8.0, value_name = "SEC")]
    pub timeout: f64,
    /// Overall deadline of the scan in seconds.
    #[arg(long, value_parser = seconds, allow_negative_numbers = true, default_value_t = 60.0, value_name = "SEC")]
    pub deadline: f64,
    /// MCP conformance family.
    #[arg(long, value_enum, default_value_t = FamilyArg::BestEffort)]
    pub mcp: FamilyArg,
    /// RFC conformance family.
    #[arg(long, value_enum, default_value_t = FamilyArg::BestEffort)]
    pub rfc: FamilyArg,
    /// Let document-derived URLs reach private and loopback addresses.
    #[arg(long)]
    pub allow_private_issuers: bool,
    /// Accept invalid TLS certificates.
    #[arg(long)]
    pub insecure: bool,
    /// Do not follow redirects of the target URL.
    #[arg(long)]
    pub no_follow_redirects: bool,
    /// Allow probes that create state (client registrations); they clean up after themselves.
    #[arg(long)]
    pub active: bool,
    /// A bearer token for the authenticated checks.
    #[arg(long, value_name = "TOKEN", conflicts_with = "bearer_token_file")]
    pub bearer_token: Option<String>,
    /// Read the bearer token from a file.
    #[arg(long, value_name = "FILE")]
    pub bearer_token_file: Option<PathBuf>,
    /// Force an MCP protocol revision (e.g. 2025-06-18, 2026-07-28) instead of detecting it.
    #[arg(long, value_name = "VERSION")]
    pub protocol_version: Option<String>,
}

/// Flags that shape what is printed and written.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Write the JSON report to a file, or `-` for stdout.
    #[arg(long, value_name = "PATH")]
    pub json: Option<String>,
    /// Exit 2 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    pub fail_on: FailOn,
    /// Print each request and response (redacted) on stderr as the scan runs.
    #[arg(short, long)]
    pub verbose: bool,
    /// Append the full exchanges of the failed steps to the report.
    #[arg(long)]
    pub trace_failure: bool,
    /// Do not redact secrets (prints a warning).
    #[arg(long)]
    pub no_redact: bool,
    /// Colour the terminal report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print no terminal report.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the specification rationale of each step, with section citations.
    #[arg(short = 'e', long)]
    pub explain: bool,
    /// Write a Markdown report (for a GitHub issue) to a file, or `-` for stdout.
    #[arg(long, value_name = "PATH")]
    pub md: Option<String>,
    /// Write the call trace as a text sequence diagram to a file, or `-` for stdout.
    #[arg(long, value_name = "PATH")]
    pub trace_ascii: Option<String>,
    /// Write an evidence bundle (zip: reports, trace, every exchange, SHA-256 manifest).
    #[arg(long, value_name = "PATH")]
    pub bundle: Option<String>,
    /// Put relative output paths in this directory; alone, write every format there.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<String>,
    /// Write SARIF 2.1.0 (for code scanning) to a file, or `-` for stdout.
    #[arg(long, value_name = "PATH")]
    pub sarif: Option<String>,
    /// Write JUnit XML (one test case per check) to a file, or `-` for stdout.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<String>,
    /// Write a self-contained HTML report to a file, or `-` for stdout.
    #[arg(long, value_name = "PATH")]
    pub html: Option<String>,
    /// Show only these clients in the "Clients" section (repeatable, or comma-separated).
    #[arg(long = "client", value_name = "NAME", value_delimiter = ',',
          value_parser = clap::builder::PossibleValuesParser::new(client_ids()))]
    pub clients: Vec<String>,
    /// Make the exit code follow this client's verdict instead of --fail-on: 0 when it
    /// gets in, 2 when it fails or the scan cannot tell.
    #[arg(long, value_name = "NAME",
          value_parser = clap::builder::PossibleValuesParser::new(client_ids()))]
    pub fail_on_client: Option<String>,
}

/// The client profile ids `--client` and `--fail-on-client` accept.
fn client_ids() -> Vec<&'static str> {
    authprobe_core::clients::profiles::PROFILES
        .iter()
        .map(|p| p.id)
        .collect()
}

/// `authprobe scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The MCP endpoint URL, e.g. https://example.com/mcp; several URLs are scanned as a batch.
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    #[command(flatten)]
    pub probe: ProbeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// List the server's tools after the report (on stderr when stdout carries JSON).
    #[arg(short = 'l', long)]
    pub tool_list: bool,
    /// Print one tool's JSON after the report.
    #[arg(short = 'd', long, value_name = "NAME")]
    pub tool_detail: Option<String>,
    /// Launch a stdio MCP server (`'prog arg…'`, quoted like a shell; no pipes or variables)
    /// and scan it through a loopback HTTP bridge; it is stopped afterwards.
    #[arg(long, value_name = "CMD")]
    pub stdio_command: Option<String>,
    /// Scan every URL listed in a file (one per line, `#` starts a comment) as a batch,
    /// with any URLs given beside it.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Compare with an earlier JSON report; exit 2 when something regressed.
    #[arg(long, value_name = "OLD_JSON")]
    pub baseline: Option<PathBuf>,
    /// Obtain a token through the server's own OAuth setup, then run the authenticated
    /// checks (stage 7): `code` (the default: authorization code with PKCE S256 and a
    /// loopback redirect, in the browser of $BROWSER or the platform's), `device`
    /// (RFC 8628) or `client-credentials` (needs --client-id and --client-secret).
    #[arg(
        long,
        value_name = "FLOW",
        num_args = 0..=1,
        require_equals = false,
        default_missing_value = "code"
    )]
    pub login: Option<LoginArg>,
    /// With --login: print the authorization URL, do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// With --login: the client_id of a client registered at the authorization server.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// With --login: its client secret (a confidential client).
    #[arg(long, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// With --login: an https URL of a Client ID Metadata Document you host, used as client_id.
    #[arg(long, value_name = "URL")]
    pub client_metadata_url: Option<String>,
    /// With --login: the scopes to ask for [default: the challenge's scope, else the
    /// metadata's scopes_supported].
    #[arg(long)]
    pub scope: Option<String>,
    /// With --login: how long to wait for the login in the browser, in seconds.
    #[arg(long, value_parser = seconds, allow_negative_numbers = true, value_name = "SEC", default_value_t = 120.0)]
    pub login_timeout: f64,
    /// With --login: write the token response to FILE (mode 0600), for --bearer-token-file.
    #[arg(long, value_name = "FILE")]
    pub token_out: Option<PathBuf>,
    /// In a batch, scan N targets at once [default: 16].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// At most N requests in flight to any one host, across all the targets of a batch
    /// [default: 8].
    #[arg(long, value_name = "N")]
    pub per_host: Option<usize>,
    /// In a batch, scan only shard I of N: the I-th target of the list, then every N-th
    /// after it (split a batch across machines or CI jobs; `authprobe merge` joins them).
    #[arg(long, value_name = "I/N", value_parser = crate::shard::Shard::parse)]
    pub shard: Option<crate::shard::Shard>,
    #[command(flatten)]
    pub llm: LlmArgs,
}

/// The LLM rewrite of the root-cause analysis (`scan`, one target at a time).
#[derive(Debug, Clone, Default, Args)]
pub struct LlmArgs {
    /// OpenAI API key: an OpenAI model rewrites the root-cause analysis (Responses API at
    /// OPENAI_BASE_URL, default https://api.openai.com/v1); also the key sent to --llm-base-url.
    #[arg(
        long,
        env = "OPENAI_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub openai_api_key: Option<String>,
    /// Anthropic API key: a Claude model rewrites the root-cause analysis (Messages API at
    /// ANTHROPIC_BASE_URL, default https://api.anthropic.com); OpenAI wins when both are set.
    #[arg(
        long,
        env = "ANTHROPIC_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub anthropic_api_key: Option<String>,
    /// Any OpenAI-compatible server (llama.cpp, vLLM, Ollama, LiteLLM): Chat Completions at
    /// URL/chat/completions, the OpenAI key only if one is set.
    #[arg(long, value_name = "URL")]
    pub llm_base_url: Option<String>,
    /// The model [default: gpt-4.1-mini for OpenAI and compatible servers,
    /// claude-sonnet-4-5 for Anthropic].
    #[arg(long, value_name = "MODEL")]
    pub llm_model: Option<String>,
    /// Token budget of the LLM answer.
    #[arg(long, value_name = "N", default_value_t = 700)]
    pub llm_max_tokens: u32,
    /// Seconds to wait for the LLM answer; past it the deterministic analysis stands.
    #[arg(long, value_parser = seconds, allow_negative_numbers = true, value_name = "SEC", default_value_t = 60.0)]
    pub llm_timeout: f64,
    /// No LLM, even with API keys in the environment.
    #[arg(long)]
    pub no_llm: bool,
}

/// `authprobe demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Which lab mistake to show (default: auth-not-advertised, the bug report authprobe started from).
    #[arg(long, value_name = "NAME")]
    pub defect: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `authprobe lab`.
#[derive(Debug, Args)]
pub struct LabArgs {
    /// A named mistake to serve (repeatable); none serves the compliant lab.
    #[arg(long, value_name = "NAME")]
    pub defect: Vec<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: String,
    /// MCP revision to serve: 2024-11-05 (HTTP+SSE), 2025-03-26, 2025-06-18, 2025-11-25 or 2026-07-28 (stateless).
    #[arg(long, default_value = "2025-11-25")]
    pub era: String,
    /// Serve MCP on stdin/stdout instead of HTTP (a stdio server, without authorization).
    #[arg(long, conflicts_with = "addr")]
    pub stdio: bool,
    /// List the defects and the findings each must raise, then exit.
    #[arg(long)]
    pub list_defects: bool,
    /// Delay every response: a fixed time (`100ms`) or a random one in a range (`50ms..150ms`).
    #[arg(long, value_name = "DELAY")]
    pub latency: Option<String>,
    /// Also serve N virtual endpoints, /t/0/mcp to /t/<N-1>/mcp, each an independent lab
    /// with its own metadata and authorization server (for batch scans).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub endpoints: usize,
}

/// The transport of `authprobe mcp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum McpTransport {
    /// JSON-RPC on stdin/stdout: for hosts that launch the command themselves.
    Stdio,
    /// Streamable HTTP on `--http-addr` and `--http-path`.
    Http,
}

/// `authprobe mcp`.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// How MCP hosts reach the server.
    #[arg(long, value_enum, default_value_t = McpTransport::Stdio)]
    pub transport: McpTransport,
    /// Address the HTTP transport listens on (loopback unless you give another).
    #[arg(long, default_value = "127.0.0.1:8765", value_name = "ADDR")]
    pub http_addr: String,
    /// Path of the MCP endpoint on the HTTP transport.
    #[arg(long, default_value = "/mcp", value_name = "PATH")]
    pub http_path: String,
    /// Another `Host` the HTTP transport answers to, besides the loopback names
    /// (repeatable; `name` or `name:port`). Requests naming any other host get 403.
    #[arg(long, value_name = "HOST")]
    pub allow_host: Vec<String>,
    /// A browser origin allowed to call the HTTP transport (repeatable, e.g.
    /// `https://app.example.com:443`); requests carrying any other `Origin` get 403.
    #[arg(long, value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// Scans running at once; further scan calls wait for a free slot.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub concurrency: usize,
    /// Folder where `bundle_evidence` writes its zips [default: a folder under the
    /// system's temporary directory].
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// `authprobe explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A finding code, e.g. PRM_RESOURCE_MISMATCH; `--list` prints them all.
    #[arg(value_name = "CODE", required_unless_present_any = ["list", "error"])]
    pub code: Option<String>,
    /// List every code with its severity and title.
    #[arg(long)]
    pub list: bool,
    /// An error message a client printed: which clients print it, where, and the
    /// findings that cause it (URLs and ids in the message may differ).
    #[arg(long, value_name = "MESSAGE", conflicts_with_all = ["code", "list"])]
    pub error: Option<String>,
}

/// The grants of `--login`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoginArg {
    /// Authorization code with PKCE S256 and a loopback redirect.
    Code,
    /// The device authorization grant (RFC 8628).
    Device,
    /// The client credentials grant.
    ClientCredentials,
}

/// The largest number of seconds a duration flag takes.
pub const MAX_SECONDS: f64 = 3600.0;

/// Parses a duration flag in seconds: a finite number above zero and at most
/// [`MAX_SECONDS`]. `NaN`, `inf`, `-0`, `0` and `1e309` are refused here, so no
/// later conversion to a `Duration` can fail.
pub fn seconds(text: &str) -> Result<f64, String> {
    let range = format!("give a number of seconds above 0 and at most {MAX_SECONDS}, e.g. 8");
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("not a number: {range}"))?;
    if value.is_finite() && value > 0.0 && value <= MAX_SECONDS {
        Ok(value)
    } else {
        Err(format!("out of range: {range}"))
    }
}
