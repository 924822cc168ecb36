//! The funnel steps of stage 7: the authenticated session, and what the
//! server did with the requests it should have refused.

use crate::facts::session::{SessionFacts, SessionProbe};
use crate::facts::transport::Got;
use crate::facts::Trace;
use crate::report::{Finding, Stage, Step, StepStatus};

/// What stage 7 had to work with.
pub struct SessionView<'a> {
    /// The probes, when they ran.
    pub facts: Option<&'a SessionFacts>,
    /// Why they did not run (no token, a stdio server, …).
    pub skipped: Option<String>,
    /// Why a given token was refused for reasons of its own, if it was.
    pub stale: Option<String>,
    /// `--active`.
    pub active: bool,
    /// The token is a JWT (the forged-token probes apply).
    pub jwt: bool,
    /// Whether the server demands authorization.
    pub auth_required: bool,
}

fn status_of(findings: &[Finding], step: &str) -> StepStatus {
    let worst = findings
        .iter()
        .filter(|f| f.stage == Stage::Session && f.code.entry().step.as_str() == step)
        .map(|f| f.severity)
        .max();
    StepStatus::from_worst(worst)
}

fn step(id: &str, name: &str, status: StepStatus, detail: String, ids: Vec<u32>) -> Step {
    Step {
        id: id.into(),
        stage: Stage::Session,
        name: name.into(),
        status,
        detail,
        exchange_ids: ids,
    }
}

/// The stage-7 steps (the login step is built with the login).
pub fn steps(view: &SessionView<'_>, trace: &Trace, findings: &[Finding]) -> Vec<Step> {
    let facts = match (view.facts, &view.skipped) {
        (Some(facts), None) => facts,
        (_, skipped) => {
            let reason = skipped.clone().unwrap_or_else(|| {
                "no token given (--bearer-token, --bearer-token-file or --login)".into()
            });
            return vec![step(
                "session",
                "Authenticated session",
                StepStatus::Skip,
                reason,
                vec![],
            )];
        }
    };
    let ids = |probes: &[SessionProbe]| -> Vec<u32> {
        facts
            .recorded
            .iter()
            .filter(|(p, _)| probes.contains(p))
            .flat_map(|(_, r)| r.ids.iter().copied())
            .collect()
    };
    let main_ids = ids(&[
        SessionProbe::Initialize,
        SessionProbe::Initialized,
        SessionProbe::ToolsList,
    ]);
    let init = facts.got(trace, SessionProbe::Initialize);
    let (status, detail) = match &init {
        None => (StepStatus::Skip, "the opening request was not sent".into()),
        Some((_, Got::Status(code @ (401 | 403), _))) => match &view.stale {
            Some(why) => (
                StepStatus::Skip,
                format!("the token given was refused ({code}), and {why}: give a fresh token"),
            ),
            None => (
                status_of(findings, "session"),
                format!("the token was refused with {code}"),
            ),
        },
        Some((_, Got::Result(_))) => {
            let listed = match facts.got(trace, SessionProbe::ToolsList) {
                Some((_, Got::Result(r))) => {
                    let n = r
                        .get("tools")
                        .and_then(|t| t.as_array())
                        .map_or(0, Vec::len);
                    format!("tools/list answers ({n} tools)")
                }
                Some((e, _)) => format!("tools/list answers {}", answer(e)),
                None => "tools/list was not sent".into(),
            };
            (
                status_of(findings, "session"),
                format!("the token is accepted; {listed}"),
            )
        }
        Some((e, _)) => (
            StepStatus::Skip,
            format!("the opening request got no usable answer ({})", answer(e)),
        ),
    };
    let mut out = vec![step(
        "session",
        "Authenticated session",
        status,
        detail,
        main_ids,
    )];
    if !matches!(init, Some((_, Got::Result(_)))) {
        return out;
    }
    let probes = [
        SessionProbe::WithoutToken,
        SessionProbe::QueryToken,
        SessionProbe::EmptyBearer,
        SessionProbe::GarbageBearer,
        SessionProbe::Unsigned,
        SessionProbe::Tampered,
    ];
    let sent = ids(&probes);
    let (status, mut detail) = if !view.auth_required {
        (
            StepStatus::Skip,
            "authorization is not required: there is nothing to refuse".to_string(),
        )
    } else {
        let status = status_of(findings, "session-tokens");
        let what = if status == StepStatus::Pass {
            "refused"
        } else {
            "sent"
        };
        (
            status,
            format!("{what}: {}", described(facts, &probes).join(", ")),
        )
    };
    if view.auth_required && !view.active {
        detail.push_str("; forged tokens only with --active");
    } else if view.auth_required && !view.jwt {
        detail.push_str("; the token is opaque, so no forged JWT was sent");
    }
    out.push(step(
        "session-tokens",
        "Token handling",
        status,
        detail,
        sent,
    ));
    out
}

fn described(facts: &SessionFacts, probes: &[SessionProbe]) -> Vec<&'static str> {
    probes
        .iter()
        .filter(|p| facts.recorded.iter().any(|(q, _)| q == *p))
        .map(|p| match p {
            SessionProbe::WithoutToken => "the session without the token",
            SessionProbe::QueryToken => "the token in the query string",
            SessionProbe::EmptyBearer => "an empty Bearer credential",
            SessionProbe::GarbageBearer => "a garbage Bearer credential",
            SessionProbe::Unsigned => "the JWT as alg none",
            SessionProbe::Tampered => "the JWT with a flipped signature bit",
            _ => "another request",
        })
        .collect()
}

fn answer(exchange: &crate::http::Exchange) -> String {
    match (&exchange.response, &exchange.error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(e)) => e.kind.as_str().to_string(),
        (None, None) => "nothing".into(),
    }
}
