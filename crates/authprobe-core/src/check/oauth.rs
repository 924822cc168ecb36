//! Stages 4 to 6 together: their findings, their funnel steps, and what the report
//! says about the authorization servers (`auth_discovery`).

use crate::catalog::{Code, FunnelStep};
use crate::config::ScanMode;
use crate::facts::auth_server::{kind_name, AuthServerFacts};
use crate::facts::oauth::{OauthFacts, Plan};
use crate::facts::registration::Case;
use crate::facts::Trace;
use crate::http::ErrorKind;
use crate::report::{
    AsCandidateInfo, AuthServerInfo, Finding, Outcome, Stage, Step, StepStatus, TestClient,
};

use super::auth_server::{scopes_whitespace, silence_reason, winner_phrase, AuthServerVerdict};
use super::fetch::{fate, Fate};
use super::{jwks, registration, seen, token};

/// Everything stages 4 to 6 observed and concluded.
#[derive(Debug, Clone, Default)]
pub struct OauthScan {
    /// Whether the stages ran, and with what.
    pub plan: Plan,
    /// Stage 4 fetches.
    pub servers: AuthServerFacts,
    /// Stage 4 verdict.
    pub verdict: AuthServerVerdict,
    /// JWK Set, token and registration probes.
    pub later: OauthFacts,
    /// Passive or active.
    pub mode: ScanMode,
}

impl OauthScan {
    /// True when the metadata of the selected authorization server is usable.
    pub fn metadata_ok(&self) -> bool {
        self.verdict.selected.is_some()
    }

    /// Discovery that nothing was found wrong with but that did not complete, because
    /// no metadata candidate of any issuer answered, is not "ok": it is `timeout`
    /// when a request timed out, else `unreachable` (DNS, connection, TLS). Never a
    /// protocol violation either way.
    pub fn adjust_outcome(&self, outcome: Outcome, trace: &Trace) -> Outcome {
        let silent = !self.verdict.issuers.is_empty()
            && self.verdict.selected.is_none()
            && self.verdict.issuers.iter().all(|v| v.silent);
        if outcome != Outcome::ProtectedOk || self.plan.skip.is_some() || !silent {
            return outcome;
        }
        let timed_out = self
            .servers
            .issuers
            .iter()
            .flat_map(|i| i.candidates.iter())
            .any(|c| matches!(fate(&c.fetch, trace), Fate::Failed(_, ErrorKind::Timeout)));
        if timed_out {
            Outcome::Timeout
        } else {
            Outcome::Unreachable
        }
    }

