//! Recorded inputs for the checks: hand-built exchanges, recorded into a trace in
//! the order the scan records them. Nothing here touches the network.

use serde_json::{json, Value};
use url::Url;

use crate::facts::challenge::ChallengeFacts;
use crate::facts::prm::{Candidate, PrmFacts, Source};
use crate::facts::Trace;
use crate::http::{
    ErrorKind, Exchange, ExchangeError, ExchangeId, Fetched, Header, RecordedRequest,
    RecordedResponse, RedirectStop, Timing,
};
use crate::probe::prm as prm_probe;
use crate::report::Stage;
use crate::wire::www_authenticate::ResourceMetadataRef;

/// The MCP endpoint of the recorded server.
pub const MCP: &str = "https://mcp.example.com/mcp";
/// Its path-suffix well-known PRM URL.
pub const PS: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
/// Its root well-known PRM URL.
pub const ROOT: &str = "https://mcp.example.com/.well-known/oauth-protected-resource";
/// The authorization server its metadata names.
pub const AS: &str = "https://auth.example.com";
/// The challenge of a well-behaved server.
pub const GOOD_CHALLENGE: &str = r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools""#;
/// The challenge of a well-behaved server to a bad token.
pub const INVALID_TOKEN_CHALLENGE: &str = r#"Bearer error="invalid_token", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools""#;

pub fn url(s: &str) -> Url {
    Url::parse(s).expect("fixture URL")
}

/// What the recorded server answered to one request: a response, or no response.
#[derive(Debug, Clone)]
pub enum Reply {
    Response {
        status: u16,
        headers: Vec<Header>,
        body: String,
    },
    Failed(ErrorKind),
}

/// A response with this status, no headers and no body.
pub fn status(code: u16) -> Reply {
    Reply::Response {
        status: code,
        headers: Vec::new(),
        body: String::new(),
    }
}

/// No response, for this reason.
pub fn failed(kind: ErrorKind) -> Reply {
    Reply::Failed(kind)
}

/// No response headers in time.
pub fn timeout() -> Reply {
    failed(ErrorKind::Timeout)
}

impl Reply {
    /// Adds a header (several lines of one name are kept apart, in order).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Response { headers, .. } = &mut self {
            headers.push(Header::new(name, value));
        }
        self
    }

    /// Sets the body.
    pub fn body(mut self, text: &str) -> Self {
        if let Reply::Response { body, .. } = &mut self {
            *body = text.to_string();
        }
        self
    }

    /// A JSON body served as `application/json`.
    pub fn json(self, value: Value) -> Self {
        self.header("Content-Type", "application/json")
            .body(&value.to_string())
    }
}

/// 404 with a plain-text body.
pub fn not_found() -> Reply {
    status(404)
        .header("Content-Type", "text/plain")
        .body("Not Found")
}

