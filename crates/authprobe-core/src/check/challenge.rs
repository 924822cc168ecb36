//! Stage 1 checks: the unauthenticated request, its challenge, the bogus token, the GET stream.

use crate::catalog::Code;
use crate::facts::challenge::{classify, Answer, ChallengeFacts, ChallengeState};
use crate::facts::prm::{PrmFacts, Source};
use crate::facts::Trace;
use crate::http::{ErrorKind, Exchange};
use crate::report::Finding;
use crate::wire::www_authenticate::ResourceMetadataRef;

use super::prm::PrmVerdict;
use super::seen;

/// Headers whose presence on a 401 suggests a proxy or CDN answered or relayed it.
const PROXY_SIGNATURES: [&str; 6] = [
    "via",
    "x-cache",
    "cf-ray",
    "x-amz-cf-id",
    "x-served-by",
    "x-envoy-upstream-service-time",
];

/// Every stage-1 finding.
pub fn findings(
    facts: &ChallengeFacts,
    prm: &PrmFacts,
    verdict: &PrmVerdict,
    trace: &Trace,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(init) = trace.last_of(&facts.initialize) else {
        return out;
    };
    if facts.initialize.redirected() {
        let first = trace.get(facts.initialize.first());
        out.push(Finding::new(
            Code::TargetRedirected,
            format!(
                "{} redirects; the request ended at {}. Scan that URL directly and give it to clients.",
                first.map(seen).unwrap_or_default(),
                init.request.url
            ),
            facts.initialize.ids.clone(),
        ));
    } else if let Answer::Redirect(status) = facts.answer {
        let location = init
            .response
            .as_ref()
            .and_then(|r| r.header("location"))
            .unwrap_or("(no Location header)");
        out.push(Finding::new(
            Code::TargetRedirected,
            format!(
                "{} redirects ({status}) to {location}; scan that URL instead.",
                seen(init)
            ),
            vec![init.id],
        ));
    }

    if facts.auth_required() {
        challenge_findings(&mut out, facts, prm, verdict, trace, init);
        bogus_token_findings(&mut out, facts, trace);
    } else if matches!(
        facts.answer,
        Answer::JsonRpcResult(_) | Answer::JsonRpcError(..)
    ) {
        out.push(Finding::new(
            Code::AuthNotRequired,
            format!("{} answered MCP without credentials. Authorization is OPTIONAL in MCP: this is a neutral observation.", seen(init)),
            vec![init.id],
        ));
    } else if is_not_mcp(facts, trace) {
        let mut ids = vec![init.id];
        let mut lines = vec![seen(init)];
        if let Some(get) = trace.last_of(&facts.get) {
            ids.push(get.id);
            lines.push(seen(get));
        }
        let why = match &facts.answer {
            Answer::Html(_) => "an HTML page".to_string(),
            Answer::Other(_, why) => why.clone(),
            _ => "no MCP answer".to_string(),
        };
        out.push(Finding::new(
            Code::TargetNotMcp,
            format!(
                "No MCP endpoint answers here: {} ({why}). An MCP Streamable HTTP endpoint answers a POSTed initialize with JSON-RPC or a 401 challenge.",
                lines.join("; ")
            ),
            ids,
        ));
    }
    get_stream_findings(&mut out, facts, trace);
    out
}

/// True when the target answered, but nothing it said looks like MCP or an auth challenge.
pub fn is_not_mcp(facts: &ChallengeFacts, trace: &Trace) -> bool {
    answer_not_mcp(&facts.answer, trace.last_of(&facts.initialize))
        && !get_is_stream_or_auth(trace.last_of(&facts.get))
}

/// The primary answer alone says "not MCP" (an HTML page, or something other than
/// JSON-RPC that is not a timeout); [`get_is_stream_or_auth`] can still overrule it.
pub fn answer_not_mcp(answer: &Answer, primary: Option<&Exchange>) -> bool {
    match answer {
        Answer::Html(_) => true,
        Answer::Other(..) => primary
            .map(|e| !matches!(e.error.as_ref().map(|x| x.kind), Some(ErrorKind::Timeout)))
            .unwrap_or(false),
        _ => false,
    }
}

