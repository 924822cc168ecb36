//! What a client profile says: the discovery and login algorithm of one client at one
//! version, as data. [`super::walk`] plays an SDK profile over a report's exchanges;
//! [`super::documented`] checks a closed host's documented requirements.

/// Where a profile's rules come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Read from the client's published source code, at the version named.
    Code,
    /// Taken from the client's public documentation ("documented behaviour").
    Documented,
    /// The behaviour a specification revision prescribes for every client.
    Specification,
}

impl Basis {
    /// Kebab-case name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Code => "code",
            Basis::Documented => "documented-behaviour",
            Basis::Specification => "specification",
        }
    }
}

/// One client at one version.
#[derive(Debug)]
pub struct Profile {
    /// Stable identifier used by `--client`, e.g. `typescript-sdk`.
    pub id: &'static str,
    /// Human name, e.g. `MCP TypeScript SDK`.
    pub name: &'static str,
    /// The version the rules describe (`documented` for closed hosts).
    pub version: &'static str,
    /// Where the rules come from.
    pub basis: Basis,
    /// The MCP protocol revision it speaks.
    pub revision: &'static str,
    /// Whether a test runs the real client against the lab and holds the profile to it.
    pub grounded: bool,
    /// The algorithm.
    pub rules: Rules,
}

/// How a profile is judged.
#[derive(Debug)]
pub enum Rules {
    /// A client whose whole discovery and login walk is known (from its code).
    Walk(&'static Walk),
    /// A closed host: a list of documented requirements, each with its source.
    Documented(&'static [DocRule]),
}

/// How the challenge's `resource_metadata` parameter is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Never read (the client does not know RFC 9728).
    Ignored,
    /// First `resource_metadata=` match of the raw header; a value that is not an
    /// absolute URL is ignored.
    AbsoluteOnly,
    /// First `resource_metadata=` match of the raw header, requested as it is: a value
    /// that is not an absolute http(s) URL fails the request.
    Raw,
}

/// Which protected resource metadata URLs are tried, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrmOrder {
    /// No protected resource metadata at all (MCP 2025-03-26).
    None,
    /// The hint alone when there is one, else the path-suffix URL, then the root URL
    /// after an answer below 500 that is not 2xx.
    HintElseWellKnown,
    /// The hint, then the path-suffix URL, then the root URL, each after any answer
    /// that is not a usable document.
    HintThenWellKnown,
}

/// What a protected resource metadata document must hold to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrmSchema {
    /// `resource` a URL; `authorization_servers` optional, each a URL; the typed
    /// members of RFC 9728 of their type.
    ResourceRequired,
    /// As `ResourceRequired`, and at least one authorization server.
    ResourceAndServersRequired,
}

/// How the document's `resource` is compared with the URL the client connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceMatch {
    /// Same origin, and the connected path (with `/` appended) starts with the
    /// resource path (with `/` appended), and is not shorter than it.
    PrefixNotShorter,
    /// Same origin (case-insensitive), and the connected path (with `/` appended)
    /// starts with the resource path (with `/` appended).
    Prefix,
}

/// The `resource` parameter sent to the authorization and token endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceSent {
    /// The document's `resource` exactly as written; nothing without a document.
    DocumentVerbatim,
    /// The document's `resource` with scheme and host lowercased; the connected URL
    /// without a document.
    DocumentNormalized,
}

/// What a client does when the protected resource metadata leads nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Any failure: the MCP server's origin is taken as the authorization server.
    OriginOnAnyFailure,
    /// As `OriginOnAnyFailure`, except that a 5xx or 429 answer is an error.
    OriginUnlessServerError,
}

/// How authorization server metadata candidates are walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsWalk {
    /// 4xx: next; 5xx: error; 200: parsed, and a document that does not parse is an error.
    StrictOnSuccess,
    /// 3xx and 4xx: next; 200 that does not parse: next; anything else: stop without metadata.
    LenientOnSuccess,
}

/// Which candidate URLs are tried at the MCP origin when it stands in as the
/// authorization server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginMetadata {
    /// `/.well-known/oauth-authorization-server`, then `/.well-known/openid-configuration`.
    OauthThenOidc,
    /// `/.well-known/oauth-authorization-server` only.
    OauthOnly,
}

/// What the client requires of the authorization server metadata before it redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requires {
    /// `response_types_supported` must list `code`.
    pub code_response_type: bool,
    /// `code_challenge_methods_supported`, when present, must list `S256`.
    pub s256_when_listed: bool,
    /// The metadata's `issuer` must equal the authorization server URL (RFC 8414 §3.3).
    pub issuer_match: bool,
    /// A `registration_endpoint` is required (no registration without one).
    pub registration_endpoint: bool,
    /// The authorization response must return the `state` sent.
    pub state_returned: bool,
    /// The authorization response's `iss` must be the metadata's issuer (RFC 9207), and
    /// present when the metadata advertises it.
    pub response_iss: bool,
    /// The token response's `token_type` must be `Bearer`.
    pub bearer_token_type: bool,
}

