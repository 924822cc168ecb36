//! Stage 1: the bogus-token request and the GET stream.

use crate::catalog::Code;
use crate::http::ErrorKind;
use crate::report::{Outcome, Severity};

use super::fixtures::*;
use super::judging::*;

#[test]
fn bogus_token_accepted() {
    let scene = Site::protected().bogus(initialize_result()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::InvalidTokenAccepted]);
    assert_ids(&findings, Code::InvalidTokenAccepted, &[scene.bogus()]);
    assert_eq!(primary, Some(Code::InvalidTokenAccepted));
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn bogus_token_answered_403() {
    let scene = Site::protected()
        .bogus(
            status(403)
                .header("Content-Type", "text/plain")
                .body("Forbidden"),
        )
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::InvalidTokenWrongStatus]);
    assert_ids(&findings, Code::InvalidTokenWrongStatus, &[scene.bogus()]);
    assert!(finding(&findings, Code::InvalidTokenWrongStatus)
        .evidence
        .contains("403"));
    assert_eq!(primary, Some(Code::InvalidTokenWrongStatus));
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn bogus_token_answered_500() {
    let scene = Site::protected()
        .bogus(
            status(500)
                .header("Content-Type", "text/plain")
                .body("Internal Server Error"),
        )
        .record();
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[Code::InvalidTokenWrongStatus]);
    assert_ids(&findings, Code::InvalidTokenWrongStatus, &[scene.bogus()]);
    assert!(finding(&findings, Code::InvalidTokenWrongStatus)
        .evidence
        .contains("500"));
}

#[test]
fn bogus_token_401_without_error_code() {
    let scene = Site::protected()
        .bogus(unauthorized(GOOD_CHALLENGE))
        .record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::InvalidTokenErrorCodeMissing]);
    assert_ids(
        &findings,
        Code::InvalidTokenErrorCodeMissing,
        &[scene.bogus()],
    );
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, Some(Code::InvalidTokenErrorCodeMissing));
}

#[test]
fn bogus_token_401_with_invalid_request() {
    let scene = Site::protected()
        .bogus(unauthorized(
            r#"Bearer error="invalid_request", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#,
        ))
        .record();
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[Code::InvalidTokenErrorCodeMissing]);
    assert!(finding(&findings, Code::InvalidTokenErrorCodeMissing)
        .evidence
        .contains("invalid_request"));
}

#[test]
fn bogus_token_timeout_is_not_a_violation() {
    let scene = Site::protected().bogus(timeout()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[]);
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, None);
}

#[test]
fn bogus_token_connection_reset_is_not_a_violation() {
    let scene = Site::protected()
        .bogus(failed(ErrorKind::Protocol))
        .record();
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[]);
}

#[test]
fn get_stream_405_is_fine() {
    let scene = Site::protected().get(status(405)).record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[]);
    assert_eq!(outcome, Outcome::ProtectedOk);
}

fn event_stream() -> Reply {
    status(200)
        .header("Content-Type", "text/event-stream")
        .body(": keep-alive\n\n")
}

#[test]
fn get_stream_open_without_credentials_while_post_needs_them() {
    let scene = Site::protected().get(event_stream()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::AuthChallengeInconsistent]);
    assert_ids(
        &findings,
        Code::AuthChallengeInconsistent,
        &[scene.init(), scene.get()],
    );
    assert_eq!(primary, Some(Code::AuthChallengeInconsistent));
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn get_stream_answering_json_without_credentials() {
    let scene = Site::protected()
        .get(status(200).json(serde_json::json!({"status": "ok"})))
        .record();
    let (findings, _, _) = judge(&scene);
    assert_codes(
        &findings,
        &[Code::AuthChallengeInconsistent, Code::McpGetNotSse],
    );
    assert_ids(&findings, Code::McpGetNotSse, &[scene.get()]);
    assert_ids(
        &findings,
        Code::AuthChallengeInconsistent,
        &[scene.init(), scene.get()],
    );
}

#[test]
fn get_stream_timeout_is_only_an_observation() {
    let scene = Site::protected().get(timeout()).record();
    let (findings, outcome, primary) = judge(&scene);
    assert_codes(&findings, &[Code::McpProbeTimeout]);
    assert_ids(&findings, Code::McpProbeTimeout, &[scene.get()]);
    assert_eq!(
        finding(&findings, Code::McpProbeTimeout).severity,
        Severity::Info
    );
    assert_eq!(outcome, Outcome::ProtectedOk);
    assert_eq!(primary, None);
}

#[test]
fn get_stream_400_on_an_auth_required_server_is_legal() {
    let scene = Site::protected()
        .get(status(400).json(serde_json::json!({"error": "missing session"})))
        .record();
    let (findings, outcome, _) = judge(&scene);
    assert_codes(&findings, &[]);
    assert_eq!(outcome, Outcome::ProtectedOk);
}

#[test]
fn open_server_get_400_then_the_session_get_is_judged() {
    let site = Site::open()
        .init(initialize_result().header("Mcp-Session-Id", "abc123"))
        .get(status(400));
    // The repeat inside the session answers 405: fine.
    let (findings, outcome, _) = judge(&site.record());
    assert_codes(&findings, &[Code::AuthNotRequired]);
    assert_eq!(outcome, Outcome::NoAuth);

    // The repeat answers JSON: that GET, not the first one, is the evidence.
    let mut site = site;
    site.session_get = status(200).json(serde_json::json!({"status": "ok"}));
    let scene = site.record();
    let repeated = scene
        .facts
        .get_with_session
        .as_ref()
        .expect("repeated")
        .last();
    assert_ne!(repeated, scene.get());
    let (findings, _, _) = judge(&scene);
    assert_codes(&findings, &[Code::AuthNotRequired, Code::McpGetNotSse]);
    assert_ids(&findings, Code::McpGetNotSse, &[repeated]);
}
