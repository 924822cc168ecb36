use super::*;

fn config() -> ScanConfig {
    let mut config = ScanConfig::new(url::Url::parse("http://a/mcp").expect("a URL"));
    config.bearer_token = Some("secret".into());
    config
}

fn report() -> Arc<Report> {
    let json = include_str!("../../../tests/snapshots/clean/report.json");
    Arc::new(authprobe_render::read_report_json(json).expect("the fixture is a report"))
}

#[test]
fn keeps_at_most_the_cap_and_forgets_the_oldest_first() {
    let store = Store::default();
    let first = store.insert("http://a/mcp", &config(), report());
    for _ in 0..MAX_SCANS {
        store.insert("http://b/mcp", &config(), report());
    }
    assert_eq!(store.len(), MAX_SCANS);
    assert!(store.get(&first).is_none(), "the oldest scan is forgotten");
}

#[test]
fn forgets_scans_older_than_the_age_limit() {
    let store = Store::default();
    let id = store.insert("http://a/mcp", &config(), report());
    let kept = store.get(&id).expect("the scan is kept");
    assert_eq!(kept.config.bearer_token, None, "no credential is kept");
    let later = Instant::now() + MAX_AGE + Duration::from_secs(1);
    let mut scans = store.scans.lock().unwrap_or_else(PoisonError::into_inner);
    forget_expired(&mut scans, later);
    assert!(scans.is_empty());
}

#[test]
fn ids_are_distinct_and_unknown_ids_find_nothing() {
    let store = Store::default();
    let a = store.insert("http://a/mcp", &config(), report());
    let b = store.insert("http://a/mcp", &config(), report());
    assert_ne!(a, b);
    assert!(store.get("scan-0").is_none());
}
