//! The defect table itself.

use std::collections::HashSet;

use authprobe_lab::Defect;

#[test]
fn names_round_trip_and_are_unique() {
    let mut seen = HashSet::new();
    for d in Defect::ALL {
        assert_eq!(Defect::from_name(d.name()), Some(*d), "{d:?}");
        assert!(seen.insert(d.name()), "duplicate name {}", d.name());
        assert_eq!(d.to_string(), d.name());
        assert!(
            d.name()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{} is not kebab-case",
            d.name()
        );
    }
    assert_eq!(Defect::from_name("no-such-defect"), None);
    assert_eq!(Defect::from_name("NO-PRM"), None);
}

#[test]
fn calibrated_defects_declare_codes_and_outcomes() {
    const OUTCOMES: [&str; 6] = [
        "protected-ok",
        "protected-broken",
        "no-auth",
        "non-oauth-auth",
        "not-mcp",
        "timeout",
    ];
    for d in Defect::ALL {
        let codes = d.expected_codes();
        if d.calibrated() {
            assert!(!codes.is_empty(), "{} declares no code", d.name());
        } else {
            assert!(codes.is_empty(), "hostile {} declares codes", d.name());
        }
        let unique: HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len(), "{} repeats a code", d.name());
        for code in codes {
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{code} of {} is not a code name",
                d.name()
            );
        }
        assert!(
            OUTCOMES.contains(&d.expected_outcome()),
            "{}: {}",
            d.name(),
            d.expected_outcome()
        );
        assert!(!d.description().is_empty() && !d.description().contains('\n'));
    }
}

#[test]
fn uncalibrated_defects_are_the_rate_limits_and_the_hostile_three() {
    let uncalibrated: Vec<&str> = Defect::ALL
        .iter()
        .filter(|d| !d.calibrated())
        .map(|d| d.name())
        .collect();
    assert_eq!(
        uncalibrated,
        [
            "dcr-rate-limited",
            "token-rate-limited",
            "hang-headers",
            "endless-body",
            "huge-body"
        ]
    );
    assert_eq!(Defect::HangHeaders.expected_outcome(), "timeout");
    assert_eq!(Defect::HugeBody.expected_outcome(), "not-mcp");
}

#[test]
fn the_original_bug_report_is_in_the_catalogue() {
    let d = Defect::from_name("auth-not-advertised").unwrap();
    assert!(d
        .expected_codes()
        .contains(&"AUTH_REQUIRED_BUT_NOT_ADVERTISED"));
    assert_eq!(d.expected_outcome(), "protected-broken");
}
