//! The catalogue of deliberate deviations the lab can be asked to commit.
//!
//! Each [`Defect`] is one toggle in the lab's request handling. It carries the
//! finding codes a correct scanner raises when that defect is the only one
//! enabled (exactly that set, nothing else at `info` or above) and the scan
//! outcome it expects. The table below is the single source of that contract;
//! the calibration test of the scanner reads it through the methods of
//! [`Defect`].

use std::fmt;

/// Declares the defect enum and its table in one place, so that the name,
/// description, codes and outcome of a defect can never drift apart.
macro_rules! defects {
    ($(
        $variant:ident = $name:literal, $outcome:literal, $calibrated:literal,
        [$($code:literal),* $(,)?],
        $desc:literal;
    )*) => {
        /// One deliberate deviation from the MCP and OAuth specifications.
        ///
        /// The variant documentation says what the lab does wrong when the
        /// defect is enabled; [`Defect::expected_codes`] and
        /// [`Defect::expected_outcome`] say what a correct scanner reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        // The descriptions double as plain-text CLI output, so URLs in them
        // stay bare rather than becoming Markdown links.
        #[allow(rustdoc::bare_urls)]
        pub enum Defect {
            $(
                #[doc = $desc]
                $variant,
            )*
        }

        impl Defect {
            /// Every defect, in catalogue order.
            pub const ALL: &'static [Defect] = &[$(Defect::$variant),*];

            /// The kebab-case name used on the command line and in reports.
            pub fn name(&self) -> &'static str {
                match self { $(Defect::$variant => $name,)* }
            }

            /// One line saying what is wrong with the lab under this defect.
            pub fn description(&self) -> &'static str {
                match self { $(Defect::$variant => $desc,)* }
            }

            /// The finding codes a correct scanner raises (at `info` or above)
            /// when this is the only defect enabled. Empty for the hostile
            /// defects, whose point is the outcome, not a finding.
            pub fn expected_codes(&self) -> &'static [&'static str] {
                match self { $(Defect::$variant => &[$($code),*],)* }
            }

            /// The scan outcome a correct scanner reports when this is the
            /// only defect enabled (`protected-ok`, `protected-broken`,
            /// `no-auth`, `non-oauth-auth`, `not-mcp`, `timeout`).
            pub fn expected_outcome(&self) -> &'static str {
                match self { $(Defect::$variant => $outcome,)* }
            }

            /// Whether the defect belongs to the calibration matrix. The
            /// hostile defects (hanging, endless and huge responses) are not
            /// calibrated: they exist to prove the scanner stays bounded; nor
            /// are the rate limits, whose point is that nothing is raised.
            pub fn calibrated(&self) -> bool {
                match self { $(Defect::$variant => $calibrated,)* }
            }
        }
    };
}

