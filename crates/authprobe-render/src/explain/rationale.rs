//! Why each step of the funnel exists: what is sent, why a client cares, and what the
//! specifications require, each claim with the one section that makes it.
//!
//! Every claim below paraphrases the cited section of the texts in the project's
//! reference copies (MCP 2025-11-25, RFC 9110, RFC 6750, RFC 9728, RFC 8414, RFC 6749,
//! RFC 7591); none says more than its section does.

use authprobe_core::catalog::Reference;
use authprobe_core::report::Stage;

/// One requirement and the section it comes from.
pub(crate) struct Citation {
    /// What the section requires, in plain words.
    pub claim: &'static str,
    /// Where it says so.
    pub reference: Reference,
}

/// The rationale of one step.
pub(crate) struct Rationale {
    /// What the probe sends, in general (the report lists the actual exchanges).
    pub sends: &'static str,
    /// Why a client, and so the scan, does this.
    pub why: &'static str,
    /// What the specifications require of the server here.
    pub requires: &'static [Citation],
}

macro_rules! rfc {
    ($number:literal, $section:literal) => {
        Reference {
            spec: concat!("RFC ", $number),
            section: concat!("§", $section),
            url: concat!(
                "https://www.rfc-editor.org/rfc/rfc",
                $number,
                "#section-",
                $section
            ),
        }
    };
}

macro_rules! mcp {
    ($section:literal, $page:literal) => {
        Reference {
            spec: "MCP 2025-11-25",
            section: $section,
            url: concat!(
                "https://modelcontextprotocol.io/specification/2025-11-25/",
                $page
            ),
        }
    };
}

const CHALLENGE: Rationale = Rationale {
    sends: "POST of an MCP `initialize` request to the endpoint, without any credentials, as a client's first request.",
    why: "A client starts without a token. The answer tells it whether authorization is required and, if so, where to learn how to obtain a token.",
    requires: &[
        Citation {
            claim: "Authorization is optional in MCP; implementations that support it over HTTP should conform to the MCP authorization specification.",
            reference: mcp!("Authorization › Protocol Requirements", "basic/authorization#protocol-requirements"),
        },
        Citation {
            claim: "A server that answers 401 must send a WWW-Authenticate header with at least one challenge for the resource.",
            reference: rfc!("9110", "15.5.2"),
        },
        Citation {
            claim: "A resource server must include WWW-Authenticate when the request carries no access token; OAuth bearer challenges use the scheme `Bearer`.",
            reference: rfc!("6750", "3"),
        },
        Citation {
            claim: "An MCP server must offer its protected resource metadata either through `resource_metadata` in the 401 challenge or at a well-known URI, and should include a `scope` parameter in the challenge.",
            reference: mcp!(
                "Authorization › Protected Resource Metadata Discovery Requirements",
                "basic/authorization#protected-resource-metadata-discovery-requirements"
            ),
        },
        Citation {
            claim: "The `resource_metadata` parameter of WWW-Authenticate carries the URL of the protected resource metadata.",
            reference: rfc!("9728", "5.1"),
        },
    ],
};

const INVALID_TOKEN: Rationale = Rationale {
    sends: "The same `initialize` request with `Authorization: Bearer` and a well-formed token the server cannot have issued.",
    why: "A server that accepts any token is not protected at all, and a client needs a recognisable answer to know its token was refused.",
    requires: &[
        Citation {
            claim: "MCP servers must validate access tokens, only accept tokens valid for their own resources, and answer invalid or expired tokens with HTTP 401.",
            reference: mcp!("Authorization › Token Handling", "basic/authorization#token-handling"),
        },
        Citation {
            claim: "For an expired, revoked, malformed or otherwise invalid token the resource server should answer 401 with the error code `invalid_token`.",
            reference: rfc!("6750", "3.1"),
        },
    ],
};

const GET_STREAM: Rationale = Rationale {
    sends: "GET of the endpoint with `Accept: text/event-stream` (and, when the server issued a session, once more with its `Mcp-Session-Id`).",
    why: "Clients may open this stream to receive messages from the server; its answer must agree with the POST about authorization.",
    requires: &[
        Citation {
            claim: "The server must answer this GET either with `Content-Type: text/event-stream` or with 405 Method Not Allowed.",
            reference: mcp!(
                "Transports › Listening for Messages from the Server",
                "basic/transports#listening-for-messages-from-the-server"
            ),
        },
        Citation {
            claim: "A client must send a session id it was given on every later request; a server that requires one should answer a request without it (other than initialization) with 400.",
            reference: mcp!("Transports › Session Management", "basic/transports#session-management"),
        },
    ],
};

const TRANSPORT: Rationale = Rationale {
    sends: "The MCP lifecycle of the detected revision: `initialize`, `notifications/initialized`, `tools/list`, and malformed variants of them.",
    why: "After authorization a client still has to speak MCP with the server; a broken lifecycle stops it as surely as broken discovery.",
    requires: &[
        Citation {
            claim: "Initialization must be the first interaction between client and server; the client starts it with an `initialize` request.",
            reference: mcp!("Lifecycle › Initialization", "basic/lifecycle#initialization"),
        },
        Citation {
            claim: "Every client message is a new HTTP POST; the server answers a request with `application/json` or `text/event-stream`, and an accepted notification with 202 and no body.",
            reference: mcp!(
                "Transports › Sending Messages to the Server",
                "basic/transports#sending-messages-to-the-server"
            ),
        },
    ],
};

