//! `--login` in the scan: the login runs once stages 4 to 6 name the
//! authorization server; its token goes to stage 2 and stage 7; its active
//! probes and the deletion of its client come after stage 7's session probes.

use std::time::Instant;

use url::Url;

use crate::check::login::{self as login_check, LoginContext};
use crate::check::oauth::OauthScan;
use crate::config::{LoginConfig, ScanConfig, ScanMode};
use crate::facts::login::{Failure, LoginFacts};
use crate::facts::Trace;
use crate::http::Client;
use crate::probe::login::after::{self, AfterInput};
use crate::probe::login::{self, LoginInput, LoginRun, Secrets};
use crate::report::{Finding, Step};

/// The login after its first part (the token), before the active probes.
pub(super) struct Login {
    /// What it did.
    pub(super) facts: LoginFacts,
    run: LoginRun,
    /// Why the client could not be deleted, if it could not.
    cleanup: Option<String>,
    /// Round trips, the person's wait included.
    pub(super) depth: u32,
}

/// Why the login did not give a token because of the person or the command line.
pub(super) fn user_failure(login: &Login) -> Option<String> {
    match &login.facts.failure {
        Some((_, Failure::User(why))) => Some(format!("--login: {why}")),
        _ => None,
    }
}

/// The scope a client would ask for: `--scope`, else the challenge's, else the PRM's.
fn scope(config: &LoginConfig, oauth: &OauthScan) -> Option<String> {
    config.scope.clone().or_else(|| oauth.plan.scope.clone())
}

/// Runs the login, when `--login` was given, and records it.
pub(super) async fn run(
    client: &Client,
    config: &ScanConfig,
    oauth: &OauthScan,
    resource: &Url,
    started: Instant,
    trace: &mut Trace,
) -> Option<Login> {
    let login_config = config.login.as_ref()?;
    let mut facts = LoginFacts {
        flow: login_config.flow,
        ..LoginFacts::default()
    };
    let Some((_, metadata)) = oauth.verdict.selected(&oauth.servers) else {
        facts.failure = Some((
            None,
            Failure::Rejected(
                "no usable authorization server metadata, so there is nothing to log in with"
                    .into(),
            ),
        ));
        return Some(Login {
            facts,
            run: LoginRun::default(),
            cleanup: None,
            depth: 0,
        });
    };
    let input = LoginInput {
        config: login_config,
        metadata,
        resource,
        scope: scope(login_config, oauth),
        started,
    };
    let mut run = login::run(client, &input).await;
    facts.recorded = run.record(trace);
    facts.failure = run.failure.clone();
    if let Some(c) = &run.client {
        facts.client_kind = Some(c.kind);
        facts.client_id = Some(c.id.clone());
        facts.confidential = c.secret.is_some();
    }
    let depth = run.depth;
    Some(Login {
        facts,
        run,
        cleanup: None,
        depth,
    })
}

impl Login {
    /// The token obtained.
    pub(super) fn secrets(&self) -> Option<&Secrets> {
        self.run.secrets.as_ref()
    }

    /// The active probes (with `--active`), then the deletion of the login's client.
    pub(super) async fn finish(
        &mut self,
        client: &Client,
        config: &ScanConfig,
        oauth: &OauthScan,
        session: (&Url, bool, &str),
        trace: &mut Trace,
    ) {
        let (resource, modern, version) = session;
        let mut later = LoginRun::default();
        if let (Some(secrets), Some(login_client), Some((_, metadata))) = (
            self.run.secrets.clone(),
            self.run.client.clone(),
            oauth.verdict.selected(&oauth.servers),
        ) {
            if config.mode == ScanMode::Active {
                let input = AfterInput {
                    metadata,
                    resource,
                    client: &login_client,
                    secrets: &secrets,
                    modern,
                    version,
                };
                after::active(client, &input, &mut later).await;
            }
        }
        if let Some(login_client) = self.run.client.clone() {
            let keep =
                config.login.as_ref().is_some_and(|l| l.keep_client) && self.run.secrets.is_some();
            self.cleanup = after::cleanup(client, &login_client, keep, &mut later).await;
            self.facts.cleanup_failed = self.cleanup.is_some() && !keep;
        }
        self.depth += later.depth;
        self.facts.extend(&mut later, trace);
    }

    /// The findings of the login.
    pub(super) fn findings(&self, trace: &Trace, ctx: &LoginContext<'_>) -> Vec<Finding> {
        login_check::findings(&self.facts, trace, ctx)
    }

    /// The `login` step.
    pub(super) fn step(&self, findings: &[Finding]) -> Step {
        login_check::step(&self.facts, findings, self.cleanup.as_deref())
    }
}
