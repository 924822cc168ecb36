//! Catalog tests: the frozen code list, the generated `docs/findings.md`, and the
//! sanity of the table.
//!
//! `AUTHPROBE_BLESS=1 cargo test -p authprobe-core --lib catalog` rewrites the
//! snapshot and the page instead of failing.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use super::markdown::REGENERATE_COMMAND;
use super::{explain_text, findings_markdown, Code, Family, Status, Strength};
use crate::report::Severity;

const SNAPSHOT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/catalog/codes.snapshot");
const FINDINGS_MD_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/findings.md");

fn bless() -> bool {
    std::env::var_os("AUTHPROBE_BLESS").is_some_and(|v| v == "1")
}

/// `index NAME` lines, one per code, in catalog order.
fn render_snapshot() -> String {
    let mut out = String::from(
        "# Finding codes and their index in catalog order. Codes are public API:\n\
         # never rename or remove one. Regenerate after adding codes with\n",
    );
    out.push_str(&format!("#   {REGENERATE_COMMAND}\n"));
    for code in Code::ALL {
        out.push_str(&format!("{} {}\n", code.index(), code.as_str()));
    }
    out
}

fn parse_snapshot(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (index, name) = l.split_once(' ').unwrap_or(("?", l));
            (index.parse().unwrap_or(usize::MAX), name.trim().to_owned())
        })
        .collect()
}

#[test]
fn code_list_matches_snapshot() {
    let current_text = render_snapshot();
    let current = parse_snapshot(&current_text);
    let existing_text = fs::read_to_string(SNAPSHOT_PATH).unwrap_or_default();
    let frozen = parse_snapshot(&existing_text);
    if frozen == current {
        return;
    }

    let now: HashMap<&str, usize> = current.iter().map(|(i, n)| (n.as_str(), *i)).collect();
    let before: HashMap<&str, usize> = frozen.iter().map(|(i, n)| (n.as_str(), *i)).collect();
    let removed: Vec<&str> = frozen
        .iter()
        .map(|(_, n)| n.as_str())
        .filter(|n| !now.contains_key(n))
        .collect();
    let added: Vec<&str> = current
        .iter()
        .map(|(_, n)| n.as_str())
        .filter(|n| !before.contains_key(n))
        .collect();
    let moved: Vec<String> = current
        .iter()
        .filter_map(|(i, n)| match before.get(n.as_str()) {
            Some(old) if old != i => Some(format!("{n} {old} -> {i}")),
            _ => None,
        })
        .collect();

    if bless() && removed.is_empty() {
        fs::write(SNAPSHOT_PATH, current_text).expect("write codes.snapshot");
        return;
    }
    panic!(
        "the finding code list differs from {SNAPSHOT_PATH}\n  \
         removed or renamed: {removed:?}\n  added: {added:?}\n  moved: {moved:?}\n\
         Codes are public API (JSON reports, --fail-on, SARIF rule ids): never rename or \
         remove one{}. To add codes, update the snapshot with `{REGENERATE_COMMAND}`.",
        if removed.is_empty() {
            ""
        } else {
            " (AUTHPROBE_BLESS will not accept a removal)"
        }
    );
}

#[test]
fn findings_md_is_up_to_date() {
    let generated = findings_markdown();
    let on_disk = fs::read_to_string(FINDINGS_MD_PATH)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    if on_disk == generated {
        return;
    }
    if bless() {
        if let Some(dir) = Path::new(FINDINGS_MD_PATH).parent() {
            fs::create_dir_all(dir).expect("create docs/");
        }
        fs::write(FINDINGS_MD_PATH, &generated).expect("write docs/findings.md");
        return;
    }
    let first_difference = on_disk
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| on_disk.lines().count().min(generated.lines().count()));
    panic!(
        "docs/findings.md is out of date with the catalog (first difference at line {}). \
         Regenerate it with `{REGENERATE_COMMAND}`.",
        first_difference + 1
    );
}

