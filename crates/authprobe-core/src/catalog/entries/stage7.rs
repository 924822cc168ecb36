//! Stage 7: authenticated checks (mode `token`).

use crate::catalog::{Code, Entry, Family, FunnelStep, Impact, Status, Strength};
use crate::report::{Severity, Stage};

const STAGE: Stage = Stage::Session;

pub(super) const ENTRIES: &[Entry] = &[
    Entry {
        code: Code::TokenAudienceMismatch,
        severity: Severity::Medium,
        confidence: 0.7,
        stage: STAGE,
        family: Family::Mcp,
        strength: Strength::Must,
        impact: Impact::Security,
        step: FunnelStep::Session,
        title: "Access token audience does not name this MCP server",
        fires_when: "Token mode: the access token is a JWT whose `aud` claim contains neither the canonical URI of the MCP server nor the `resource` of its metadata (claims are decoded, never verified). An authorization server may map the resource to another identifier, hence the confidence below 1.",
        references: &[
            mcp!("2025-11-25", "Authorization › Token Handling", "basic/authorization#token-handling"),
            mcp!("2025-11-25", "Authorization › Access Token Privilege Restriction", "basic/authorization#access-token-privilege-restriction"),
            rfc!("8707", "2"),
            oauth21!("7.1.4"),
        ],
        remediation: "Have the authorization server put the MCP server's canonical URI (the `resource` parameter the client sends) in `aud`, and make the MCP server refuse tokens whose audience does not include it.",
        status: Status::Planned,
    },
    Entry {
        code: Code::SessionWithoutTokenAccepted,
        severity: Severity::High,
        confidence: 1.0,
        stage: STAGE,
        family: Family::Mcp,
        strength: Strength::Must,
        impact: Impact::Security,
        step: FunnelStep::Session,
        title: "Session id alone is accepted without the access token",
        fires_when: "Token mode: after an authenticated `initialize`, a request that carries the `Mcp-Session-Id` but no `Authorization` header is served: the session is being used as authentication.",
        references: &[
            mcp!("2025-11-25", "Security Best Practices › Session Hijacking", "basic/security_best_practices#session-hijacking"),
            mcp!("2025-11-25", "Authorization › Token Requirements", "basic/authorization#token-requirements"),
        ],
        remediation: "Verify the bearer token on every request, inside a session or not, and answer requests without one with 401; never treat a session id as a credential.",
        status: Status::Planned,
    },
    Entry {
        code: Code::QueryTokenAccepted,
        severity: Severity::Medium,
        confidence: 1.0,
        stage: STAGE,
        family: Family::Mcp,
        strength: Strength::Must,
        impact: Impact::Security,
        step: FunnelStep::Session,
        title: "Access token in the URL query string is accepted",
        fires_when: "Token mode: a request that carries the token only as `?access_token=…` in the URL, with no `Authorization` header, is served.",
        references: &[
            mcp!("2025-11-25", "Authorization › Token Requirements", "basic/authorization#token-requirements"),
            oauth21!("5.1"),
            rfc!("6750", "2.3"),
        ],
        remediation: "Ignore `access_token` query parameters and authenticate only from the `Authorization: Bearer` header; tokens in URLs end up in logs, proxies and browser history.",
        status: Status::Planned,
    },
];
