//! The MCP revision the lab serves.

use std::fmt;

/// The MCP revision (and so the transport shape) the lab serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Era {
    /// 2024-11-05: the HTTP+SSE transport. GET on the MCP URL opens an event
    /// stream whose first event (`endpoint`) names the URL to POST messages
    /// to; responses come back on the stream. POST on the MCP URL is 405.
    Legacy20241105,
    /// 2025-03-26: Streamable HTTP with sessions and JSON-RPC batches, no
    /// `MCP-Protocol-Version` header.
    Stateful20250326,
    /// 2025-06-18 (also negotiating 2025-03-26): no batches, the protocol
    /// version header; responses to requests come as SSE streams.
    Stateful20250618,
    /// 2025-11-25 (also negotiating the two before): the default.
    #[default]
    Stateful20251125,
    /// 2026-07-28: stateless. No `initialize` and no sessions; every request
    /// carries `_meta` and the `Mcp-Method` header; `server/discover`; GET and
    /// DELETE answer 405.
    Stateless20260728,
}

impl Era {
    /// Every era, oldest first.
    pub const ALL: [Era; 5] = [
        Era::Legacy20241105,
        Era::Stateful20250326,
        Era::Stateful20250618,
        Era::Stateful20251125,
        Era::Stateless20260728,
    ];

    /// The revision's version string, e.g. `2025-11-25`.
    pub fn version(self) -> &'static str {
        match self {
            Era::Legacy20241105 => "2024-11-05",
            Era::Stateful20250326 => "2025-03-26",
            Era::Stateful20250618 => "2025-06-18",
            Era::Stateful20251125 => "2025-11-25",
            Era::Stateless20260728 => "2026-07-28",
        }
    }

    /// The era serving this version string.
    pub fn from_version(version: &str) -> Option<Era> {
        Era::ALL.into_iter().find(|e| e.version() == version)
    }

    /// The versions the lab accepts in this era, latest first.
    pub(crate) fn supported(self) -> &'static [&'static str] {
        match self {
            Era::Legacy20241105 => &["2024-11-05"],
            Era::Stateful20250326 => &["2025-03-26"],
            Era::Stateful20250618 => &["2025-06-18", "2025-03-26"],
            Era::Stateful20251125 => &["2025-11-25", "2025-06-18", "2025-03-26"],
            Era::Stateless20260728 => &["2026-07-28"],
        }
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.version())
    }
}