#[test]
fn findings_md_has_one_heading_per_code_and_is_deterministic() {
    let page = findings_markdown();
    assert_eq!(page, findings_markdown());
    for code in Code::ALL {
        let heading = format!("\n### {}\n", code.as_str());
        assert_eq!(page.matches(&heading).count(), 1, "heading for {code}");
        assert!(page.contains(&format!("(#{})", code.as_str().to_ascii_lowercase())));
    }
}

#[test]
fn every_code_has_its_entry() {
    for &code in Code::ALL {
        assert_eq!(code.entry().code, code, "entry of {code}");
    }
}

#[test]
fn codes_are_unique() {
    let names: HashSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names.len(), Code::ALL.len(), "duplicate spelling");
    for (i, code) in Code::ALL.iter().enumerate() {
        assert_eq!(code.index(), i, "{code} is out of catalog order");
        let spelling = code.as_str();
        assert!(
            spelling
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
            "{spelling} is not UPPER_SNAKE_CASE"
        );
    }
}

#[test]
fn entries_are_complete() {
    for &code in Code::ALL {
        let e = code.entry();
        for (what, text) in [
            ("title", e.title),
            ("fires_when", e.fires_when),
            ("remediation", e.remediation),
        ] {
            if e.raised() {
                assert!(!text.trim().is_empty(), "{code}: empty {what}");
            }
            assert_eq!(
                text,
                text.trim(),
                "{code}: {what} has surrounding whitespace"
            );
            assert!(!text.contains('\n'), "{code}: {what} spans several lines");
        }
        assert!(
            !e.title.contains('|'),
            "{code}: title would break a Markdown table"
        );
        assert!(!e.title.ends_with('.'), "{code}: title ends with a period");
        assert!(
            (0.0..=1.0).contains(&e.confidence) && e.confidence >= 0.6,
            "{code}: confidence {}",
            e.confidence
        );
        if e.severity >= Severity::Low && e.family != Family::Policy {
            assert!(
                !e.references.is_empty(),
                "{code}: a {:?} rule needs a reference",
                e.family
            );
        }
        if e.severity == Severity::Info || e.family == Family::Policy {
            assert_eq!(
                e.strength,
                Strength::Observation,
                "{code}: observations have no rule strength"
            );
        }
        if e.status == Status::Reserved {
            assert_eq!(
                e.severity,
                Severity::Info,
                "{code}: a reserved code must be info"
            );
        }
    }
}

/// The anchor the MCP site gives a heading: lowercase, spaces to hyphens,
/// punctuation other than hyphens dropped.
fn mcp_slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' => Some('-'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[test]
fn references_are_well_formed() {
    for &code in Code::ALL {
        for r in code.entry().references {
            assert!(
                r.url.starts_with("https://"),
                "{code}: {} is not https",
                r.url
            );
            assert!(
                !r.spec.is_empty() && !r.section.is_empty(),
                "{code}: empty citation"
            );
            if let Some(number) = r.spec.strip_prefix("RFC ") {
                let section = r
                    .section
                    .strip_prefix('§')
                    .expect("RFC sections start with §");
                assert_eq!(
                    r.url,
                    format!("https://www.rfc-editor.org/rfc/rfc{number}#section-{section}"),
                    "{code}"
                );
            }
            if r.spec.starts_with("OAuth 2.1") {
                assert_eq!(r.spec, "OAuth 2.1 (draft 15)", "{code}");
                assert!(r.url.starts_with(
                    "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-15#section-"
                ));
            }
            if let Some(revision) = r.spec.strip_prefix("MCP ") {
                let base = format!("https://modelcontextprotocol.io/specification/{revision}/");
                assert!(
                    r.url.starts_with(&base),
                    "{code}: {} is not under {base}",
                    r.url
                );
                let heading = r.section.rsplit(" › ").next().unwrap_or(r.section);
                let anchor = r.url.rsplit_once('#').map(|(_, a)| a).unwrap_or("");
                assert_eq!(anchor, mcp_slug(heading), "{code}: anchor of {}", r.section);
            }
        }
    }
}