const PRM: Rationale = Rationale {
    sends: "GET of every protected resource metadata candidate (the challenge's `resource_metadata` URL, the path-suffix and the root well-known URL), each with a CORS preflight.",
    why: "The protected resource metadata names the authorization servers: without a usable document a client cannot find where to log in.",
    requires: &[
        Citation {
            claim: "MCP servers must implement RFC 9728, and their metadata must list at least one authorization server in `authorization_servers`.",
            reference: mcp!(
                "Authorization › Authorization Server Location",
                "basic/authorization#authorization-server-location"
            ),
        },
        Citation {
            claim: "Clients must use the challenge's `resource_metadata` URL when there is one, and otherwise try the path-suffix well-known URI, then the root one.",
            reference: mcp!(
                "Authorization › Protected Resource Metadata Discovery Requirements",
                "basic/authorization#protected-resource-metadata-discovery-requirements"
            ),
        },
        Citation {
            claim: "The metadata is served at the URL formed by inserting `/.well-known/oauth-protected-resource` between the host and the path of the resource identifier.",
            reference: rfc!("9728", "3"),
        },
        Citation {
            claim: "A successful response uses 200 OK and a JSON object with the `application/json` content type.",
            reference: rfc!("9728", "3.2"),
        },
        Citation {
            claim: "The `resource` value must be identical to the resource identifier the URL was built from (or, for metadata found through the challenge, to the URL the client requested); otherwise the document must not be used.",
            reference: rfc!("9728", "3.3"),
        },
    ],
};

const AUTH_SERVER: Rationale = Rationale {
    sends: "GET of the metadata candidates of each issuer in `authorization_servers`, in the order MCP clients try them.",
    why: "The authorization server metadata gives the endpoints and capabilities a client needs to run the OAuth flow.",
    requires: &[
        Citation {
            claim: "Clients must try the OAuth 2.0 authorization server metadata and OpenID Connect discovery URLs in a fixed priority order, which depends on whether the issuer has a path.",
            reference: mcp!(
                "Authorization › Authorization Server Metadata Discovery",
                "basic/authorization#authorization-server-metadata-discovery"
            ),
        },
        Citation {
            claim: "The metadata is a JSON document at the issuer with `/.well-known/oauth-authorization-server` inserted between host and path.",
            reference: rfc!("8414", "3"),
        },
        Citation {
            claim: "The `issuer` in the metadata must be identical to the issuer the URL was built from; otherwise the document must not be used.",
            reference: rfc!("8414", "3.3"),
        },
    ],
};

const TOKEN: Rationale = Rationale {
    sends: "POST of an `authorization_code` grant with a made-up code to the token endpoint.",
    why: "A client must be able to read the token endpoint's errors; an invalid grant shows how the endpoint answers without obtaining anything.",
    requires: &[
        Citation {
            claim: "The token endpoint is where a client presents its grant to obtain an access token.",
            reference: rfc!("6749", "3.2"),
        },
        Citation {
            claim: "An error is answered with 400 (unless specified otherwise) and a JSON body whose `error` member is required.",
            reference: rfc!("6749", "5.2"),
        },
    ],
};

const REGISTRATION: Rationale = Rationale {
    sends: "Nothing in a passive scan beyond reading the metadata; with `--active`, a test client registration that is deleted afterwards.",
    why: "A client with no prior relationship to the server needs a way to obtain a client id before it can start authorization.",
    requires: &[
        Citation {
            claim: "MCP supports Client ID Metadata Documents, pre-registration and Dynamic Client Registration, and says in which order clients should use them.",
            reference: mcp!(
                "Authorization › Client Registration Approaches",
                "basic/authorization#client-registration-approaches"
            ),
        },
        Citation {
            claim: "The registration endpoint must accept HTTP POST messages with JSON client metadata.",
            reference: rfc!("7591", "3"),
        },
    ],
};

const SESSION: Rationale = Rationale {
    sends: "With a token: `initialize` and `tools/list` carrying `Authorization: Bearer`.",
    why: "Discovery is only the way in: the token a client obtains must then let it use the server.",
    requires: &[Citation {
        claim: "Clients must send the token in the Authorization header on every request, and never in the URI query string.",
        reference: mcp!(
            "Authorization › Token Requirements",
            "basic/authorization#token-requirements"
        ),
    }],
};

/// The rationale of a step, by its id; a step this table does not know (a later stage
/// may add steps) falls back to its stage's.
pub(crate) fn for_step(id: &str, stage: Stage) -> &'static Rationale {
    match id {
        "challenge" => &CHALLENGE,
        "invalid-token" => &INVALID_TOKEN,
        "get-stream" => &GET_STREAM,
        _ => for_stage(stage),
    }
}

fn for_stage(stage: Stage) -> &'static Rationale {
    match stage {
        Stage::Challenge => &CHALLENGE,
        Stage::Transport => &TRANSPORT,
        Stage::Prm => &PRM,
        Stage::AuthServer => &AUTH_SERVER,
        Stage::Token => &TOKEN,
        Stage::Registration => &REGISTRATION,
        Stage::Session => &SESSION,
    }
}
