//! What stage 3 observed: every protected resource metadata candidate and its document.

use url::Url;

use crate::http::Exchange;
use crate::wire::prm::{parse_prm, NotAnObject, PrmDocument};

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
