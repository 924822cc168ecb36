//! The funnel: one step per thing a client does, with its verdict and a one-line reason.

use crate::facts::challenge::{Answer, ChallengeFacts, ChallengeState};
use crate::facts::prm::PrmFacts;
use crate::facts::Trace;
use crate::report::{Finding, Stage, Step, StepStatus};

use super::prm::PrmVerdict;

fn status_from(findings: &[Finding], step: &str) -> StepStatus {
    let worst = findings
        .iter()
        .filter(|f| f.code.step_id() == step)
        .map(|f| f.severity)
        .max();
    StepStatus::from_worst(worst)
}

fn step(
    id: &str,
    stage: Stage,
    name: &str,
    status: StepStatus,
    detail: String,
    ids: Vec<u32>,
) -> Step {
    Step {
        id: id.into(),
        stage,
        name: name.into(),
        status,
        detail,
        exchange_ids: ids,
    }
}

/// Builds the funnel.
pub fn steps(
    facts: &ChallengeFacts,
    prm: &PrmFacts,
    verdict: &PrmVerdict,
    trace: &Trace,
    findings: &[Finding],
    oauth_steps: Vec<Step>,
    session_steps: Vec<Step>,
) -> Vec<Step> {
    let mut out = Vec::new();
    let init = trace.last_of(&facts.initialize);
    let answered = init.map(|e| e.response.is_some()).unwrap_or(false);
    let challenge_detail = match (&facts.answer, &facts.challenge) {
        (Answer::AuthRequired(s), ChallengeState::Absent) => {
            format!("{s} without WWW-Authenticate")
        }
        (Answer::AuthRequired(s), ChallengeState::Malformed(_)) => {
            format!("{s} with a malformed WWW-Authenticate")
        }
        (Answer::AuthRequired(s), ChallengeState::Parsed(_)) => match facts.challenge.bearer() {
            Some(b) => {
                let params: Vec<&str> = b.params.iter().map(|p| p.name.as_str()).collect();
                if params.is_empty() {
                    format!("{s} with a bare Bearer challenge")
                } else {
                    format!("{s} with a Bearer challenge ({})", params.join(", "))
                }
            }
            None => format!(
                "{s} with {} (no Bearer)",
                facts.challenge.schemes().join(", ")
            ),
        },
        (Answer::JsonRpcResult(_), _) => {
            format!("answers {} without credentials", facts.primary_method)
        }
        (Answer::JsonRpcError(code, _), _) => {
            format!("answers with JSON-RPC error {code} without credentials")
        }
        (Answer::Redirect(s), _) => format!("redirects ({s})"),
        (Answer::Html(s), _) => format!("{s} HTML page"),
        (Answer::Other(s, why), _) => format!("{s}: {why}"),
        (Answer::NoResponse, _) => init
            .and_then(|e| e.error.as_ref())
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "no response".into()),
    };
    let challenge_status = if answered {
        status_from(findings, "challenge")
    } else {
        StepStatus::Fail
    };
    out.push(step(
        "challenge",
        Stage::Challenge,
        "Unauthenticated initialize",
        challenge_status,
        challenge_detail,
        facts.initialize.ids.clone(),
    ));

    let auth = facts.auth_required();
    let bogus = trace.last_of(&facts.bogus);
    let (status, detail) = match bogus {
        _ if !auth => (StepStatus::Skip, "authorization not required".to_string()),
        Some(e) if e.response.is_some() => {
            (status_from(findings, "invalid-token"), answer_phrase(e))
        }
        Some(e) => (
            StepStatus::Skip,
            format!(
                "no answer: {}",
                e.error.as_ref().map(|x| x.message.as_str()).unwrap_or("")
            ),
        ),
        None => (StepStatus::Skip, "not sent".into()),
    };
    out.push(step(
        "invalid-token",
        Stage::Challenge,
        "Invalid token rejected",
        status,
        detail,
        facts.bogus.ids.clone(),
    ));

    let get = facts.get_with_session.as_ref().unwrap_or(&facts.get);
    let get_ex = trace.last_of(get);
    let (status, detail) = match get_ex {
        _ if !answered => (StepStatus::Skip, "the endpoint did not answer".to_string()),
        // An HTML page is no MCP endpoint: its GET answer was not judged as a stream.
        Some(e) if matches!(facts.answer, Answer::Html(_)) && e.response.is_some() => (
            status_from(findings, "get-stream").or_skip(),
            format!("not judged: no MCP endpoint ({})", answer_phrase(e)),
        ),
        Some(e) if e.response.is_some() => (status_from(findings, "get-stream"), answer_phrase(e)),
        // No answer (a hang, a reset) is never a pass: nothing was judged, as for the
        // invalid-token step; a finding about it still sets the status.
        Some(e) => (
            status_from(findings, "get-stream").or_skip(),
            format!(
                "no answer: {}",
                e.error.as_ref().map(|x| x.message.as_str()).unwrap_or("")
            ),
        ),
        None => (StepStatus::Skip, "not sent".into()),
    };
    out.push(step(
        "get-stream",
        Stage::Challenge,
        "GET stream",
        status,
        detail,
        get.ids.clone(),
    ));

    // The stage-2 steps come from `transport::steps`, which the scan inserts here.

    let prm_ids: Vec<u32> = prm
        .candidates
        .iter()
        .flat_map(|c| c.fetch.ids.clone())
        .fold(Vec::new(), |mut acc, id| {
            if !acc.contains(&id) {
                acc.push(id);
            }
            acc
        });
    let (status, detail) = if !answered {
        (StepStatus::Skip, "the endpoint did not answer".to_string())
    } else if !auth {
        let served = verdict.any_usable();
        (
            StepStatus::Skip,
            if served {
                "authorization not required (metadata is served anyway)".into()
            } else {
                "authorization not required".into()
            },
        )
    } else if facts.challenge.bearer().is_none()
        && !matches!(
            facts.challenge,
            ChallengeState::Absent | ChallengeState::Malformed(_)
        )
        && !verdict.any_usable()
    {
        (
            StepStatus::Skip,
            "the server uses a non-OAuth scheme".into(),
        )
    } else {
        let detail = match verdict.chosen {
            Some(i) => {
                let c = &prm.candidates[i];
                let what = c.exchange(trace).map(answer_phrase).unwrap_or_default();
                format!(
                    "{} candidate {} → {}{}",
                    c.source.as_str(),
                    c.url.path(),
                    what,
                    if verdict.chosen_usable {
                        ", usable"
                    } else {
                        ", not usable"
                    }
                )
            }
            None => "no candidate serves metadata".into(),
        };
        (status_from(findings, "prm"), detail)
    };
    out.push(step(
        "prm",
        Stage::Prm,
        "Protected resource metadata",
        status,
        detail,
        prm_ids,
    ));

    // Stages 4 to 6 (built by `check::oauth`).
    out.extend(oauth_steps);
    // Stage 7 (built by `check::session_steps`).
    out.extend(session_steps);
    out
}

/// `401 application/json, error="invalid_token"`: what came back, in a few words.
fn answer_phrase(exchange: &crate::http::Exchange) -> String {
    let Some(r) = &exchange.response else {
        return "no response".into();
    };
    let mut out = r.status.to_string();
    if let Some(mt) = r.media_type().filter(|m| !m.is_empty()) {
        out.push(' ');
        out.push_str(&mt);
    }
    if let Some(error) = ChallengeState::of(exchange)
        .bearer()
        .and_then(|b| b.param("error"))
    {
        out.push_str(&format!(", error=\"{error}\""));
    }
    out
}
