//! Logging in headlessly and the authenticated session: JWT access tokens,
//! the device and client credentials grants, and the stage-7 defects.

use authprobe_lab::{Defect, RunningLab};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::flow::{challenge, enc, form, param, query_of, REDIRECT, VERIFIER};
use crate::http::{self, bearer, Resp};
use crate::{initialize, initialize_body, lab};

/// A completed code flow: the token response and its headers.
struct Login {
    client_id: String,
    code: String,
    response: Resp,
    location: String,
}

async fn token(lab: &RunningLab, pairs: &[(&str, &str)], auth: Option<&str>) -> Resp {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(auth) = auth {
        headers.push(("Authorization", auth));
    }
    http::send(lab.addr(), "POST", "/token", &headers, &form(pairs)).await
}

/// Registers a public client and runs the code flow with `resource`.
async fn login(lab: &RunningLab) -> Login {
    let reg = http::post_json(
        lab.addr(),
        "/register",
        &[],
        &json!({ "redirect_uris": [REDIRECT] }),
    )
    .await;
    let client_id = reg.json()["client_id"].as_str().unwrap().to_owned();
    let target = format!(
        "/authorize?response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=S256&state=st8&resource={}",
        enc(&client_id), enc(REDIRECT), challenge(VERIFIER), enc(&lab.mcp_url())
    );
    let auth = http::get(lab.addr(), &target, &[]).await;
    assert_eq!(auth.status, 302, "{}", auth.text());
    let location = auth.header("location").unwrap().to_owned();
    let code = param(&query_of(&location), "code").unwrap().to_owned();
    let response = redeem(lab, &client_id, &code).await;
    Login {
        client_id,
        code,
        response,
        location,
    }
}

async fn redeem(lab: &RunningLab, client_id: &str, code: &str) -> Resp {
    token(
        lab,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", client_id),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The status of an authenticated `initialize` with this header.
async fn init_status(lab: &RunningLab, headers: &[(&str, &str)], path: &str) -> u16 {
    http::post_json(lab.addr(), path, headers, &initialize_body("2025-11-25"))
        .await
        .status
}

/// Re-encodes a JWT with `alg: none` and no signature.
fn unsigned(jwt: &str) -> String {
    let payload = jwt.split('.').nth(1).unwrap();
    format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#)
    )
}

/// Flips one bit of the signature's first byte.
fn tampered(jwt: &str) -> String {
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let mut raw = URL_SAFE_NO_PAD.decode(signature).unwrap();
    raw[0] ^= 1;
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(raw))
}

#[tokio::test]
async fn access_tokens_are_signed_jwts_for_the_requested_resource() {
    let lab = lab(&[]).await;
    let login = login(&lab).await;
    let query = query_of(&login.location);
    assert_eq!(param(&query, "state"), Some("st8"));
    assert_eq!(param(&query, "iss"), Some(lab.issuer().as_str()));
    assert_eq!(login.response.header("cache-control"), Some("no-store"));
    let body = login.response.json();
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().unwrap().to_owned();
    let c = claims(&access);
    assert_eq!(c["aud"], json!(lab.mcp_url()));
    assert_eq!(c["iss"], json!(lab.issuer()));
    assert_eq!(c["client_id"], json!(login.client_id));
    assert_eq!(c["scope"], "mcp:tools");
    assert!(c["exp"].as_u64().unwrap() > c["iat"].as_u64().unwrap());
    assert_eq!(
        init_status(&lab, &[("Authorization", &bearer(&access))], "/mcp").await,
        200
    );
    // The verifier checks the signature and the algorithm.
    for forged in [unsigned(&access), tampered(&access)] {
        assert_eq!(
            init_status(&lab, &[("Authorization", &bearer(&forged))], "/mcp").await,
            401
        );
    }
    // A token minted for another resource of the same origin is refused here.
    let refresh = body["refresh_token"].as_str().unwrap();
    let other = format!("{}/other", lab.base_url());
    let foreign = token(
        &lab,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &login.client_id),
            ("resource", &other),
        ],
        None,
    )
    .await;
    assert_eq!(foreign.status, 200, "{}", foreign.text());
    let foreign = foreign.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&foreign)["aud"], json!(other));
    assert_eq!(
        init_status(&lab, &[("Authorization", &bearer(&foreign))], "/mcp").await,
        401
    );
    // No token in the query, no session without the token, no malformed header.
    let query_path = format!("/mcp?access_token={access}");
    assert_eq!(init_status(&lab, &[], &query_path).await, 401);
    for header in ["Bearer", "Bearer ", "Bearer @@ not a token @@"] {
        assert_eq!(
            init_status(&lab, &[("Authorization", header)], "/mcp").await,
            401,
            "{header}"
        );
    }
    let session = initialize(&lab, Some(&bearer(&access))).await;
    let list = json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" });
    let without = http::post_json(
        lab.addr(),
        "/mcp",
        &[
            ("Mcp-Session-Id", &session),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        &list,
    )
    .await;
    assert_eq!(without.status, 401);
    lab.shutdown().await;
}

