//! The LLM rewrite of the root-cause analysis, end to end through the binary, against
//! a local server speaking each provider's wire format (`llm_server.rs`): the request
//! each provider gets, the parsing of its answers, every failure path (the scan never
//! fails because of the provider), the citation check of the answer, and that no
//! planted secret reaches a provider.

use std::process::{Command, Output};

use authprobe_lab::Defect;
use serde_json::Value;

use crate::llm_server::{Behaviour, LlmServer, Received};
use crate::support::{bin, lab};

/// An answer with a correct citation, the wrong title the original bug report gave
/// RFC 9728, and a section that does not exist.
const ANSWER: &str = "The server answers 401 without a WWW-Authenticate challenge (#1), which \
RFC 9110 §15.5.2 forbids. Protected resource metadata is defined in RFC 9728 (OAuth Security \
Best Practices); RFC 9728 §3.9 says where to publish it, and MCP 2025-11-25 Authorization › \
Protected Resource Metadata Discovery Requirements asks servers to advertise it.";

/// Runs the binary with only the environment given (no key leaks in from the
/// machine running the tests).
async fn run(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(bin());
        command.args(&args).env("NO_COLOR", "1");
        for name in [
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "OPENAI_BASE_URL",
            "ANTHROPIC_BASE_URL",
        ] {
            command.env_remove(name);
        }
        command.envs(env).output().expect("the binary runs")
    })
    .await
    .expect("join")
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text with its line wrapping undone.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn only_request(server: &LlmServer) -> Received {
    let received = server.received();
    assert_eq!(received.len(), 1, "{received:?}");
    received.into_iter().next().expect("one request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_seed_command_line_prints_the_checked_llm_analysis() {
    let lab = lab(&[Defect::AuthNotAdvertised]).await;
    let server = LlmServer::start(Behaviour::Answer(ANSWER.into())).await;
    let args = vec![
        "scan".to_string(),
        "--llm-max-tokens=1080".into(),
        "--openai-api-key=KEY".into(),
        lab.mcp_url(),
    ];
    let out = run(args, vec![("OPENAI_BASE_URL", server.url("/v1"))]).await;
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The request: the Responses API, the key as a bearer token, the budget asked for.
    let request = only_request(&server);
    assert_eq!(request.path, "/v1/responses");
    assert_eq!(request.header("authorization"), Some("Bearer KEY"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = request.json();
    assert_eq!(body["model"], "gpt-4.1-mini");
    assert_eq!(body["max_output_tokens"], 1080);
    let input = body["input"].as_str().expect("input is text");
    assert!(
        input.contains("AUTH_REQUIRED_BUT_NOT_ADVERTISED"),
        "{input}"
    );
    assert!(
        input.contains(
            "RFC 9728 §5.1 “WWW-Authenticate Response” (OAuth 2.0 Protected Resource Metadata)"
        ),
        "{input}"
    );
    assert!(!input.contains("KEY\""), "the key is in the prompt");

    // The echoed command line does not show the key.
    assert!(text.contains("--openai-api-key=[REDACTED]"), "{text}");
    assert!(!text.contains("=KEY"), "{text}");

    // The analysis: written by the model, citations checked, our title in place of its.
    assert!(
        text.contains("Root-cause analysis (written by gpt-4.1-mini (openai)"),
        "{text}"
    );
    let analysis = &text[text.find("Root-cause analysis").expect("analysis")..];
    let flat = unwrapped(analysis);
    assert!(flat.contains("RFC 9110 §15.5.2 forbids"), "{analysis}");
    assert!(
        flat.contains("RFC 9728 (OAuth 2.0 Protected Resource Metadata) [unverified citation]"),
        "{analysis}"
    );
    assert!(
        !flat.contains("(OAuth Security Best Practices)"),
        "the model's title is shown: {analysis}"
    );
    assert!(
        flat.contains("RFC 9728 §3.9 [unverified citation]"),
        "{analysis}"
    );
    let flat = unwrapped(analysis);
    assert!(
        flat.contains("citations: 4 citation(s) checked, 2 unverified"),
        "{analysis}"
    );
    assert!(
        flat.contains("[unverified citation] RFC 9728 §3.9: no such section"),
        "{analysis}"
    );
    assert!(
        flat.contains("[unverified citation] RFC 9728: the answer gave it another title; it is “OAuth 2.0 Protected Resource Metadata”"),
        "{analysis}"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn anthropic_gets_its_headers_and_the_json_report_says_which_citations_hold() {
    let lab = lab(&[Defect::AuthNotAdvertised]).await;
    let server = LlmServer::start(Behaviour::Answer(ANSWER.into())).await;
    let args = strings(&["scan", "--json", "-", &lab.mcp_url()]);
    let env = vec![
        ("ANTHROPIC_API_KEY", "sk-ant-test".to_string()),
        ("ANTHROPIC_BASE_URL", server.url("")),
    ];
    let out = run(args, env).await;
    assert_eq!(out.status.code(), Some(2));
    let request = only_request(&server);
    assert_eq!(request.path, "/v1/messages");
    assert_eq!(request.header("x-api-key"), Some("sk-ant-test"));
    assert_eq!(request.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(request.header("authorization"), None);
    let body = request.json();
    assert_eq!(body["model"], "claude-sonnet-4-5");
    assert_eq!(body["max_tokens"], 700);
    assert_eq!(body["messages"][0]["role"], "user");
    assert!(body["system"]
        .as_str()
        .is_some_and(|s| s.contains("Sections you may cite")));

    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let problems =
        crate::json_schema::violations(&crate::json_schema::validator(), "llm report", &report);
    assert!(problems.is_empty(), "{problems:#?}");
    let rc = &report["root_cause"];
    assert_eq!(rc["source"], "llm");
    assert_eq!(rc["provider"], "anthropic");
    assert_eq!(rc["model"], "claude-sonnet-4-5");
    let verdicts: Vec<(String, bool)> = rc["citations"]
        .as_array()
        .expect("citations")
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap_or_default().to_string(),
                c["verified"] == true,
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("RFC 9110 §15.5.2".to_string(), true),
            (
                "RFC 9728 (OAuth Security Best Practices)".to_string(),
                false
            ),
            ("RFC 9728 §3.9".to_string(), false),
            (
                "MCP 2025-11-25 Authorization › Protected Resource Metadata Discovery Requirements"
                    .to_string(),
                true
            ),
        ]
    );
    assert_eq!(
        rc["citations"][1]["title"],
        "OAuth 2.0 Protected Resource Metadata"
    );
    // The structured parts stay the deterministic ones.
    assert!(rc["fix"]["artifacts"][0]["content"]
        .as_str()
        .is_some_and(|c| c.contains("resource_metadata=")));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_openai_compatible_server_needs_no_key_and_both_keys_name_the_one_used() {
    let lab = lab(&[Defect::AuthNotAdvertised]).await;
    let server = LlmServer::start(Behaviour::Answer("RFC 9110 §15.5.2 applies.".into())).await;
    let args = strings(&[
        "scan",
        "--llm-base-url",
        &server.url("/v1"),
        "--llm-model",
        "qwen",
        &lab.mcp_url(),
    ]);
    let out = run(args, Vec::new()).await;
    assert_eq!(out.status.code(), Some(2));
    let request = only_request(&server);
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.header("authorization"), None);
    let body = request.json();
    assert_eq!(body["model"], "qwen");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
    assert!(stdout(&out).contains("written by qwen (openai-compatible)"));

    let server = LlmServer::start(Behaviour::Answer("RFC 9110 §15.5.2 applies.".into())).await;
    let env = vec![
        ("OPENAI_API_KEY", "sk-openai".to_string()),
        ("ANTHROPIC_API_KEY", "sk-ant".to_string()),
        ("OPENAI_BASE_URL", server.url("/v1")),
    ];
    let out = run(strings(&["scan", &lab.mcp_url()]), env.clone()).await;
    assert_eq!(only_request(&server).path, "/v1/responses");
    assert!(
        unwrapped(&stdout(&out)).contains(
            "note: both an OpenAI and an Anthropic key are set; OpenAI (gpt-4.1-mini) was used"
        ),
        "{}",
        stdout(&out)
    );

    // --no-llm: nothing is sent, whatever the environment holds.
    let server = LlmServer::start(Behaviour::Answer("x".into())).await;
    let mut env = env;
    env[2] = ("OPENAI_BASE_URL", server.url("/v1"));
    let out = run(strings(&["scan", "--no-llm", &lab.mcp_url()]), env).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(server.received().is_empty());
    assert!(stdout(&out).contains("Root-cause analysis (built from the report and the catalog)"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_provider_leaves_the_deterministic_analysis_and_one_line_why() {
    let lab = lab(&[Defect::AuthNotAdvertised]).await;
    let cases = [
        (
            Behaviour::Error(401, "Incorrect API key provided: sk-test-1234", None),
            "gave HTTP 401: authentication_error: Incorrect API key provided: [REDACTED]",
        ),
        (
            Behaviour::Error(429, "Rate limit reached", Some("7")),
            "gave HTTP 429 (Retry-After: 7): rate_limit_error: Rate limit reached",
        ),
        (
            Behaviour::Error(500, "The server had an error", None),
            "gave HTTP 500: api_error: The server had an error",
        ),
        (
            Behaviour::Malformed,
            "gave malformed answer: the response holds no output_text",
        ),
        (Behaviour::Hang, "gave no answer within 1 s (--llm-timeout)"),
    ];
    for (behaviour, expected) in cases {
        let server = LlmServer::start(behaviour.clone()).await;
        let args = strings(&[
            "scan",
            "--openai-api-key",
            "sk-test-1234",
            "--llm-timeout",
            "1",
            &lab.mcp_url(),
        ]);
        let out = run(args, vec![("OPENAI_BASE_URL", server.url("/v1"))]).await;
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(2), "{behaviour:?}: {text}");
        assert_eq!(server.received().len(), 1, "{behaviour:?}");
        assert!(
            text.contains("Root-cause analysis (built from the report and the catalog)"),
            "{behaviour:?}: {text}"
        );
        assert!(
            text.contains("WWW-Authenticate: Bearer resource_metadata="),
            "{behaviour:?}: {text}"
        );
        let note: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("the LLM analysis is missing"))
            .collect();
        assert_eq!(note.len(), 1, "{behaviour:?}: {text}");
        assert!(
            unwrapped(&text).contains(expected),
            "{behaviour:?}: expected {expected:?} in {text}"
        );

        // With the JSON report on stdout, the note is in it and on stderr.
        let server = LlmServer::start(behaviour.clone()).await;
        let args = strings(&[
            "scan",
            "--json",
            "-",
            "--openai-api-key",
            "sk-test-1234",
            "--llm-timeout",
            "1",
            &lab.mcp_url(),
        ]);
        let out = run(args, vec![("OPENAI_BASE_URL", server.url("/v1"))]).await;
        let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
        let problems =
            crate::json_schema::violations(&crate::json_schema::validator(), "failed llm", &report);
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(report["root_cause"]["source"], "deterministic");
        assert!(
            report["root_cause"]["note"]
                .as_str()
                .is_some_and(|n| n.contains(expected)),
            "{behaviour:?}: {report:#}"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("note: the LLM analysis is missing"));
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_planted_secret_reaches_a_provider() {
    let lab = lab(&[Defect::AuthNotAdvertised]).await;
    let planted = [
        "PLANTEDBEARER1234",
        "PLANTEDHEADER5678",
        "PLANTEDCOOKIE9012",
        "PLANTEDQUERY3456",
    ];
    // --no-redact changes what is printed, never what a provider is sent.
    for (key_flag, base_env, base_path, no_redact) in [
        ("--openai-api-key", "OPENAI_BASE_URL", "/v1", false),
        ("--anthropic-api-key", "ANTHROPIC_BASE_URL", "", false),
        ("--openai-api-key", "OPENAI_BASE_URL", "/v1", true),
    ] {
        let server = LlmServer::start(Behaviour::Answer("RFC 9110 §15.5.2.".into())).await;
        let target = format!("{}?access_token={}", lab.mcp_url(), planted[3]);
        let mut args = strings(&[
            "scan",
            key_flag,
            "PROVIDERKEY",
            "--bearer-token",
            planted[0],
            "-H",
            &format!("X-Api-Key: {}", planted[1]),
            "-H",
            &format!("Cookie: session={}", planted[2]),
            &target,
        ]);
        if no_redact {
            args.push("--no-redact".into());
        }
        let out = run(args, vec![(base_env, server.url(base_path))]).await;
        assert!(
            matches!(out.status.code(), Some(0 | 2)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let request = only_request(&server);
        // The prompt really holds the report, where the planted values were redacted
        // (they would be there if redaction missed them).
        assert!(request.body.contains("exchanges"), "{}", request.body);
        assert!(request.body.contains("[REDACTED]"), "{}", request.body);
        if no_redact {
            // The printed report does carry them: the planting works.
            assert!(stdout(&out).contains(planted[3]), "{}", stdout(&out));
        }
        for secret in planted {
            assert!(
                !request.body.contains(secret),
                "{secret} reached the provider: {}",
                request.body
            );
            assert!(
                request.headers.iter().all(|(_, v)| !v.contains(secret)),
                "{secret} in a header"
            );
        }
        assert!(!request.body.contains("PROVIDERKEY"));
    }
    lab.shutdown().await;
}
