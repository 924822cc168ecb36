use quick_xml::events::Event;
use quick_xml::Reader;

use super::*;
use crate::test_support::sample_report;

/// What a CI reporter reads from the document: the totals on `<testsuites>` and what the
/// `<testcase>` elements actually hold.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    declared: (usize, usize, usize),
    cases: usize,
    failures: usize,
    skipped: usize,
    failed_names: Vec<String>,
}

fn attribute(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

fn read(xml: &str) -> Counts {
    let mut reader = Reader::from_str(xml);
    let mut counts = Counts::default();
    let mut current = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testsuites" => {
                    let n = |k| attribute(&e, k).unwrap().parse::<usize>().unwrap();
                    counts.declared = (n("tests"), n("failures"), n("skipped"));
                }
                b"testcase" => {
                    counts.cases += 1;
                    current = attribute(&e, "name").unwrap();
                }
                b"failure" => {
                    counts.failures += 1;
                    counts.failed_names.push(current.clone());
                }
                b"skipped" => counts.skipped += 1,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    counts.failed_names.sort();
    counts
}

fn raised_codes_of(stage: Stage) -> usize {
    Code::ALL
        .iter()
        .filter(|c| c.entry().stage == stage && c.entry().raised())
        .count()
}

#[test]
fn counts_match_the_report() {
    let report = sample_report();
    let xml = render_junit(&report);
    let counts = read(&xml);
    // Stage 1 ran (its step), stage 3 raised findings, stage 4 was skipped as a whole.
    let expected_cases = raised_codes_of(Stage::Challenge) + raised_codes_of(Stage::Prm) + 1;
    assert_eq!(counts.cases, expected_cases);
    assert_eq!(counts.declared, (expected_cases, 3, 1));
    assert_eq!((counts.failures, counts.skipped), (3, 1));
    let mut failed: Vec<String> = report.findings.iter().map(|f| f.code.to_string()).collect();
    failed.sort();
    assert_eq!(counts.failed_names, failed);
    assert!(xml.contains("Authorization server metadata"));
    assert!(xml.contains("not yet implemented"));
    assert!(xml.contains("classname=\"authprobe.challenge\""));
}

#[test]
fn skipped_steps_families_and_observations() {
    let mut report = sample_report();
    report.steps.push(authprobe_core::report::Step {
        id: "invalid-token".into(),
        stage: Stage::Challenge,
        name: "Invalid token rejected".into(),
        status: StepStatus::Skip,
        detail: "authorization not required".into(),
        exchange_ids: vec![],
    });
    report.rfc_mode = "off".into();
    // An info finding is an observation: the check passed and says what it saw.
    report.findings[2].severity = Severity::Info;
    let xml = render_junit(&report);
    let counts = read(&xml);
    assert_eq!(counts.failures, 2);
    assert!(xml.contains("observation: The PRM response"), "{xml}");
    // INVALID_TOKEN_ACCEPTED (an MCP rule) is skipped with its step's reason; RFC
    // rules are skipped because the family is off, unless the scan raised them.
    assert!(xml.contains("authorization not required"));
    assert!(xml.contains("--rfc off"));
    let failed = &counts.failed_names;
    assert!(failed.contains(&"AUTH_REQUIRED_BUT_NOT_ADVERTISED".to_string()));
}

#[test]
fn network_text_stays_well_formed() {
    let mut report = sample_report();
    report.findings[0].evidence = "<!-- ]]> & \"quotes\" \u{1b}[31m ctrl\u{7}".into();
    let xml = render_junit(&report);
    assert!(!xml.contains('\u{1b}') && !xml.contains('\u{7}'));
    let counts = read(&xml);
    assert_eq!(counts.failures, 3);
}
