//! Stage 1 probes: the unauthenticated `initialize`, the GET stream, and the
//! bogus-token request; and the facts the challenge checks judge.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use url::Url;

use crate::http::{BodyRead, Exchange, RedirectPolicy, RequestSpec, StopWhen, Trust};
use crate::report::Stage;
use crate::wire::jsonrpc::{self, ResponseShape};
use crate::wire::www_authenticate::{
    parse_challenges, resolve_resource_metadata, Challenge, ChallengeSyntaxError,
    ResourceMetadataRef,
};

use super::{Recorded, Trace};

/// How long a GET stream is read after its headers arrive: enough to see what it is.
const STREAM_PEEK: Duration = Duration::from_millis(300);
/// Id of the `initialize` request the probes send.
pub const INITIALIZE_ID: u64 = 1;

/// The JSON-RPC `initialize` request body the probes send.
pub fn initialize_body(protocol_version: &str) -> Vec<u8> {
    let request = jsonrpc::request(
        INITIALIZE_ID,
        "initialize",
        json!({
            "protocolVersion": protocol_version,
            "capabilities": {},
            "clientInfo": {"name": "authprobe", "version": env!("CARGO_PKG_VERSION")},
        }),
    );
    request.to_string().into_bytes()
}

fn post_headers() -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), "application/json".into()),
        (
            "Accept".into(),
            "application/json, text/event-stream".into(),
        ),
    ]
}

fn redirect_policy(follow: bool) -> RedirectPolicy {
    if follow {
        RedirectPolicy::Follow { max: 5 }
    } else {
        RedirectPolicy::None
    }
}

/// POST `initialize` without credentials: the primary auth probe.
pub fn initialize_request(target: &Url, protocol_version: &str, follow: bool) -> RequestSpec {
    RequestSpec {
        method: "POST".into(),
        url: target.clone(),
        headers: post_headers(),
        body: Some(initialize_body(protocol_version)),
        stage: Stage::Challenge,
        purpose: "unauthenticated initialize".into(),
        trust: Trust::Target,
        redirects: redirect_policy(follow),
        read: BodyRead::Full,
        stop_when: Some(Arc::new(jsonrpc::sse_response_watcher())),
    }
}

/// POST `initialize` with a well-formed bearer token the server cannot know.
pub fn bogus_token_request(
    target: &Url,
    protocol_version: &str,
    follow: bool,
    token: &str,
) -> RequestSpec {
    let mut headers = post_headers();
    headers.push(("Authorization".into(), format!("Bearer {token}")));
    RequestSpec {
        purpose: "initialize with an invalid bearer token".into(),
        headers,
        ..initialize_request(target, protocol_version, follow)
    }
}

/// POST `server/discover` without credentials, as a 2026-07-28 client sends it
/// (`MCP-Protocol-Version`, `Mcp-Method` and the per-request `_meta`): a client
/// that does not know the server's era tries this modern request first (MCP
/// 2026-07-28 Streamable HTTP › Backward Compatibility).
pub fn discover_request(target: &Url, follow: bool) -> RequestSpec {
    let message = crate::wire::mcp::modern_request(
        Value::from(INITIALIZE_ID),
        "server/discover",
        Value::Null,
        crate::wire::mcp::MODERN_VERSION,
    );
    let mut headers = post_headers();
    headers.push((
        "MCP-Protocol-Version".into(),
        crate::wire::mcp::MODERN_VERSION.into(),
    ));
    headers.push(("Mcp-Method".into(), "server/discover".into()));
    RequestSpec {
        headers,
        body: Some(message.to_string().into_bytes()),
        purpose: "unauthenticated server/discover (2026-07-28)".into(),
        ..initialize_request(target, crate::wire::mcp::MODERN_VERSION, follow)
    }
}

/// The answer to `server/discover` identifies a 2026-07-28 server: a result,
/// or a JSON-RPC error only a modern server sends.
pub fn is_modern_answer(answer: &Answer) -> bool {
    match answer {
        Answer::JsonRpcResult(_) => true,
        Answer::JsonRpcError(code, _) => crate::wire::mcp::is_modern_error(*code),
        _ => false,
    }
}

