//! What stage 1 observed: the answer to the primary request, its challenge, and
//! the session it opened.

use serde_json::Value;
use url::Url;

use crate::http::Exchange;
use crate::wire::jsonrpc::{self, ResponseShape};
use crate::wire::www_authenticate::{
    parse_challenges, resolve_resource_metadata, Challenge, ChallengeSyntaxError,
    ResourceMetadataRef,
};

use super::{Recorded, Trace};

/// Id of the `initialize` request the probes send.
pub const INITIALIZE_ID: u64 = 1;

/// The answer to `server/discover` identifies a 2026-07-28 server: a result,
/// or a JSON-RPC error only a modern server sends.
pub fn is_modern_answer(answer: &Answer) -> bool {
    match answer {
        Answer::JsonRpcResult(_) => true,
        Answer::JsonRpcError(code, _) => crate::wire::mcp::is_modern_error(*code),
        _ => false,
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
#[allow(clippy::expect_used, reason = "a literal URL that parses")]
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
