use authprobe_core::report::Stage;

use super::*;
use crate::test_support::{sample_report, TARGET};

#[test]
fn every_step_gets_its_rationale_and_findings() {
    let report = sample_report();
    let text = render_explain(&report);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("[FAIL] 1  Challenge: unauthenticated initialize\n"));
    assert!(flat.contains(&format!("sent: #1 POST {TARGET} → 401")));
    assert!(flat.contains("(RFC 9110 §15.5.2)"));
    assert!(flat.contains("raised: HIGH AUTH_REQUIRED_BUT_NOT_ADVERTISED"));
    // The skipped stage-4 step says why it was skipped, and what it would check.
    assert!(flat.contains("[SKIP] 4 Authorization server metadata skipped: not yet implemented"));
    assert!(flat.contains("(RFC 8414 §3.3)"));
    for line in text.lines() {
        let long_word = line.split_whitespace().any(|w| w.chars().count() > 60);
        assert!(line.chars().count() <= WIDTH || long_word, "{line}");
    }
}

#[test]
fn a_shared_rationale_is_given_once() {
    let mut report = sample_report();
    let mut second = report.steps[1].clone();
    second.id = "auth-server-extra".into();
    second.name = "More metadata".into();
    report.steps.push(second);
    let text = render_explain(&report);
    assert_eq!(text.matches("(RFC 8414 §3.3)").count(), 1, "{text}");
    assert!(text.contains("why:       as for “Authorization server metadata” above"));
}

#[test]
fn citations_are_well_formed() {
    let ids = ["challenge", "invalid-token", "get-stream", "unknown"];
    for stage in Stage::ALL {
        for id in ids {
            for citation in rationale::for_step(id, stage).requires {
                let r = citation.reference;
                if let Some(number) = r.spec.strip_prefix("RFC ") {
                    let section = r.section.strip_prefix('§').unwrap();
                    assert_eq!(
                        r.url,
                        format!("https://www.rfc-editor.org/rfc/rfc{number}#section-{section}")
                    );
                } else {
                    assert_eq!(r.spec, "MCP 2025-11-25");
                    // The anchor is the last heading, as the specification site spells it.
                    let heading = r.section.rsplit(" › ").next().unwrap();
                    let anchor: String = heading
                        .to_ascii_lowercase()
                        .chars()
                        .filter_map(|c| match c {
                            ' ' => Some('-'),
                            c if c.is_ascii_alphanumeric() || c == '-' => Some(c),
                            _ => None,
                        })
                        .collect();
                    assert!(r.url.ends_with(&format!("#{anchor}")), "{}", r.url);
                }
                assert!(!citation.claim.is_empty());
            }
        }
    }
}