/// The GET probe found an event stream or a demand for credentials: an MCP endpoint
/// that answers POSTs oddly, not another kind of page.
pub fn get_is_stream_or_auth(get: Option<&Exchange>) -> bool {
    get.and_then(|e| e.response.as_ref())
        .map(|r| {
            (r.is_success() && r.media_type().as_deref() == Some("text/event-stream"))
                || r.status == 401
                || r.status == 403
        })
        .unwrap_or(false)
}

fn challenge_findings(
    out: &mut Vec<Finding>,
    facts: &ChallengeFacts,
    prm: &PrmFacts,
    verdict: &PrmVerdict,
    trace: &Trace,
    init: &Exchange,
) {
    let status = init.status().unwrap_or_default();
    match &facts.challenge {
        ChallengeState::Absent => {
            if status == 401 {
                out.push(Finding::new(
                    Code::DiscoveryNoWwwAuthenticate,
                    format!("{} carries no WWW-Authenticate challenge; RFC 9110 §15.5.2 requires a 401 to send at least one challenge.", seen(init)),
                    vec![init.id],
                ));
            }
            match verdict.well_known_usable {
                None => {
                    let mut ids = vec![init.id];
                    let mut lines = Vec::new();
                    for c in prm.candidates.iter().filter(|c| c.source != Source::Header) {
                        if let Some(e) = c.exchange(trace) {
                            ids.push(e.id);
                            lines.push(seen(e));
                        }
                    }
                    if let Some(sig) = proxy_signature(init) {
                        out.push(Finding::new(
                            Code::HeaderStrippedByProxySuspected,
                            format!("{} has no WWW-Authenticate and carries a proxy/CDN signature ({sig}): a proxy or gateway in front of the server may be answering, or dropping the header (RFC 9110 §11.6.1 forbids proxies from modifying it).", seen(init)),
                            vec![init.id],
                        ));
                    }
                    out.push(Finding::new(
                        Code::AuthRequiredButNotAdvertised,
                        format!(
                            "{} demands authorization but sends no Bearer challenge, and no protected resource metadata is reachable at the well-known locations ({}). A client has no way to find out how to log in.",
                            seen(init),
                            if lines.is_empty() { "none could be built".to_string() } else { lines.join("; ") }
                        ),
                        ids,
                    ));
                }
                Some(source) => {
                    let working = prm.by_source(source).and_then(|c| c.exchange(trace));
                    let mut ids = vec![init.id];
                    let mut text = format!(
                        "{} has no WWW-Authenticate, yet valid metadata is served at {}",
                        seen(init),
                        working.map(seen).unwrap_or_default()
                    );
                    if let Some(w) = working {
                        ids.push(w.id);
                    }
                    if let Some(sig) = proxy_signature(init) {
                        text.push_str(&format!("; the 401 carries a proxy/CDN signature ({sig})"));
                    }
                    text.push_str(": a proxy or gateway in front of the server may be dropping the header (RFC 9110 §11.6.1 forbids proxies from modifying it).");
                    out.push(
                        Finding::new(Code::HeaderStrippedByProxySuspected, text, ids),
                    );
                }
            }
        }
        ChallengeState::Malformed(err) => {
            let value = header_lines(init);
            out.push(Finding::new(
                Code::WwwAuthenticateMalformed,
                format!("{}: WWW-Authenticate `{value}` does not parse under RFC 9110 §11.6.1 ({err}).", seen(init)),
                vec![init.id],
            ));
        }
        ChallengeState::Parsed(challenges) => match facts.challenge.bearer() {
            None => out.push(Finding::new(
                Code::WwwAuthenticateNoBearer,
                format!(
                    "{} challenges with {} and no Bearer scheme: the server uses a non-OAuth scheme, which MCP's OAuth discovery does not cover.",
                    seen(init),
                    challenges.iter().map(|c| c.scheme.as_str()).collect::<Vec<_>>().join(", ")
                ),
                vec![init.id],
            )),
            Some(bearer) => {
                resource_metadata_findings(out, facts, prm, verdict, trace, init);
                match bearer.param("scope") {
                    None => out.push(Finding::new(
                        Code::ChallengeScopeMissing,
                        format!("The Bearer challenge of {} has no `scope`; MCP 2025-11-25 says servers SHOULD include the scopes needed (RFC 6750 §3).", seen(init)),
                        vec![init.id],
                    )),
                    Some(scope) if scope.split(' ').any(|s| s == "offline_access") => {
                        out.push(Finding::new(
                            Code::ChallengeOfflineAccess,
                            format!("The challenge of {} asks for scope \"{scope}\", including offline_access; MCP 2026-07-28 says servers SHOULD NOT (refresh tokens are not a resource requirement).", seen(init)),
                            vec![init.id],
                        ))
                    }
                    Some(_) => {}
                }
                if let Some(error) = bearer.param("error") {
                    out.push(Finding::new(
                        Code::ChallengeErrorWithoutCredentials,
                        format!("The challenge of {} includes error=\"{error}\" although the request carried no credentials; RFC 6750 §3.1 says it SHOULD NOT.", seen(init)),
                        vec![init.id],
                    ));
                }
            }
        },
    }
    stripped_elsewhere(out, facts, trace, init);
}

