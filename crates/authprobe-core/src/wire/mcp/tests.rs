use serde_json::{json, Value};

use super::*;

#[test]
fn revisions_parse_and_order() {
    for r in Revision::ALL {
        assert_eq!(Revision::parse(r.as_str()), Some(r));
    }
    assert_eq!(Revision::parse("2025-11-26"), None);
    assert_eq!(Revision::rules_for("2025-12-01"), Revision::V2025_11_25);
    assert_eq!(Revision::rules_for("2025-07-01"), Revision::V2025_06_18);
    assert_eq!(Revision::rules_for("1.0"), Revision::V2025_03_26);
    assert_eq!(Revision::rules_for("2027-01-01"), Revision::V2025_11_25);
}

#[test]
fn rules_follow_the_revision_texts() {
    use Revision::*;
    assert!(V2025_03_26.allows_batching() && !V2025_06_18.allows_batching());
    assert!(!V2025_03_26.has_version_header() && V2025_06_18.has_version_header());
    assert!(!V2025_03_26.requires_origin_403() && V2026_07_28.requires_origin_403());
    assert!(V2025_11_25.has_ping() && !V2026_07_28.has_ping());
    assert!(!V2025_06_18.has_tool_metadata_rules() && V2026_07_28.has_tool_metadata_rules());
    assert!(V2025_11_25.has_core_tasks() && !V2026_07_28.has_core_tasks());
}

#[test]
fn bodies_carry_what_each_era_needs() {
    let init = initialize(json!(1), "2025-11-25");
    assert_eq!(init["method"], "initialize");
    assert_eq!(init["params"]["protocolVersion"], "2025-11-25");
    assert_eq!(init["id"], 1);
    let discover = modern_request(Value::Null, "server/discover", Value::Null, MODERN_VERSION);
    assert!(discover["id"].is_null(), "{discover}");
    assert_eq!(
        discover["params"]["_meta"][META_PROTOCOL_VERSION],
        "2026-07-28"
    );
    assert!(discover["params"]["_meta"][META_CLIENT_CAPABILITIES].is_object());
    let list = modern_request(
        json!("a"),
        "tools/list",
        json!({"cursor": "c"}),
        MODERN_VERSION,
    );
    assert_eq!(list["params"]["cursor"], "c");
    assert_eq!(
        stateful_request(json!(3), "ping", Value::Null).get("params"),
        None
    );
}

#[test]
fn modern_errors_are_recognised() {
    assert!(is_modern_error(-32022) && is_modern_error(-32020) && is_modern_error(-32021));
    assert!(!is_modern_error(-32601) && !is_modern_error(-32600) && !is_modern_error(-32001));
    let error = json!({"code": -32022, "message": "x", "data": {"supported": ["2026-07-28"], "requested": "1"}});
    assert_eq!(
        supported_versions(&error),
        Some(vec!["2026-07-28".to_string()])
    );
    assert_eq!(
        supported_versions(&json!({"data": {"supported": [1]}})),
        None
    );
    assert_eq!(supported_versions(&json!({"code": 1})), None);
}

#[test]
fn tool_names() {
    for good in ["getUser", "DATA_EXPORT_v2", "admin.tools.list", "a-b"] {
        assert_eq!(tool_name_problem(good), None, "{good}");
    }
    assert!(tool_name_problem("").unwrap().contains("empty"));
    assert!(tool_name_problem(&"a".repeat(129)).unwrap().contains("129"));
    assert!(tool_name_problem(&"a".repeat(128)).is_none());
    let spaced = tool_name_problem("echo text!").unwrap();
    assert!(spaced.contains("' '") && spaced.contains("'!'"), "{spaced}");
    assert!(tool_name_problem("café").is_some());
}

#[test]
fn icon_schemes() {
    assert_eq!(unsafe_icon_scheme("https://example.com/i.png"), None);
    assert_eq!(unsafe_icon_scheme("data:image/png;base64,AAAA"), None);
    assert_eq!(unsafe_icon_scheme("DATA:image/png;base64,AAAA"), None);
    assert_eq!(unsafe_icon_scheme("http://127.0.0.1:8080/i.png"), None);
    assert_eq!(unsafe_icon_scheme("http://localhost/i.png"), None);
    assert_eq!(
        unsafe_icon_scheme("http://cdn.example/i.png").as_deref(),
        Some("http")
    );
    assert_eq!(
        unsafe_icon_scheme("javascript:alert(1)").as_deref(),
        Some("javascript")
    );
    assert_eq!(
        unsafe_icon_scheme("file:///etc/passwd").as_deref(),
        Some("file")
    );
    assert!(unsafe_icon_scheme("/icon.png")
        .unwrap()
        .contains("relative"));
}

#[test]
fn eras_have_report_names() {
    assert_eq!(Era::Stateless.as_str(), "2026-07-28");
    assert_eq!(Era::Stateful.as_str(), "2025-stateful");
    assert_eq!(Era::LegacySse.as_str(), "2024-11-05-sse");
    assert_eq!(Era::default().as_str(), "unknown");
}
