//! The catalog says only what the scanner does: every code marked as raised is
//! produced somewhere that a test checks, and no planned or reserved code is.
//!
//! A raised code is proven either by a calibrated lab defect that declares it (the
//! calibration matrix scans the defect and asserts exactly its codes) or by a unit
//! test named in `catalog::UNIT_PROOFS`, which must exist as a test function whose
//! body names the code.

use std::fs;
use std::path::{Path, PathBuf};

use authprobe_core::catalog::{Code, Status, UNIT_PROOFS};

use crate::support::calibration_matrix;

/// Every `.rs` file of the workspace's crates.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                if let Ok(text) = fs::read_to_string(&path) {
                    out.push((path, text));
                }
            }
        }
    }
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    walk(&crates, &mut out);
    out
}

/// The body of the test function `name` (from its `fn` line to the next item), if a
/// `#[test]` or `#[tokio::test]` attribute stands right above it.
fn test_body<'a>(sources: &'a [(PathBuf, String)], name: &str) -> Option<&'a str> {
    let signature = format!("fn {name}(");
    for (_, text) in sources {
        let Some(start) = text.find(&signature) else {
            continue;
        };
        let before: Vec<&str> = text[..start].lines().rev().take(3).collect();
        let is_test = before
            .iter()
            .any(|l| l.trim_start().starts_with("#[test]") || l.contains("::test"));
        if !is_test {
            continue;
        }
        let rest = &text[start..];
        let end = rest[signature.len()..]
            .find("\n#[")
            .map(|i| i + signature.len())
            .unwrap_or(rest.len());
        return Some(&rest[..end]);
    }
    None
}

/// Why `code` is not proven by the unit test `name`, or `None` when it is.
fn unit_proof_gap(sources: &[(PathBuf, String)], code: Code, name: &str) -> Option<String> {
    let Some(body) = test_body(sources, name) else {
        return Some(format!(
            "{code}: no test function `{name}` in the workspace"
        ));
    };
    let variant = format!("{code:?}");
    let names_code =
        body.contains(&format!("Code::{variant}")) || body.contains(&format!("\"{code}\""));
    (!names_code).then(|| format!("{code}: test `{name}` never names the code"))
}

/// A defect of the calibration matrix declares the code: the matrix proves it is raised.
fn declared_by_lab(code: Code) -> bool {
    calibration_matrix()
        .iter()
        .any(|d| d.expected_codes().contains(&code.as_str()))
}

#[test]
fn every_raised_code_is_produced_by_a_lab_defect_or_a_unit_test() {
    let sources = sources();
    let mut gaps = Vec::new();
    for &code in Code::ALL {
        let entry = code.entry();
        let proofs: Vec<&str> = UNIT_PROOFS
            .iter()
            .filter(|(c, _)| *c == code)
            .map(|(_, name)| *name)
            .collect();
        match entry.status {
            Status::Raised => {
                gaps.extend(
                    proofs
                        .iter()
                        .filter_map(|n| unit_proof_gap(&sources, code, n)),
                );
                if !declared_by_lab(code) && proofs.is_empty() {
                    gaps.push(format!(
                        "{code}: marked raised, but no lab defect declares it and no unit test \
                         is named in catalog::UNIT_PROOFS"
                    ));
                }
            }
            Status::Planned | Status::Reserved => {
                if declared_by_lab(code) || !proofs.is_empty() {
                    gaps.push(format!(
                        "{code}: marked {:?} but a lab defect or a unit test produces it",
                        entry.status
                    ));
                }
            }
        }
    }
    assert!(gaps.is_empty(), "catalog status gaps:\n{}", gaps.join("\n"));
}

#[test]
fn lab_defects_declare_only_catalog_codes() {
    for defect in calibration_matrix() {
        for name in defect.expected_codes() {
            assert!(
                Code::parse(name).is_some(),
                "{}: {name} is not a catalog code",
                defect.name()
            );
        }
    }
}

/// The check itself can fail: a missing test, and a test that never names its code.
#[test]
fn the_unit_proof_check_rejects_what_is_not_a_proof() {
    let sources = sources();
    assert!(unit_proof_gap(&sources, Code::Rfc3986InvalidUri, "no_such_test_anywhere").is_some());
    // A real test, but about another code.
    assert!(unit_proof_gap(&sources, Code::JwksEmpty, "resource_that_does_not_parse").is_some());
    assert!(unit_proof_gap(
        &sources,
        Code::Rfc3986InvalidUri,
        "resource_that_does_not_parse"
    )
    .is_none());
    // A helper that is not a test does not count.
    assert!(unit_proof_gap(&sources, Code::PrmBearerMethodsInvalid, "serving_doc").is_some());
}