/// Every well-known candidate was fetched and answered "not here" (404 or 410): no
/// metadata exists, as opposed to metadata that exists but is broken, or a fetch that
/// timed out (neither of which says that nothing is advertised).
fn nothing_at_well_known(prm: &PrmFacts, trace: &Trace) -> bool {
    let mut well_known = prm
        .candidates
        .iter()
        .filter(|c| c.source != Source::Header)
        .peekable();
    well_known.peek().is_some()
        && well_known.all(|c| {
            c.exchange(trace)
                .and_then(|e| e.status())
                .is_some_and(|s| s == 404 || s == 410)
        })
}

fn resource_metadata_findings(
    out: &mut Vec<Finding>,
    facts: &ChallengeFacts,
    prm: &PrmFacts,
    verdict: &PrmVerdict,
    trace: &Trace,
    init: &Exchange,
) {
    let header_candidate = prm.by_source(Source::Header);
    let fetched = header_candidate.and_then(|c| c.exchange(trace));
    match &facts.resource_metadata {
        None if nothing_at_well_known(prm, trace) => {
            // The same root cause as no challenge at all: nothing tells a client where
            // the metadata is, and no well-known URL serves any.
            let mut ids = vec![init.id];
            let mut lines = Vec::new();
            for c in prm.candidates.iter().filter(|c| c.source != Source::Header) {
                if let Some(e) = c.exchange(trace) {
                    ids.push(e.id);
                    lines.push(seen(e));
                }
            }
            out.push(Finding::new(
                Code::AuthRequiredButNotAdvertised,
                format!(
                    "{} demands authorization with the challenge `{}`, which has no resource_metadata, and no protected resource metadata exists at the well-known locations ({}). A client has no way to find out how to log in.",
                    seen(init),
                    header_lines(init),
                    lines.join("; ")
                ),
                ids,
            ));
        }
        None => {
            if let Some(source) = verdict.well_known_usable {
                let working = prm.by_source(source).and_then(|c| c.exchange(trace));
                let mut ids = vec![init.id];
                if let Some(w) = working {
                    ids.push(w.id);
                }
                out.push(Finding::new(
                    Code::DiscoveryResourceMetadataMissing,
                    format!(
                        "The Bearer challenge of {} has no resource_metadata parameter, although metadata is served at {}. Clients that rely on the parameter (MCP 2025-06-18) will not find it.",
                        seen(init),
                        working.map(seen).unwrap_or_default()
                    ),
                    ids,
                ));
            }
        }
        Some(ResourceMetadataRef::Invalid(why)) => out.push(Finding::new(
            Code::DiscoveryResourceMetadataInvalid,
            format!("resource_metadata in the challenge of {} is not a URL ({why}); RFC 9728 §5.1 requires an absolute URL.", seen(init)),
            vec![init.id],
        )),
        Some(ResourceMetadataRef::Relative { resolved }) => {
            let mut ids = vec![init.id];
            ids.extend(fetched.map(|e| e.id));
            out.push(Finding::new(
                Code::DiscoveryResourceMetadataInvalid,
                format!("resource_metadata in the challenge of {} is a relative reference (resolved here to {resolved}); RFC 9728 §5.1 requires an absolute URL, and clients that do not resolve it fail.", seen(init)),
                ids,
            ));
        }
        Some(ResourceMetadataRef::Absolute(url)) => {
            let Some(e) = fetched else { return };
            let loads = match e.status() {
                Some(200) => true,
                Some(401) | Some(403) => true, // PRM_REQUIRES_AUTH says it better
                Some(_) => false,
                None => true, // a timeout is not a verdict on the URL
            };
            if !loads {
                out.push(Finding::new(
                    Code::DiscoveryResourceMetadataInvalid,
                    format!("resource_metadata in the challenge of {} points at {url}, which does not load: {}.", seen(init), seen(e)),
                    vec![init.id, e.id],
                ));
            }
        }
    }
}

