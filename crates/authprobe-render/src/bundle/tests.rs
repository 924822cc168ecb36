use std::io::Read;

use serde_json::Value;

use super::*;
use crate::test_support::{sample_report, TARGET};

/// Every entry of a zip file, by name, in archive order.
pub(crate) fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        out.push((name, content));
    }
    out
}

#[test]
fn holds_the_reports_the_trace_each_exchange_and_a_manifest() {
    let report = sample_report();
    let files = unzip(&render_bundle(&report).unwrap());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "report.json",
            "report.md",
            "trace.txt",
            "exchanges/001.txt",
            "exchanges/002.txt",
            "manifest.json",
            "SHA256SUMS"
        ]
    );
    let get = |name: &str| {
        let bytes = &files.iter().find(|(n, _)| n == name).unwrap().1;
        String::from_utf8(bytes.clone()).unwrap()
    };
    assert_eq!(get("report.json"), render_json(&report));
    let first = get("exchanges/001.txt");
    assert!(first.starts_with("# #1 · stage 1 Challenge"));
    assert!(first.contains("\nPOST /mcp HTTP/1.1\n"));
    assert!(first.contains(&format!(
        "# Send this request again with:\n# curl -sS -i {TARGET}"
    )));

    let manifest: Value = serde_json::from_str(&get("manifest.json")).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), 5);
    for entry in listed {
        let name = entry["path"].as_str().unwrap();
        let bytes = &files.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(entry["sha256"], hex_sha256(bytes), "{name}");
        assert_eq!(entry["bytes"], bytes.len());
    }
    let sums = get("SHA256SUMS");
    assert_eq!(sums.lines().count(), 5);
    assert!(sums.contains(&format!(
        "{}  trace.txt\n",
        hex_sha256(get("trace.txt").as_bytes())
    )));
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    let report = sample_report();
    assert_eq!(
        render_bundle(&report).unwrap(),
        render_bundle(&report).unwrap()
    );
    // The known SHA-256 of the empty input guards the hashing itself.
    assert_eq!(
        hex_sha256(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}
