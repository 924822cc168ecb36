//! The lab's shared state: its configuration (base URL, enabled defects) and
//! the in-memory stores of clients, authorization codes, tokens and MCP
//! sessions.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::defects::Defect;
use crate::era::Era;
use crate::latency::Latency;
use crate::wire::random_id;

/// The only scope the lab knows.
pub(crate) const SCOPE: &str = "mcp:tools";
/// Lifetime of an access token (and the `expires_in` the token endpoint states).
pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Lifetime of an authorization code (RFC 6749 §4.1.2 recommends ten minutes at most).
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// Past this many entries a store drops expired entries, then the oldest,
/// so that a long benchmark cannot grow the lab without bound.
const STORE_CAP: usize = 10_000;

/// Well-known path prefix of RFC 9728 protected resource metadata.
pub(crate) const PRM_PREFIX: &str = "/.well-known/oauth-protected-resource";
/// Where the virtual endpoints live: `/t/<n>/mcp`.
pub(crate) const ENDPOINT_PREFIX: &str = "/t/";

/// Everything a request handler needs.
pub(crate) struct Lab {
    /// `http://127.0.0.1:PORT`, no trailing slash: the MCP server's origin.
    pub(crate) base: String,
    /// The authorization server's origin: `base`, or a second loopback port.
    pub(crate) auth_base: String,
    /// The path of the issuer identifier (`""` or e.g. `/tenant1`); the
    /// authorization server's endpoints live under it.
    pub(crate) issuer_path: String,
    /// The value of the load-balancer style cookie set on refusals; real servers
    /// set cookies like this, and a scanner must never echo them unredacted.
    pub(crate) affinity_cookie: String,
    /// The MCP revision served (set once, before serving).
    pub(crate) era: Era,
    /// The path prefix of a virtual endpoint (`/t/7`); `""` for the lab itself.
    pub(crate) mount: String,
    /// The delay before every response.
    pub(crate) latency: Latency,
    /// The virtual endpoints: independent labs served under `/t/<n>` (set once, before serving).
    pub(crate) endpoints: Vec<Arc<Lab>>,
    /// The HS256 key the access tokens are signed with.
    pub(crate) signing_key: [u8; 32],
    /// A pre-registered confidential client (`client_id`, `client_secret`)
    /// for the client credentials grant and `--client-id` logins.
    pub(crate) confidential: (String, String),
    /// Requests received (counted on arrival, before any latency), so that tests can
    /// tell whether a client stopped sending.
    pub(crate) requests: AtomicU64,
    defects: HashSet<Defect>,
    store: Mutex<Store>,
    shutdown: watch::Receiver<bool>,
}

/// A client registered through `/register`.
#[derive(Clone)]
pub(crate) struct Client {
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) registration_token: String,
    /// The registration response, replayed by RFC 7592 reads.
    pub(crate) document: serde_json::Value,
}

/// An authorization code waiting to be redeemed.
pub(crate) struct Grant {
    pub(crate) client_id: String,
    /// The redirect URI the code was delivered to.
    pub(crate) redirect_uri: String,
    /// Whether the authorization request named it (then the token request
    /// must repeat it, RFC 6749 §4.1.3).
    pub(crate) redirect_uri_sent: bool,
    pub(crate) code_challenge: String,
    pub(crate) scope: String,
    /// The RFC 8707 resource the authorization request named (the audience
    /// of the tokens the code buys).
    pub(crate) resource: String,
    pub(crate) issued: Instant,
    /// Once redeemed, what the code bought (kept, not removed, so that a
    /// second redemption is recognised and these tokens revoked, RFC 6749 §4.1.2).
    pub(crate) redeemed: Option<Minted>,
}

/// An access token (by its `jti`) or a refresh token.
#[derive(Clone)]
pub(crate) struct TokenRecord {
    pub(crate) client_id: String,
    /// The resource the token is for (RFC 8707 audience).
    pub(crate) audience: String,
    pub(crate) scope: String,
    pub(crate) issued: Instant,
}

/// A device authorization waiting for its device code to be polled.
pub(crate) struct DeviceGrant {
    pub(crate) client_id: String,
    pub(crate) scope: String,
    pub(crate) resource: String,
    /// Whether the device code was polled once: the lab's imaginary user
    /// approves right after the first poll.
    pub(crate) polled: bool,
    pub(crate) issued: Instant,
}

