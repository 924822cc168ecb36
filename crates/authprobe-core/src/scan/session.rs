//! Stage 7 in the scan: runs the session probes once stages 2 to 6 are in
//! (their answers name the era, the resource and the issuer), records them,
//! and hands the checks what they judge by.

use crate::check::oauth::OauthScan;
use crate::check::session::{self as session_check, SessionContext};
use crate::check::session_steps::{self, SessionView};
use crate::config::ScanConfig;
use crate::facts::challenge::ChallengeFacts;
use crate::facts::session::SessionFacts;
use crate::facts::transport::TransportFacts;
use crate::facts::Trace;
use crate::http::Client;
use crate::probe::session::{self as session_probe, SessionInput};
use crate::report::{Finding, Step, TokenInfo};
use crate::wire::jwt::Jwt;
use crate::wire::mcp::{Era, Revision};

/// Stage 7 after its probes ran (or why they did not).
pub(super) struct Stage7 {
    facts: Option<SessionFacts>,
    skipped: Option<String>,
    jwt: Option<Jwt>,
    has_token: bool,
    active: bool,
    ctx: SessionContext,
    /// Round trips on stage 7's own chain.
    pub(super) depth: u32,
    /// The session was opened with `server/discover` (2026-07-28).
    pub(super) modern: bool,
    /// The protocol version it requested.
    pub(super) version: String,
}

/// What stage 7 reads from the stages before it.
pub(super) struct Before<'a> {
    pub(super) facts: &'a ChallengeFacts,
    pub(super) prm_resource: Option<String>,
    pub(super) oauth: &'a OauthScan,
    pub(super) transport: &'a TransportFacts,
    pub(super) version: &'a str,
    /// The token came from `--login`.
    pub(super) obtained: bool,
    /// Why there is no token when `--login` did not get one.
    pub(super) no_token: Option<String>,
}

/// Runs stage 7 with `token` (none: the stage is skipped) and records it.
pub(super) async fn run(
    client: &Client,
    config: &ScanConfig,
    token: Option<&str>,
    before: Before<'_>,
    trace: &mut Trace,
) -> Stage7 {
    let issuer = before
        .oauth
        .verdict
        .selected(&before.oauth.servers)
        .and_then(|(_, metadata)| metadata.issuer.clone());
    let ctx = SessionContext {
        canonical: before.facts.effective_url.to_string(),
        prm_resource: before.prm_resource,
        issuer,
        obtained: before.obtained,
        auth_required: before.facts.auth_required(),
        now: chrono::Utc::now().timestamp(),
    };
    let mut stage = Stage7 {
        facts: None,
        skipped: None,
        jwt: token.and_then(Jwt::decode),
        has_token: token.is_some(),
        active: config.mode == crate::config::ScanMode::Active,
        ctx,
        depth: 0,
        modern: false,
        version: before.version.to_string(),
    };
    let Some(token) = token else {
        stage.skipped = before.no_token;
        return stage;
    };
    let answered = trace
        .last_of(&before.facts.initialize)
        .is_some_and(|e| e.response.is_some());
    if !answered {
        stage.skipped = Some("the endpoint did not answer".into());
        return stage;
    }
    let modern = match before.transport.era {
        Era::Stateless => true,
        Era::Stateful => false,
        Era::LegacySse => {
            stage.skipped = Some(
                "the server speaks the 2024-11-05 HTTP+SSE transport: the authenticated checks are made for Streamable HTTP".into(),
            );
            return stage;
        }
        Era::Unknown => Revision::rules_for(before.version).is_stateless(),
    };
    let version = before
        .transport
        .negotiated
        .clone()
        .filter(|_| before.transport.era != Era::Unknown)
        .unwrap_or_else(|| before.version.to_string());
    stage.modern = modern;
    stage.version = version.clone();
    let input = SessionInput {
        url: &before.facts.effective_url,
        token,
        modern,
        version: &version,
        active: stage.active,
        auth_required: stage.ctx.auth_required,
    };
    let run = session_probe::run(client, input).await;
    stage.depth = run.depth;
    stage.facts = Some(run.record(trace));
    stage
}

impl Stage7 {
    /// The findings of the session probes.
    pub(super) fn findings(&self, trace: &Trace) -> Vec<Finding> {
        match &self.facts {
            Some(facts) => session_check::findings(facts, trace, self.jwt.as_ref(), &self.ctx),
            None => Vec::new(),
        }
    }

    /// The funnel steps of stage 7.
    pub(super) fn steps(&self, trace: &Trace, findings: &[Finding]) -> Vec<Step> {
        let stale = if self.ctx.obtained {
            None
        } else {
            session_check::stale_reason(self.jwt.as_ref(), &self.ctx)
        };
        let view = SessionView {
            facts: self.facts.as_ref(),
            skipped: self.skipped.clone(),
            stale,
            active: self.active,
            jwt: self.jwt.is_some(),
            auth_required: self.ctx.auth_required,
        };
        session_steps::steps(&view, trace, findings)
    }

    /// The report's `token` object.
    pub(super) fn token_info(&self) -> Option<TokenInfo> {
        self.has_token
            .then(|| session_check::token_info(self.jwt.as_ref(), self.ctx.obtained))
    }
}
