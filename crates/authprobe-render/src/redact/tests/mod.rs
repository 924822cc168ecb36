mod every_format;

use authprobe_core::http::{ErrorKind, ExchangeError, Header};
use authprobe_core::report::{Report, Stage};
use serde_json::json;

use super::*;
use crate::test_support::{exchange, sample_report, TARGET};
use crate::{render_json, render_terminal, ExchangeDump, TerminalOptions};

fn on() -> RedactionOptions {
    RedactionOptions::default()
}

fn header<'a>(headers: &'a [Header], name: &str) -> &'a str {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
        .unwrap()
}

/// Every byte the report can turn into: its serialisation and both renderers.
fn outputs(report: &Report) -> Vec<String> {
    let verbose = TerminalOptions {
        exchanges: ExchangeDump::All,
        ..TerminalOptions::default()
    };
    vec![
        serde_json::to_string(report).unwrap(),
        render_json(report),
        render_terminal(report, &verbose),
    ]
}

/// Redacts with the default options, checking that a second pass changes nothing
/// (reports loaded back for `diff` or `--baseline` may be redacted again).
fn redact(report: &Report) -> Report {
    let once = redact_report(report, &on());
    assert_eq!(
        redact_report(&once, &on()),
        once,
        "redaction is not idempotent"
    );
    once
}

fn assert_absent(report: &Report, secrets: &[&str]) {
    for output in outputs(report) {
        for secret in secrets {
            assert!(!output.contains(secret), "{secret} leaked into:\n{output}");
        }
    }
}

#[test]
fn a_report_without_secrets_is_left_alone() {
    let report = sample_report();
    assert_eq!(redact_report(&report, &on()), report);
}

#[test]
fn disabled_returns_the_report_unchanged() {
    let mut report = sample_report();
    report.exchanges[0]
        .request
        .headers
        .push(Header::new("authorization", "Bearer tok-unchanged-1"));
    let options = RedactionOptions {
        enabled: false,
        extra_secrets: vec!["initialize".to_string()],
    };
    assert_eq!(redact_report(&report, &options), report);
}

#[test]
fn credential_headers_keep_their_scheme_and_cookie_names() {
    let mut report = sample_report();
    let ex = &mut report.exchanges[0];
    ex.request.headers.extend([
        Header::new("authorization", "Bearer tok-header-1111"),
        Header::new("Proxy-Authorization", "Basic cHJveHk6cGFzcw=="),
        Header::new("cookie", "session=cookie-aaaa; theme=dark-bbbb"),
        Header::new("X-Api-Key", "key-cccc"),
        Header::new("api_key", "key-dddd"),
        Header::new("x-auth-token", "tok-eeee"),
        Header::new("x-client-secret", "sec-ffff"),
        Header::new("x-password", "pw-gggg"),
    ]);
    let response = ex.response.as_mut().unwrap();
    response.headers.extend([
        Header::new("set-cookie", "sid=cookie-hhhh; Path=/; HttpOnly"),
        Header::new("www-authenticate", "Bearer realm=\"mcp\""),
    ]);
    let out = redact(&report);
    let request = &out.exchanges[0].request.headers;
    assert_eq!(header(request, "authorization"), "Bearer [REDACTED]");
    assert_eq!(header(request, "proxy-authorization"), "Basic [REDACTED]");
    assert_eq!(
        header(request, "cookie"),
        "session=[REDACTED]; theme=[REDACTED]"
    );
    for name in [
        "x-api-key",
        "api_key",
        "x-auth-token",
        "x-client-secret",
        "x-password",
    ] {
        assert_eq!(header(request, name), REDACTED, "{name}");
    }
    assert_eq!(
        header(request, "accept"),
        "application/json, text/event-stream"
    );
    let response = &out.exchanges[0].response.as_ref().unwrap().headers;
    assert_eq!(
        header(response, "set-cookie"),
        "sid=[REDACTED]; Path=/; HttpOnly"
    );
    assert_eq!(header(response, "www-authenticate"), "Bearer realm=\"mcp\"");
    assert_eq!(header(response, "content-type"), "application/json");
    assert_absent(
        &out,
        &[
            "tok-header-1111",
            "cHJveHk6cGFzcw",
            "cookie-aaaa",
            "dark-bbbb",
            "key-cccc",
            "key-dddd",
            "tok-eeee",
            "sec-ffff",
            "pw-gggg",
            "cookie-hhhh",
        ],
    );
}

