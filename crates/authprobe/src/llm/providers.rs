//! The three wire formats, behind one trait: the OpenAI Responses API, the Anthropic
//! Messages API, and Chat Completions as OpenAI-compatible servers (llama.cpp, vLLM,
//! Ollama, LiteLLM) speak it. Each builds its request and reads its answer and its
//! error body; sending is shared (`transport.rs`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Prompt;

/// A request ready to send: where, with which headers (authentication included),
/// and the JSON body.
pub struct WireRequest {
    /// The full endpoint URL.
    pub url: String,
    /// Headers besides `Content-Type` and `Accept`.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: String,
}

/// What an answer said.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    /// The text the model wrote.
    pub text: String,
    /// True when the model stopped at the token budget.
    pub truncated: bool,
}

/// One LLM provider.
pub trait Provider: Send + Sync {
    /// `openai`, `anthropic` or `openai-compatible`.
    fn name(&self) -> &'static str;
    /// The model asked for.
    fn model(&self) -> &str;
    /// The request for this prompt.
    fn request(&self, prompt: &Prompt, max_tokens: u32) -> WireRequest;
    /// Reads a successful answer; `Err` says what is wrong with it.
    fn parse(&self, body: &str) -> Result<Answer, String>;
}

/// Joins a base URL and a path with exactly one slash.
fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// The `message` of an error body, whichever provider's shape it has:
/// `{"error": {"message": …}}` (OpenAI, Anthropic, most compatible servers) or
/// `{"error": "…"}` (Ollama).
pub fn error_message(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let error = value.get("error")?;
    let message = match error {
        Value::String(s) => s.clone(),
        Value::Object(o) => {
            let text = o.get("message").and_then(Value::as_str).unwrap_or_default();
            let kind = o
                .get("type")
                .or_else(|| o.get("code"))
                .and_then(Value::as_str);
            match kind {
                Some(kind) if !text.is_empty() => format!("{kind}: {text}"),
                Some(kind) => kind.to_string(),
                None => text.to_string(),
            }
        }
        _ => return None,
    };
    (!message.trim().is_empty()).then_some(message)
}

/// OpenAI, through the Responses API (`POST {base}/responses`, bearer key).
pub struct OpenAi {
    /// `OPENAI_BASE_URL`, by default `https://api.openai.com/v1`.
    pub base_url: String,
    /// The API key.
    pub key: String,
    /// The model.
    pub model: String,
}

#[derive(Serialize)]
struct ResponsesRequest<'a> {
    model: &'a str,
    instructions: &'a str,
    input: &'a str,
    max_output_tokens: u32,
    /// The report is not kept on the provider's side for later retrieval.
    store: bool,
}

#[derive(Deserialize)]
struct ResponsesAnswer {
    status: Option<String>,
    #[serde(default)]
    output: Vec<OutputItem>,
    incomplete_details: Option<Value>,
}

#[derive(Deserialize)]
struct OutputItem {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    content: Vec<ContentPart>,
}

#[derive(Deserialize)]
struct ContentPart {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: String,
}

impl Provider for OpenAi {
    fn name(&self) -> &'static str {
        "openai"
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn request(&self, prompt: &Prompt, max_tokens: u32) -> WireRequest {
        let body = ResponsesRequest {
            model: &self.model,
            instructions: &prompt.instructions,
            input: &prompt.input,
            max_output_tokens: max_tokens,
            store: false,
        };
        WireRequest {
            url: join(&self.base_url, "responses"),
            headers: vec![("Authorization".into(), format!("Bearer {}", self.key))],
            body: serde_json::to_string(&body).unwrap_or_default(),
        }
    }

    fn parse(&self, body: &str) -> Result<Answer, String> {
        let answer: ResponsesAnswer =
            serde_json::from_str(body).map_err(|e| format!("not a Responses API object ({e})"))?;
        if answer.status.as_deref() == Some("failed") {
            return Err("the response has status failed".into());
        }
        // The text is in the `output_text` parts of the `message` items; other items
        // (reasoning, tool calls) carry no answer.
        let text: Vec<&str> = answer
            .output
            .iter()
            .filter(|item| item.kind == "message")
            .flat_map(|item| item.content.iter())
            .filter(|part| part.kind == "output_text")
            .map(|part| part.text.as_str())
            .collect();
        let text = text.join("");
        if text.trim().is_empty() {
            return Err("the response holds no output_text".into());
        }
        let truncated = answer.status.as_deref() == Some("incomplete")
            || answer.incomplete_details.is_some_and(|d| !d.is_null());
        Ok(Answer { text, truncated })
    }
}