/// The same request with a well-formed bearer token the server cannot know.
pub fn with_bogus_token(spec: RequestSpec, token: &str) -> RequestSpec {
    let mut headers = spec.headers.clone();
    headers.push(("Authorization".into(), format!("Bearer {token}")));
    let method = if spec.purpose.contains("server/discover") {
        "server/discover"
    } else {
        "initialize"
    };
    // A watcher remembers what it has read: the two requests run at once, so
    // sharing one would let either answer end the other's read early.
    let stop_when = spec
        .stop_when
        .as_ref()
        .map(|_| Arc::new(jsonrpc::sse_response_watcher()) as StopWhen);
    RequestSpec {
        purpose: format!("{method} with an invalid bearer token"),
        headers,
        stop_when,
        ..spec
    }
}

/// GET with `Accept: text/event-stream` (optionally inside a session).
pub fn get_stream_request(target: &Url, follow: bool, session: Option<&str>) -> RequestSpec {
    let mut headers = vec![("Accept".to_string(), "text/event-stream".to_string())];
    let purpose = match session {
        Some(id) => {
            headers.push(("Mcp-Session-Id".into(), id.to_string()));
            "GET stream with the session id"
        }
        None => "GET stream without credentials",
    };
    RequestSpec {
        method: "GET".into(),
        url: target.clone(),
        headers,
        body: None,
        stage: Stage::Challenge,
        purpose: purpose.into(),
        trust: Trust::Target,
        redirects: redirect_policy(follow),
        read: BodyRead::Peek(STREAM_PEEK),
        stop_when: None,
    }
}

/// DELETE the session the probes opened, so a passive scan leaves nothing behind.
pub fn delete_session_request(url: &Url, session: &str) -> RequestSpec {
    RequestSpec {
        method: "DELETE".into(),
        url: url.clone(),
        headers: vec![("Mcp-Session-Id".into(), session.to_string())],
        body: None,
        stage: Stage::Challenge,
        purpose: "end the session opened by the probe".into(),
        trust: Trust::Target,
        redirects: RedirectPolicy::None,
        read: BodyRead::Full,
        stop_when: None,
    }
}

/// What an MCP request got back, in the terms the checks reason in.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// No response (the exchange error says why).
    NoResponse,
    /// 401 or 403.
    AuthRequired(u16),
    /// A JSON-RPC result to our request.
    JsonRpcResult(Value),
    /// A JSON-RPC error object to our request.
    JsonRpcError(i64, String),
    /// A 3xx that was not followed.
    Redirect(u16),
    /// An HTML page.
    Html(u16),
    /// Anything else (status, media type, why it is not JSON-RPC).
    Other(u16, String),
}

/// Classifies an MCP response.
pub fn classify(exchange: &Exchange) -> Answer {
    let Some(response) = &exchange.response else {
        return Answer::NoResponse;
    };
    let status = response.status;
    if status == 401 || status == 403 {
        return Answer::AuthRequired(status);
    }
    if (300..400).contains(&status) {
        return Answer::Redirect(status);
    }
    let media = response.media_type();
    if media.as_deref() == Some("text/html") || looks_like_html(&response.body) {
        return Answer::Html(status);
    }
    match jsonrpc::messages_in_body(media.as_deref(), &response.body) {
        Ok(messages) => {
            let id = Value::from(INITIALIZE_ID);
            let found = jsonrpc::find_response(&messages, &id)
                .or_else(|| messages.iter().find(|m| m.get("error").is_some()));
            match found.map(jsonrpc::classify_response) {
                Some(ResponseShape::Result(v)) => Answer::JsonRpcResult(v.clone()),
                Some(ResponseShape::Error { code, message }) => Answer::JsonRpcError(code, message),
                Some(ResponseShape::Invalid(why)) => Answer::Other(status, why),
                None => Answer::Other(status, "no JSON-RPC response in the body".into()),
            }
        }
        Err(e) => Answer::Other(status, e.to_string()),
    }
}

fn looks_like_html(body: &str) -> bool {
    let head: String = body
        .trim_start()
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// The challenge of one response: absent, unparseable, or parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum ChallengeState {
    /// No `WWW-Authenticate` header, or only empty ones.
    Absent,
    /// Present but not valid under RFC 9110 §11.6.1.
    Malformed(ChallengeSyntaxError),
    /// Parsed challenges.
    Parsed(Vec<Challenge>),
}

impl ChallengeState {
    /// Reads every `WWW-Authenticate` line of a response.
    pub fn of(exchange: &Exchange) -> ChallengeState {
        let Some(response) = &exchange.response else {
            return ChallengeState::Absent;
        };
        let values: Vec<&str> = response.header_values("www-authenticate").collect();
        if values.is_empty() {
            return ChallengeState::Absent;
        }
        match parse_challenges(&values) {
            // An empty header offers no challenge: for a client it is the same as none.
            Ok(challenges) if challenges.is_empty() => ChallengeState::Absent,
            Ok(challenges) => ChallengeState::Parsed(challenges),
            Err(e) => ChallengeState::Malformed(e),
        }
    }

