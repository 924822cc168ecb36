//! Stage 4 probes: every authorization server metadata candidate of every issuer
//! the protected resource metadata names, fetched at once and kept in the
//! MCP 2025-11-25 order, plus the root well-known URL that 2025-03-26 clients
//! probe for an issuer with a path.

use futures_util::future::join_all;
use url::Url;

use crate::http::{BodyRead, Client, Exchange, Fetched, RedirectPolicy, RequestSpec, Trust};
use crate::report::Stage;
use crate::wire::as_metadata::{parse_as_metadata, AsMetadata};
use crate::wire::prm::NotAnObject;
use crate::wire::wellknown::{auth_server_candidates, AsCandidateKind};

use super::{Recorded, Trace};

/// At most this many issuers are probed; a document naming more is unusual and
/// should not be able to multiply the scan's requests.
pub const MAX_ISSUERS: usize = 5;

const ROOT_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";

/// Kebab-case name of a candidate kind, for reports.
pub fn kind_name(kind: AsCandidateKind) -> &'static str {
    match kind {
        AsCandidateKind::Oauth => "oauth",
        AsCandidateKind::OidcInserted => "oidc-inserted",
        AsCandidateKind::OidcAppended => "oidc-appended",
    }
}

/// An issuer identifier from `authorization_servers`, as written and as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Issuer {
    /// The string exactly as the protected resource metadata gives it.
    pub raw: String,
    /// The parsed URL the candidates are built from.
    pub url: Url,
}

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

/// One metadata URL and what it answered.
#[derive(Debug, Clone)]
pub struct AsFetch {
    /// How the URL was built (the root probe counts as `Oauth`).
    pub kind: AsCandidateKind,
    /// The URL.
    pub url: Url,
    /// The GET, all hops.
    pub fetch: Recorded,
    /// The body, when the final answer was 200.
    pub document: Option<Result<AsMetadata, NotAnObject>>,
}

impl AsFetch {
    fn new(trace: &Trace, kind: AsCandidateKind, url: Url, fetch: Recorded) -> Self {
        let document = trace
            .last_of(&fetch)
            .and_then(|e| e.response.as_ref())
            .filter(|r| r.status == 200)
            .map(|r| parse_as_metadata(&r.body));
        AsFetch {
            kind,
            url,
            fetch,
            document,
        }
    }

    /// The final exchange.
    pub fn exchange<'t>(&self, trace: &'t Trace) -> Option<&'t Exchange> {
        trace.last_of(&self.fetch)
    }

    /// The status of the final answer.
    pub fn status(&self, trace: &Trace) -> Option<u16> {
        self.exchange(trace).and_then(|e| e.status())
    }

    /// The metadata, when the body is a JSON object.
    pub fn doc(&self) -> Option<&AsMetadata> {
        self.document.as_ref().and_then(|d| d.as_ref().ok())
    }
}

/// Everything fetched for one issuer.
#[derive(Debug, Clone)]
pub struct IssuerFacts {
    /// The issuer.
    pub issuer: Issuer,
    /// Its candidates, in the MCP 2025-11-25 order.
    pub candidates: Vec<AsFetch>,
    /// The root well-known URL, for an issuer with a path.
    pub root: Option<AsFetch>,
}

/// Everything stage 4 fetched.
#[derive(Debug, Clone, Default)]
pub struct AuthServerFacts {
    /// One entry per probed issuer, in document order.
    pub issuers: Vec<IssuerFacts>,
    /// Issuers beyond [`MAX_ISSUERS`], not probed.
    pub left_out: Vec<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn issuers_keep_valid_entries_in_order_and_cap_them() {
        let (probed, left) = issuers(&list(&[
            "https://a.example",
            "/relative",
            "mailto:x@y",
            "https://b.example/t1",
            "https://a.example",
        ]));
        let raws: Vec<&str> = probed.iter().map(|i| i.raw.as_str()).collect();
        assert_eq!(raws, ["https://a.example", "https://b.example/t1"]);
        assert!(left.is_empty());
        let many: Vec<String> = (0..7).map(|i| format!("https://as{i}.example")).collect();
        let (probed, left) = issuers(&many);
        assert_eq!(probed.len(), MAX_ISSUERS);
        assert_eq!(left, ["https://as5.example", "https://as6.example"]);
    }

    #[test]
    fn root_probe_only_for_issuers_with_a_path() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(root_probe_url(&u("https://a.example")), None);
        assert_eq!(root_probe_url(&u("https://a.example/")), None);
        assert_eq!(
            root_probe_url(&u("https://a.example:8443/tenant1/?x=1"))
                .unwrap()
                .as_str(),
            "https://a.example:8443/.well-known/oauth-authorization-server"
        );
    }
}
