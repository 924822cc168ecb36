//! Stage 2 probes: the MCP transport and lifecycle, per protocol era.
//!
//! The era is detected the way the texts tell a client that does not know
//! its server to proceed (MCP 2026-07-28 Versioning › Backward Compatibility,
//! Streamable HTTP › Backward Compatibility): a modern `server/discover`
//! first; a recognised modern answer means 2026-07-28; anything else falls
//! back to `initialize` (2025-03-26 to 2025-11-25), and a 4xx to that to a
//! GET that should open with an `endpoint` event (2024-11-05 HTTP+SSE).
//! `--protocol-version` skips detection. Then each era's probes run; the
//! checks decide later which rules apply to what was seen.

mod client;
mod plan;

use url::Url;

pub use client::{set_header, McpHttp};
pub use plan::run;

/// Where stage 2 runs and what it may do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The MCP endpoint (after the target's redirects).
    pub url: Url,
    /// A bearer token to send, if one was given.
    pub token: Option<String>,
    /// A protocol version forced by the user.
    pub forced_version: Option<String>,
    /// The target is authprobe's loopback bridge to a stdio server: HTTP-level
    /// rules would judge the bridge, so those probes are not sent.
    pub stdio: bool,
}
