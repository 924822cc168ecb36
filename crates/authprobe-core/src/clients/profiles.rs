//! The profiles: one per client and version. Rules of the SDKs were read from their
//! published code at the version named (the file and function of each rule is listed
//! with it); rules of closed hosts come from their public documentation, each with
//! its page. A host or rule without a public source is left out (docs/clients.md
//! lists what was looked for and not found).

use super::profile::{
    AsWalk, Basis, DocCheck, DocRule, Fallback, Hint, Messages, OriginMetadata, PrmOrder,
    PrmSchema, Profile, Requires, ResourceMatch, ResourceSent, Rules, Walk,
};

/// Every profile, in report order.
pub static PROFILES: &[Profile] = &[
    Profile {
        id: "typescript-sdk",
        name: "MCP TypeScript SDK",
        version: "1.32.2",
        basis: Basis::Code,
        revision: "2025-11-25",
        grounded: true,
        rules: Rules::Walk(&TYPESCRIPT),
    },
    Profile {
        id: "python-sdk",
        name: "MCP Python SDK",
        version: "2.3.0",
        basis: Basis::Code,
        revision: "2025-11-25",
        grounded: true,
        rules: Rules::Walk(&PYTHON),
    },
    Profile {
        id: "mcp-2025-03-26",
        name: "A client of MCP 2025-03-26",
        version: "2025-03-26",
        basis: Basis::Specification,
        revision: "2025-03-26",
        grounded: false,
        rules: Rules::Walk(&LEGACY),
    },
    Profile {
        id: "claude",
        name: "Claude",
        version: "documented",
        basis: Basis::Documented,
        revision: "2025-06-18",
        grounded: false,
        rules: Rules::Documented(CLAUDE),
    },
    Profile {
        id: "chatgpt",
        name: "ChatGPT",
        version: "documented",
        basis: Basis::Documented,
        revision: "2025-06-18",
        grounded: false,
        rules: Rules::Documented(CHATGPT),
    },
    Profile {
        id: "vscode",
        name: "Visual Studio Code",
        version: "documented",
        basis: Basis::Documented,
        revision: "2025-06-18",
        grounded: false,
        rules: Rules::Documented(VSCODE),
    },
];

static TYPESCRIPT: Walk = Walk {
    hint: Hint::AbsoluteOnly,
    prm_order: PrmOrder::HintElseWellKnown,
    prm_schema: PrmSchema::ResourceRequired,
    resource_match: ResourceMatch::PrefixNotShorter,
    resource_sent: ResourceSent::DocumentVerbatim,
    resource_checked_late: true,
    fallback: Fallback::OriginOnAnyFailure,
    origin_metadata: OriginMetadata::OauthThenOidc,
    as_walk: AsWalk::StrictOnSuccess,
    oidc_members_required: true,
    requires: Requires {
        code_response_type: true,
        s256_when_listed: true,
        issuer_match: false,
        registration_endpoint: true,
        state_returned: false,
        response_iss: false,
        bearer_token_type: false,
    },
    messages: Messages {
        resource_mismatch: "Protected resource {resource} does not match expected {expected} (or origin)",
        prm_server_error: None,
        hint_unusable: None,
        as_server_error: Some("HTTP {status} trying to load {kind} metadata from {url}"),
        as_not_json: Some("{*}"),
        as_invalid: Some("[{*}\"{member}\"{*}]"),
        issuer_mismatch: None,
        no_code_response_type: Some("Incompatible auth server: does not support response type code"),
        no_s256: Some("Incompatible auth server: does not support code challenge method S256"),
        no_registration_endpoint: Some(
            "Incompatible auth server: does not support dynamic client registration",
        ),
        registration_refused: "{error_description}",
        authorization_refused: "authorization error {error}",
        token_failed: "{error_description}",
        state_mismatch: None,
        response_iss_mismatch: None,
        response_iss_missing: None,
        token_type: None,
        session_refused: Some("Streamable HTTP error: Server returned 401 after successful authentication"),
        error_unparsed: Some("HTTP {status}: Invalid OAuth error response: {*}. Raw body: {body}"),
    },
    sources: &[
        ("the challenge's resource_metadata is read with a regular expression and ignored unless it is an absolute URL", "dist/esm/client/auth.js: extractWWWAuthenticateParams"),
        ("a hint replaces the well-known URLs; without one the path-suffix URL, then the root URL after an answer below 500", "dist/esm/client/auth.js: discoverMetadataWithFallback, shouldAttemptFallback"),
        ("the metadata must parse: resource a URL, authorization_servers optional URLs", "dist/esm/shared/auth.js: OAuthProtectedResourceMetadataSchema"),
        ("any failure to get the metadata falls back to the MCP origin as the authorization server", "dist/esm/client/auth.js: discoverOAuthServerInfo"),
        ("resource: same origin, path prefix, and not shorter than the resource path", "dist/esm/shared/auth-utils.js: checkResourceAllowed; auth.js: selectResourceURL"),
        ("the metadata's resource is sent verbatim", "dist/esm/client/auth.js: authInternal"),
        ("AS metadata URLs: oauth then OpenID (path inserted, then appended); 4xx next, 5xx an error, the first 200 parsed", "dist/esm/client/auth.js: buildDiscoveryUrls, discoverAuthorizationServerMetadata"),
        ("the metadata's issuer is not compared", "dist/esm/client/auth.js: authInternal (comment on metadata.issuer)"),
        ("response_types_supported must list code; code_challenge_methods_supported, when present, must list S256", "dist/esm/client/auth.js: startAuthorization"),
        ("without a client metadata URL, registration needs a registration_endpoint", "dist/esm/client/auth.js: registerClient"),
        ("an OAuth error body becomes the message (its error_description); anything else is quoted raw", "dist/esm/client/auth.js: parseErrorResponse"),
        ("the state and iss of the authorization response are left to the application; a 401 right after authorizing ends the connection", "dist/esm/client/streamableHttp.js: finishAuth, send"),
    ],
};