#[tokio::test]
async fn device_and_client_credentials_grants() {
    let lab = lab(&[]).await;
    let (id, secret) = lab.confidential_client();
    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let cc = token(
        &lab,
        &[
            ("grant_type", "client_credentials"),
            ("resource", &lab.mcp_url()),
        ],
        Some(&basic),
    )
    .await;
    assert_eq!(cc.status, 200, "{}", cc.text());
    assert!(cc.json().get("refresh_token").is_none());
    let access = cc.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        init_status(&lab, &[("Authorization", &bearer(&access))], "/mcp").await,
        200
    );
    let wrong = format!("Basic {}", STANDARD.encode(format!("{id}:nope")));
    let refused = token(&lab, &[("grant_type", "client_credentials")], Some(&wrong)).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"], "invalid_client");
    let public = token(
        &lab,
        &[("grant_type", "client_credentials"), ("client_id", &id)],
        None,
    )
    .await;
    assert_eq!(public.json()["error"], "unauthorized_client");

    let start = http::send(
        lab.addr(),
        "POST",
        "/device_authorization",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", &basic),
        ],
        &form(&[("scope", "mcp:tools")]),
    )
    .await;
    assert_eq!(start.status, 200, "{}", start.text());
    let doc = start.json();
    assert_eq!(doc["interval"], 1);
    assert!(doc["verification_uri"]
        .as_str()
        .unwrap()
        .ends_with("/device"));
    let device_code = doc["device_code"].as_str().unwrap();
    let poll = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", device_code),
    ];
    let first = token(&lab, &poll, Some(&basic)).await;
    assert_eq!(first.json()["error"], "authorization_pending");
    let second = token(&lab, &poll, Some(&basic)).await;
    assert_eq!(second.status, 200, "{}", second.text());
    let access = second.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        init_status(&lab, &[("Authorization", &bearer(&access))], "/mcp").await,
        200
    );
    assert_eq!(
        token(&lab, &poll, Some(&basic)).await.json()["error"],
        "invalid_grant"
    );
    lab.shutdown().await;
}

#[tokio::test]
async fn verifier_defects() {
    let wrong = lab(&[Defect::VerifierWrongAudience]).await;
    let token_ = wrong.issue_token();
    assert_eq!(
        init_status(&wrong, &[("Authorization", &bearer(&token_))], "/mcp").await,
        401
    );
    wrong.shutdown().await;

    let none = lab(&[Defect::VerifierAcceptsAlgNone]).await;
    let t = none.issue_token();
    assert_eq!(
        init_status(&none, &[("Authorization", &bearer(&unsigned(&t)))], "/mcp").await,
        200
    );
    assert_eq!(
        init_status(&none, &[("Authorization", &bearer(&tampered(&t)))], "/mcp").await,
        401
    );
    none.shutdown().await;

    let skip = lab(&[Defect::VerifierSkipsSignature]).await;
    let t = skip.issue_token();
    assert_eq!(
        init_status(&skip, &[("Authorization", &bearer(&tampered(&t)))], "/mcp").await,
        200
    );
    assert_eq!(
        init_status(&skip, &[("Authorization", &bearer(&unsigned(&t)))], "/mcp").await,
        401
    );
    skip.shutdown().await;

    let any = lab(&[Defect::VerifierAnyAudience]).await;
    let login = login(&any).await;
    let refresh = login.response.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = format!("{}/other", any.base_url());
    let foreign = token(
        &any,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &login.client_id),
            ("resource", &other),
        ],
        None,
    )
    .await;
    let foreign = foreign.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        init_status(&any, &[("Authorization", &bearer(&foreign))], "/mcp").await,
        200
    );
    any.shutdown().await;
}