    /// Every finding of stages 4 to 6.
    pub fn findings(&self, trace: &Trace) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.plan.skip.is_some() {
            return out;
        }
        if let Some((scopes, id)) = &self.plan.prm_scopes {
            let what = trace
                .get(*id)
                .map(|e| {
                    format!(
                        "The protected resource metadata ({}): `scopes_supported`",
                        seen(e)
                    )
                })
                .unwrap_or_default();
            out.extend(scopes_whitespace(scopes, &what, *id));
        }
        out.extend(self.verdict.findings());
        if let Some((issuer, doc)) = self.verdict.selected(&self.servers) {
            let winner = self
                .verdict
                .selected
                .and_then(|i| self.verdict.issuers[i].winner)
                .and_then(|w| issuer.candidates.get(w));
            if let Some(w) = winner {
                let id = w.fetch.last();
                let at = format!("The metadata at {} (#{id})", w.url);
                out.extend(registration::passive_findings(doc, &at, id));
            }
        }
        if let Some((_, fetch)) = &self.later.jwks {
            out.extend(jwks::findings(fetch, trace));
        }
        out.extend(token::findings(&self.later.token, trace));
        let cimd = self
            .verdict
            .selected(&self.servers)
            .is_some_and(|(_, doc)| doc.supports_cimd());
        out.extend(registration::active_findings(
            &self.later.registration,
            trace,
            cimd,
        ));
        out
    }

    /// The funnel steps of stages 4, 5 and 6.
    pub fn steps(&self, trace: &Trace, findings: &[Finding]) -> Vec<Step> {
        let status = |id: &str| status_from(findings, id);
        let skip_all = |reason: &str| {
            vec![
                step(
                    "auth-server",
                    Stage::AuthServer,
                    StepStatus::Skip,
                    reason.into(),
                    vec![],
                ),
                step(
                    "token",
                    Stage::Token,
                    StepStatus::Skip,
                    reason.into(),
                    vec![],
                ),
                step(
                    "registration",
                    Stage::Registration,
                    StepStatus::Skip,
                    reason.into(),
                    vec![],
                ),
            ]
        };
        if let Some(reason) = &self.plan.skip {
            return skip_all(reason);
        }
        let mut out = Vec::new();

        // Stage 4.
        let mut ids: Vec<u32> = Vec::new();
        let mut parts = Vec::new();
        let mut all_silent = true;
        for (facts, verdict) in self.servers.issuers.iter().zip(&self.verdict.issuers) {
            for c in facts.candidates.iter().chain(facts.root.iter()) {
                ids.extend(c.fetch.ids.iter().copied());
            }
            all_silent &= verdict.silent;
            let what = if verdict.silent {
                format!("no answer ({})", silence_reason(facts, trace))
            } else {
                let usable = match (verdict.winner, verdict.usable) {
                    (Some(_), true) => ", usable",
                    (Some(_), false) => ", not usable",
                    (None, _) => "",
                };
                format!("{}{usable}", winner_phrase(facts, verdict, trace))
            };
            parts.push(format!("{}: {what}", facts.issuer.raw));
        }
        if let Some((_, fetch)) = &self.later.jwks {
            ids.extend(fetch.ids.iter().copied());
        }
        if !self.servers.left_out.is_empty() {
            parts.push(format!("{} more not probed", self.servers.left_out.len()));
        }
        let stage4 = if all_silent && status("auth-server") == StepStatus::Pass {
            StepStatus::Skip
        } else {
            status("auth-server")
        };
        out.push(step(
            "auth-server",
            Stage::AuthServer,
            stage4,
            parts.join("; "),
            ids,
        ));

        // Stage 5.
        let token_ids: Vec<u32> = self
            .later
            .token
            .probes
            .iter()
            .flat_map(|p| p.fetch.ids.iter().copied())
            .collect();
        let (status5, detail5) = if self.verdict.selected.is_none() {
            (
                StepStatus::Skip,
                "no usable authorization server metadata".to_string(),
            )
        } else if self.later.token.probes.is_empty() {
            (
                StepStatus::Skip,
                "the metadata names no token endpoint URL".to_string(),
            )
        } else {
            let path = self
                .later
                .token
                .endpoint
                .as_ref()
                .map(|u| u.path().to_string())
                .unwrap_or_default();
            let answers: Vec<String> = self
                .later
                .token
                .probes
                .iter()
                .map(|p| {
                    format!(
                        "{} → {}",
                        p.client.describe(),
                        token::answer_phrase(p, trace)
                    )
                })
                .collect();
            let unanswered = self
                .later
                .token
                .probes
                .iter()
                .all(|p| !matches!(fate(&p.fetch, trace), Fate::Answered));
            let verdict = match status("token") {
                // Nothing to judge is not a pass.
                StepStatus::Pass if unanswered => StepStatus::Skip,
                other => other,
            };
            (
                verdict,
                format!("invalid code to POST {path}: {}", answers.join("; ")),
            )
        };
        out.push(step("token", Stage::Token, status5, detail5, token_ids));

        // Stage 6.
        let reg = &self.later.registration;
        let reg_ids: Vec<u32> = reg
            .registrations
            .iter()
            .map(|r| &r.fetch)
            .chain(reg.authorize.iter().map(|a| &a.fetch))
            .chain(reg.cleanup.iter().filter_map(|c| c.delete.as_ref()))
            .flat_map(|r| r.ids.iter().copied())
            .collect();
        let (status6, detail6) = match self.verdict.selected(&self.servers) {
            None => (
                StepStatus::Skip,
                "no usable authorization server metadata".to_string(),
            ),
            Some((_, doc)) => {
                let paths = registration::registration_paths(doc).join(", ");
                let active = match (self.mode, doc.registration_endpoint.is_some()) {
                    (ScanMode::Passive, true) => {
                        "; passive scan: nothing registered (--active registers and deletes test clients)".to_string()
                    }
                    (ScanMode::Active, true) => format!("; {}", registration::summary(reg, trace)),
                    (_, false) => String::new(),
                };
                (status("registration"), format!("paths: {paths}{active}"))
            }
        };
        out.push(step(
            "registration",
            Stage::Registration,
            status6,
            detail6,
            reg_ids,
        ));
        out
    }

    /// What `auth_discovery` reports about stages 4 to 6: the issuers, the
    /// registration paths of the selected one, and the test clients.
    pub fn discovery(&self, trace: &Trace) -> (Vec<AuthServerInfo>, Vec<String>, Vec<TestClient>) {
        let servers = self
            .servers
            .issuers
            .iter()
            .zip(&self.verdict.issuers)
            .enumerate()
            .map(|(i, (facts, verdict))| {
                let doc = verdict
                    .winner
                    .and_then(|w| facts.candidates.get(w))
                    .and_then(|c| c.doc());
                let list = |v: Option<&Vec<String>>| v.cloned().unwrap_or_default();
                AuthServerInfo {
                    issuer: facts.issuer.raw.clone(),
                    candidates: facts
                        .candidates
                        .iter()
                        .enumerate()
                        .map(|(j, c)| AsCandidateInfo {
                            kind: kind_name(c.kind).into(),
                            url: c.url.to_string(),
                            exchange_id: Some(c.fetch.last()),
                            status: c.status(trace),
                            chosen: verdict.winner == Some(j),
                        })
                        .collect(),
                    usable: verdict.usable,
                    selected: self.verdict.selected == Some(i),
                    authorization_endpoint: doc.and_then(|d| d.authorization_endpoint.clone()),
                    token_endpoint: doc.and_then(|d| d.token_endpoint.clone()),
                    registration_endpoint: doc.and_then(|d| d.registration_endpoint.clone()),
                    jwks_uri: doc.and_then(|d| d.jwks_uri.clone()),
                    grant_types_supported: list(doc.and_then(|d| d.grant_types_supported.as_ref())),
                    response_types_supported: list(
                        doc.and_then(|d| d.response_types_supported.as_ref()),
                    ),
                    scopes_supported: list(doc.and_then(|d| d.scopes_supported.as_ref())),
                    code_challenge_methods_supported: list(
                        doc.and_then(|d| d.code_challenge_methods_supported.as_ref()),
                    ),
                    token_endpoint_auth_methods_supported: list(
                        doc.and_then(|d| d.token_endpoint_auth_methods_supported.as_ref()),
                    ),
                }
            })
            .collect();
        let paths = self
            .verdict
            .selected(&self.servers)
            .map(|(_, doc)| registration::registration_paths(doc))
            .unwrap_or_default();
        let reg = &self.later.registration;
        let clients = reg
            .cleanup
            .iter()
            .map(|c| TestClient {
                client_id: c.client_id.clone(),
                case: reg
                    .registrations
                    .iter()
                    .find(|r| r.client_id() == Some(c.client_id.as_str()))
                    .map(|r| r.case)
                    .unwrap_or(Case::Realistic)
                    .as_str()
                    .into(),
                deleted: c.deleted,
            })
            .collect();
        (servers, paths, clients)
    }
}