#[test]
fn a_bare_scheme_is_not_a_secret() {
    let mut report = sample_report();
    report.exchanges[0]
        .request
        .headers
        .push(Header::new("authorization", "Bearer"));
    report.exchanges[1]
        .request
        .headers
        .push(Header::new("authorization", "opaque-key-1234"));
    let out = redact(&report);
    assert_eq!(
        header(&out.exchanges[0].request.headers, "authorization"),
        "Bearer"
    );
    assert_eq!(
        header(&out.exchanges[1].request.headers, "authorization"),
        REDACTED
    );
    // "Bearer" was not turned into a global secret.
    assert!(out.findings[0]
        .evidence
        .contains("401 with no WWW-Authenticate"));
}

#[test]
fn json_members_are_redacted_at_any_depth_keeping_the_layout() {
    let mut report = sample_report();
    let body = r#"{"access_token": "at-1111", "token_type":"Bearer", "expires_in": 3600,
  "nested": {"client": {"client_secret":"cs-2222"}}, "list": [{"password":"pw-3333"}],
  "id_token":"it-4444","refresh_token":"rt-5555","registration_access_token":"rat-6666",
  "error": {"code": -32600, "message": "bad"}, "text": "{\"token\":\"esc-7777\"}"}"#;
    report.exchanges[0].response.as_mut().unwrap().body = body.to_string();
    report.exchanges[0].request.body =
        Some(r#"{"assertion":"as-8888","client_assertion":"ca-9999","code":"c-0000","code_verifier":"cv-aaaa"}"#.to_string());
    let out = redact(&report);
    let redacted = &out.exchanges[0].response.as_ref().unwrap().body;
    assert!(redacted.starts_with(
        r#"{"access_token": "[REDACTED]", "token_type":"Bearer", "expires_in": 3600,"#
    ));
    assert!(redacted.contains("\n  \"nested\": {\"client\": {\"client_secret\":\"[REDACTED]\"}}"));
    assert!(
        redacted.contains(r#""error": {"code": -32600, "message": "bad"}"#),
        "numeric codes stay"
    );
    assert!(redacted.contains(r#""text": "{\"token\":\"[REDACTED]\"}""#));
    let parsed: serde_json::Value = serde_json::from_str(redacted).unwrap();
    assert_eq!(parsed["list"][0]["password"], REDACTED);
    assert_eq!(
        out.exchanges[0].request.body.as_deref(),
        Some(
            r#"{"assertion":"[REDACTED]","client_assertion":"[REDACTED]","code":"[REDACTED]","code_verifier":"[REDACTED]"}"#
        )
    );
    assert_absent(
        &out,
        &[
            "at-1111", "cs-2222", "pw-3333", "it-4444", "rt-5555", "rat-6666", "esc-7777",
            "as-8888", "ca-9999", "c-0000", "cv-aaaa",
        ],
    );
}

#[test]
fn truncated_and_streamed_json_bodies_are_covered() {
    let mut report = sample_report();
    let response = report.exchanges[0].response.as_mut().unwrap();
    response.body = r#"{"token_type":"Bearer","access_token":"at-cut-off-in-the-midd"#.to_string();
    response.truncated = true;
    report.exchanges[1].response.as_mut().unwrap().body =
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"result\":{\"refresh_token\":\"rt-sse-1234\"}}\n\n".to_string();
    let out = redact(&report);
    assert_eq!(
        out.exchanges[0].response.as_ref().unwrap().body,
        r#"{"token_type":"Bearer","access_token":"[REDACTED]"#
    );
    assert_absent(&out, &["at-cut-off", "rt-sse-1234"]);
}

#[test]
fn form_bodies_and_url_parameters_are_redacted() {
    let mut report = sample_report();
    let mut token = exchange(
        3,
        Stage::Token,
        "POST",
        "https://as.test/token?client_secret=cs-query-1",
        400,
        "",
    );
    token.request.headers.push(Header::new(
        "Content-Type",
        "application/x-www-form-urlencoded",
    ));
    token.request.body = Some(
        "grant_type=authorization_code&code=code-form-1&code_verifier=cv-form-1\
         &redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&client_secret=cs%2Bform%2F1&password=pw+form+1"
            .to_string(),
    );
    let mut authorize = exchange(
        4,
        Stage::Session,
        "GET",
        "https://as.test/authorize?response_type=code&client_id=app&state=st-url-1&code_challenge=chal",
        302,
        "",
    );
    let response = authorize.response.as_mut().unwrap();
    response.headers = vec![Header::new(
        "location",
        "http://127.0.0.1:3000/cb?code=code-loc-1&state=st-url-1#access_token=at-frag-1&token_type=bearer",
    )];
    // A form body without a declared type: the first pair starts the text.
    response.body = "access_token=at-form-2&expires_in=60".to_string();
    report.exchanges.extend([token, authorize]);
    report.findings[0].evidence =
        "the callback was http://x/cb?foo=1&amp;code=code-html-1 and \"http:\\/\\/x\\/cb?a=1\\u0026state=st-json-1\"".to_string();

    let out = redact(&report);
    let token = &out.exchanges[2];
    assert_eq!(
        token.request.url,
        "https://as.test/token?client_secret=[REDACTED]"
    );
    assert_eq!(
        token.request.body.as_deref(),
        Some(
            "grant_type=authorization_code&code=[REDACTED]&code_verifier=[REDACTED]\
             &redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&client_secret=[REDACTED]&password=[REDACTED]"
        )
    );
    let authorize = &out.exchanges[3];
    assert_eq!(
        authorize.request.url,
        "https://as.test/authorize?response_type=code&client_id=app&state=[REDACTED]&code_challenge=chal"
    );
    let response = authorize.response.as_ref().unwrap();
    assert_eq!(
        header(&response.headers, "location"),
        "http://127.0.0.1:3000/cb?code=[REDACTED]&state=[REDACTED]#access_token=[REDACTED]&token_type=bearer"
    );
    assert_eq!(response.body, "access_token=[REDACTED]&expires_in=60");
    assert_absent(
        &out,
        &[
            "cs-query-1",
            "code-form-1",
            "cv-form-1",
            "cs%2Bform",
            "cs+form/1",
            "pw+form+1",
            "pw form 1",
            "st-url-1",
            "code-loc-1",
            "at-frag-1",
            "at-form-2",
            "code-html-1",
            "st-json-1",
        ],
    );
}

#[test]
fn the_echoed_command_line_loses_its_credentials() {
    let mut report = sample_report();
    report.command = [
        "authprobe scan http://127.0.0.1:8931/mcp",
        "-H 'Authorization: Bearer tok-cmd-1111'",
        "--header=\"X-Tenant-Key: tenant-2222\"",
        "-H'Cookie: sid=ck-3333'",
        "-vH \"X-Other: other-4444\"",
        "-H 'Accept: application/json'",
        "--bearer-token tok-cmd-5555",
        "--bearer-token=tok-cmd-6666",
        "--client-secret \"sec with spaces 7777\"",
        "--openai-api-key=sk-cmd-8888",
        "'--anthropic-api-key' ak-cmd-9999",
        "-d some-tool --json -",
    ]
    .join(" ");
    // The -H header went out on every request.
    report.exchanges[0]
        .request
        .headers
        .push(Header::new("x-tenant-key", "tenant-2222"));
    let out = redact(&report);
    assert_eq!(
        out.command,
        [
            "authprobe scan http://127.0.0.1:8931/mcp",
            "-H 'Authorization: [REDACTED]'",
            "--header='X-Tenant-Key: [REDACTED]'",
            "-H'Cookie: [REDACTED]'",
            "-vH 'X-Other: [REDACTED]'",
            "-H 'Accept: [REDACTED]'",
            "--bearer-token [REDACTED]",
            "--bearer-token=[REDACTED]",
            "--client-secret [REDACTED]",
            "--openai-api-key=[REDACTED]",
            "'--anthropic-api-key' [REDACTED]",
            "-d some-tool --json -",
        ]
        .join(" ")
    );
    assert_eq!(
        header(&out.exchanges[0].request.headers, "x-tenant-key"),
        REDACTED
    );
    // A plain header's value is hidden in the command but not hunted elsewhere.
    assert_eq!(
        header(
            &out.exchanges[0].response.as_ref().unwrap().headers,
            "content-type"
        ),
        "application/json"
    );
    assert_absent(
        &out,
        &[
            "tok-cmd-1111",
            "tenant-2222",
            "ck-3333",
            "other-4444",
            "tok-cmd-5555",
            "tok-cmd-6666",
            "sec with spaces 7777",
            "sk-cmd-8888",
            "ak-cmd-9999",
        ],
    );
}

#[test]
fn collected_secrets_are_hunted_through_every_string() {
    let mut report = sample_report();
    let token = "tok/safety+net=1";
    report.exchanges[0]
        .request
        .headers
        .push(Header::new("authorization", format!("Bearer {token}")));
    report.findings[0].evidence = format!("the server echoed {token} back");
    report.steps[0].detail = format!("sent {token}");
    report.exchanges[1].request.url = format!("{TARGET}?echo=tok%2Fsafety%2Bnet%3D1");
    report.exchanges[1].response.as_mut().unwrap().body = format!("<p>your token: {token}</p>");
    report.exchanges[1].error = Some(ExchangeError {
        kind: ErrorKind::Protocol,
        message: format!("closed after {token}"),
    });
    report.auth_discovery.resource = Some(format!("https://r.test/{token}"));
    report.tools =
        vec![json!({"name": "t", "description": token, "meta": {"token": "tool-tok-1"}})];
    let out = redact(&report);
    assert_eq!(
        out.findings[0].evidence,
        "the server echoed [REDACTED] back"
    );
    assert_eq!(
        out.exchanges[1].request.url,
        format!("{TARGET}?echo=[REDACTED]")
    );
    assert_eq!(out.tools[0]["meta"]["token"], REDACTED);
    assert_eq!(out.tools[0]["name"], "t");
    assert_absent(&out, &[token, "tok%2Fsafety", "tool-tok-1"]);
}

#[test]
fn extra_secrets_are_hunted_and_short_ones_only_hidden_in_place() {
    let mut report = sample_report();
    report.findings[1].evidence =
        "status 404; user key user-secret-42 in the page; id=abc".to_string();
    report.exchanges[0]
        .request
        .headers
        .push(Header::new("cookie", "s=abc"));
    let options = RedactionOptions {
        enabled: true,
        extra_secrets: vec!["user-secret-42".to_string(), "xyz".to_string()],
    };
    report.findings[2].evidence.push_str(" xyz");
    let out = redact_report(&report, &options);
    assert_eq!(
        out.findings[1].evidence,
        "status 404; user key [REDACTED] in the page; id=abc"
    );
    assert_eq!(
        header(&out.exchanges[0].request.headers, "cookie"),
        "s=[REDACTED]"
    );
    assert!(
        out.findings[2].evidence.ends_with(" xyz"),
        "short secrets are not hunted"
    );
}

#[test]
fn one_exchange_can_be_redacted_alone() {
    let mut ex = exchange(
        9,
        Stage::Token,
        "POST",
        "https://as.test/token?code=ex-code-1",
        200,
        "",
    );
    ex.request
        .headers
        .push(Header::new("authorization", "Bearer ex-tok-1"));
    ex.response.as_mut().unwrap().body =
        r#"{"access_token":"ex-at-1","note":"user-key-77"}"#.to_string();
    let options = RedactionOptions {
        enabled: true,
        extra_secrets: vec!["user-key-77".to_string()],
    };
    let out = redact_exchange(&ex, &options);
    let text = serde_json::to_string(&out).unwrap();
    for secret in ["ex-code-1", "ex-tok-1", "ex-at-1", "user-key-77"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(
        redact_exchange(
            &ex,
            &RedactionOptions {
                enabled: false,
                ..options
            }
        ),
        ex
    );
}

/// Odd text from a server must never make redaction panic (it slices by byte offsets),
/// and a known token must never survive, whatever surrounds it.
#[test]
fn odd_input_never_panics_and_never_leaks() {
    const PIECES: &[&str] = &[
        "?",
        "&",
        "=",
        "#",
        ";",
        "\"",
        "\\",
        "\\\"",
        ":",
        " ",
        "code",
        "token",
        "state",
        "é",
        "日本",
        "%",
        "%4",
        "%C3",
        "\\u0026",
        "{",
        "}",
        "'",
        "-H",
        "--bearer-token",
        "--header=",
        "-vH",
        "Bearer",
        "x",
        "[REDACTED]",
    ];
    const TOKEN: &str = "tok-fuzz-0042";
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..1000 {
        let length = next() % 24;
        let junk: String = (0..length)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let mut report = sample_report();
        // The echoed command quotes each argument, as the binary writes it.
        let quoted = format!("'{}'", junk.replace('\'', "'\\''"));
        report.command = format!("authprobe scan {quoted} --bearer-token {TOKEN} -H {quoted}");
        report.findings[0].evidence = format!("{junk}{TOKEN}{junk}");
        let ex = &mut report.exchanges[0];
        ex.request.url = format!("{TARGET}?{junk}");
        ex.request.body = Some(junk.clone());
        ex.request.headers.push(Header::new("cookie", junk.clone()));
        ex.request
            .headers
            .push(Header::new("authorization", junk.clone()));
        ex.response.as_mut().unwrap().body = format!("{junk}{{\"token\":\"{junk}");

        let once = redact_report(&report, &on());
        assert_absent(&once, &[TOKEN]);
    }
}

#[test]
fn authorization_server_summaries_are_redacted_too() {
    use authprobe_core::report::{AsCandidateInfo, AuthServerInfo, TestClient};
    let mut report = sample_report();
    let secret = "reg-token-7f3a91";
    // Learned from a registration response, then echoed by the stage 4–6 summaries.
    report.exchanges[1].response.as_mut().unwrap().body =
        format!(r#"{{"client_id":"c","registration_access_token":"{secret}"}}"#);
    report.auth_discovery.authorization_server_metadata = vec![AuthServerInfo {
        issuer: format!("https://as.test/{secret}"),
        candidates: vec![AsCandidateInfo {
            kind: "oauth".into(),
            url: format!("https://as.test/.well-known/oauth-authorization-server/{secret}"),
            exchange_id: Some(2),
            status: Some(200),
            chosen: true,
        }],
        token_endpoint: Some(format!("https://as.test/token?access_token={secret}")),
        scopes_supported: vec![secret.into()],
        ..AuthServerInfo::default()
    }];
    report.auth_discovery.registration_paths = vec![format!("dcr {secret}")];
    report.auth_discovery.test_clients = vec![TestClient {
        client_id: secret.into(),
        case: "realistic".into(),
        deleted: true,
    }];
    let out = redact(&report);
    assert_absent(&out, &[secret]);
    assert_eq!(out.auth_discovery.test_clients[0].case, "realistic");
    assert_eq!(
        out.auth_discovery.authorization_server_metadata[0].candidates[0].kind,
        "oauth"
    );
}