static PYTHON: Walk = Walk {
    hint: Hint::Raw,
    prm_order: PrmOrder::HintThenWellKnown,
    prm_schema: PrmSchema::ResourceAndServersRequired,
    resource_match: ResourceMatch::Prefix,
    resource_sent: ResourceSent::DocumentNormalized,
    resource_checked_late: false,
    fallback: Fallback::OriginUnlessServerError,
    origin_metadata: OriginMetadata::OauthOnly,
    as_walk: AsWalk::LenientOnSuccess,
    oidc_members_required: false,
    requires: Requires {
        code_response_type: false,
        s256_when_listed: false,
        issuer_match: true,
        registration_endpoint: false,
        state_returned: true,
        response_iss: true,
        bearer_token_type: true,
    },
    messages: Messages {
        resource_mismatch: "Protected resource {resource} does not match expected {expected}",
        prm_server_error: Some("Protected resource metadata request failed: HTTP {status}"),
        hint_unusable: Some("Request URL is missing an 'http://' or 'https://' protocol."),
        as_server_error: None,
        as_not_json: None,
        as_invalid: None,
        issuer_mismatch: Some("Authorization server metadata issuer mismatch: {issuer} != {expected}"),
        no_code_response_type: None,
        no_s256: None,
        no_registration_endpoint: None,
        registration_refused: "Registration failed: {status} {body}",
        authorization_refused: "authorization error {error}",
        token_failed: "Token exchange failed ({status}): {body}",
        state_mismatch: Some("State parameter mismatch: None != {state}"),
        response_iss_mismatch: Some("Authorization response iss mismatch: {iss} != {expected}"),
        response_iss_missing: Some(
            "Authorization response missing iss parameter advertised by the authorization server",
        ),
        token_type: Some("Invalid token response: {*}token_type{*}"),
        session_refused: Some("Server returned an error response"),
        error_unparsed: None,
    },
    sources: &[
        ("the challenge's resource_metadata is read with a regular expression and requested as it is", "mcp/client/auth/utils.py: extract_field_from_www_auth, extract_resource_metadata_from_www_auth"),
        ("metadata URLs: the hint, then the path-suffix URL, then the root URL; each answer that is not a usable document moves on", "mcp/client/auth/utils.py: build_protected_resource_metadata_discovery_urls; oauth2.py: OAuthClientProvider._auth_flow"),
        ("a usable document has a resource URL and at least one authorization server", "mcp/shared/auth.py: ProtectedResourceMetadata"),
        ("no usable document: the MCP origin's /.well-known/oauth-authorization-server (2025-03-26), unless a candidate answered 5xx or 429", "mcp/client/auth/utils.py: build_oauth_authorization_server_metadata_discovery_urls; oauth2.py: _auth_flow"),
        ("resource: same origin, path prefix after adding a trailing slash to both", "mcp/shared/auth_utils.py: check_resource_allowed; oauth2.py: _validate_resource_match"),
        ("the metadata's resource (as parsed, scheme and host lowercased) is sent when it is allowed", "mcp/client/auth/oauth2.py: OAuthContext.get_resource_url"),
        ("AS metadata: 200 parsed (a document that does not parse: next), 3xx and 4xx next, anything else stops", "mcp/client/auth/utils.py: handle_auth_metadata_response"),
        ("the metadata's issuer must equal the authorization server URL", "mcp/client/auth/utils.py: validate_metadata_issuer"),
        ("response types and PKCE methods are not checked; registration falls back to /register at the MCP origin", "mcp/client/auth/utils.py: create_client_registration_request"),
        ("a refused registration or token request is quoted with its status and body", "mcp/client/auth/utils.py: handle_registration_response; oauth2.py: _handle_token_response"),
        ("the authorization response must return the state sent, and its iss must be the metadata's issuer (required when advertised)", "mcp/client/auth/oauth2.py: _perform_authorization_code_grant; utils.py: validate_authorization_response_iss"),
        ("token_type must be Bearer", "mcp/shared/auth.py: OAuthToken"),
    ],
};

