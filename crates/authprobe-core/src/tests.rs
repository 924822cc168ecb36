use std::path::Path;

use crate::layers::{product_files, violations};

#[test]
fn the_engine_keeps_one_direction_of_dependency() {
    let mut files = Vec::new();
    product_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        None,
        &mut files,
    );
    assert!(files.len() > 50, "{} files", files.len());
    let mut broken = Vec::new();
    for (top, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        broken.extend(
            violations(top, &text)
                .into_iter()
                .map(|v| format!("{}: {v}", path.display())),
        );
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn a_broken_edge_is_found() {
    let check = "use crate::facts::Trace;\nuse crate::probe::challenge::initialize_request;\n";
    assert_eq!(violations("check", check).len(), 1);
    assert_eq!(
        violations("probe", "use crate::check::prm::PrmVerdict;").len(),
        1
    );
    assert_eq!(violations("facts", "let x = crate::scan::scan;").len(), 1);
    let http = "use crate::http::{ErrorKind, Exchange, RequestSpec};";
    assert_eq!(
        violations("check", http),
        ["check -> http::RequestSpec: use crate::http::{ErrorKind, Exchange, RequestSpec};"]
    );
    assert_eq!(violations("check", "use crate::http::Client;").len(), 1);
    assert!(violations("check", "use crate::http::{ErrorKind, Exchange};").is_empty());
    // Comments and inline test modules are not dependencies.
    assert!(violations("check", "//! see [`crate::probe`]\n").is_empty());
    assert!(violations("check", "fn a() {}\n#[cfg(test)]\nuse crate::probe::x;").is_empty());
}
