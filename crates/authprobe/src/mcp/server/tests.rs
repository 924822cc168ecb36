use super::*;

#[test]
fn the_version_names_spell_the_versions() {
    let spelled: Vec<&str> = VERSIONS.iter().map(|v| v.as_str()).collect();
    assert_eq!(spelled, VERSION_NAMES);
    assert!(speaks("2025-11-25") && !speaks("2025-03-26"));
    assert!(sdk_knows("2025-03-26") && !sdk_knows("1900-01-01"));
}