/// Links the stage 4–6 findings that are consequences of another one. The
/// metadata of each issuer is linked to its own cause where it is judged (one
/// issuer's refusal must not explain another's silence); here: a refused
/// registration is the consequence of the refused loopback redirect URI.
pub fn link_consequences(findings: &mut [Finding]) {
    if findings
        .iter()
        .any(|f| f.code == Code::DcrLoopbackRedirectRejected)
    {
        for f in findings.iter_mut() {
            if f.code == Code::DcrRegistrationRejected && f.caused_by.is_none() {
                f.caused_by = Some(Code::DcrLoopbackRedirectRejected);
            }
        }
    }
}

/// Which stage 4–6 step a finding counts towards, if any (the catalog's `step`).
fn oauth_step_of(finding: &Finding) -> Option<&'static str> {
    let step = finding.code.entry().step;
    matches!(
        step,
        FunnelStep::AuthServer | FunnelStep::Token | FunnelStep::Registration
    )
    .then(|| step.as_str())
}

fn status_from(findings: &[Finding], step: &str) -> StepStatus {
    let worst = findings
        .iter()
        .filter(|f| oauth_step_of(f) == Some(step))
        .map(|f| f.severity)
        .max();
    StepStatus::from_worst(worst)
}

fn step(id: &str, stage: Stage, status: StepStatus, detail: String, ids: Vec<u32>) -> Step {
    Step {
        id: id.into(),
        stage,
        name: stage.title().into(),
        status,
        detail,
        exchange_ids: ids,
    }
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests;