/// Anthropic, through the Messages API (`POST {base}/v1/messages`, `x-api-key`,
/// `anthropic-version: 2023-06-01`).
pub struct Anthropic {
    /// `ANTHROPIC_BASE_URL`, by default `https://api.anthropic.com`.
    pub base_url: String,
    /// The API key.
    pub key: String,
    /// The model.
    pub model: String,
}

/// The API version the request and answer shapes here are written for.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

#[derive(Serialize)]
struct MessagesRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    system: &'a str,
    messages: [ChatMessage<'a>; 1],
}

#[derive(Serialize)]
struct ChatMessage<'a> {
    role: &'a str,
    content: &'a str,
}

#[derive(Deserialize)]
struct MessagesAnswer {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    content: Vec<ContentPart>,
    stop_reason: Option<String>,
}

impl Provider for Anthropic {
    fn name(&self) -> &'static str {
        "anthropic"
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn request(&self, prompt: &Prompt, max_tokens: u32) -> WireRequest {
        let body = MessagesRequest {
            model: &self.model,
            max_tokens,
            system: &prompt.instructions,
            messages: [ChatMessage {
                role: "user",
                content: &prompt.input,
            }],
        };
        WireRequest {
            url: join(&self.base_url, "v1/messages"),
            headers: vec![
                ("x-api-key".into(), self.key.clone()),
                ("anthropic-version".into(), ANTHROPIC_VERSION.into()),
            ],
            body: serde_json::to_string(&body).unwrap_or_default(),
        }
    }

    fn parse(&self, body: &str) -> Result<Answer, String> {
        let answer: MessagesAnswer =
            serde_json::from_str(body).map_err(|e| format!("not a Messages API message ({e})"))?;
        if answer.kind != "message" {
            return Err(format!(
                "the answer is of type {:?}, not a message",
                answer.kind
            ));
        }
        let text: String = answer
            .content
            .iter()
            .filter(|part| part.kind == "text")
            .map(|part| part.text.as_str())
            .collect();
        if text.trim().is_empty() {
            return Err("the message holds no text block".into());
        }
        Ok(Answer {
            text,
            truncated: answer.stop_reason.as_deref() == Some("max_tokens"),
        })
    }
}

/// Any OpenAI-compatible server, through Chat Completions
/// (`POST {base}/chat/completions`; a bearer key only when one is given).
pub struct Compatible {
    /// `--llm-base-url`.
    pub base_url: String,
    /// `--openai-api-key` / `OPENAI_API_KEY`, if any.
    pub key: Option<String>,
    /// The model.
    pub model: String,
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: [ChatMessage<'a>; 2],
    max_tokens: u32,
}

#[derive(Deserialize)]
struct ChatAnswer {
    #[serde(default)]
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
}

impl Provider for Compatible {
    fn name(&self) -> &'static str {
        "openai-compatible"
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn request(&self, prompt: &Prompt, max_tokens: u32) -> WireRequest {
        let body = ChatRequest {
            model: &self.model,
            messages: [
                ChatMessage {
                    role: "system",
                    content: &prompt.instructions,
                },
                ChatMessage {
                    role: "user",
                    content: &prompt.input,
                },
            ],
            max_tokens,
        };
        let headers = match &self.key {
            Some(key) => vec![("Authorization".into(), format!("Bearer {key}"))],
            None => Vec::new(),
        };
        WireRequest {
            url: join(&self.base_url, "chat/completions"),
            headers,
            body: serde_json::to_string(&body).unwrap_or_default(),
        }
    }

    fn parse(&self, body: &str) -> Result<Answer, String> {
        let answer: ChatAnswer =
            serde_json::from_str(body).map_err(|e| format!("not a chat completion ({e})"))?;
        let choice = answer
            .choices
            .into_iter()
            .next()
            .ok_or("the completion has no choices")?;
        let text = choice.message.and_then(|m| m.content).unwrap_or_default();
        if text.trim().is_empty() {
            return Err("the completion's message has no content".into());
        }
        Ok(Answer {
            text,
            truncated: choice.finish_reason.as_deref() == Some("length"),
        })
    }
}

#[cfg(test)]
mod tests;
