//! The optional LLM rewrite of the root-cause analysis.
//!
//! The deterministic analysis is always there first. With a provider configured, the
//! model gets the redacted report and rewrites the analysis text; every citation in
//! its answer is checked against the section table, and what does not hold is marked
//! `[unverified citation]`. A provider failure never fails the scan: the deterministic
//! analysis stands and a note says why the LLM part is missing.

mod prompt;
pub mod providers;
pub mod transport;

use std::time::Duration;

use authprobe_core::report::Report;
use authprobe_core::root_cause::{mark_citations, Source};

use crate::cli::LlmArgs;
use crate::exit::Failure;
use providers::{Anthropic, Compatible, OpenAi, Provider};

/// The default model of OpenAI and of OpenAI-compatible servers.
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4.1-mini";
/// The default Anthropic model.
pub const DEFAULT_ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";
/// Where the OpenAI SDKs send requests when `OPENAI_BASE_URL` is unset.
pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
/// Where the Anthropic SDKs send requests when `ANTHROPIC_BASE_URL` is unset.
pub const DEFAULT_ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
/// The longest answer kept, in characters.
const ANSWER_LIMIT: usize = 20_000;

/// What the model is given.
pub struct Prompt {
    /// The system instructions.
    pub instructions: String,
    /// The material: report, catalog entries, sections, deterministic analysis.
    pub input: String,
}

/// The provider to use and how.
pub struct Settings {
    /// The provider.
    pub provider: Box<dyn Provider>,
    /// Token budget of the answer.
    pub max_tokens: u32,
    /// How long to wait for the answer.
    pub timeout: Duration,
    /// Said next to the analysis (which provider was chosen, when several could be).
    pub note: Option<String>,
    /// Secrets that must never reach the provider (API keys of other providers, the
    /// scan's token and header values): replaced in the prompt if any survived.
    pub secrets: Vec<String>,
}

/// Reads the LLM flags (and the environment, through clap) into settings; `None` when
/// no provider is configured or `--no-llm` is given.
pub fn settings(args: &LlmArgs, scan_secrets: &[String]) -> Result<Option<Settings>, Failure> {
    if args.no_llm {
        return Ok(None);
    }
    let timeout = crate::scan_cmd::seconds(args.llm_timeout, "--llm-timeout")?;
    if args.llm_max_tokens == 0 {
        return Err(Failure::new("--llm-max-tokens 0 leaves no room for an answer; give a positive number, e.g. --llm-max-tokens 700"));
    }
    let nonempty = |k: &Option<String>| k.clone().filter(|k| !k.trim().is_empty());
    let (openai_key, anthropic_key) = (
        nonempty(&args.openai_api_key),
        nonempty(&args.anthropic_api_key),
    );
    let mut note = None;
    let provider: Box<dyn Provider> = if let Some(base) = &args.llm_base_url {
        check_url(base, "--llm-base-url")?;
        Box::new(Compatible {
            base_url: base.clone(),
            key: openai_key.clone(),
            model: args
                .llm_model
                .clone()
                .unwrap_or_else(|| DEFAULT_OPENAI_MODEL.into()),
        })
    } else if let Some(key) = &openai_key {
        let base_url = env_url("OPENAI_BASE_URL", DEFAULT_OPENAI_BASE_URL)?;
        let model = args
            .llm_model
            .clone()
            .unwrap_or_else(|| DEFAULT_OPENAI_MODEL.into());
        if anthropic_key.is_some() {
            note = Some(format!(
                "both an OpenAI and an Anthropic key are set; OpenAI ({model}) was used"
            ));
        }
        Box::new(OpenAi {
            base_url,
            key: key.clone(),
            model,
        })
    } else if let Some(key) = &anthropic_key {
        let base_url = env_url("ANTHROPIC_BASE_URL", DEFAULT_ANTHROPIC_BASE_URL)?;
        let model = args
            .llm_model
            .clone()
            .unwrap_or_else(|| DEFAULT_ANTHROPIC_MODEL.into());
        Box::new(Anthropic {
            base_url,
            key: key.clone(),
            model,
        })
    } else {
        return Ok(None);
    };
    let mut secrets: Vec<String> = scan_secrets.to_vec();
    secrets.extend(openai_key);
    secrets.extend(anthropic_key);
    Ok(Some(Settings {
        provider,
        max_tokens: args.llm_max_tokens,
        timeout,
        note,
        secrets,
    }))
}

fn env_url(name: &str, default: &str) -> Result<String, Failure> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => {
            check_url(value.trim(), name)?;
            Ok(value.trim().to_string())
        }
        _ => Ok(default.to_string()),
    }
}

fn check_url(value: &str, name: &str) -> Result<(), Failure> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(Failure::new(format!(
            "{name} `{value}` is not an http(s) URL; give the API base, e.g. http://127.0.0.1:8080/v1"
        ))),
    }
}

/// Asks the provider to rewrite the analysis of `report` from `redacted`, the same
/// report with every secret redacted (the only thing the provider sees). Returns the
/// one line saying why the LLM part is missing, when it is.
pub async fn rewrite(
    report: &mut Report,
    redacted: &Report,
    settings: &Settings,
) -> Option<String> {
    let analysable = redacted
        .root_cause
        .as_ref()
        .is_some_and(|a| a.finding.is_some());
    if !analysable {
        return None;
    }
    // About 0.75 words a token, leaving room for citations and code.
    let words = (settings.max_tokens / 2).max(50);
    let mut prompt = prompt::build(redacted, words);
    for secret in settings.secrets.iter().filter(|s| s.len() >= 4) {
        prompt.input = prompt
            .input
            .replace(secret.as_str(), authprobe_render::REDACTED);
    }
    let provider = settings.provider.as_ref();
    let request = provider.request(&prompt, settings.max_tokens);
    let result = match transport::post(&request, settings.timeout).await {
        Ok(body) => provider
            .parse(&body)
            .map_err(transport::CallError::Malformed),
        Err(e) => Err(e),
    };
    let analysis = report.root_cause.as_mut()?;
    match result {
        Ok(answer) => {
            let text: String = answer.text.trim().chars().take(ANSWER_LIMIT).collect();
            let (marked, citations) = mark_citations(&text);
            analysis.source = Source::Llm;
            analysis.provider = Some(provider.name().to_string());
            analysis.model = Some(provider.model().to_string());
            analysis.text = marked;
            analysis.citations = citations;
            let mut notes: Vec<String> = settings.note.iter().cloned().collect();
            if answer.truncated {
                notes.push(format!(
                    "the answer stopped at --llm-max-tokens {}",
                    settings.max_tokens
                ));
            }
            analysis.note = (!notes.is_empty()).then(|| notes.join("; "));
            None
        }
        Err(error) => {
            let line = format!(
                "the LLM analysis is missing: {} ({}) gave {error}; the deterministic analysis stands",
                provider.name(),
                provider.model()
            );
            // A provider may quote what it was sent; never print a key back.
            let line = settings
                .secrets
                .iter()
                .filter(|s| s.len() >= 4)
                .fold(line, |line, secret| {
                    line.replace(secret.as_str(), authprobe_render::REDACTED)
                });
            analysis.note = Some(line.clone());
            Some(line)
        }
    }
}
