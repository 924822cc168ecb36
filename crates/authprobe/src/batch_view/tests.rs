use super::*;

#[test]
fn target_files_allow_comments_and_blank_lines() {
    let text = "# staging servers\n\nhttps://a.example/mcp\n  https://b.example/mcp   # the old one\nhttps://c.example/mcp#frag\n   # indented comment\n";
    assert_eq!(
        target_lines(text),
        [
            (3, "https://a.example/mcp".to_string()),
            (4, "https://b.example/mcp".to_string()),
            (5, "https://c.example/mcp#frag".to_string()),
        ]
    );
}

#[test]
fn directory_names_are_predictable_and_safe() {
    let url = |s: &str| url::Url::parse(s).unwrap();
    assert_eq!(
        target_dir_name(7, 12, &url("https://mcp.example.com:8443/v1/mcp?x=1")),
        "007-mcp.example.com-8443-v1-mcp"
    );
    assert_eq!(
        target_dir_name(42, 1500, &url("http://[::1]:9/a b/c")),
        "0042-1-9-a-20b-c"
    );
    let long = format!("https://h.example/{}", "x".repeat(300));
    assert!(target_dir_name(1, 1, &url(&long)).len() <= 4 + NAME_WIDTH);
    for name in [
        target_dir_name(1, 1, &url("http://127.0.0.1:1/")),
        target_dir_name(2, 2, &url("http://h.example/../../etc")),
    ] {
        assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
    }
}

#[test]
fn the_table_lists_every_row_and_says_what_failed() {
    let rows = vec![
        Row {
            index: 1,
            target: "http://a.example/mcp".into(),
            outcome: Some(Outcome::ProtectedBroken),
            primary: Some((Severity::High, "PRM_RESOURCE_MISMATCH".into())),
            gated: 1,
            failure: None,
        },
        Row {
            index: 2,
            target: "http://b.example/mcp".into(),
            outcome: Some(Outcome::Unreachable),
            primary: None,
            gated: 0,
            failure: Some("cannot reach http://b.example/mcp: refused".into()),
        },
    ];
    let table = summary_table(&rows, Some(Severity::High), Some(Duration::from_secs(2)));
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].contains("TARGET") && lines[0].contains("PRIMARY FINDING"));
    assert!(
        lines[1].contains("protected-broken") && lines[1].ends_with("HIGH PRM_RESOURCE_MISMATCH")
    );
    assert!(lines[2].contains("unreachable") && lines[2].contains("refused"));
    assert!(
            table.contains("2 targets: 1 with findings at high or above, 1 could not be scanned · 2.0 s (1.0 targets/s)"),
            "{table}"
        );
    let untimed = summary_table(&rows, Some(Severity::High), None);
    assert!(untimed.ends_with("1 could not be scanned\n"), "{untimed}");
}
