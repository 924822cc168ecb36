use super::*;

const ID: &str = "http://127.0.0.1:9/client.json";

#[test]
fn validation_follows_the_required_checks() {
    let good = format!(
        r#"{{"client_id":"{ID}","client_name":"c","redirect_uris":["http://127.0.0.1:3000/cb"]}}"#
    );
    assert_eq!(
        validate(ID, good.as_bytes()).unwrap().redirect_uris,
        ["http://127.0.0.1:3000/cb"]
    );
    let other = good.replace(ID, "http://127.0.0.1:9/other.json");
    assert!(validate(ID, other.as_bytes()).is_err());
    assert!(validate(ID, b"[]").is_err());
    assert!(validate(ID, br#"{"client_id":"x"}"#).is_err());
    let no_name = format!(r#"{{"client_id":"{ID}","redirect_uris":["a"]}}"#);
    assert!(validate(ID, no_name.as_bytes()).is_err());
}

#[test]
fn responses_plain_and_chunked() {
    let plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    assert_eq!(parse_response(plain).unwrap(), b"{}");
    let chunked =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n1\r\n}\r\n0\r\n\r\n";
    assert_eq!(parse_response(chunked).unwrap(), b"{}");
    assert!(parse_response(b"HTTP/1.1 404 Not Found\r\n\r\n").is_err());
    assert!(parse_response(b"garbage").is_err());
}

#[test]
fn only_loopback_http_documents_are_fetched() {
    assert!(is_document_id("https://app.example/client.json"));
    assert!(!is_document_id("abc123"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt
        .block_on(fetch("https://app.example/client.json"))
        .unwrap_err();
    assert!(err.contains("no TLS client"), "{err}");
    let err = rt
        .block_on(fetch("http://app.example/client.json"))
        .unwrap_err();
    assert!(err.contains("loopback"), "{err}");
}
