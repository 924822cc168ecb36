//! Stage 4 probes: every authorization server metadata candidate of every issuer
//! the protected resource metadata names, fetched at once and kept in the
//! MCP 2025-11-25 order, plus the root well-known URL that 2025-03-26 clients
//! probe for an issuer with a path.

use futures_util::future::join_all;
use url::Url;

use crate::http::{BodyRead, Client, Fetched, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;
use crate::wire::wellknown::{auth_server_candidates, AsCandidateKind};

use crate::facts::auth_server::{kind_name, AsFetch, AuthServerFacts, Issuer, IssuerFacts};
use crate::facts::Trace;

/// At most this many issuers are probed; a document naming more is unusual and
/// should not be able to multiply the scan's requests.
pub const MAX_ISSUERS: usize = 5;

const ROOT_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";

/// Which issuers to probe: the absolute http(s) entries, in document order, at
/// most [`MAX_ISSUERS`]; returns them and the entries left out (stage 3 judges
/// the entries that are not URLs).
pub fn issuers(authorization_servers: &[String]) -> (Vec<Issuer>, Vec<String>) {
    let mut probed = Vec::new();
    let mut left_out = Vec::new();
    for raw in authorization_servers {
        let parsed = Url::parse(raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if probed.iter().any(|i: &Issuer| &i.raw == raw) || left_out.contains(raw) {
            continue; // listed twice: one issuer, probed once
        }
        match parsed {
            Some(url) if probed.len() < MAX_ISSUERS => probed.push(Issuer {
                raw: raw.clone(),
                url,
            }),
            Some(_) => left_out.push(raw.clone()),
            None => {}
        }
    }
    (probed, left_out)
}

/// The root well-known URL probed for an issuer with a path, `None` for an issuer without one.
pub fn root_probe_url(issuer: &Url) -> Option<Url> {
    let path = issuer.path();
    let path = path.strip_suffix('/').unwrap_or(path);
    if path.is_empty() {
        return None;
    }
    let mut url = issuer.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.set_path(ROOT_WELL_KNOWN);
    Some(url)
}

/// GET one metadata URL (a candidate or the root probe).
pub fn metadata_request(url: &Url, purpose: String) -> RequestSpec {
    RequestSpec::new("GET", url.clone(), Stage::AuthServer, purpose)
        .header("Accept", "application/json")
        .trust(Trust::Steered)
        .redirects(RedirectPolicy::HttpsOnly { max: 5 })
        .read(BodyRead::Full)
}

/// GET the `jwks_uri` of the metadata.
pub fn jwks_request(url: &Url) -> RequestSpec {
    RequestSpec::new("GET", url.clone(), Stage::AuthServer, "JWK Set (jwks_uri)")
        .header("Accept", "application/jwk-set+json, application/json")
        .trust(Trust::Steered)
        .redirects(RedirectPolicy::HttpsOnly { max: 5 })
}

/// Stage 4 requests in flight (or done), not yet numbered.
pub struct Pending {
    issuers: Vec<PendingIssuer>,
    left_out: Vec<String>,
}

struct PendingIssuer {
    issuer: Issuer,
    candidates: Vec<(AsCandidateKind, Url, Fetched)>,
    root: Option<(Url, Fetched)>,
}

/// Fetches every candidate of every issuer, and the root probes, concurrently.
pub async fn fetch(client: &Client, issuers: Vec<Issuer>, left_out: Vec<String>) -> Pending {
    let per_issuer = issuers.into_iter().map(|issuer| async move {
        let candidates = auth_server_candidates(&issuer.url);
        let root = root_probe_url(&issuer.url);
        let (fetched, root_fetched) = futures_util::future::join(
            join_all(candidates.iter().map(|c| {
                client.send(metadata_request(
                    &c.url,
                    format!(
                        "AS metadata {} candidate for {}",
                        kind_name(c.kind),
                        issuer.raw
                    ),
                ))
            })),
            async {
                match &root {
                    Some(url) => Some(
                        client
                            .send(metadata_request(
                                url,
                                format!(
                                    "AS metadata at the root well-known URL (MCP 2025-03-26 clients) for {}",
                                    issuer.raw
                                ),
                            ))
                            .await,
                    ),
                    None => None,
                }
            },
        )
        .await;
        PendingIssuer {
            candidates: candidates
                .into_iter()
                .zip(fetched)
                .map(|(c, f)| (c.kind, c.url, f))
                .collect(),
            root: root.zip(root_fetched),
            issuer,
        }
    });
    Pending {
        issuers: join_all(per_issuer).await,
        left_out,
    }
}

impl Pending {
    /// Round trips the slowest of these requests took (they all went out at once).
    pub fn depth(&self) -> u32 {
        self.issuers
            .iter()
            .flat_map(|p| {
                p.candidates
                    .iter()
                    .map(|(_, _, f)| f)
                    .chain(p.root.as_ref().map(|(_, f)| f))
            })
            .map(Fetched::hops)
            .max()
            .unwrap_or(0)
    }

    /// Numbers the exchanges: issuer by issuer, candidates in order, root probe last.
    pub fn record(self, trace: &mut Trace) -> AuthServerFacts {
        let issuers = self
            .issuers
            .into_iter()
            .map(|p| {
                let candidates = p
                    .candidates
                    .into_iter()
                    .map(|(kind, url, fetched)| {
                        let recorded = trace.record(fetched);
                        AsFetch::new(trace, kind, url, recorded)
                    })
                    .collect();
                let root = p.root.map(|(url, fetched)| {
                    let recorded = trace.record(fetched);
                    AsFetch::new(trace, AsCandidateKind::Oauth, url, recorded)
                });
                IssuerFacts {
                    issuer: p.issuer,
                    candidates,
                    root,
                }
            })
            .collect();
        AuthServerFacts {
            issuers,
            left_out: self.left_out,
        }
    }
}

/// The metadata URLs at the MCP server's own origin that a client falls back to when
/// the protected resource metadata leads nowhere (MCP 2025-03-26 takes the MCP
/// server's origin as the authorization server; the SDKs still do), leaving out those
/// already probed as candidates of a listed issuer.
pub fn origin_fallback_urls(mcp_url: &Url, issuers: &[Issuer]) -> Vec<Url> {
    let probed: Vec<Url> = issuers
        .iter()
        .flat_map(|i| {
            auth_server_candidates(&i.url)
                .into_iter()
                .map(|c| c.url)
                .chain(root_probe_url(&i.url))
        })
        .collect();
    [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ]
    .iter()
    .map(|path| {
        let mut url = mcp_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.set_path(path);
        url
    })
    .filter(|u| !probed.contains(u))
    .collect()
}

/// GETs the origin fallback URLs at once; they are recorded after the issuers' candidates.
pub async fn fetch_origin_fallback(client: &Client, urls: Vec<Url>) -> Vec<Fetched> {
    join_all(urls.iter().map(|url| {
        let purpose = "AS metadata at the MCP server's origin (fallback of MCP 2025-03-26 clients)";
        let spec = metadata_request(url, purpose.to_string()).trust(Trust::Target);
        client.send(spec)
    }))
    .await
}

#[cfg(test)]
mod tests;
