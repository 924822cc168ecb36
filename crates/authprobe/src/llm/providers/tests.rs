use super::*;

fn prompt() -> Prompt {
    Prompt {
        instructions: "SYSTEM".into(),
        input: "USER".into(),
    }
}

#[test]
fn each_request_has_its_documented_shape() {
    let openai = OpenAi {
        base_url: "https://api.example/v1/".into(),
        key: "k1".into(),
        model: "m".into(),
    };
    let req = openai.request(&prompt(), 700);
    assert_eq!(req.url, "https://api.example/v1/responses");
    assert_eq!(
        req.headers,
        [("Authorization".to_string(), "Bearer k1".to_string())]
    );
    let body: Value = serde_json::from_str(&req.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"model": "m", "instructions": "SYSTEM", "input": "USER", "max_output_tokens": 700, "store": false})
    );

    let anthropic = Anthropic {
        base_url: "https://api.example".into(),
        key: "k2".into(),
        model: "c".into(),
    };
    let req = anthropic.request(&prompt(), 5);
    assert_eq!(req.url, "https://api.example/v1/messages");
    assert!(req.headers.contains(&("x-api-key".into(), "k2".into())));
    assert!(req
        .headers
        .contains(&("anthropic-version".into(), "2023-06-01".into())));
    let body: Value = serde_json::from_str(&req.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"model": "c", "max_tokens": 5, "system": "SYSTEM", "messages": [{"role": "user", "content": "USER"}]})
    );

    let compatible = Compatible {
        base_url: "http://127.0.0.1:8080/v1".into(),
        key: None,
        model: "local".into(),
    };
    let req = compatible.request(&prompt(), 9);
    assert_eq!(req.url, "http://127.0.0.1:8080/v1/chat/completions");
    assert!(req.headers.is_empty());
    let body: Value = serde_json::from_str(&req.body).unwrap();
    assert_eq!(
        body["messages"][0],
        serde_json::json!({"role": "system", "content": "SYSTEM"})
    );
    assert_eq!(body["max_tokens"], 9);
}

#[test]
fn error_bodies_of_every_shape_give_their_message() {
    assert_eq!(
            error_message(r#"{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}"#).as_deref(),
            Some("invalid_request_error: Incorrect API key provided")
        );
    assert_eq!(
        error_message(
            r#"{"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}"#
        )
        .as_deref(),
        Some("rate_limit_error: slow down")
    );
    assert_eq!(
        error_message(r#"{"error": "model not found"}"#).as_deref(),
        Some("model not found")
    );
    assert_eq!(error_message("<html>bad gateway</html>"), None);
}

#[test]
fn answers_without_text_are_malformed() {
    let openai = OpenAi {
        base_url: String::new(),
        key: String::new(),
        model: String::new(),
    };
    assert!(openai
        .parse(r#"{"status": "completed", "output": [{"type": "reasoning", "content": []}]}"#)
        .is_err());
    assert!(openai.parse("[]").is_err());
    let anthropic = Anthropic {
        base_url: String::new(),
        key: String::new(),
        model: String::new(),
    };
    assert!(anthropic
        .parse(r#"{"type": "error", "error": {"type": "api_error", "message": "x"}}"#)
        .is_err());
    let compatible = Compatible {
        base_url: String::new(),
        key: None,
        model: String::new(),
    };
    assert!(compatible.parse(r#"{"choices": []}"#).is_err());
    assert_eq!(
            compatible.parse(r#"{"choices": [{"message": {"role": "assistant", "content": "hi"}, "finish_reason": "length"}]}"#),
            Ok(Answer { text: "hi".into(), truncated: true })
        );
}