#[tokio::test]
async fn request_defects() {
    let query = lab(&[Defect::QueryTokenAccepted]).await;
    let t = query.issue_token();
    assert_eq!(
        init_status(&query, &[], &format!("/mcp?access_token={t}")).await,
        200
    );
    assert_eq!(
        init_status(&query, &[], "/mcp?access_token=made-up").await,
        401
    );
    query.shutdown().await;

    let malformed = lab(&[Defect::MalformedBearerAccepted]).await;
    assert_eq!(
        init_status(&malformed, &[("Authorization", "Bearer")], "/mcp").await,
        200
    );
    assert_eq!(
        init_status(
            &malformed,
            &[("Authorization", "Bearer wellformed-but-unknown")],
            "/mcp"
        )
        .await,
        401
    );
    assert_eq!(init_status(&malformed, &[], "/mcp").await, 401);
    malformed.shutdown().await;

    let list = json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" });
    let session_lab = lab(&[Defect::SessionWithoutToken]).await;
    let t = session_lab.issue_token();
    let session = initialize(&session_lab, Some(&bearer(&t))).await;
    let resp = http::post_json(
        session_lab.addr(),
        "/mcp",
        &[
            ("Mcp-Session-Id", &session),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        &list,
    )
    .await;
    assert_eq!(resp.status, 200);
    session_lab.shutdown().await;

    for (defect, status, challenge) in [
        (Defect::ToolsListRefusedWithToken, 401, true),
        (Defect::InsufficientScopeBare403, 403, false),
    ] {
        let l = lab(&[defect]).await;
        let t = l.issue_token();
        let session = initialize(&l, Some(&bearer(&t))).await;
        let resp = http::post_json(
            l.addr(),
            "/mcp",
            &[
                ("Authorization", &bearer(&t)),
                ("Mcp-Session-Id", &session),
                ("MCP-Protocol-Version", "2025-11-25"),
            ],
            &list,
        )
        .await;
        assert_eq!(resp.status, status, "{defect}");
        assert_eq!(
            resp.header("www-authenticate").is_some(),
            challenge,
            "{defect}"
        );
        l.shutdown().await;
    }
}

#[tokio::test]
async fn login_defects() {
    let l = lab(&[Defect::AuthorizationDropsState]).await;
    assert_eq!(param(&query_of(&login(&l).await.location), "state"), None);
    l.shutdown().await;

    let l = lab(&[Defect::AuthorizationWrongIss]).await;
    let iss = format!("{}/other", l.issuer());
    assert_eq!(
        param(&query_of(&login(&l).await.location), "iss"),
        Some(iss.as_str())
    );
    l.shutdown().await;

    let l = lab(&[Defect::TokenResponseCacheable, Defect::TokenTypeNotBearer]).await;
    let response = login(&l).await.response;
    assert_eq!(response.header("cache-control"), None);
    assert_eq!(response.json()["token_type"], "JWT");
    l.shutdown().await;

    let l = lab(&[Defect::AuthorizationCodeReusable]).await;
    let first = login(&l).await;
    assert_eq!(redeem(&l, &first.client_id, &first.code).await.status, 200);
    l.shutdown().await;

    let l = lab(&[Defect::RefreshTokenNotRotated]).await;
    let first = login(&l).await;
    let refresh = first.response.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        let again = token(
            &l,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("client_id", &first.client_id),
            ],
            None,
        )
        .await;
        assert_eq!(again.status, 200, "{}", again.text());
        assert!(again.json().get("refresh_token").is_none());
    }
    l.shutdown().await;
}
