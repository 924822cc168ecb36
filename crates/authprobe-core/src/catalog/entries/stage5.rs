//! Stage 5: token endpoint readiness, probed with an invalid authorization code.

use crate::catalog::{Code, Entry, Family, Strength};
use crate::report::{Severity, Stage};

const STAGE: Stage = Stage::Token;

pub(super) const ENTRIES: &[Entry] = &[
    Entry {
        code: Code::TokenResponseNotJsonRisk,
        severity: Severity::Medium,
        confidence: 1.0,
        stage: STAGE,
        family: Family::Rfc,
        strength: Strength::Must,
        title: "Token endpoint error response is not JSON",
        fires_when: "The token endpoint answers the invalid `authorization_code` grant with a body that is not a JSON object, such as an HTML error page or plain text.",
        references: &[rfc!("6749", "5.2")],
        remediation: r#"Return token errors as `application/json`, e.g. `{"error": "invalid_grant", "error_description": "…"}`."#,
        raised: true,
    },
    Entry {
        code: Code::TokenHttp200ErrorPayloadRisk,
        severity: Severity::Medium,
        confidence: 1.0,
        stage: STAGE,
        family: Family::Rfc,
        strength: Strength::Must,
        title: "Token endpoint reports an error with status 200",
        fires_when: "The token endpoint answers the invalid grant with 200 OK and an `error` member in the body; clients that look at the status first take it for a success.",
        references: &[rfc!("6749", "5.2")],
        remediation: "Send token errors with status 400 (401 only for `invalid_client`), never 200.",
        raised: true,
    },
    Entry {
        code: Code::TokenErrorCodeInvalid,
        severity: Severity::Low,
        confidence: 1.0,
        stage: STAGE,
        family: Family::Rfc,
        strength: Strength::Must,
        title: "Token endpoint error code is not a standard OAuth error code",
        fires_when: "The `error` of the token error response is missing or is not one of `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type` and `invalid_scope`.",
        references: &[rfc!("6749", "5.2")],
        remediation: r#"Answer an unknown or expired authorization code with `{"error": "invalid_grant"}`, and use the other RFC 6749 codes for their own cases."#,
        raised: true,
    },
    Entry {
        code: Code::TokenErrorStatusInvalid,
        severity: Severity::Medium,
        confidence: 1.0,
        stage: STAGE,
        family: Family::Rfc,
        strength: Strength::Must,
        title: "Invalid grant is answered with a status other than 400",
        fires_when: "The invalid `authorization_code` grant is answered with a status other than 400. A 401 counts only for a client authentication failure (`invalid_client`); a 5xx means the endpoint crashed on bad input.",
        references: &[rfc!("6749", "5.2")],
        remediation: r#"Catch invalid, expired and unknown codes and answer `400 Bad Request` with `{"error": "invalid_grant"}`."#,
        raised: true,
    },
    Entry {
        code: Code::TokenEndpointUnreachable,
        severity: Severity::High,
        confidence: 0.9,
        stage: STAGE,
        family: Family::Rfc,
        strength: Strength::Must,
        title: "Token endpoint is unreachable",
        fires_when: "The `token_endpoint` from the metadata cannot be reached (connection or TLS failure), or answers a POST with 404 or a 5xx.",
        references: &[rfc!("6749", "3.2")],
        remediation: "Check that `token_endpoint` in the metadata is the public URL of a live endpoint with a valid TLS certificate that accepts `application/x-www-form-urlencoded` POST requests.",
        raised: true,
    },
];
