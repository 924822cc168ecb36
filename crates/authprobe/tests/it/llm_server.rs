//! A local stand-in for the LLM providers, on 127.0.0.1: it speaks each provider's
//! documented wire format (OpenAI Responses at `/v1/responses`, Anthropic Messages
//! at `/v1/messages`, Chat Completions at `/v1/chat/completions`), records every
//! request it receives, and answers as told: a real-shaped success, an error status
//! with the provider's error body, a malformed body, or no answer at all.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path, e.g. `/v1/responses`.
    pub path: String,
    /// Every header, names lowercase.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Received {
    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

/// How to answer.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// 200 with this text in the provider's success shape.
    Answer(String),
    /// This status with the provider's error body, and a `Retry-After` if given.
    Error(u16, &'static str, Option<&'static str>),
    /// 200 with a body that is not the provider's shape.
    Malformed,
    /// Never answers.
    Hang,
}

#[derive(Clone)]
struct Shared {
    behaviour: Behaviour,
    received: Arc<Mutex<Vec<Received>>>,
}

/// The running stand-in.
pub struct LlmServer {
    /// Where it listens.
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl LlmServer {
    /// Starts it on a free loopback port.
    pub async fn start(behaviour: Behaviour) -> LlmServer {
        let received = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            behaviour,
            received: received.clone(),
        };
        let app = axum::Router::new().fallback(answer).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        LlmServer {
            addr,
            received,
            task,
        }
    }

    /// `http://127.0.0.1:port` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

impl Drop for LlmServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State(shared): State<Shared>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let headers = request
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = to_bytes(request.into_body(), 4 * 1024 * 1024)
        .await
        .unwrap_or_default();
    shared.received.lock().expect("lock").push(Received {
        path: path.clone(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let anthropic = path.ends_with("/messages");
    match shared.behaviour {
        Behaviour::Answer(text) => reply(200, success(&path, &text), None),
        Behaviour::Error(status, message, retry) => {
            let kind = match status {
                401 => ["authentication_error", "invalid_api_key"],
                429 => ["rate_limit_error", "rate_limit_exceeded"],
                _ => ["api_error", "server_error"],
            };
            let body = if anthropic {
                json!({"type": "error", "error": {"type": kind[0], "message": message}})
            } else {
                json!({"error": {"message": message, "type": kind[0], "param": null, "code": kind[1]}})
            };
            reply(status, body.to_string(), retry)
        }
        Behaviour::Malformed => reply(
            200,
            r#"{"object": "something else", "data": []}"#.to_string(),
            None,
        ),
        Behaviour::Hang => {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            reply(504, String::new(), None)
        }
    }
}

/// The success body of the provider the path belongs to.
fn success(path: &str, text: &str) -> String {
    let body = if path.ends_with("/responses") {
        json!({
            "id": "resp_1", "object": "response", "created_at": 1_767_225_600, "status": "completed",
            "model": "gpt-4.1-mini-2025-04-14",
            "output": [{
                "type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}]
            }],
            "usage": {"input_tokens": 1000, "output_tokens": 200, "total_tokens": 1200}
        })
    } else if path.ends_with("/messages") {
        json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 1000, "output_tokens": 200}
        })
    } else {
        json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1_767_225_600, "model": "local",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200}
        })
    };
    body.to_string()
}

fn reply(status: u16, body: String, retry: Option<&str>) -> Response {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json");
    if let Some(retry) = retry {
        builder = builder.header("retry-after", retry);
    }
    builder.body(Body::from(body)).unwrap_or_default()
}