/// What the token endpoint hands out for one grant.
#[derive(Clone)]
pub(crate) struct Minted {
    /// The JWT access token.
    pub(crate) access: String,
    /// Its `jti`, the key of its record.
    pub(crate) jti: String,
    /// The refresh token, when the grant comes with one.
    pub(crate) refresh: Option<String>,
}

/// The mutable part of the lab.
#[derive(Default)]
pub(crate) struct Store {
    pub(crate) clients: HashMap<String, Client>,
    pub(crate) codes: HashMap<String, Grant>,
    pub(crate) access: HashMap<String, TokenRecord>,
    pub(crate) refresh: HashMap<String, TokenRecord>,
    /// Pending device authorizations (RFC 8628), by device code.
    pub(crate) devices: HashMap<String, DeviceGrant>,
    /// MCP session ids created by `initialize`, with their creation time.
    pub(crate) sessions: HashMap<String, Instant>,
    /// 2024-11-05 streams: where the responses of each session's POSTs go.
    pub(crate) legacy_streams: HashMap<String, tokio::sync::mpsc::Sender<String>>,
}

impl Lab {
    pub(crate) fn new(
        base: String,
        defects: impl IntoIterator<Item = Defect>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        Lab {
            auth_base: base.clone(),
            issuer_path: String::new(),
            base,
            affinity_cookie: random_id(),
            era: Era::default(),
            mount: String::new(),
            latency: Latency::NONE,
            endpoints: Vec::new(),
            signing_key: random_key(),
            confidential: (
                format!("lab-confidential-{}", &random_id()[..8]),
                random_id(),
            ),
            requests: AtomicU64::new(0),
            defects: defects.into_iter().collect(),
            store: Mutex::new(Store::default()),
            shutdown,
        }
    }

    /// True when the authorization server has an origin of its own.
    pub(crate) fn separate_auth_server(&self) -> bool {
        self.auth_base != self.base
    }

    /// The issuer identifier, exactly as the metadata and the protected resource
    /// metadata spell it.
    pub(crate) fn issuer(&self) -> String {
        let issuer = format!("{}{}", self.auth_base, self.issuer_path);
        if self.has(Defect::AsIssuerQuery) {
            format!("{issuer}?tenant=lab")
        } else {
            issuer
        }
    }

    /// The path of an authorization server endpoint, under the issuer's path.
    pub(crate) fn as_path(&self, endpoint: &str) -> String {
        format!("{}{endpoint}", self.issuer_path)
    }

    /// The URL of an authorization server endpoint.
    pub(crate) fn as_url(&self, endpoint: &str) -> String {
        format!("{}{}", self.auth_base, self.as_path(endpoint))
    }

    /// Number of clients registered and not deleted.
    pub(crate) fn client_count(&self) -> usize {
        self.store().clients.len()
    }

    pub(crate) fn has(&self, defect: Defect) -> bool {
        self.defects.contains(&defect)
    }

    /// The path of the real MCP endpoint (moved by the `redirect` defect).
    pub(crate) fn mcp_path(&self) -> String {
        if self.has(Defect::Redirect) {
            format!("{}/v2/mcp", self.mount)
        } else {
            self.advertised_mcp_path()
        }
    }

    /// The path users are given, which the `redirect` defect answers with 308.
    pub(crate) fn advertised_mcp_path(&self) -> String {
        format!("{}/mcp", self.mount)
    }

    /// The virtual endpoint a path belongs to: `/t/<n>/…`, or the same under a
    /// well-known prefix (`/.well-known/<name>/t/<n>/…`).
    pub(crate) fn endpoint_for(&self, path: &str) -> Option<Arc<Lab>> {
        if self.endpoints.is_empty() {
            return None;
        }
        let rest = match path.strip_prefix("/.well-known/") {
            Some(after) => &after[after.find('/')?..],
            None => path,
        };
        let rest = rest.strip_prefix(ENDPOINT_PREFIX)?;
        let digits = rest.split('/').next()?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.endpoints.get(digits.parse::<usize>().ok()?).cloned()
    }

    /// The canonical URI of the protected resource: the MCP endpoint's URL.
    pub(crate) fn resource(&self) -> String {
        format!("{}{}", self.base, self.mcp_path())
    }

    /// The path-suffix metadata path (RFC 9728 §3.1).
    pub(crate) fn prm_suffix_path(&self) -> String {
        format!("{PRM_PREFIX}{}", self.mcp_path())
    }

