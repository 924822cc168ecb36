use super::*;

#[test]
fn every_name_and_alias_finds_its_tool() {
    for kind in ALL {
        assert_eq!(Kind::from_name(kind.name()), Some(kind));
        assert_eq!(Kind::from_name(&kind.alias()), Some(kind));
        assert!(!kind.alias().contains('.'));
    }
    assert_eq!(Kind::from_name("authprobe.nothing"), None);
}

#[test]
fn the_scan_output_embeds_the_report_schema_with_its_definitions() {
    let out = scan_output();
    let report = &out["properties"]["report"];
    assert_eq!(report["type"], "object");
    assert!(report.get("$defs").is_none() && report.get("$id").is_none());
    assert!(out["$defs"].as_object().is_some_and(|d| !d.is_empty()));
}
