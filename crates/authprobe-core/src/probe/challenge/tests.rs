use super::*;

/// The initialize with a bogus token runs beside the primary one: with a shared
/// watcher, the first answer seen ended the other read after its first chunk (a
/// server's SSE priming event), and the scan judged the target not MCP.
#[test]
fn the_bogus_token_request_reads_with_a_watcher_of_its_own() {
    let target = Url::parse("http://127.0.0.1:1/mcp").expect("a URL");
    let primary = initialize_request(&target, "2025-11-25", true);
    let bogus = with_bogus_token(primary.clone(), "x");
    let (Some(a), Some(b)) = (&primary.stop_when, &bogus.stop_when) else {
        panic!("both requests stop at their response");
    };
    assert!(!Arc::ptr_eq(a, b));
    let answer = b"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n";
    assert!(b(answer), "the bogus request's own answer ends its read");
    assert!(
        !a(b"data: \nid: 0\nretry: 3000\n\n"),
        "a priming event does not end the primary's"
    );
}
