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
            /// calibrated: they exist to prove the scanner stays bounded.
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
        ["OAUTH_DISCOVERY_UNAVAILABLE", "PRM_HTTP_STATUS_NOT_200"],
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
    PrmResourceTrailingSlash = "prm-resource-trailing-slash", "protected-broken", true,
        ["PRM_RESOURCE_TRAILING_SLASH"],
        "The metadata names the resource with a trailing slash (.../mcp/ instead of .../mcp).";
    PrmResourceParent = "prm-resource-parent", "protected-broken", true,
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
    PrmBearerMethodsInvalid = "prm-bearer-methods-invalid", "protected-broken", true,
        ["PRM_BEARER_METHODS_INVALID"],
        "bearer_methods_supported lists \"cookie\", which RFC 9728 does not define.";
    PrmFieldType = "prm-field-type", "protected-broken", true,
        ["PRM_FIELD_TYPE_INVALID"],
        "scopes_supported is a string instead of an array of strings.";
    PrmJwksUriHttp = "prm-jwks-uri-http", "protected-broken", true,
        ["PRM_JWKS_URI_NOT_HTTPS"],
        "The metadata's jwks_uri is a plain-http URL on a public host.";
    PrmSigningAlgNone = "prm-signing-alg-none", "protected-broken", true,
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
        ["PRM_WELLKNOWN_PATH_SUFFIX_MISSING"],
        "Only the root metadata URL is served (the path-suffix URL answers 404); the challenge points at the root URL.";
    PrmPathSuffixOnly = "prm-path-suffix-only", "protected-ok", true,
        ["DISCOVERY_ROOT_WELLKNOWN_404"],
        "Only the path-suffix metadata URL is served; the root URL answers 404.";
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
    InvalidTokenAccepted = "invalid-token-accepted", "protected-broken", true,
        ["INVALID_TOKEN_ACCEPTED"],
        "Any bearer token is accepted, including ones this lab never issued.";
    InvalidToken500 = "invalid-token-500", "protected-broken", true,
        ["INVALID_TOKEN_WRONG_STATUS"],
        "An unknown bearer token is answered with 500 instead of 401.";
    InvalidTokenNoError = "invalid-token-no-error", "protected-ok", true,
        ["INVALID_TOKEN_ERROR_CODE_MISSING"],
        "An unknown bearer token gets a 401 whose challenge has no error=\"invalid_token\".";
    GetSseWithoutAuth = "get-sse-without-auth", "protected-broken", true,
        ["AUTH_CHALLENGE_INCONSISTENT"],
        "GET on the MCP endpoint opens an event stream without any credentials while POST demands a token.";
    GetNotSse = "get-not-sse", "protected-broken", true,
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
