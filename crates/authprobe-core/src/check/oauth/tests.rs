use serde_json::json;

use super::fixtures::{answer, codes, failed, json as json_answer, record, redirect};
use super::*;
use crate::http::{ErrorKind, Fetched, RedirectStop};

const JWKS: &str = "https://auth.example.com/jwks";

fn jwks_codes(fetched: Fetched) -> Vec<&'static str> {
    let mut trace = Trace::new();
    let recorded = record(&mut trace, fetched);
    codes(&jwks::findings(&recorded, &trace))
}

#[test]
fn jwks_documents() {
    let public = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "kid": "1"}]});
    assert!(jwks_codes(json_answer("GET", JWKS, 200, &public)).is_empty());
    let private = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "c"}]});
    assert_eq!(
        jwks_codes(json_answer("GET", JWKS, 200, &private)),
        ["JWKS_PRIVATE_KEY_EXPOSED"]
    );
    assert_eq!(
        jwks_codes(json_answer("GET", JWKS, 200, &json!({"keys": []}))),
        ["JWKS_EMPTY"]
    );
    assert_eq!(
        jwks_codes(json_answer(
            "GET",
            JWKS,
            200,
            &json!({"keys": [{"kid": "x"}]})
        )),
        ["JWKS_INVALID"]
    );
    assert_eq!(
        jwks_codes(answer(
            "GET",
            JWKS,
            200,
            &[("Content-Type", "text/html")],
            "<html>"
        )),
        ["JWKS_INVALID"]
    );
    assert_eq!(
        jwks_codes(answer("GET", JWKS, 404, &[], "")),
        ["JWKS_FETCH_ERROR"]
    );
    assert_eq!(
        jwks_codes(failed("GET", JWKS, ErrorKind::Connect)),
        ["JWKS_FETCH_ERROR"]
    );
    assert!(jwks_codes(failed("GET", JWKS, ErrorKind::Timeout)).is_empty());
    assert_eq!(
        jwks_codes(failed("GET", JWKS, ErrorKind::Blocked)),
        ["METADATA_SSRF_BLOCKED"]
    );
}

#[test]
fn redirects_out_of_policy() {
    let stop = RedirectStop::PolicyScheme {
        from: JWKS.into(),
        to: "http://keys.example/jwks".into(),
    };
    assert_eq!(
        jwks_codes(redirect("GET", JWKS, "http://keys.example/jwks", stop)),
        ["METADATA_REDIRECT_BLOCKED"]
    );
    assert_eq!(
        jwks_codes(redirect("GET", JWKS, "/again", RedirectStop::Limit(5))),
        ["METADATA_REDIRECT_LIMIT"]
    );
    // A redirect hop refused by the guard (the first hop was allowed).
    let mut fetched = answer(
        "GET",
        JWKS,
        302,
        &[("Location", "https://10.0.0.1/jwks")],
        "",
    );
    let mut hop = failed("GET", "https://10.0.0.1/jwks", ErrorKind::Blocked);
    fetched.exchanges.append(&mut hop.exchanges);
    assert_eq!(jwks_codes(fetched), ["METADATA_REDIRECT_BLOCKED"]);
}

#[test]
fn skipped_stages_say_why_and_raise_nothing() {
    let scan = OauthScan {
        plan: Plan::skip("authorization not required"),
        ..OauthScan::default()
    };
    let trace = Trace::new();
    assert!(scan.findings(&trace).is_empty());
    let steps = scan.steps(&trace, &[]);
    let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["auth-server", "token", "registration"]);
    for step in &steps {
        assert_eq!(step.status, StepStatus::Skip);
        assert_eq!(step.detail, "authorization not required");
    }
    assert!(!scan.metadata_ok());
}

#[test]
fn findings_count_towards_their_step() {
    let f = |code: Code| Finding::new(code, "x", vec![]);
    assert_eq!(
        oauth_step_of(&f(Code::AuthServerPkceS256Missing)),
        Some("auth-server")
    );
    assert_eq!(
        oauth_step_of(&f(Code::AuthServerCimdNotSupported)),
        Some("registration")
    );
    assert_eq!(
        oauth_step_of(&f(Code::TokenErrorCodeInvalid)),
        Some("token")
    );
    assert_eq!(
        oauth_step_of(&f(Code::AuthServerPkceNotEnforced)),
        Some("registration")
    );
    assert_eq!(oauth_step_of(&f(Code::PrmResourceMissing)), None);
    let warn = [f(Code::AuthServerCimdNotSupported)];
    assert_eq!(status_from(&warn, "registration"), StepStatus::Warn);
    assert_eq!(status_from(&warn, "auth-server"), StepStatus::Pass);
}

/// A scan whose only issuer's candidates all failed with `kind`.
fn silent_scan(trace: &mut Trace, kind: ErrorKind) -> OauthScan {
    use crate::facts::auth_server::{AsFetch, Issuer, IssuerFacts};
    use crate::wire::wellknown::auth_server_candidates;
    let issuer = super::fixtures::url("https://auth.example.com");
    let candidates = auth_server_candidates(&issuer)
        .into_iter()
        .map(|c| AsFetch {
            kind: c.kind,
            fetch: record(trace, failed("GET", c.url.as_str(), kind)),
            url: c.url,
            document: None,
        })
        .collect();
    let servers = AuthServerFacts {
        issuers: vec![IssuerFacts {
            issuer: Issuer {
                raw: issuer.to_string(),
                url: issuer.clone(),
            },
            candidates,
            root: None,
        }],
        left_out: vec![],
    };
    let mcp = super::fixtures::url("https://mcp.example.com/mcp");
    let verdict = super::super::auth_server::evaluate(
        &servers,
        trace,
        super::super::auth_server::AsContext {
            mcp_url: &mcp,
            resource: None,
        },
    );
    OauthScan {
        servers,
        verdict,
        ..OauthScan::default()
    }
}

#[test]
fn unanswered_metadata_is_no_violation_but_not_ok_either() {
    let mut trace = Trace::new();
    let scan = silent_scan(&mut trace, ErrorKind::Timeout);
    assert!(scan.findings(&trace).is_empty());
    assert_eq!(
        scan.adjust_outcome(Outcome::ProtectedOk, &trace),
        Outcome::Timeout
    );
    // A finding already decided the outcome: it stays.
    assert_eq!(
        scan.adjust_outcome(Outcome::ProtectedBroken, &trace),
        Outcome::ProtectedBroken
    );
    let steps = scan.steps(&trace, &[]);
    assert_eq!(steps[0].status, StepStatus::Skip, "{:?}", steps[0]);
    assert!(steps[0].detail.contains("no answer"), "{:?}", steps[0]);
    assert_eq!(steps[1].status, StepStatus::Skip);

    let mut trace = Trace::new();
    let scan = silent_scan(&mut trace, ErrorKind::Dns);
    assert_eq!(
        scan.adjust_outcome(Outcome::ProtectedOk, &trace),
        Outcome::Unreachable
    );
}