    /// Whether the origin runs OAuth at all: the defects that model a server
    /// without OAuth serve neither metadata nor the authorization endpoints.
    pub(crate) fn oauth_enabled(&self) -> bool {
        !(self.has(Defect::NoAuth)
            || self.has(Defect::ChallengeBasic)
            || self.has(Defect::HtmlPage))
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Resolves when the lab is shutting down, so that hanging handlers and
    /// endless streams end and graceful shutdown can finish.
    pub(crate) async fn stopped(&self) {
        let mut rx = self.shutdown.clone();
        // An error means the sender is gone, which is a shutdown as well.
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Whether shutdown has begun (for loops that cannot await [`Lab::stopped`]).
    pub(crate) fn stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Mints a JWT access token for `audience` (and, if asked, an opaque
    /// refresh token) for `client_id`.
    pub(crate) fn mint(
        &self,
        client_id: &str,
        scope: &str,
        audience: &str,
        refresh: bool,
    ) -> Minted {
        let record = TokenRecord {
            client_id: client_id.to_owned(),
            audience: audience.to_owned(),
            scope: scope.to_owned(),
            issued: Instant::now(),
        };
        let jti = random_id();
        let now = crate::jwt::now();
        let claims = serde_json::json!({
            "iss": self.issuer(),
            "sub": client_id,
            "aud": audience,
            "client_id": client_id,
            "scope": scope,
            "iat": now,
            "exp": now + TOKEN_LIFETIME.as_secs(),
            "jti": jti,
        });
        let access = crate::jwt::sign(&self.signing_key, &claims);
        let refresh = refresh.then(random_id);
        let mut store = self.store();
        prune(&mut store.access, |t| t.issued.elapsed() > TOKEN_LIFETIME);
        prune(&mut store.refresh, |_| false);
        store.access.insert(jti.clone(), record.clone());
        if let Some(refresh) = &refresh {
            store.refresh.insert(refresh.clone(), record);
        }
        Minted {
            access,
            jti,
            refresh,
        }
    }

    /// The claims of `token` when the MCP endpoint accepts it: signed by this
    /// lab (or let through by a verifier defect), issued by its issuer, not
    /// expired nor revoked, and for its resource (or the audience a defect
    /// expects instead).
    pub(crate) fn token_valid(&self, token: &str) -> bool {
        let lax = crate::jwt::Leniency {
            alg_none: self.has(Defect::VerifierAcceptsAlgNone),
            skip_signature: self.has(Defect::VerifierSkipsSignature),
        };
        let Some(claims) = crate::jwt::verified_claims(&self.signing_key, token, lax) else {
            return false;
        };
        let str_claim = |name: &str| claims.get(name).and_then(serde_json::Value::as_str);
        let fresh = claims
            .get("exp")
            .and_then(serde_json::Value::as_u64)
            .is_some_and(|exp| exp > crate::jwt::now());
        let audience_ok = if self.has(Defect::VerifierAnyAudience) {
            true
        } else if self.has(Defect::VerifierWrongAudience) {
            crate::jwt::audience_contains(&claims, &self.wrong_audience())
        } else {
            crate::jwt::audience_contains(&claims, &self.resource())
                || (self.has(Defect::TokenAudienceIssuer)
                    && crate::jwt::audience_contains(&claims, &self.issuer()))
        };
        let live = str_claim("jti").is_some_and(|jti| self.store().access.contains_key(jti));
        fresh && audience_ok && live && str_claim("iss") == Some(self.issuer().as_str())
    }

    /// The audience the `verifier-wrong-audience` defect expects: the API
    /// behind the MCP server rather than the MCP server itself.
    pub(crate) fn wrong_audience(&self) -> String {
        format!("{}{}/api", self.base, self.mount)
    }

    pub(crate) fn new_session(&self) -> String {
        let id = random_id();
        let mut store = self.store();
        prune(&mut store.sessions, |_| false);
        store.sessions.insert(id.clone(), Instant::now());
        id
    }
}

/// 32 random bytes.
fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::fill(&mut key[..]);
    key
}

/// Keeps a store under [`STORE_CAP`]: first drops what `expired` says is
/// dead, then arbitrary entries (only a runaway client gets here, and it
/// loses some of its own state rather than the lab growing without bound).
pub(crate) fn prune<V>(map: &mut HashMap<String, V>, expired: impl Fn(&V) -> bool) {
    if map.len() < STORE_CAP {
        return;
    }
    map.retain(|_, v| !expired(v));
    let excess = (map.len() + 1).saturating_sub(STORE_CAP);
    let doomed: Vec<String> = map.keys().take(excess).cloned().collect();
    for key in doomed {
        map.remove(&key);
    }
}
