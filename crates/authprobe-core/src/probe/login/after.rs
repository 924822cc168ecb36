//! After the session probes: the active probes that need the login's own
//! secrets (a token for another resource, the refresh token reused, the
//! authorization code redeemed twice), then the deletion of the client the
//! login registered.
//!
//! Their order matters: an authorization server that detects a reused
//! refresh token or code may revoke the whole grant (OAuth 2.1 §4.1.3,
//! §4.3.1), so those come last.

use serde_json::Value;
use url::Url;

use super::flows::named;
use super::requests::{self, LoginClient};
use super::{LoginRun, LoginStep, Secrets};
use crate::facts::login::FOREIGN_PATH;
use crate::http::Client;
use crate::probe::transport::McpHttp;
use crate::report::Stage;
use crate::wire::as_metadata::AsMetadata;
use crate::wire::mcp;

/// What the active probes work with.
pub struct AfterInput<'a> {
    /// The selected authorization server's metadata.
    pub metadata: &'a AsMetadata,
    /// The canonical URI of the MCP server.
    pub resource: &'a Url,
    /// The login's client.
    pub client: &'a LoginClient,
    /// The login's secrets.
    pub secrets: &'a Secrets,
    /// 2026-07-28: `server/discover` instead of `initialize`.
    pub modern: bool,
    /// The protocol version to request.
    pub version: &'a str,
}

/// Another resource on the MCP server's origin, the kind an authorization
/// server serving several resources would know.
pub fn foreign_resource(resource: &Url) -> String {
    format!("{}{FOREIGN_PATH}", resource.origin().ascii_serialization())
}

/// The refresh token of a token response, if it carries one.
fn refresh_of(exchange: &crate::http::Exchange) -> Option<String> {
    requests::json_object(exchange)?
        .get("refresh_token")?
        .as_str()
        .map(str::to_string)
}

/// The access token of a successful token response.
fn access_of(exchange: &crate::http::Exchange) -> Option<String> {
    if !exchange.status().is_some_and(|s| (200..300).contains(&s)) {
        return None;
    }
    requests::json_object(exchange)?
        .get("access_token")?
        .as_str()
        .map(str::to_string)
}

/// Runs the active probes.
pub async fn active(client: &Client, input: &AfterInput<'_>, run: &mut LoginRun) {
    let Some(token_endpoint) = input
        .metadata
        .token_endpoint
        .as_deref()
        .and_then(|e| Url::parse(e).ok())
    else {
        return;
    };
    let refresh = |rt: &str, resource: &str, step: LoginStep| {
        let pairs = [
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("resource", resource),
        ];
        requests::token_request(&token_endpoint, step, input.client, input.metadata, &pairs)
    };
    let resource = input.resource.as_str().to_string();
    if let Some(mut current) = input.secrets.refresh_token.clone() {
        // A token for another resource, and whether this server takes it.
        let other = foreign_resource(input.resource);
        let answer = run.push(
            LoginStep::ForeignToken,
            client
                .send(refresh(&current, &other, LoginStep::ForeignToken))
                .await,
        );
        if let Some(rt) = refresh_of(&answer) {
            current = rt;
        }
        if let Some(foreign) = access_of(&answer) {
            let mut mcp_client =
                McpHttp::new(client.clone(), input.resource.clone(), Some(foreign))
                    .in_stage(Stage::Session);
            let message = if input.modern {
                mcp_client.modern = true;
                mcp_client.version_header = Some(input.version.to_string());
                mcp::modern_request(
                    Value::from(79),
                    "server/discover",
                    Value::Null,
                    input.version,
                )
            } else {
                mcp::initialize(Value::from(79), input.version)
            };
            let spec = mcp_client.post(&message, LoginStep::ForeignUse.purpose());
            let used = run.push(LoginStep::ForeignUse, client.send(spec).await);
            let session = used
                .response
                .as_ref()
                .filter(|r| r.is_success())
                .and_then(|r| r.header("mcp-session-id"))
                .map(str::to_string);
            if let Some(session) = session {
                let spec = mcp_client.delete(&session, LoginStep::ForeignUse.purpose());
                run.push(LoginStep::ForeignUse, client.send(spec).await);
            }
        }
        // Rotation: refresh once, then present the refresh token just used again.
        if input.client.secret.is_none() {
            let answer = run.push(
                LoginStep::Refresh,
                client
                    .send(refresh(&current, &resource, LoginStep::Refresh))
                    .await,
            );
            if access_of(&answer).is_some() {
                run.push(
                    LoginStep::RefreshReuse,
                    client
                        .send(refresh(&current, &resource, LoginStep::RefreshReuse))
                        .await,
                );
            }
        }
    }
    if let Some((code, verifier, redirect_uri)) = &input.secrets.code {
        let pairs = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.as_str()),
            ("resource", resource.as_str()),
        ];
        let spec = requests::token_request(
            &token_endpoint,
            LoginStep::CodeReuse,
            input.client,
            input.metadata,
            &pairs,
        );
        run.push(LoginStep::CodeReuse, client.send(spec).await);
    }
}

/// Deletes the client the login registered (unless `keep`); `Some(why)` when
/// it was not deleted.
pub async fn cleanup(
    client: &Client,
    login_client: &LoginClient,
    keep: bool,
    run: &mut LoginRun,
) -> Option<String> {
    if !login_client.registered {
        return None;
    }
    if keep {
        return Some(format!(
            "the client {} registered for the login was kept, since its token was saved (--token-out) and deleting the client would revoke it",
            login_client.id
        ));
    }
    let Some((uri, token)) = &login_client.management else {
        return Some(format!(
            "the client {} registered for the login could not be deleted: the registration named no registration_client_uri and registration_access_token (RFC 7592)",
            login_client.id
        ));
    };
    let answer = run.push(
        LoginStep::Unregister,
        client.send(requests::unregister_request(uri, token)).await,
    );
    (!answer.status().is_some_and(|s| (200..300).contains(&s))).then(|| {
        format!(
            "the client {} registered for the login could not be deleted ({})",
            login_client.id,
            named(&answer)
        )
    })
}
