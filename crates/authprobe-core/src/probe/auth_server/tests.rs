use super::*;

fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn issuers_keep_valid_entries_in_order_and_cap_them() {
    let (probed, left) = issuers(&list(&[
        "https://a.example",
        "/relative",
        "mailto:x@y",
        "https://b.example/t1",
        "https://a.example",
    ]));
    let raws: Vec<&str> = probed.iter().map(|i| i.raw.as_str()).collect();
    assert_eq!(raws, ["https://a.example", "https://b.example/t1"]);
    assert!(left.is_empty());
    let many: Vec<String> = (0..7).map(|i| format!("https://as{i}.example")).collect();
    let (probed, left) = issuers(&many);
    assert_eq!(probed.len(), MAX_ISSUERS);
    assert_eq!(left, ["https://as5.example", "https://as6.example"]);
}

#[test]
fn root_probe_only_for_issuers_with_a_path() {
    let u = |s: &str| Url::parse(s).unwrap();
    assert_eq!(root_probe_url(&u("https://a.example")), None);
    assert_eq!(root_probe_url(&u("https://a.example/")), None);
    assert_eq!(
        root_probe_url(&u("https://a.example:8443/tenant1/?x=1"))
            .unwrap()
            .as_str(),
        "https://a.example:8443/.well-known/oauth-authorization-server"
    );
}
