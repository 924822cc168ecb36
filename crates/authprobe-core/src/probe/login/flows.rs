//! The three grants of `--login`, and the client they act as.

use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use super::callback::Callback;
use super::requests::{self, LoginClient};
use super::{Failure, LoginInput, LoginRun, LoginStep, Secrets};
use crate::http::{Client, Exchange};
use crate::wire::as_metadata::AsMetadata;

/// The device code grant type (RFC 8628 §3.4).
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// An endpoint of the metadata as a URL.
fn endpoint(value: Option<&String>) -> Option<Url> {
    value.and_then(|v| Url::parse(v).ok())
}

/// "POST http://… → 400" without any query string (which may carry a code or state).
pub(crate) fn named(exchange: &Exchange) -> String {
    let url = exchange.request.url.split('?').next().unwrap_or_default();
    let answer = match (&exchange.response, &exchange.error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(e)) => e.kind.as_str().to_string(),
        (None, None) => "no answer".into(),
    };
    format!("{} {url} → {answer}", exchange.request.method)
}

/// Why an answer is not a usable token response, or the response itself.
fn token_response(exchange: &Exchange) -> Result<(Secrets, String), String> {
    let Some(response) = &exchange.response else {
        return Err(format!(
            "{}: no answer from the token endpoint",
            named(exchange)
        ));
    };
    let body = requests::json_object(exchange);
    let access = body
        .as_ref()
        .and_then(|b| b.get("access_token"))
        .and_then(Value::as_str);
    match (response.status, access) {
        (200..=299, Some(token)) if !token.is_empty() => Ok((
            Secrets {
                access_token: token.to_string(),
                refresh_token: body
                    .as_ref()
                    .and_then(|b| b.get("refresh_token"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                code: None,
            },
            response.body.clone(),
        )),
        _ => Err(match requests::oauth_error(exchange) {
            Some(error) => format!(
                "{}: the authorization server answered {error}",
                named(exchange)
            ),
            None if body.is_none() => format!(
                "{}: the answer is not JSON ({})",
                named(exchange),
                response
                    .media_type()
                    .unwrap_or_else(|| "no content type".into())
            ),
            None => format!("{}: the answer carries no access_token", named(exchange)),
        }),
    }
}

/// The client: `--client-id`, else `--client-metadata-url`, else one registered
/// for the login (RFC 7591) with these grants.
async fn identity(
    client: &Client,
    input: &LoginInput<'_>,
    run: &mut LoginRun,
    redirect_uri: Option<&str>,
    grants: &[&str],
) -> Option<LoginClient> {
    let config = input.config;
    if let Some(id) = &config.client_id {
        return Some(LoginClient {
            id: id.clone(),
            secret: config.client_secret.clone(),
            management: None,
            registered: false,
            kind: "pre-registered",
        });
    }
    if let (Some(url), Some(_)) = (&config.client_metadata_url, redirect_uri) {
        return Some(LoginClient {
            id: url.clone(),
            secret: None,
            management: None,
            registered: false,
            kind: "client metadata document",
        });
    }
    let Some(endpoint) = endpoint(input.metadata.registration_endpoint.as_ref()) else {
        return run.fail(
            None,
            Failure::User(
                "the authorization server offers no registration endpoint: give --client-id (and --client-secret) of a client registered there, or --client-metadata-url".into(),
            ),
        );
    };
    let answer = run.push(
        LoginStep::Register,
        client
            .send(requests::register_request(&endpoint, redirect_uri, grants))
            .await,
    );
    let body = requests::json_object(&answer);
    let id = body
        .as_ref()
        .and_then(|b| b.get("client_id"))
        .and_then(Value::as_str);
    let status = answer.status().unwrap_or(0);
    let Some(id) = id.filter(|_| (200..300).contains(&status)) else {
        let why = requests::oauth_error(&answer)
            .map(|e| format!("the registration was refused ({e})"))
            .unwrap_or_else(|| "the registration gave no client_id".into());
        return run.fail(
            Some(LoginStep::Register),
            Failure::Target(format!("{}: {why}", named(&answer))),
        );
    };
    let string = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let management = match (
        string("registration_client_uri"),
        string("registration_access_token"),
    ) {
        (Some(uri), Some(token)) => Url::parse(&uri).ok().map(|u| (u, token)),
        _ => None,
    };
    Some(LoginClient {
        id: id.to_string(),
        secret: string("client_secret"),
        management,
        registered: true,
        kind: "registered",
    })
}

/// The common parameters of every token request: `resource` (RFC 8707).
fn with_resource<'a>(input: &'a LoginInput<'_>, pairs: &mut Vec<(&'a str, &'a str)>) {
    pairs.push(("resource", input.resource.as_str()));
}

/// Authorization code with PKCE S256 and a loopback redirect.
pub async fn code(client: &Client, input: &LoginInput<'_>, run: &mut LoginRun) {
    let _ = code_flow(client, input, run).await;
}

async fn code_flow(client: &Client, input: &LoginInput<'_>, run: &mut LoginRun) -> Option<()> {
    let metadata: &AsMetadata = input.metadata;
    let (Some(authorize), Some(token_endpoint)) = (
        endpoint(metadata.authorization_endpoint.as_ref()),
        endpoint(metadata.token_endpoint.as_ref()),
    ) else {
        return run.fail(
            None,
            Failure::Target("the authorization server metadata names no usable authorization_endpoint and token_endpoint".into()),
        );
    };
    let listener = match Callback::bind().await {
        Ok(listener) => listener,
        Err(e) => {
            return run.fail(
                None,
                Failure::User(format!("cannot listen on 127.0.0.1 for the redirect: {e}")),
            )
        }
    };
    let redirect_uri = listener.redirect_uri();
    let login_client = identity(
        client,
        input,
        run,
        Some(&redirect_uri),
        &["authorization_code", "refresh_token"],
    )
    .await?;
    run.client = Some(login_client.clone());
    let verifier = requests::random_value();
    let state = requests::random_value();
    let mut url = authorize.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &login_client.id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("code_challenge", &requests::s256(&verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("resource", input.resource.as_str());
        if let Some(scope) = &input.scope {
            q.append_pair("scope", scope);
        }
    }
    run.push(
        LoginStep::Authorize,
        requests::authorization_exchange(&url, input.started),
    );
    input.config.front_end.authorize(url.as_str());
    let timeout = input.config.timeout;
    let Ok(Ok(received)) = tokio::time::timeout(timeout, listener.wait()).await else {
        return run.fail(
            Some(LoginStep::Authorize),
            Failure::User(format!(
                "the authorization request (GET {}) never redirected back to {redirect_uri} within {} s: finish the login in the browser, check --client-id, or raise --login-timeout",
                authorize,
                timeout.as_secs()
            )),
        );
    };
    run.push(
        LoginStep::Callback,
        requests::callback_exchange(&received, &redirect_uri, input.started),
    );
    let code = match authorization_response(&received.target, &state, metadata) {
        Ok(code) => code,
        Err(failure) => return run.fail(Some(LoginStep::Callback), failure),
    };
    let code = code.as_str();
    let mut pairs = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", verifier.as_str()),
    ];
    with_resource(input, &mut pairs);
    let spec = requests::token_request(
        &token_endpoint,
        LoginStep::Token,
        &login_client,
        metadata,
        &pairs,
    );
    let answer = run.push(LoginStep::Token, client.send(spec).await);
    match token_response(&answer) {
        Ok((mut secrets, body)) => {
            secrets.code = Some((code.to_string(), verifier, redirect_uri));
            input.config.front_end.obtained(&body);
            run.secrets = Some(secrets);
            Some(())
        }
        Err(why) => run.fail(Some(LoginStep::Token), Failure::Target(why)),
    }
}

/// The code of an authorization response, or why a client must not use it:
/// an `error` (RFC 6749 §4.1.2.1), `state` not returned unchanged (§4.1.2),
/// an `iss` of another issuer or none where the metadata promises one (RFC 9207 §2.4).
fn authorization_response(
    target: &str,
    state: &str,
    metadata: &AsMetadata,
) -> Result<String, Failure> {
    let params: Vec<(String, String)> = Url::parse(&format!("http://x{target}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(error) = param("error") {
        let description = param("error_description").unwrap_or("");
        return Err(Failure::Target(format!(
            "the authorization server answered the authorization request with error={error} {description}"
        )));
    }
    if param("state") != Some(state) {
        return Err(Failure::Rejected(
            "the authorization response did not return the state sent".into(),
        ));
    }
    match (param("iss"), metadata.issuer.as_deref()) {
        (Some(iss), Some(issuer)) if iss != issuer => {
            return Err(Failure::Rejected(format!(
                "the authorization response names the issuer {iss}, not {issuer}"
            )));
        }
        (None, _) if metadata.authorization_response_iss_parameter_supported == Some(true) => {
            return Err(Failure::Rejected(
                "the authorization response has no iss although the metadata promises one".into(),
            ));
        }
        _ => {}
    }
    param("code")
        .map(str::to_string)
        .ok_or_else(|| Failure::Target("the authorization response carries no code".into()))
}

/// The device authorization grant (RFC 8628).
pub async fn device(client: &Client, input: &LoginInput<'_>, run: &mut LoginRun) {
    let _ = device_flow(client, input, run).await;
}

async fn device_flow(client: &Client, input: &LoginInput<'_>, run: &mut LoginRun) -> Option<()> {
    let metadata = input.metadata;
    let (Some(device_endpoint), Some(token_endpoint)) = (
        endpoint(metadata.device_authorization_endpoint.as_ref()),
        endpoint(metadata.token_endpoint.as_ref()),
    ) else {
        return run.fail(
            None,
            Failure::User("the authorization server advertises no device_authorization_endpoint (RFC 8628): use --login code".into()),
        );
    };
    let login_client = identity(client, input, run, None, &[DEVICE_GRANT, "refresh_token"]).await?;
    run.client = Some(login_client.clone());
    let mut pairs = Vec::new();
    if let Some(scope) = &input.scope {
        pairs.push(("scope", scope.as_str()));
    }
    with_resource(input, &mut pairs);
    let spec = requests::token_request(
        &device_endpoint,
        LoginStep::DeviceAuthorization,
        &login_client,
        metadata,
        &pairs,
    );
    let answer = run.push(LoginStep::DeviceAuthorization, client.send(spec).await);
    let body = requests::json_object(&answer)
        .filter(|_| answer.status().is_some_and(|s| (200..300).contains(&s)));
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (Some(device_code), Some(user_code), Some(verification)) = (
        field("device_code"),
        field("user_code"),
        field("verification_uri"),
    ) else {
        let why = requests::oauth_error(&answer)
            .unwrap_or_else(|| "no device_code, user_code and verification_uri".into());
        return run.fail(
            Some(LoginStep::DeviceAuthorization),
            Failure::Target(format!("{}: {why}", named(&answer))),
        );
    };
    let mut interval = body
        .as_ref()
        .and_then(|b| b.get("interval"))
        .and_then(Value::as_u64)
        .unwrap_or(5)
        .clamp(1, 60);
    input.config.front_end.device_code(
        &verification,
        &user_code,
        field("verification_uri_complete").as_deref(),
    );
    let until = Instant::now() + input.config.timeout;
    loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        if Instant::now() > until {
            return run.fail(
                Some(LoginStep::DevicePoll),
                Failure::User(format!(
                    "the device code was not approved within {} s: enter it at {verification}, or raise --login-timeout",
                    input.config.timeout.as_secs()
                )),
            );
        }
        let mut pairs = vec![
            ("grant_type", DEVICE_GRANT),
            ("device_code", device_code.as_str()),
        ];
        with_resource(input, &mut pairs);
        let spec = requests::token_request(
            &token_endpoint,
            LoginStep::DevicePoll,
            &login_client,
            metadata,
            &pairs,
        );
        let answer = run.push(LoginStep::DevicePoll, client.send(spec).await);
        let error = requests::json_object(&answer)
            .and_then(|b| b.get("error").and_then(Value::as_str).map(str::to_string));
        match error.as_deref() {
            Some("authorization_pending") => continue,
            Some("slow_down") => {
                interval += 5;
                continue;
            }
            Some("access_denied") => {
                return run.fail(
                    Some(LoginStep::DevicePoll),
                    Failure::User("the device authorization was denied".into()),
                )
            }
            _ => {}
        }
        return match token_response(&answer) {
            Ok((secrets, body)) => {
                input.config.front_end.obtained(&body);
                run.secrets = Some(secrets);
                Some(())
            }
            Err(why) => run.fail(Some(LoginStep::DevicePoll), Failure::Target(why)),
        };
    }
}

/// The client credentials grant of a pre-registered confidential client.
pub async fn client_credentials(client: &Client, input: &LoginInput<'_>, run: &mut LoginRun) {
    let config = input.config;
    let (Some(id), Some(secret)) = (&config.client_id, &config.client_secret) else {
        run.failure = Some((
            None,
            Failure::User(
                "--login client-credentials needs --client-id and --client-secret".into(),
            ),
        ));
        return;
    };
    let Some(token_endpoint) = endpoint(input.metadata.token_endpoint.as_ref()) else {
        run.failure = Some((
            None,
            Failure::Target(
                "the authorization server metadata names no usable token_endpoint".into(),
            ),
        ));
        return;
    };
    let login_client = LoginClient {
        id: id.clone(),
        secret: Some(secret.clone()),
        management: None,
        registered: false,
        kind: "pre-registered",
    };
    run.client = Some(login_client.clone());
    let mut pairs = vec![("grant_type", "client_credentials")];
    if let Some(scope) = &input.scope {
        pairs.push(("scope", scope.as_str()));
    }
    with_resource(input, &mut pairs);
    let spec = requests::token_request(
        &token_endpoint,
        LoginStep::Token,
        &login_client,
        input.metadata,
        &pairs,
    );
    let answer = run.push(LoginStep::Token, client.send(spec).await);
    let refused = matches!(answer.status(), Some(400 | 401))
        && requests::json_object(&answer)
            .and_then(|b| {
                b.get("error")
                    .and_then(Value::as_str)
                    .map(|e| e == "invalid_client")
            })
            .unwrap_or(false);
    if refused {
        run.failure = Some((
            Some(LoginStep::Token),
            Failure::User(format!(
                "{}: the authorization server refused --client-id/--client-secret (invalid_client)",
                named(&answer)
            )),
        ));
        return;
    }
    match token_response(&answer) {
        Ok((secrets, body)) => {
            config.front_end.obtained(&body);
            run.secrets = Some(secrets);
        }
        Err(why) => run.failure = Some((Some(LoginStep::Token), Failure::Target(why))),
    }
}
