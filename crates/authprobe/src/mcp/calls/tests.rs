use std::time::Duration;

use authprobe_lab::{LabConfig, Latency, RunningLab};

use super::*;

async fn slow_lab() -> RunningLab {
    let config =
        LabConfig::with_defects([]).with_latency(Latency::fixed(Duration::from_millis(400)));
    authprobe_lab::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .expect("the lab starts")
}

fn scan_args(lab: &RunningLab) -> Map<String, Value> {
    match json!({"url": lab.mcp_url()}) {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

/// Two scans at once: with one slot the second sends nothing while the first runs;
/// with two slots it does.
async fn second_scan_requests(slots: usize) -> u64 {
    let tools = Arc::new(Tools::new(slots, std::env::temp_dir()));
    let (first, second) = (slow_lab().await, slow_lab().await);
    let a = tokio::spawn({
        let (tools, args) = (tools.clone(), scan_args(&first));
        async move { tools.call(Kind::ScanHttp, args).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let b = tokio::spawn({
        let (tools, args) = (tools.clone(), scan_args(&second));
        async move { tools.call(Kind::ScanHttp, args).await }
    });
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(first.request_count() > 0, "the first scan runs");
    let seen = second.request_count();
    a.abort();
    b.abort();
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_beyond_the_concurrency_wait_for_a_slot() {
    assert_eq!(second_scan_requests(1).await, 0);
    assert!(second_scan_requests(2).await > 0);
}

#[test]
fn a_credential_reference_reads_only_its_own_variable() {
    let input = |token: Option<&str>, reference: Option<&str>| ScanInput {
        url: "http://127.0.0.1:1/mcp".into(),
        mode: None,
        protocol_version: None,
        timeout_seconds: None,
        deadline_seconds: None,
        mcp: None,
        rfc: None,
        headers: BTreeMap::new(),
        allow_private_issuers: false,
        bearer_token: token.map(str::to_string),
        credential_ref: reference.map(str::to_string),
    };
    assert_eq!(
        credential(&input(Some(" t "), None)).ok().as_deref(),
        Some("t")
    );
    // PATH exists in every environment, but is not a credential variable.
    let refused = credential(&input(None, Some("../PATH"))).err();
    assert!(refused.is_some_and(|e| e.0.contains("letters, digits")));
    let missing = credential(&input(None, Some("path"))).err();
    assert!(missing.is_some_and(|e| e.0.contains("AUTHPROBE_CREDENTIAL_PATH")));
    assert!(credential(&input(Some("t"), Some("x"))).is_err());
    assert!(credential(&input(None, None)).is_err());
}