/// The error message a client prints at each failure point: templates whose `{name}`
/// placeholders are filled from the facts (`{*}` stands for text that depends on the
/// client's runtime, e.g. a JSON parser's wording).
#[derive(Debug, Clone, Copy)]
pub struct Messages {
    /// The document's `resource` does not match: `{resource}`, `{expected}`.
    pub resource_mismatch: &'static str,
    /// Every metadata URL failed and one answered 5xx or 429: `{status}`.
    pub prm_server_error: Option<&'static str>,
    /// The hint is not a URL the client can request: `{hint}`.
    pub hint_unusable: Option<&'static str>,
    /// A metadata candidate answered 5xx: `{status}`, `{url}`, `{kind}`.
    pub as_server_error: Option<&'static str>,
    /// A 200 metadata answer is not JSON.
    pub as_not_json: Option<&'static str>,
    /// A 200 metadata answer lacks a required member: `{member}`.
    pub as_invalid: Option<&'static str>,
    /// `issuer` differs: `{issuer}`, `{expected}`.
    pub issuer_mismatch: Option<&'static str>,
    /// `code` not among the response types.
    pub no_code_response_type: Option<&'static str>,
    /// S256 not among the listed PKCE methods.
    pub no_s256: Option<&'static str>,
    /// No registration endpoint.
    pub no_registration_endpoint: Option<&'static str>,
    /// The registration was refused: `{status}`, `{body}`, `{error_description}`.
    pub registration_refused: &'static str,
    /// The authorization server refused the authorization request: `{error}`.
    pub authorization_refused: &'static str,
    /// The token endpoint did not answer as one: `{status}`, `{body}`.
    pub token_failed: &'static str,
    /// The authorization response lost the `state`: `{state}`.
    pub state_mismatch: Option<&'static str>,
    /// The authorization response's `iss` is another issuer: `{iss}`, `{expected}`.
    pub response_iss_mismatch: Option<&'static str>,
    /// The authorization response has no `iss` though the metadata advertises it.
    pub response_iss_missing: Option<&'static str>,
    /// The token response's `token_type` is not `Bearer`.
    pub token_type: Option<&'static str>,
    /// The MCP server refuses the token the client obtained.
    pub session_refused: Option<&'static str>,
    /// A refused registration or token request whose body is not an OAuth error
    /// object: `{status}`, `{body}` (when absent, the refusal template is used).
    pub error_unparsed: Option<&'static str>,
}

/// A client whose discovery and login walk is known.
#[derive(Debug)]
pub struct Walk {
    /// How the challenge hint is read.
    pub hint: Hint,
    /// Which metadata URLs are tried.
    pub prm_order: PrmOrder,
    /// What a usable document holds.
    pub prm_schema: PrmSchema,
    /// How `resource` is compared.
    pub resource_match: ResourceMatch,
    /// What is sent as `resource`.
    pub resource_sent: ResourceSent,
    /// `resource` is compared only after the authorization server metadata is fetched
    /// (so a metadata error is the one reported); otherwise as soon as the document is read.
    pub resource_checked_late: bool,
    /// What happens when the metadata leads nowhere.
    pub fallback: Fallback,
    /// The metadata URLs tried at the origin when it stands in.
    pub origin_metadata: OriginMetadata,
    /// How metadata candidates are walked.
    pub as_walk: AsWalk,
    /// OpenID Connect documents must carry the OpenID Provider members
    /// (`jwks_uri`, `subject_types_supported`, `id_token_signing_alg_values_supported`).
    pub oidc_members_required: bool,
    /// What it checks before redirecting.
    pub requires: Requires,
    /// Its error messages.
    pub messages: Messages,
    /// Where each rule comes from (file and function of the client's code, or a section).
    pub sources: &'static [(&'static str, &'static str)],
}

/// One documented requirement of a closed host.
#[derive(Debug)]
pub struct DocRule {
    /// What the host requires, in a few words.
    pub rule: &'static str,
    /// The check.
    pub check: DocCheck,
    /// The public page that says so.
    pub source: &'static str,
}

/// The documented requirements that can be judged from a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocCheck {
    /// Discovery through protected resource metadata (challenge or well-known URL).
    ProtectedResourceMetadata,
    /// Authorization server metadata it can read.
    AuthorizationServerMetadata,
    /// Authorization server metadata found through protected resource metadata, or at
    /// the MCP server's origin as MCP 2025-03-26 has it.
    MetadataOrOrigin,
    /// `S256` listed in `code_challenge_methods_supported`.
    S256Advertised,
    /// A registration path: DCR, or CIMD (with `none` among the token endpoint
    /// authentication methods); `manual` says whether a client id typed by the user
    /// is a documented way out.
    Registration {
        /// Client ID Metadata Documents are supported.
        cimd: bool,
        /// The user can enter a client id (and secret) instead.
        manual: bool,
    },
}
