//! Stage 3 probes: every protected resource metadata candidate, fetched and kept.

use url::Url;

use crate::http::{BodyRead, Exchange, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;
use crate::wire::prm::{parse_prm, NotAnObject, PrmDocument};
use crate::wire::wellknown::prm_candidates;

use super::{Recorded, Trace};

/// Where a PRM candidate URL came from, in the order an MCP 2025-11-25 client tries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// The challenge's `resource_metadata` parameter.
    Header,
    /// `/.well-known/oauth-protected-resource/<path>`.
    PathSuffix,
    /// `/.well-known/oauth-protected-resource`.
    Root,
}

impl Source {
    /// Kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Header => "header",
            Source::PathSuffix => "path-suffix",
            Source::Root => "root",
        }
    }

    /// Human label for evidence.
    pub fn label(self) -> &'static str {
        match self {
            Source::Header => "the challenge's resource_metadata URL",
            Source::PathSuffix => "the path-suffix well-known URL",
            Source::Root => "the root well-known URL",
        }
    }
}

/// The well-known candidates for an MCP URL: path-suffix (when the URL has a path) and root.
pub fn well_known(mcp_url: &Url) -> Vec<(Source, Url)> {
    let wk = prm_candidates(mcp_url);
    let mut out = Vec::with_capacity(2);
    if let Some(path_suffix) = wk.path_suffix {
        out.push((Source::PathSuffix, path_suffix));
    }
    out.push((Source::Root, wk.root));
    out
}

/// GET one PRM candidate.
pub fn fetch_request(source: Source, url: &Url, trust: Trust) -> RequestSpec {
    RequestSpec {
        method: "GET".into(),
        url: url.clone(),
        headers: vec![("Accept".into(), "application/json".into())],
        body: None,
        stage: Stage::Prm,
        purpose: format!("PRM {} candidate", source.as_str()),
        trust,
        redirects: RedirectPolicy::HttpsOnly { max: 5 },
        read: BodyRead::Full,
        stop_when: None,
    }
}

/// The CORS preflight a browser-based client (such as an inspector page) sends first.
pub fn preflight_request(source: Source, url: &Url, trust: Trust) -> RequestSpec {
    RequestSpec {
        method: "OPTIONS".into(),
        url: url.clone(),
        headers: vec![
            ("Origin".into(), "http://localhost:6274".into()),
            ("Access-Control-Request-Method".into(), "GET".into()),
            (
                "Access-Control-Request-Headers".into(),
                "mcp-protocol-version".into(),
            ),
        ],
        body: None,
        stage: Stage::Prm,
        purpose: format!("CORS preflight of the PRM {} candidate", source.as_str()),
        trust,
        redirects: RedirectPolicy::None,
        read: BodyRead::Full,
        stop_when: None,
    }
}

/// What became of one candidate.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Where the URL came from.
    pub source: Source,
    /// The URL.
    pub url: Url,
    /// The GET (all hops).
    pub fetch: Recorded,
    /// The OPTIONS preflight.
    pub preflight: Option<Recorded>,
    /// The document, when the final answer was 200 and its body parsed as an object.
    pub document: Option<Result<PrmDocument, NotAnObject>>,
}

impl Candidate {
    /// Reads a candidate out of its recorded exchanges.
    pub fn new(
        trace: &Trace,
        source: Source,
        url: Url,
        fetch: Recorded,
        preflight: Option<Recorded>,
    ) -> Self {
        let document = trace
            .last_of(&fetch)
            .and_then(|e| e.response.as_ref())
            .filter(|r| r.status == 200)
            .map(|r| parse_prm(&r.body));
        Candidate {
            source,
            url,
            fetch,
            preflight,
            document,
        }
    }

    /// The final exchange of the GET.
    pub fn exchange<'t>(&self, trace: &'t Trace) -> Option<&'t Exchange> {
        trace.last_of(&self.fetch)
    }

    /// The HTTP status of the final answer.
    pub fn status(&self, trace: &Trace) -> Option<u16> {
        self.exchange(trace).and_then(|e| e.status())
    }

    /// The parsed document, if it is a JSON object.
    pub fn doc(&self) -> Option<&PrmDocument> {
        self.document.as_ref().and_then(|d| d.as_ref().ok())
    }
}

/// Everything stage 3 observed.
#[derive(Debug, Clone, Default)]
pub struct PrmFacts {
    /// Every candidate, in client order (header, path-suffix, root).
    pub candidates: Vec<Candidate>,
    /// Candidates fetched for the URL as given, when it redirected elsewhere.
    pub superseded: Vec<Candidate>,
}

impl PrmFacts {
    /// The candidate of a given source.
    pub fn by_source(&self, source: Source) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.source == source)
    }
}