#[test]
fn known_severities_are_pinned() {
    let pinned = [
        (Code::AuthRequiredButNotAdvertised, Severity::High),
        (Code::PrmWellknownPathSuffixMissing, Severity::Low),
        (Code::DiscoveryRootWellknown404, Severity::Info),
        (Code::ChallengeErrorWithoutCredentials, Severity::Low),
        (Code::McpSessionIdRequiredNotEnforced, Severity::Info),
        (Code::McpSessionDeleteInvalid, Severity::Info),
        (Code::McpIconUnsafeScheme, Severity::Info),
        (Code::PrmCacheControlMissing, Severity::Info),
        (Code::PrmCorsMissing, Severity::Info),
        (Code::AuthServerCandidate5xx, Severity::Low),
        (Code::AuthServerPkcePlainAdvertised, Severity::Info),
        (Code::AuthServerPublicClientAuthMissing, Severity::Info),
        (Code::AuthServerProtectedResourcesMismatch, Severity::Info),
        (Code::AuthServerRootWellknownProbeFailed, Severity::Info),
        (Code::DcrRegistrationRejected, Severity::Medium),
        (Code::DcrFileRedirectAccepted, Severity::Medium),
        (Code::PrmResourceQueryDiffers, Severity::Low),
        (Code::AuthServerPkceS256Missing, Severity::High),
        (Code::DcrEndpointOpen, Severity::Info),
        (Code::AuthServerEndpointHostMismatch, Severity::Info),
        (Code::JwksEmpty, Severity::Info),
        (Code::TokenAudienceMismatch, Severity::Medium),
        (Code::SessionWithoutTokenAccepted, Severity::High),
        (Code::QueryTokenAccepted, Severity::Medium),
    ];
    for (code, severity) in pinned {
        assert_eq!(code.entry().severity, severity, "{code}");
    }
    let reserved = Code::DcrLocalhostRedirectAccepted.entry();
    assert_eq!(reserved.status, Status::Reserved);
    assert_eq!(reserved.severity, Severity::Info);
    assert_eq!(
        Code::HeaderStrippedByProxySuspected.entry().confidence,
        0.85
    );
}

#[test]
fn parse_round_trips_every_code() {
    for &code in Code::ALL {
        let name = code.as_str();
        assert_eq!(Code::parse(name), Some(code));
        assert_eq!(Code::parse(&name.to_ascii_lowercase()), Some(code));
        assert_eq!(Code::parse(&name.replace('_', "-")), Some(code));
        assert_eq!(
            Code::parse(&name.to_ascii_lowercase().replace('_', "-")),
            Some(code)
        );
        assert_eq!(Code::parse(&format!("  {name}\n")), Some(code));
        assert_eq!(code.to_string(), name);
        let json = serde_json::to_string(&code).expect("serialize");
        assert_eq!(json, format!("\"{name}\""));
        assert_eq!(
            serde_json::from_str::<Code>(&json).expect("deserialize"),
            code
        );
    }
    assert_eq!(Code::parse(""), None);
    assert_eq!(Code::parse("NOT_A_CODE"), None);
    assert_eq!(Code::parse("PRM_RESOURCE_MISMATCHX"), None);
    assert!(serde_json::from_str::<Code>("\"NOT_A_CODE\"").is_err());
}

#[test]
fn explain_text_is_plain_and_complete() {
    for &code in Code::ALL {
        let e = code.entry();
        let text = explain_text(code);
        assert!(text.starts_with(&format!("{}\n", code.as_str())), "{code}");
        assert!(
            !text.contains('\u{1b}'),
            "{code}: colour codes in explain text"
        );
        assert!(text.contains(e.severity.as_str()), "{code}");
        assert!(text.contains(&format!("{:.2}", e.confidence)), "{code}");
        for r in e.references {
            assert!(text.contains(r.url), "{code}: {}", r.url);
        }
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for r in e.references {
            assert!(
                flat.contains(&format!("{} {}", r.spec, r.section)),
                "{code}: {r}"
            );
        }
        for part in [e.title, e.fires_when, e.remediation] {
            let part = part.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(&part), "{code}: missing {part:?}");
        }
        for line in text.lines() {
            let long_word = line.split_whitespace().any(|w| w.chars().count() > 60);
            assert!(
                line.chars().count() <= 80 || long_word,
                "{code}: line too long: {line}"
            );
        }
    }
}
