//! The one direction of dependency inside the engine (docs/architecture.md),
//! asserted over the source: `check` and `probe` never use each other, neither
//! uses `scan`, `facts` uses none of the three, and `check` reads only the
//! exchange record of `http`, none of the client's machinery.
//! `scripts/module-graph` prints the same graph.

use std::path::Path;

/// Edges that break the layering.
const FORBIDDEN: [(&str, &str); 7] = [
    ("check", "probe"),
    ("probe", "check"),
    ("check", "scan"),
    ("probe", "scan"),
    ("facts", "probe"),
    ("facts", "check"),
    ("facts", "scan"),
];

/// What `check` may name in `http`: the recorded exchange.
const HTTP_RECORD: [&str; 12] = [
    "ConnectionInfo",
    "ErrorKind",
    "Exchange",
    "ExchangeError",
    "ExchangeId",
    "Header",
    "RecordedRequest",
    "RecordedResponse",
    "Timing",
    "number_connections",
    "Fetched",
    "RedirectStop",
];

/// The broken rules in one file of module `from` (its product code only).
pub(crate) fn violations(from: &str, text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let rest = &line[at + "crate::".len()..];
            let to: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if FORBIDDEN.contains(&(from, to.as_str())) {
                out.push(format!("{from} -> {to}: {}", line.trim()));
            }
            if from == "check" && to == "http" {
                let items = rest["http".len()..].trim_start_matches("::");
                let items = items
                    .split(['}', ';', '(', ')', '<', '>', ' '])
                    .next()
                    .unwrap_or("");
                let first = items.trim_start_matches('{');
                let names: Vec<&str> = if items.starts_with('{') {
                    line.split_once('{')
                        .map(|(_, r)| r.split('}').next().unwrap_or(""))
                        .unwrap_or("")
                        .split(',')
                        .map(str::trim)
                        .collect()
                } else {
                    vec![first.split("::").next().unwrap_or("")]
                };
                for name in names.into_iter().filter(|n| !n.is_empty()) {
                    if !HTTP_RECORD.contains(&name) {
                        out.push(format!("check -> http::{name}: {}", line.trim()));
                    }
                }
            }
        }
    }
    out
}

/// Every product source file under `dir`, with its top-level module.
pub(crate) fn product_files(
    dir: &Path,
    top: Option<&str>,
    out: &mut Vec<(String, std::path::PathBuf)>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "tests" {
                let top = top.map_or(name.clone(), str::to_string);
                product_files(&path, Some(&top), out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" && name != "fixtures.rs" {
            let top = top.map_or_else(|| name.trim_end_matches(".rs").to_string(), str::to_string);
            out.push((top, path));
        }
    }
}