/// 401 carrying this `WWW-Authenticate` value.
pub fn unauthorized(challenge: &str) -> Reply {
    status(401)
        .header("WWW-Authenticate", challenge)
        .header("Content-Type", "application/json")
        .body(r#"{"error":"unauthorized"}"#)
}

/// 401 without any `WWW-Authenticate`.
pub fn bare_401() -> Reply {
    status(401)
        .header("Content-Type", "application/json")
        .body(r#"{"error":"unauthorized"}"#)
}

/// A JSON-RPC result to the probe's `initialize` (id 1).
pub fn initialize_result() -> Reply {
    status(200).json(json!({
        "jsonrpc": "2.0",
        "id": 1,
        "result": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "serverInfo": {"name": "recorded", "version": "1.0.0"}
        }
    }))
}

/// An SPA catch-all page.
pub fn html_page(code: u16) -> Reply {
    status(code)
        .header("Content-Type", "text/html; charset=utf-8")
        .body("<!doctype html><html><head><title>App</title></head><body></body></html>")
}

/// A correct RFC 9728 document for [`MCP`].
pub fn prm_doc() -> Value {
    json!({
        "resource": MCP,
        "authorization_servers": [AS],
        "scopes_supported": ["mcp:tools"],
        "bearer_methods_supported": ["header"]
    })
}

/// `prm_doc()` with one member replaced, or removed when `value` is `None`.
pub fn prm_with(field: &str, value: Option<Value>) -> Value {
    let mut doc = prm_doc();
    let map = doc.as_object_mut().expect("object");
    match value {
        Some(v) => {
            map.insert(field.to_string(), v);
        }
        None => {
            map.remove(field);
        }
    }
    doc
}

/// A document served the way RFC 9728 §3.2 and browsers want it.
pub fn prm_ok(doc: Value) -> Reply {
    status(200)
        .json(doc)
        .header("Cache-Control", "max-age=3600")
        .header("Access-Control-Allow-Origin", "*")
}

/// A CORS preflight that grants the GET.
pub fn preflight_ok() -> Reply {
    status(204)
        .header("Access-Control-Allow-Origin", "*")
        .header("Access-Control-Allow-Methods", "GET")
        .header("Access-Control-Allow-Headers", "mcp-protocol-version")
}

/// Builds one exchange (id 0: the trace numbers it).
pub fn exchange(stage: Stage, method: &str, at: &str, reply: &Reply) -> Exchange {
    let (response, error) = match reply {
        Reply::Response {
            status,
            headers,
            body,
        } => (
            Some(RecordedResponse {
                status: *status,
                version: "HTTP/1.1".into(),
                headers: headers.clone(),
                body: body.clone(),
                body_bytes: body.len(),
                truncated: false,
            }),
            None,
        ),
        Reply::Failed(kind) => (
            None,
            Some(ExchangeError {
                kind: *kind,
                message: format!("recorded {} failure", kind.as_str()),
            }),
        ),
    };
    Exchange {
        id: 0,
        stage,
        purpose: format!("{method} {at}"),
        request: RecordedRequest {
            method: method.into(),
            url: at.into(),
            headers: Vec::new(),
            body: None,
        },
        response,
        error,
        redirect_of: None,
        connection: None,
        timing: Timing::default(),
    }
}

/// A single-hop request.
pub fn single(exchange: Exchange) -> Fetched {
    Fetched {
        exchanges: vec![exchange],
        redirect_stopped: None,
    }
}

/// The recorded server: what each probe of a scan got back.
#[derive(Debug, Clone)]
pub struct Site {
    /// The URL the user asked to scan.
    pub target: Url,
    /// Where the MCP endpoint really is (differs from `target` when it redirects).
    pub mcp: Url,
    /// `(status, followed)` when `target` redirects to `mcp`.
    pub redirect: Option<(u16, bool)>,
    pub init: Reply,
    pub get: Reply,
    pub bogus: Reply,
    /// The GET repeated inside the session (sent only when the first GET got 400).
    pub session_get: Reply,
    routes: Vec<(Url, Reply)>,
    preflights: Vec<(Url, Reply)>,
}

impl Site {
    /// A protected server that does everything right.
    pub fn protected() -> Site {
        Site {
            target: url(MCP),
            mcp: url(MCP),
            redirect: None,
            init: unauthorized(GOOD_CHALLENGE),
            get: unauthorized(GOOD_CHALLENGE),
            bogus: unauthorized(INVALID_TOKEN_CHALLENGE),
            session_get: status(405),
            routes: vec![(url(PS), prm_ok(prm_doc())), (url(ROOT), prm_ok(prm_doc()))],
            preflights: Vec::new(),
        }
    }

    /// A server that answers MCP without credentials and serves no metadata.
    pub fn open() -> Site {
        Site {
            init: initialize_result(),
            get: status(405),
            bogus: initialize_result(),
            routes: Vec::new(),
            ..Site::protected()
        }
    }

    pub fn init(mut self, reply: Reply) -> Self {
        self.init = reply;
        self
    }

    pub fn get(mut self, reply: Reply) -> Self {
        self.get = reply;
        self
    }

    pub fn bogus(mut self, reply: Reply) -> Self {
        self.bogus = reply;
        self
    }

    /// What a GET of `at` answers (unrouted URLs answer [`not_found`]).
    pub fn route(mut self, at: &str, reply: Reply) -> Self {
        let at = url(at);
        self.routes.retain(|(u, _)| *u != at);
        self.routes.push((at, reply));
        self
    }

    /// What the CORS preflight of `at` answers (unrouted URLs answer [`preflight_ok`]).
    pub fn preflight(mut self, at: &str, reply: Reply) -> Self {
        let at = url(at);
        self.preflights.retain(|(u, _)| *u != at);
        self.preflights.push((at, reply));
        self
    }

    /// The user scans `at` (the MCP endpoint itself, e.g. with a query).
    pub fn at(mut self, at: &str) -> Self {
        self.target = url(at);
        self.mcp = url(at);
        self
    }

    /// The user scans `from`, which answers `code` pointing at the MCP URL.
    pub fn redirected_from(mut self, from: &str, code: u16, followed: bool) -> Self {
        self.target = url(from);
        self.redirect = Some((code, followed));
        self
    }

    fn lookup(list: &[(Url, Reply)], at: &Url) -> Option<Reply> {
        list.iter().find(|(u, _)| u == at).map(|(_, r)| r.clone())
    }

    /// One MCP probe, through the redirect if there is one.
    fn mcp_probe(&self, method: &str, reply: &Reply) -> Fetched {
        let Some((code, followed)) = self.redirect else {
            return single(exchange(
                Stage::Challenge,
                method,
                self.target.as_str(),
                reply,
            ));
        };
        let hop = status(code).header("Location", self.mcp.as_str());
        let first = exchange(Stage::Challenge, method, self.target.as_str(), &hop);
        if followed {
            Fetched {
                exchanges: vec![
                    first,
                    exchange(Stage::Challenge, method, self.mcp.as_str(), reply),
                ],
                redirect_stopped: None,
            }
        } else {
            Fetched {
                exchanges: vec![first],
                redirect_stopped: Some(RedirectStop::NoFollow),
            }
        }
    }

    /// GET and preflight of each candidate, recorded as `record_candidates` does.
    fn candidates(&self, trace: &mut Trace, wanted: &[(Source, Url)]) -> Vec<Candidate> {
        wanted
            .iter()
            .map(|(source, at)| {
                let got = Self::lookup(&self.routes, at).unwrap_or_else(not_found);
                let pre = Self::lookup(&self.preflights, at).unwrap_or_else(preflight_ok);
                let fetch = trace.record(single(exchange(Stage::Prm, "GET", at.as_str(), &got)));
                let preflight =
                    trace.record(single(exchange(Stage::Prm, "OPTIONS", at.as_str(), &pre)));
                Candidate::new(trace, *source, at.clone(), fetch, Some(preflight))
            })
            .collect()
    }

    /// Records every probe in the scan's order and builds the facts the scan builds.
    pub fn record(&self) -> Scene {
        let mut trace = Trace::new();
        let target = &self.target;
        // Level 1.
        let init = trace.record(self.mcp_probe("POST", &self.init));
        let get = trace.record(self.mcp_probe("GET", &self.get));
        let bogus = trace.record(self.mcp_probe("POST", &self.bogus));
        let first = self.candidates(&mut trace, &prm_probe::well_known(target));
        let mut facts = ChallengeFacts::new(&trace, init, get, bogus);

        // Level 2: the challenge's URL, the final URL's well-known URLs, the session GET.
        let effective = facts.effective_url.clone();
        let mut wanted: Vec<(Source, Url)> = Vec::new();
        match &facts.resource_metadata {
            Some(ResourceMetadataRef::Absolute(u)) => wanted.push((Source::Header, u.clone())),
            Some(ResourceMetadataRef::Relative { resolved }) => {
                wanted.push((Source::Header, resolved.clone()))
            }
            _ => {}
        }
        let redirected = facts.initialize.redirected() && &effective != target;
        if redirected {
            wanted.extend(prm_probe::well_known(&effective));
        }
        let to_fetch: Vec<(Source, Url)> = wanted
            .iter()
            .filter(|(_, u)| !first.iter().any(|c| &c.url == u))
            .cloned()
            .collect();
        let session_get = matches!(
            (
                &facts.session_id,
                trace.last_of(&facts.get).and_then(|e| e.status())
            ),
            (Some(_), Some(400))
        );
        if session_get {
            let e = exchange(
                Stage::Challenge,
                "GET",
                effective.as_str(),
                &self.session_get,
            );
            facts.get_with_session = Some(trace.record(single(e)));
        }
        let second = self.candidates(&mut trace, &to_fetch);

        let mut candidates = Vec::new();
        for (source, at) in &wanted {
            if let Some(c) = second.iter().chain(first.iter()).find(|c| &c.url == at) {
                candidates.push(Candidate {
                    source: *source,
                    ..c.clone()
                });
            }
        }
        if !redirected {
            candidates.extend(first.iter().cloned());
        }
        candidates.sort_by_key(|c| c.source);
        candidates.dedup_by_key(|c| c.source);
        let superseded = if redirected { first } else { Vec::new() };
        let prm = PrmFacts {
            candidates,
            superseded,
        };

        // Level 3: the DELETE of the session.
        if facts.session_id.is_some() {
            let e = exchange(Stage::Challenge, "DELETE", effective.as_str(), &status(204));
            trace.record(single(e));
        }
        Scene {
            trace,
            facts,
            prm,
            mcp_url: effective,
        }
    }
}

/// A recorded scan, ready to judge.
pub struct Scene {
    pub trace: Trace,
    pub facts: ChallengeFacts,
    pub prm: PrmFacts,
    pub mcp_url: Url,
}

impl Scene {
    /// Final hop of the unauthenticated initialize.
    pub fn init(&self) -> ExchangeId {
        self.facts.initialize.last()
    }

    /// Final hop of the GET stream.
    pub fn get(&self) -> ExchangeId {
        self.facts.get.last()
    }

    /// Final hop of the bogus-token request.
    pub fn bogus(&self) -> ExchangeId {
        self.facts.bogus.last()
    }

    fn candidate(&self, at: &str) -> &Candidate {
        let at = url(at);
        self.prm
            .candidates
            .iter()
            .find(|c| c.url == at)
            .unwrap_or_else(|| panic!("no PRM candidate for {at}"))
    }

    /// The GET of the PRM candidate at `at`.
    pub fn fetch(&self, at: &str) -> ExchangeId {
        self.candidate(at).fetch.last()
    }

    /// The preflight of the PRM candidate at `at`.
    pub fn preflight(&self, at: &str) -> ExchangeId {
        self.candidate(at)
            .preflight
            .as_ref()
            .expect("preflight recorded")
            .last()
    }
}
