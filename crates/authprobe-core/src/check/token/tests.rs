use serde_json::json;

use super::*;
use crate::check::oauth::fixtures::{answer, codes, failed, json as json_answer, record};
use crate::facts::token::GrantClient;
use crate::http::{ErrorKind, Fetched};

const TOKEN: &str = "https://auth.example.com/token";

fn judged(fetched: Fetched) -> Vec<Finding> {
    let mut trace = Trace::new();
    let probe = TokenProbe {
        client: GrantClient::MadeUp("x".into()),
        fetch: record(&mut trace, fetched),
    };
    judge(&probe, &trace)
}

fn codes_of(fetched: Fetched) -> Vec<&'static str> {
    codes(&judged(fetched))
}

#[test]
fn a_correct_refusal_raises_nothing() {
    for (status, error) in [
        (400, "invalid_grant"),
        (400, "invalid_client"),
        (401, "invalid_client"),
        (400, "invalid_request"),
        (400, "invalid_target"),
    ] {
        let f = json_answer("POST", TOKEN, status, &json!({"error": error}));
        assert!(codes_of(f).is_empty(), "{status} {error}");
    }
}

#[test]
fn html_errors_are_not_json() {
    let f = answer(
        "POST",
        TOKEN,
        400,
        &[("Content-Type", "text/html")],
        "<html>Bad</html>",
    );
    let found = judged(f);
    assert_eq!(codes(&found), ["TOKEN_RESPONSE_NOT_JSON_RISK"]);
    assert!(found[0].evidence.contains("HTML"));
    // A JSON object with the wrong media type is still not what RFC 6749 §5.2 asks for.
    let f = answer(
        "POST",
        TOKEN,
        400,
        &[("Content-Type", "text/plain")],
        r#"{"error":"invalid_grant"}"#,
    );
    assert_eq!(codes_of(f), ["TOKEN_RESPONSE_NOT_JSON_RISK"]);
}

#[test]
fn status_200_with_an_error_member() {
    let f = json_answer("POST", TOKEN, 200, &json!({"error": "invalid_grant"}));
    assert_eq!(codes_of(f), ["TOKEN_HTTP200_ERROR_PAYLOAD_RISK"]);
    let f = json_answer("POST", TOKEN, 200, &json!({"access_token": "t"}));
    assert_eq!(codes_of(f), ["TOKEN_ERROR_STATUS_INVALID"]);
}

#[test]
fn wrong_statuses() {
    let f = json_answer("POST", TOKEN, 401, &json!({"error": "invalid_grant"}));
    assert_eq!(codes_of(f), ["TOKEN_ERROR_STATUS_INVALID"]);
    let f = json_answer("POST", TOKEN, 403, &json!({"error": "invalid_grant"}));
    assert_eq!(codes_of(f), ["TOKEN_ERROR_STATUS_INVALID"]);
    // A 401 that cannot be read may be client authentication: the status is not judged.
    let f = answer("POST", TOKEN, 401, &[("WWW-Authenticate", "Basic")], "");
    assert_eq!(codes_of(f), ["TOKEN_RESPONSE_NOT_JSON_RISK"]);
}

#[test]
fn unknown_or_missing_error_codes() {
    let f = json_answer("POST", TOKEN, 400, &json!({"error": "bad_code"}));
    assert_eq!(codes_of(f), ["TOKEN_ERROR_CODE_INVALID"]);
    let f = json_answer("POST", TOKEN, 400, &json!({"message": "nope"}));
    assert_eq!(codes_of(f), ["TOKEN_ERROR_CODE_INVALID"]);
    let f = json_answer("POST", TOKEN, 400, &json!({"error": 7}));
    assert_eq!(codes_of(f), ["TOKEN_ERROR_CODE_INVALID"]);
}

#[test]
fn a_crash_on_an_invalid_grant_is_a_wrong_status_not_an_unreachable_endpoint() {
    for status in [500, 502, 503] {
        let f = answer(
            "POST",
            TOKEN,
            status,
            &[("Content-Type", "application/json")],
            r#"{"error":"server_error"}"#,
        );
        let found = judged(f);
        assert_eq!(codes(&found), ["TOKEN_ERROR_STATUS_INVALID"], "{status}");
        assert!(
            found[0].evidence.contains(&format!("status {status}")),
            "{status}"
        );
    }
}

#[test]
fn rate_limiting_is_not_a_defect_of_the_token_endpoint() {
    let f = answer(
        "POST",
        TOKEN,
        429,
        &[("Retry-After", "30"), ("Content-Type", "text/plain")],
        "slow down",
    );
    assert!(codes_of(f).is_empty());
}

#[test]
fn missing_endpoint_is_unreachable() {
    for status in [404, 405] {
        let f = answer(
            "POST",
            TOKEN,
            status,
            &[("Content-Type", "text/html")],
            "<html></html>",
        );
        assert_eq!(codes_of(f), ["TOKEN_ENDPOINT_UNREACHABLE"], "{status}");
    }
    assert_eq!(
        codes_of(failed("POST", TOKEN, ErrorKind::Connect)),
        ["TOKEN_ENDPOINT_UNREACHABLE"]
    );
    // A timeout is not the server's answer.
    assert!(codes_of(failed("POST", TOKEN, ErrorKind::Timeout)).is_empty());
    assert_eq!(
        codes_of(failed("POST", TOKEN, ErrorKind::Blocked)),
        ["METADATA_SSRF_BLOCKED"]
    );
}