defects! {
    AuthNotAdvertised = "auth-not-advertised", "protected-broken", true,
        ["AUTH_REQUIRED_BUT_NOT_ADVERTISED", "DISCOVERY_NO_WWW_AUTHENTICATE",
         "OAUTH_DISCOVERY_UNAVAILABLE", "PRM_HTTP_STATUS_NOT_200"],
        "401 on the MCP endpoint without any WWW-Authenticate header, and no protected resource metadata at either well-known URL.";
    NoWwwAuthenticate = "no-www-authenticate", "protected-broken", true,
        ["DISCOVERY_NO_WWW_AUTHENTICATE", "HEADER_STRIPPED_BY_PROXY_SUSPECTED"],
        "401 responses of the MCP endpoint carry no WWW-Authenticate header, although the metadata is served at both well-known URLs.";
    NoPrm = "no-prm", "protected-broken", true,
        ["AUTH_REQUIRED_BUT_NOT_ADVERTISED", "OAUTH_DISCOVERY_UNAVAILABLE", "PRM_HTTP_STATUS_NOT_200"],
        "The Bearer challenge has no resource_metadata and both well-known metadata URLs answer 404.";
    PrmHtmlCatchAll = "prm-html-catch-all", "protected-broken", true,
        ["PRM_CONTENT_TYPE_NOT_JSON", "OAUTH_DISCOVERY_UNAVAILABLE"],
        "Both metadata URLs answer 200 text/html with a single-page-app index page.";
    PrmNotObject = "prm-not-object", "protected-broken", true,
        ["PRM_NOT_JSON_OBJECT", "OAUTH_DISCOVERY_UNAVAILABLE"],
        "Both metadata URLs answer 200 application/json with a JSON array instead of an object.";
    PrmRequiresAuth = "prm-requires-auth", "protected-broken", true,
        ["PRM_REQUIRES_AUTH", "OAUTH_DISCOVERY_UNAVAILABLE"],
        "Both metadata URLs demand a bearer token (401 with a Bearer challenge), so no client can read them before it has one.";
    PrmResourceTrailingSlash = "prm-resource-trailing-slash", "protected-ok", true,
        ["PRM_RESOURCE_TRAILING_SLASH"],
        "The metadata names the resource with a trailing slash (.../mcp/ instead of .../mcp).";
    PrmResourceParent = "prm-resource-parent", "protected-ok", true,
        ["PRM_RESOURCE_PARENT_PATH"],
        "The metadata names the origin's root (.../) as the resource instead of the MCP endpoint.";
    PrmResourceOther = "prm-resource-other", "protected-broken", true,
        ["PRM_HINT_RESOURCE_MISMATCH", "OAUTH_DISCOVERY_UNAVAILABLE"],
        "The metadata names an unrelated resource (https://other.example/mcp).";
    PrmResourceMissing = "prm-resource-missing", "protected-broken", true,
        ["PRM_RESOURCE_MISSING", "OAUTH_DISCOVERY_UNAVAILABLE"],
        "The metadata has no resource member.";
    PrmResourceFragment = "prm-resource-fragment", "protected-broken", true,
        ["RESOURCE_FRAGMENT_FORBIDDEN"],
        "The metadata's resource carries a fragment (.../mcp#main).";
    PrmResourceNotCanonical = "prm-resource-not-canonical", "protected-ok", true,
        ["PRM_RESOURCE_NOT_CANONICAL"],
        "The metadata's resource spells the scheme in uppercase (HTTP://...).";
    PrmNoAuthorizationServers = "prm-no-authorization-servers", "protected-broken", true,
        ["PRM_MISSING_AUTHORIZATION_SERVERS", "OAUTH_DISCOVERY_UNAVAILABLE"],
        "The metadata has no authorization_servers member.";
    PrmAuthorizationServersRelative = "prm-authorization-servers-relative", "protected-broken", true,
        ["PRM_AUTHORIZATION_SERVERS_INVALID", "OAUTH_DISCOVERY_UNAVAILABLE"],
        "The metadata lists a relative reference (\"/\") as its authorization server.";
    PrmAuthorizationServerHttp = "prm-authorization-server-http", "protected-broken", true,
        ["RFC3986_ABSOLUTE_HTTPS_REQUIRED"],
        "The metadata lists a plain-http, non-loopback authorization server (http://auth.example).";
    PrmBearerMethodsInvalid = "prm-bearer-methods-invalid", "protected-ok", true,
        ["PRM_BEARER_METHODS_INVALID"],
        "bearer_methods_supported lists \"cookie\", which RFC 9728 does not define.";
    PrmFieldType = "prm-field-type", "protected-ok", true,
        ["PRM_FIELD_TYPE_INVALID"],
        "scopes_supported is a string instead of an array of strings.";
    PrmJwksUriHttp = "prm-jwks-uri-http", "protected-ok", true,
        ["PRM_JWKS_URI_NOT_HTTPS"],
        "The metadata's jwks_uri is a plain-http URL on a public host.";
    PrmSigningAlgNone = "prm-signing-alg-none", "protected-ok", true,
        ["PRM_SIGNING_ALG_NONE_FORBIDDEN"],
        "resource_signing_alg_values_supported includes \"none\".";
    PrmOfflineAccess = "prm-offline-access", "protected-ok", true,
        ["PRM_SCOPES_OFFLINE_ACCESS"],
        "scopes_supported advertises offline_access.";
    PrmNoCacheControl = "prm-no-cache-control", "protected-ok", true,
        ["PRM_CACHE_CONTROL_MISSING"],
        "Metadata responses carry no Cache-Control header.";
    PrmNoCors = "prm-no-cors", "protected-ok", true,
        ["PRM_CORS_MISSING"],
        "Metadata responses carry no CORS headers and the preflight answers 405.";
    PrmRootOnly = "prm-root-only", "protected-ok", true,
        ["DISCOVERY_RESOURCE_METADATA_MISSING", "PRM_WELLKNOWN_PATH_SUFFIX_MISSING"],
        "Only the root metadata URL is served (the path-suffix URL answers 404), and the challenge names no resource_metadata, so clients must find it by the well-known URLs.";
    PrmPathSuffixOnly = "prm-path-suffix-only", "protected-ok", true,
        ["DISCOVERY_RESOURCE_METADATA_MISSING", "DISCOVERY_ROOT_WELLKNOWN_404"],
        "Only the path-suffix metadata URL is served (the root URL answers 404), and the challenge names no resource_metadata.";
    ChallengeMalformed = "challenge-malformed", "protected-broken", true,
        ["WWW_AUTHENTICATE_MALFORMED"],
        "The WWW-Authenticate header has an unterminated quoted string.";
    ChallengeBasic = "challenge-basic", "non-oauth-auth", true,
        ["WWW_AUTHENTICATE_NO_BEARER"],
        "The MCP endpoint challenges with Basic only and no OAuth metadata exists (an API-key or password server).";
    ChallengeNoScope = "challenge-no-scope", "protected-ok", true,
        ["CHALLENGE_SCOPE_MISSING"],
        "The Bearer challenge has no scope parameter.";
    ChallengeNoResourceMetadata = "challenge-no-resource-metadata", "protected-ok", true,
        ["DISCOVERY_RESOURCE_METADATA_MISSING"],
        "The Bearer challenge has no resource_metadata parameter, although the metadata is served at the well-known URLs.";
    ChallengeRelativeMetadata = "challenge-relative-metadata", "protected-broken", true,
        ["DISCOVERY_RESOURCE_METADATA_INVALID"],
        "The challenge's resource_metadata is a relative reference, not an absolute URL.";
    ChallengeErrorWithoutCredentials = "challenge-error-without-credentials", "protected-ok", true,
        ["CHALLENGE_ERROR_WITHOUT_CREDENTIALS"],
        "The challenge to a request without credentials carries error=\"invalid_token\".";
    ChallengeOfflineAccess = "challenge-offline-access", "protected-ok", true,
        ["CHALLENGE_OFFLINE_ACCESS"],
        "The challenge's scope includes offline_access.";
    InvalidTokenAccepted = "invalid-token-accepted", "protected-ok", true,
        ["INVALID_TOKEN_ACCEPTED"],
        "Any bearer token is accepted, including ones this lab never issued.";
    InvalidToken500 = "invalid-token-500", "protected-ok", true,
        ["INVALID_TOKEN_WRONG_STATUS"],
        "An unknown bearer token is answered with 500 instead of 401.";
    InvalidTokenNoError = "invalid-token-no-error", "protected-ok", true,
        ["INVALID_TOKEN_ERROR_CODE_MISSING"],
        "An unknown bearer token gets a 401 whose challenge has no error=\"invalid_token\".";
    GetSseWithoutAuth = "get-sse-without-auth", "protected-ok", true,
        ["AUTH_CHALLENGE_INCONSISTENT"],
        "GET on the MCP endpoint opens an event stream without any credentials while POST demands a token.";
    GetNotSse = "get-not-sse", "protected-ok", true,
        ["MCP_GET_NOT_SSE", "AUTH_CHALLENGE_INCONSISTENT"],
        "GET on the MCP endpoint answers 200 application/json without credentials, neither a stream nor 405.";
    GetHangs = "get-hangs", "protected-ok", true,
        ["MCP_PROBE_TIMEOUT"],
        "GET on the MCP endpoint never sends response headers.";
    Redirect = "redirect", "protected-ok", true,
        ["TARGET_REDIRECTED"],
        "/mcp answers 308 to /v2/mcp, where the MCP server and its metadata really live.";
    HtmlPage = "html-page", "not-mcp", true,
        ["TARGET_NOT_MCP"],
        "/mcp answers every method with 200 text/html (a marketing page) and no metadata exists.";
    NoAuth = "no-auth", "no-auth", true,
        ["AUTH_NOT_REQUIRED"],
        "The MCP endpoint answers without credentials and no OAuth metadata is served.";
    AsIssuerMismatch = "as-issuer-mismatch", "protected-broken", true,
        ["AUTH_SERVER_ISSUER_MISMATCH"],
        "The authorization server metadata names an issuer (.../other) that differs from the one in authorization_servers.";
    AsIssuerQuery = "as-issuer-query", "protected-broken", true,
        ["AUTH_SERVER_ISSUER_QUERY_FRAGMENT"],
        "The issuer identifier carries a query (?tenant=lab), in authorization_servers and in the metadata alike.";
    AsNoPkce = "as-no-pkce", "protected-broken", true,
        ["AUTH_SERVER_PKCE_S256_MISSING"],
        "The metadata has no code_challenge_methods_supported (PKCE is still enforced, but clients cannot know).";
    AsPkcePlainOnly = "as-pkce-plain-only", "protected-broken", true,
        ["AUTH_SERVER_PKCE_S256_MISSING", "AUTH_SERVER_PKCE_PLAIN_ADVERTISED"],
        "code_challenge_methods_supported lists only \"plain\".";
    AsNoCodeResponseType = "as-no-code-response-type", "protected-broken", true,
        ["AUTH_SERVER_RESPONSE_TYPE_CODE_MISSING"],
        "response_types_supported is [\"id_token\"], without \"code\".";
    AsLegacyGrants = "as-legacy-grants", "protected-ok", true,
        ["AUTH_SERVER_LEGACY_GRANTS_ADVERTISED"],
        "The metadata advertises the implicit flow (response type token) and the password grant.";
    AsMetadataHtml = "as-metadata-html", "protected-broken", true,
        ["AUTH_SERVER_METADATA_CONTENT_TYPE_NOT_JSON", "AUTH_SERVER_METADATA_UNREACHABLE"],
        "The authorization server metadata URL answers 200 text/html (a single-page-app index page); no other discovery URL serves metadata.";
    AsMetadataNoTokenEndpoint = "as-metadata-no-token-endpoint", "protected-broken", true,
        ["AUTH_SERVER_METADATA_INVALID"],
        "The authorization server metadata has no token_endpoint.";
    AsOidcOnly = "as-oidc-only", "protected-ok", true,
        ["AUTH_SERVER_ROOT_WELLKNOWN_PROBE_FAILED"],
        "The issuer has the path /tenant1 and its metadata is served only at /tenant1/.well-known/openid-configuration (nothing at the host root).";
    AsCandidate5xx = "as-candidate-5xx", "protected-ok", true,
        ["AUTH_SERVER_CANDIDATE_5XX"],
        "/.well-known/oauth-authorization-server answers 500; the metadata is served at /.well-known/openid-configuration.";
    AsEndpointNotHttps = "as-endpoint-not-https", "protected-ok", true,
        ["AUTH_SERVER_ENDPOINT_NOT_HTTPS", "AUTH_SERVER_ENDPOINT_HOST_MISMATCH"],
        "The metadata's revocation_endpoint is a plain-http URL on a public host (http://auth.example/revoke).";
    AsEndpointOtherHost = "as-endpoint-other-host", "protected-ok", true,
        ["AUTH_SERVER_ENDPOINT_HOST_MISMATCH"],
        "The metadata's revocation_endpoint names localhost while the issuer names 127.0.0.1 (legal, reported as information).";
    AsNoRegistrationPath = "as-no-registration-path", "protected-ok", true,
        ["AUTH_SERVER_NO_REGISTRATION_PATH", "AUTH_SERVER_CIMD_NOT_SUPPORTED"],
        "The metadata offers neither Client ID Metadata Documents nor a registration_endpoint.";
    AsNoCimd = "as-no-cimd", "protected-ok", true,
        ["AUTH_SERVER_CIMD_NOT_SUPPORTED"],
        "The metadata offers dynamic client registration but not Client ID Metadata Documents.";
    AsNoPublicClientAuth = "as-no-public-client-auth", "protected-ok", true,
        ["AUTH_SERVER_PUBLIC_CLIENT_AUTH_MISSING"],
        "token_endpoint_auth_methods_supported is [\"client_secret_basic\"], without \"none\".";
    AsNoIssParameter = "as-no-iss-parameter", "protected-ok", true,
        ["AUTH_SERVER_ISS_PARAMETER_NOT_ADVERTISED"],
        "The metadata does not advertise authorization_response_iss_parameter_supported.";
    AsProtectedResourcesOther = "as-protected-resources-other", "protected-ok", true,
        ["AUTH_SERVER_PROTECTED_RESOURCES_MISMATCH"],
        "The metadata's protected_resources lists only https://other.example/mcp.";
    AsScopesWhitespace = "as-scopes-whitespace", "protected-ok", true,
        ["SCOPES_WHITESPACE_RISK"],
        "The authorization server's scopes_supported contains \"mcp: admin\", a scope with a space in it.";
    AsIssuerLinkLocal = "as-issuer-link-local", "protected-broken", true,
        ["AUTH_SERVER_ISSUER_PRIVATE_BLOCKED"],
        "authorization_servers names https://169.254.169.254 (a link-local, cloud-metadata address).";
    JwksPrivateKey = "jwks-private-key", "protected-ok", true,
        ["JWKS_PRIVATE_KEY_EXPOSED"],
        "The jwks_uri publishes an EC key together with its private member d.";
    JwksEmpty = "jwks-empty", "protected-ok", true,
        ["JWKS_EMPTY"],
        "The jwks_uri publishes a JWK Set with an empty keys array.";
    JwksInvalid = "jwks-invalid", "protected-ok", true,
        ["JWKS_INVALID"],
        "The jwks_uri publishes a key without kty.";
    JwksUnreachable = "jwks-unreachable", "protected-ok", true,
        ["JWKS_FETCH_ERROR"],
        "The jwks_uri answers 404.";
    TokenErrorHtml = "token-error-html", "protected-ok", true,
        ["TOKEN_RESPONSE_NOT_JSON_RISK"],
        "The token endpoint answers errors with a 400 HTML page.";
    TokenError200 = "token-error-200", "protected-ok", true,
        ["TOKEN_HTTP200_ERROR_PAYLOAD_RISK"],
        "The token endpoint answers errors with 200 and a JSON error object.";
    TokenErrorStatus = "token-error-status", "protected-ok", true,
        ["TOKEN_ERROR_STATUS_INVALID"],
        "The token endpoint answers errors with 403 instead of 400.";
    TokenError500 = "token-error-500", "protected-ok", true,
        ["TOKEN_ERROR_STATUS_INVALID"],
        "The token endpoint crashes on an invalid grant: 500 with a JSON error (the endpoint is there, it fails on bad input).";
    TokenErrorCode = "token-error-code", "protected-ok", true,
        ["TOKEN_ERROR_CODE_INVALID"],
        "The token endpoint answers an unknown code with error \"bad_code\" instead of invalid_grant.";
    TokenEndpoint404 = "token-endpoint-404", "protected-broken", true,
        ["TOKEN_ENDPOINT_UNREACHABLE"],
        "The metadata's token_endpoint names a path the server does not serve (404).";
    DcrDangerousUri = "dcr-dangerous-uri", "protected-ok", true,
        ["DCR_DANGEROUS_URI_ACCEPTED", "DCR_ENDPOINT_OPEN"],
        "Active: dynamic client registration accepts javascript: and data: redirect URIs.";
    DcrRateLimited = "dcr-rate-limited", "protected-ok", false,
        [],
        "Active: dynamic client registration answers every request 429 with Retry-After: 60 (rate limiting is not a defect of the endpoint).";
    TokenRateLimited = "token-rate-limited", "protected-ok", false,
        [],
        "The token endpoint answers every request 429 with Retry-After: 60 (rate limiting is not a defect of the endpoint).";
    DcrFileRedirect = "dcr-file-redirect", "protected-ok", true,
        ["DCR_ENDPOINT_OPEN", "DCR_FILE_REDIRECT_ACCEPTED"],
        "Active: dynamic client registration accepts file: redirect URIs.";
    DcrHttpRedirect = "dcr-http-redirect", "protected-ok", true,
        ["DCR_HTTP_REDIRECT_ACCEPTED", "DCR_ENDPOINT_OPEN"],
        "Active: dynamic client registration accepts plain-http redirect URIs on any host.";
    DcrEmptyRedirectUris = "dcr-empty-redirect-uris", "protected-ok", true,
        ["DCR_EMPTY_REDIRECT_URIS_ACCEPTED", "DCR_ENDPOINT_OPEN"],
        "Active: dynamic client registration accepts authorization-code clients without redirect URIs.";
    DcrRejectsLoopback = "dcr-rejects-loopback", "protected-broken", true,
        ["DCR_LOOPBACK_REDIRECT_REJECTED", "DCR_REGISTRATION_REJECTED", "DCR_ENDPOINT_OPEN"],
        "Active: dynamic client registration refuses loopback redirect URIs (only https is accepted).";
    DcrRejectsAll = "dcr-rejects-all", "protected-ok", true,
        ["DCR_REGISTRATION_REJECTED"],
        "Active: dynamic client registration refuses every client with invalid_client_metadata.";
    DcrReusesClientId = "dcr-reuses-client-id", "protected-ok", true,
        ["DCR_CLIENT_ID_REUSED", "DCR_ENDPOINT_OPEN"],
        "Active: every registration gets the client_id of the first client registered.";
    DcrBadErrorResponse = "dcr-bad-error-response", "protected-ok", true,
        ["DCR_ERROR_RESPONSE_INVALID", "DCR_ENDPOINT_OPEN"],
        "Active: refused registrations are answered 400 text/plain instead of a JSON error.";
    DcrNoDelete = "dcr-no-delete", "protected-ok", true,
        ["DCR_CLEANUP_INCOMPLETE", "DCR_ENDPOINT_OPEN"],
        "Active: registrations return no registration_client_uri or registration_access_token (no RFC 7592 management).";
    PkceNotEnforced = "pkce-not-enforced", "protected-ok", true,
        ["AUTH_SERVER_PKCE_NOT_ENFORCED", "DCR_ENDPOINT_OPEN"],
        "Active: the authorization endpoint issues a code for a request without code_challenge.";
    PkcePlainAccepted = "pkce-plain-accepted", "protected-ok", true,
        ["AUTH_SERVER_PKCE_NOT_ENFORCED", "DCR_ENDPOINT_OPEN"],
        "Active: the authorization endpoint issues a code for code_challenge_method=plain, although its metadata advertises only S256.";
    RedirectUriNotExact = "redirect-uri-not-exact", "protected-ok", true,
        ["AUTH_SERVER_REDIRECT_URI_NOT_EXACT", "DCR_ENDPOINT_OPEN"],
        "Active: the authorization endpoint accepts any redirect_uri that starts with a registered one.";
    InitializeError = "initialize-error", "protected-broken", true,
        ["MCP_INITIALIZE_FAILED"],
        "initialize is answered with a JSON-RPC error (-32603) instead of a result.";
    InitializeNoServerInfo = "initialize-no-server-info", "protected-ok", true,
        ["MCP_INITIALIZE_RESULT_INVALID"],
        "The initialize result has no serverInfo.";
    InitializeNoProtocolVersion = "initialize-no-protocol-version", "protected-broken", true,
        ["MCP_PROTOCOL_VERSION_MISSING", "MCP_INITIALIZE_RESULT_INVALID"],
        "The initialize result has no protocolVersion.";
    CapabilitiesNotObject = "capabilities-not-object", "protected-ok", true,
        ["MCP_CAPABILITIES_INVALID"],
        "The initialize result's capabilities is an array of names instead of an object.";
    InitializedRejected = "initialized-rejected", "protected-broken", true,
        ["MCP_NOTIFICATION_FAILED"],
        "notifications/initialized is refused with 400.";
    Notification200 = "notification-200", "protected-ok", true,
        ["MCP_NOTIFICATION_STATUS_INVALID"],
        "Accepted notifications are answered 200 instead of 202.";
    NotificationBody = "notification-body", "protected-ok", true,
        ["MCP_NOTIFICATION_BODY_PRESENT"],
        "Accepted notifications are answered 202 with a JSON body.";
    NotificationIdAccepted = "notification-id-accepted", "protected-ok", true,
        ["MCP_NOTIFICATION_WITH_ID_ACCEPTED"],
        "A notifications/... message carrying an id is accepted like a notification (202, no response).";
    NullIdAccepted = "null-id-accepted", "protected-ok", true,
        ["MCP_JSONRPC_ID_NULL_ACCEPTED"],
        "Requests with \"id\": null are served as if the id were valid.";
    ResponseInvalid = "response-invalid", "protected-broken", true,
        ["MCP_JSONRPC_RESPONSE_INVALID"],
        "The response to ping carries both result and error.";
    ResponseIdMismatch = "response-id-mismatch", "protected-broken", true,
        ["MCP_JSONRPC_RESPONSE_ID_MISMATCH"],
        "The response to ping echoes the request id as a string (\"2\" for 2).";
    BatchAccepted = "batch-accepted", "protected-ok", true,
        ["MCP_BATCH_ACCEPTED"],
        "JSON-RPC batches (array bodies) are processed although batching was removed in 2025-06-18.";
    SessionNotRequired = "session-not-required", "protected-ok", true,
        ["MCP_SESSION_ID_REQUIRED_NOT_ENFORCED", "MCP_INITIALIZE_ORDERING_NOT_ENFORCED"],
        "Requests without an Mcp-Session-Id are served although the lab issues sessions.";
    SessionIdInvalidChars = "session-id-invalid-chars", "protected-ok", true,
        ["MCP_SESSION_ID_INVALID_CHARS"],
        "Session ids contain spaces.";
    UnknownSessionNot404 = "unknown-session-not-404", "protected-ok", true,
        ["MCP_SESSION_ID_REJECTION_MISSING"],
        "A request with an unknown session id is answered 400 instead of 404.";
    DeleteRejected = "delete-rejected", "protected-ok", true,
        ["MCP_SESSION_DELETE_INVALID"],
        "DELETE of a session is answered 500.";
    OriginNotValidated = "origin-not-validated", "protected-ok", true,
        ["MCP_ORIGIN_NOT_VALIDATED"],
        "The Origin header is not checked: a request from https://evil.example is served.";
    VersionHeaderIgnored = "version-header-ignored", "protected-ok", true,
        ["MCP_PROTOCOL_VERSION_REJECTION_MISSING"],
        "An unsupported MCP-Protocol-Version header is accepted instead of answered 400.";
    VersionDowngrade = "version-downgrade", "protected-ok", true,
        ["MCP_PROTOCOL_VERSION_MISMATCH"],
        "initialize answers 2025-06-18 when 2025-11-25, which the lab supports, is requested.";
    PingNotEmpty = "ping-not-empty", "protected-ok", true,
        ["MCP_PING_INVALID_RESPONSE"],
        "ping is answered with {\"status\": \"ok\"} instead of an empty result.";
    ToolsListError = "tools-list-error", "protected-broken", true,
        ["MCP_TOOLS_LIST_FAILED"],
        "tools/list is answered with a JSON-RPC error although the tools capability is declared.";
    ToolsListInvalid = "tools-list-invalid", "protected-ok", true,
        ["MCP_TOOLS_LIST_INVALID"],
        "The tools/list result names its array items instead of tools.";
    ToolInputSchemaMissing = "tool-input-schema-missing", "protected-ok", true,
        ["MCP_TOOL_INPUT_SCHEMA_MISSING"],
        "The echo tool has no inputSchema.";
    ToolInputSchemaInvalid = "tool-input-schema-invalid", "protected-ok", true,
        ["MCP_TOOL_INPUT_SCHEMA_INVALID"],
        "The echo tool's inputSchema is not valid JSON Schema (required is a string).";
    ToolNameInvalid = "tool-name-invalid", "protected-ok", true,
        ["MCP_TOOL_NAME_INVALID"],
        "The echo tool is named \"echo text!\" (a space and a punctuation mark).";
    ToolIconUnsafe = "tool-icon-unsafe", "protected-ok", true,
        ["MCP_ICON_UNSAFE_SCHEME"],
        "The echo tool's icon is a javascript: URI.";
    TasksMethodMissing = "tasks-method-missing", "protected-ok", true,
        ["MCP_TASKS_METHOD_MISSING"],
        "The tasks capability advertises tasks/list, which answers -32601 Method not found.";
    ToolsListEndlessStream = "tools-list-endless-stream", "protected-ok", true,
        ["MCP_RESPONSE_INCOMPLETE"],
        "tools/list is answered with an SSE stream of keep-alives and progress notifications that never carries the response.";
    ToolsListHugeStream = "tools-list-huge-stream", "protected-ok", true,
        ["MCP_RESPONSE_INCOMPLETE"],
        "tools/list is answered with an SSE stream of 100 MB of progress notifications before the response.";
    HeaderMismatchAccepted = "header-mismatch-accepted", "protected-ok", true,
        ["MCP_HEADER_MISMATCH_NOT_REJECTED"],
        "2026-07-28 lab: a missing or different Mcp-Method header is not checked against the body.";
    UnsupportedVersionErrorInvalid = "unsupported-version-error-invalid", "protected-ok", true,
        ["MCP_UNSUPPORTED_VERSION_ERROR_INVALID"],
        "2026-07-28 lab: an unsupported protocol version is answered with -32602 and no list of supported versions.";
    VerifierWrongAudience = "verifier-wrong-audience", "protected-broken", true,
        ["TOKEN_REJECTED_BY_RESOURCE"],
        "The MCP server's token verifier expects the audience .../api instead of the MCP server's URL, so it refuses every token its own authorization server issues.";
    VerifierAnyAudience = "verifier-any-audience", "protected-ok", true,
        ["FOREIGN_AUDIENCE_TOKEN_ACCEPTED", "DCR_ENDPOINT_OPEN"],
        "Active: the MCP server accepts tokens of its authorization server whatever their audience, including tokens minted for another resource.";
    VerifierAcceptsAlgNone = "verifier-accepts-alg-none", "protected-ok", true,
        ["UNSIGNED_JWT_ACCEPTED", "DCR_ENDPOINT_OPEN"],
        "Active: the MCP server accepts a JWT whose header says alg none and which has no signature.";
    VerifierSkipsSignature = "verifier-skips-signature", "protected-ok", true,
        ["TAMPERED_JWT_ACCEPTED", "DCR_ENDPOINT_OPEN"],
        "Active: the MCP server accepts an HS256 JWT without checking its signature.";
    SessionWithoutToken = "session-without-token", "protected-ok", true,
        ["SESSION_WITHOUT_TOKEN_ACCEPTED"],
        "A request carrying the session id of an authenticated session is served without any Authorization header.";
    QueryTokenAccepted = "query-token-accepted", "protected-ok", true,
        ["QUERY_TOKEN_ACCEPTED"],
        "The MCP endpoint accepts the access token in an access_token query parameter.";
    MalformedBearerAccepted = "malformed-bearer-accepted", "protected-ok", true,
        ["MALFORMED_AUTHORIZATION_ACCEPTED"],
        "An Authorization header whose Bearer credential is empty or not a token68 string skips the token check.";
    InsufficientScopeBare403 = "insufficient-scope-bare-403", "protected-broken", true,
        ["INSUFFICIENT_SCOPE_CHALLENGE_MALFORMED", "AUTHENTICATED_TOOLS_LIST_FAILED"],
        "tools/list demands the scope mcp:admin, which the authorization server never grants, and refuses with a bare 403 (no insufficient_scope challenge).";
    ToolsListRefusedWithToken = "tools-list-refused-with-token", "protected-broken", true,
        ["AUTHENTICATED_TOOLS_LIST_FAILED"],
        "initialize accepts the token, but tools/list answers 401 invalid_token to the same token.";
    TokenResponseCacheable = "token-response-cacheable", "protected-ok", true,
        ["TOKEN_RESPONSE_CACHEABLE"],
        "Login: the token response carries no Cache-Control: no-store.";
    TokenTypeNotBearer = "token-type-not-bearer", "protected-ok", true,
        ["TOKEN_TYPE_NOT_BEARER"],
        "Login: the token response says token_type JWT instead of Bearer.";
    AuthorizationWrongIss = "authorization-wrong-iss", "protected-broken", true,
        ["AUTHORIZATION_RESPONSE_ISS_MISMATCH"],
        "Login: the authorization response's iss names another issuer (.../other) than the metadata's.";
    AuthorizationDropsState = "authorization-drops-state", "protected-broken", true,
        ["AUTHORIZATION_STATE_NOT_RETURNED"],
        "Login: the authorization response does not return the state parameter.";
    AuthorizationCodeReusable = "authorization-code-reusable", "protected-ok", true,
        ["AUTHORIZATION_CODE_REUSE_ACCEPTED", "DCR_ENDPOINT_OPEN"],
        "Active login: an authorization code can be redeemed again and again.";
    RefreshTokenNotRotated = "refresh-token-not-rotated", "protected-ok", true,
        ["REFRESH_TOKEN_NOT_ROTATED", "DCR_ENDPOINT_OPEN"],
        "Active login: refresh tokens of public clients stay valid after use (no rotation).";
    AuthorizationDenied = "authorization-denied", "protected-broken", true,
        ["LOGIN_FAILED"],
        "Login: the authorization endpoint answers every request with error=access_denied.";
    TokenAudienceIssuer = "token-audience-issuer", "protected-ok", true,
        ["TOKEN_AUDIENCE_MISMATCH"],
        "Login: access tokens name the issuer as their audience instead of the requested resource (and the MCP server accepts that audience).";
    ResourceParameterIgnored = "resource-parameter-ignored", "protected-ok", true,
        ["TOKEN_RESOURCE_PARAMETER_IGNORED", "DCR_ENDPOINT_OPEN"],
        "Active login: a refresh that asks for another resource gets a token for this one (the resource parameter is ignored).";
    TokenEndpointHangs = "token-endpoint-hangs", "protected-broken", true,
        ["LOGIN_FAILED"],
        "Login: the token endpoint never answers a request that redeems a valid authorization code.";
    HangHeaders = "hang-headers", "timeout", false,
        [],
        "Hostile: every request to /mcp is accepted and never answered (no response headers).";
    EndlessBody = "endless-body", "not-mcp", false,
        [],
        "Hostile: POST /mcp starts an event stream that sends keep-alives and junk forever, never a JSON-RPC response.";
    HugeBody = "huge-body", "not-mcp", false,
        [],
        "Hostile: POST /mcp answers 200 application/json with a 50 MiB body.";
}

impl Defect {
    /// Whether the defect only shows when the scanner may create state
    /// (`authprobe scan --active`): registering clients and sending
    /// authorization requests. The calibration matrix scans these actively.
    pub fn active(&self) -> bool {
        matches!(
            self,
            Defect::DcrDangerousUri
                | Defect::DcrFileRedirect
                | Defect::DcrRateLimited
                | Defect::DcrHttpRedirect
                | Defect::DcrEmptyRedirectUris
                | Defect::DcrRejectsLoopback
                | Defect::DcrRejectsAll
                | Defect::DcrReusesClientId
                | Defect::DcrBadErrorResponse
                | Defect::DcrNoDelete
                | Defect::PkceNotEnforced
                | Defect::PkcePlainAccepted
                | Defect::RedirectUriNotExact
                | Defect::VerifierAnyAudience
                | Defect::VerifierAcceptsAlgNone
                | Defect::VerifierSkipsSignature
                | Defect::AuthorizationCodeReusable
                | Defect::RefreshTokenNotRotated
                | Defect::ResourceParameterIgnored
        )
    }

    /// The defect with this kebab-case name, if there is one.
    pub fn from_name(name: &str) -> Option<Defect> {
        Defect::ALL.iter().copied().find(|d| d.name() == name)
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
