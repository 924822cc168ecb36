//! Stage 3 probes: every protected resource metadata candidate, fetched and kept.

use url::Url;

use crate::http::{BodyRead, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;
use crate::wire::wellknown::prm_candidates;

use crate::facts::prm::Source;

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
