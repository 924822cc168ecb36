use super::*;

async fn get(port: u16, target: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn serves_the_callback_once_and_404s_the_rest() {
    let cb = Callback::bind().await.unwrap();
    let port = cb.port;
    assert_eq!(
        cb.redirect_uri(),
        format!("http://127.0.0.1:{port}/callback")
    );
    let waiting = tokio::spawn(cb.wait());
    assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
    let page = get(port, "/callback?code=c&state=s").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let received = waiting.await.unwrap().unwrap();
    assert_eq!(received.target, "/callback?code=c&state=s");
    assert!(received.headers.iter().any(|h| h.name == "Host"));
}