static LEGACY: Walk = Walk {
    hint: Hint::Ignored,
    prm_order: PrmOrder::None,
    prm_schema: PrmSchema::ResourceRequired,
    resource_match: ResourceMatch::Prefix,
    resource_sent: ResourceSent::DocumentVerbatim,
    resource_checked_late: false,
    fallback: Fallback::OriginOnAnyFailure,
    origin_metadata: OriginMetadata::OauthOnly,
    as_walk: AsWalk::LenientOnSuccess,
    oidc_members_required: false,
    requires: Requires {
        code_response_type: false,
        s256_when_listed: false,
        issuer_match: false,
        registration_endpoint: false,
        state_returned: false,
        response_iss: false,
        bearer_token_type: false,
    },
    messages: Messages {
        resource_mismatch: "",
        prm_server_error: None,
        hint_unusable: None,
        as_server_error: None,
        as_not_json: None,
        as_invalid: None,
        issuer_mismatch: None,
        no_code_response_type: None,
        no_s256: None,
        no_registration_endpoint: None,
        registration_refused: "",
        authorization_refused: "",
        token_failed: "",
        state_mismatch: None,
        response_iss_mismatch: None,
        response_iss_missing: None,
        token_type: None,
        session_refused: None,
        error_unparsed: None,
    },
    sources: &[
        ("the authorization base URL is the MCP server URL without its path; metadata at its /.well-known/oauth-authorization-server", "MCP 2025-03-26 Authorization › Server Metadata Discovery"),
        ("without metadata, the default endpoints /authorize, /token and /register of that base URL", "MCP 2025-03-26 Authorization › Fallbacks for Servers without Metadata Discovery"),
    ],
};

static CLAUDE: &[DocRule] = &[
    DocRule {
        rule: "follows the 2025-03-26 and the 2025-06-18 authorization specifications",
        check: DocCheck::MetadataOrOrigin,
        source: "https://support.anthropic.com/en/articles/11503834-building-custom-connectors-via-remote-mcp-servers",
    },
    DocRule {
        rule: "registers by DCR or a Client ID Metadata Document (CIMD also needs \"none\" among the token endpoint authentication methods); a user can enter a client id and secret instead",
        check: DocCheck::Registration { cimd: true, manual: true },
        source: "https://claude.com/docs/connectors/building/authentication",
    },
];

static CHATGPT: &[DocRule] = &[
    DocRule {
        rule: "finds the protected resource metadata at the well-known URL or through the 401 challenge",
        check: DocCheck::ProtectedResourceMetadata,
        source: "https://developers.openai.com/apps-sdk/build/auth",
    },
    DocRule {
        rule: "reads the authorization server's OAuth metadata",
        check: DocCheck::AuthorizationServerMetadata,
        source: "https://developers.openai.com/apps-sdk/build/auth",
    },
    DocRule {
        rule: "needs PKCE support advertised by the authorization server",
        check: DocCheck::S256Advertised,
        source: "https://developers.openai.com/apps-sdk/build/auth",
    },
    DocRule {
        rule: "registers by CIMD, DCR or a predefined OAuth client",
        check: DocCheck::Registration { cimd: true, manual: true },
        source: "https://developers.openai.com/apps-sdk/build/auth",
    },
];

static VSCODE: &[DocRule] = &[
    DocRule {
        rule: "follows the 2025-06-18 authorization specification (protected resource metadata, then the authorization server's metadata)",
        check: DocCheck::ProtectedResourceMetadata,
        source: "https://code.visualstudio.com/api/extension-guides/ai/mcp",
    },
    DocRule {
        rule: "reads the authorization server's metadata",
        check: DocCheck::AuthorizationServerMetadata,
        source: "https://code.visualstudio.com/api/extension-guides/ai/mcp",
    },
    DocRule {
        rule: "registers by DCR (built-in clients for GitHub and Microsoft Entra); otherwise asks the user for a client id and secret",
        check: DocCheck::Registration { cimd: false, manual: true },
        source: "https://code.visualstudio.com/api/extension-guides/ai/mcp",
    },
];

/// The profile with this id.
pub fn find(id: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.id == id)
}