/// A header present on the initialize 401 but missing on another 401 of the same endpoint.
fn stripped_elsewhere(
    out: &mut Vec<Finding>,
    facts: &ChallengeFacts,
    trace: &Trace,
    init: &Exchange,
) {
    if matches!(facts.challenge, ChallengeState::Absent)
        || out
            .iter()
            .any(|f| f.code == Code::HeaderStrippedByProxySuspected)
    {
        return;
    }
    let others = [trace.last_of(&facts.get), trace.last_of(&facts.bogus)];
    let missing: Vec<&Exchange> = others
        .into_iter()
        .flatten()
        .filter(|e| {
            e.status() == Some(401) && matches!(ChallengeState::of(e), ChallengeState::Absent)
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut ids = vec![init.id];
    ids.extend(missing.iter().map(|e| e.id));
    out.push(Finding::new(
        Code::HeaderStrippedByProxySuspected,
        format!(
            "{} carries a WWW-Authenticate challenge but {} does not: the header is dropped on some paths (a proxy, or a second auth layer).",
            seen(init),
            missing.iter().map(|e| seen(e)).collect::<Vec<_>>().join("; ")
        ),
        ids,
    ));
}

fn bogus_token_findings(out: &mut Vec<Finding>, facts: &ChallengeFacts, trace: &Trace) {
    let Some(bogus) = trace.last_of(&facts.bogus) else {
        return;
    };
    match classify(bogus) {
        Answer::NoResponse => {}
        Answer::JsonRpcResult(_) => out.push(Finding::new(
            Code::InvalidTokenAccepted,
            format!("{} with a made-up bearer token got an initialize result: the server does not validate tokens (MCP 2025-11-25 Token Handling).", seen(bogus)),
            vec![bogus.id],
        )),
        Answer::AuthRequired(401) => {
            let state = ChallengeState::of(bogus);
            if let Some(bearer) = state.bearer() {
                match bearer.param("error") {
                    Some("invalid_token") => {}
                    Some(other) => out.push(Finding::new(
                        Code::InvalidTokenErrorCodeMissing,
                        format!("{} answered the invalid token with error=\"{other}\"; RFC 6750 §3.1 defines invalid_token for this case.", seen(bogus)),
                        vec![bogus.id],
                    )),
                    None => out.push(Finding::new(
                        Code::InvalidTokenErrorCodeMissing,
                        format!("{} answered the invalid token with a Bearer challenge without error=\"invalid_token\" (RFC 6750 §3.1): clients cannot tell a bad token from a missing one.", seen(bogus)),
                        vec![bogus.id],
                    )),
                }
            }
        }
        _ => {
            let status = bogus.status().map(|s| s.to_string()).unwrap_or_default();
            out.push(Finding::new(
                Code::InvalidTokenWrongStatus,
                format!("{} answered an invalid bearer token with {status}; RFC 6750 §3.1 and MCP 2025-11-25 Error Handling call for 401 with error=\"invalid_token\".", seen(bogus)),
                vec![bogus.id],
            ));
        }
    }
}

fn get_stream_findings(out: &mut Vec<Finding>, facts: &ChallengeFacts, trace: &Trace) {
    let Some(get) = trace.last_of(&facts.get) else {
        return;
    };
    let judged = facts
        .get_with_session
        .as_ref()
        .and_then(|r| trace.last_of(r))
        .unwrap_or(get);
    let Some(response) = &judged.response else {
        if judged.error.as_ref().map(|e| e.kind) == Some(ErrorKind::Timeout) {
            out.push(Finding::new(
                Code::McpProbeTimeout,
                format!(
                    "{}: the GET stream sent no response headers in time.",
                    seen(judged)
                ),
                vec![judged.id],
            ));
        }
        return;
    };
    let auth_required = facts.auth_required();
    let sse = response.media_type().as_deref() == Some("text/event-stream");
    let status = response.status;
    if auth_required && response.is_success() {
        out.push(Finding::new(
            Code::AuthChallengeInconsistent,
            format!(
                "POST demands authorization ({}) but {} succeeds without credentials: the GET stream bypasses the auth the POST enforces.",
                seen_init(facts, trace),
                seen(judged)
            ),
            vec![facts.initialize.last(), judged.id],
        ));
    }
    if !auth_required
        && (status == 401 || status == 403)
        && matches!(facts.answer, Answer::JsonRpcResult(_))
    {
        out.push(Finding::new(
            Code::AuthChallengeInconsistent,
            format!(
                "POST answers MCP without credentials ({}) but {} demands them.",
                seen_init(facts, trace),
                seen(judged)
            ),
            vec![facts.initialize.last(), judged.id],
        ));
    }
    let legal = (response.is_success() && sse)
        || status == 405
        || status == 401
        || status == 403
        || (status == 400
            && (auth_required || facts.session_id.is_some())
            && facts.get_with_session.is_none());
    // A redirect that was not followed says nothing about the GET stream.
    let redirect = (300..400).contains(&status);
    if !legal
        && !redirect
        && !matches!(
            facts.answer,
            Answer::Html(_) | Answer::Other(..) | Answer::NoResponse | Answer::Redirect(_)
        )
    {
        out.push(Finding::new(
            Code::McpGetNotSse,
            format!("{} answered neither text/event-stream nor 405 Method Not Allowed (MCP 2025-11-25 Transports › Listening for Messages from the Server).", seen(judged)),
            vec![judged.id],
        ));
    }
}

fn seen_init(facts: &ChallengeFacts, trace: &Trace) -> String {
    trace
        .last_of(&facts.initialize)
        .map(seen)
        .unwrap_or_default()
}

fn header_lines(exchange: &Exchange) -> String {
    exchange
        .response
        .as_ref()
        .map(|r| {
            r.header_values("www-authenticate")
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

/// `Server` values of products that sit in front of applications. A bare `Server`
/// header says nothing: application servers send one too.
const PROXY_SERVERS: [&str; 10] = [
    "cloudflare",
    "cloudfront",
    "akamaighost",
    "varnish",
    "envoy",
    "awselb",
    "kong",
    "google frontend",
    "apache traffic server",
    "azure application gateway",
];

fn proxy_signature(exchange: &Exchange) -> Option<String> {
    let response = exchange.response.as_ref()?;
    let mut found: Vec<String> = PROXY_SIGNATURES
        .iter()
        .filter_map(|name| response.header(name).map(|v| format!("{name}: {v}")))
        .collect();
    if let Some(server) = response.header("server") {
        let lower = server.to_ascii_lowercase();
        if PROXY_SERVERS.iter().any(|p| lower.contains(p)) {
            found.push(format!("server: {server}"));
        }
    }
    (!found.is_empty()).then(|| found.join(", "))
}