    /// The first Bearer challenge, if any.
    pub fn bearer(&self) -> Option<&Challenge> {
        match self {
            ChallengeState::Parsed(list) => list.iter().find(|c| c.is_scheme("bearer")),
            _ => None,
        }
    }

    /// Schemes offered, for evidence.
    pub fn schemes(&self) -> Vec<String> {
        match self {
            ChallengeState::Parsed(list) => list.iter().map(|c| c.scheme.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

/// Everything stage 1 observed.
#[derive(Debug, Clone)]
pub struct ChallengeFacts {
    /// The unauthenticated initialize (all hops).
    pub initialize: Recorded,
    /// The URL that finally answered the initialize.
    pub effective_url: Url,
    /// What it answered.
    pub answer: Answer,
    /// Its challenge.
    pub challenge: ChallengeState,
    /// The `resource_metadata` of the Bearer challenge, resolved.
    pub resource_metadata: Option<ResourceMetadataRef>,
    /// The session id the server issued, if it answered initialize.
    pub session_id: Option<String>,
    /// The GET stream probe.
    pub get: Recorded,
    /// The GET probe repeated inside the session, when the first one got 400.
    pub get_with_session: Option<Recorded>,
    /// The bogus-token probe.
    pub bogus: Recorded,
    /// The method of the primary request: `initialize`, or `server/discover`
    /// when the server answered that as a 2026-07-28 server does.
    pub primary_method: &'static str,
}

/// The session id a successful answer to this request issued, if any.
pub fn issued_session(trace: &Trace, recorded: &Recorded) -> Option<String> {
    let last = trace.last_of(recorded)?;
    match classify(last) {
        Answer::JsonRpcResult(_) => last
            .response
            .as_ref()
            .and_then(|r| r.header("mcp-session-id"))
            .map(str::to_string),
        _ => None,
    }
}

/// The URL the final hop of a request went to (a placeholder when nothing was sent).
pub fn final_url(last: Option<&Exchange>) -> Url {
    last.and_then(|e| Url::parse(&e.request.url).ok())
        .unwrap_or_else(|| Url::parse("http://invalid.invalid/").expect("static URL"))
}

impl ChallengeFacts {
    /// Reads the facts out of the recorded exchanges.
    pub fn new(trace: &Trace, initialize: Recorded, get: Recorded, bogus: Recorded) -> Self {
        let last = trace.last_of(&initialize);
        let effective_url = final_url(last);
        let answer = last.map(classify).unwrap_or(Answer::NoResponse);
        let challenge = last
            .map(ChallengeState::of)
            .unwrap_or(ChallengeState::Absent);
        let resource_metadata = challenge
            .bearer()
            .and_then(|b| b.param("resource_metadata"))
            .map(|v| resolve_resource_metadata(v, &effective_url));
        let session_id = issued_session(trace, &initialize);
        ChallengeFacts {
            initialize,
            effective_url,
            answer,
            challenge,
            resource_metadata,
            session_id,
            get,
            get_with_session: None,
            bogus,
            primary_method: "initialize",
        }
    }

    /// True when the initialize was refused for lack of credentials.
    pub fn auth_required(&self) -> bool {
        matches!(self.answer, Answer::AuthRequired(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The initialize with a bogus token runs beside the primary one: with a shared
    /// watcher, the first answer seen ended the other read after its first chunk (a
    /// server's SSE priming event), and the scan judged the target not MCP.
    #[test]
    fn the_bogus_token_request_reads_with_a_watcher_of_its_own() {
        let target = Url::parse("http://127.0.0.1:1/mcp").expect("a URL");
        let primary = initialize_request(&target, "2025-11-25", true);
        let bogus = with_bogus_token(primary.clone(), "x");
        let (Some(a), Some(b)) = (&primary.stop_when, &bogus.stop_when) else {
            panic!("both requests stop at their response");
        };
        assert!(!Arc::ptr_eq(a, b));
        let answer = b"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n";
        assert!(b(answer), "the bogus request's own answer ends its read");
        assert!(
            !a(b"data: \nid: 0\nretry: 3000\n\n"),
            "a priming event does not end the primary's"
        );
    }
}
