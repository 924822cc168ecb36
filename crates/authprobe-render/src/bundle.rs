//! The evidence bundle (`--bundle`): one zip file to attach to a bug report, holding
//! the JSON and Markdown reports, the call trace, one text file per exchange (request,
//! response and the `curl` command that repeats it), and a manifest with the SHA-256
//! of every file.
//!
//! The archive is reproducible: entries in a fixed order, every timestamp 1980-01-01,
//! fixed permissions. The same report always gives the same bytes.

use std::io::{Cursor, Write};

use authprobe_core::report::Report;
use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::common::scanned_insecure;
use crate::curl::{curl_command, CurlOptions};
use crate::exchange_text::{exchange_text, ExchangeTextOptions};
use crate::{render_json, render_markdown, render_trace};

/// The bundle could not be assembled.
#[derive(Debug)]
pub struct BundleError(String);

impl std::fmt::Display for BundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the evidence bundle could not be written: {}", self.0)
    }
}

impl std::error::Error for BundleError {}

/// One file of the bundle, as listed in the manifest.
#[derive(Serialize)]
struct ManifestEntry {
    path: String,
    bytes: usize,
    sha256: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    tool_version: &'a str,
    target: &'a str,
    timestamp: &'a str,
    outcome: &'static str,
    files: Vec<ManifestEntry>,
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The text file of one exchange: the HTTP text, then the command that repeats it, as
/// comment lines so the file stays readable as one exchange.
fn exchange_file(report: &Report, exchange: &authprobe_core::http::Exchange) -> String {
    let mut text = exchange_text(exchange, &ExchangeTextOptions::default());
    let curl = curl_command(
        exchange,
        &CurlOptions {
            insecure: scanned_insecure(report),
        },
    );
    text.push_str("\n# Send this request again with:\n");
    for line in curl.lines() {
        text.push_str("# ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The files of the bundle, in archive order (without the manifest).
pub(crate) fn bundle_files(report: &Report) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("report.json".to_string(), render_json(report).into_bytes()),
        (
            "report.md".to_string(),
            render_markdown(report).into_bytes(),
        ),
        ("trace.txt".to_string(), render_trace(report).into_bytes()),
    ];
    let digits = report
        .exchanges
        .iter()
        .map(|e| e.id.to_string().len())
        .max()
        .unwrap_or(1)
        .max(3);
    for exchange in &report.exchanges {
        files.push((
            format!("exchanges/{:0digits$}.txt", exchange.id),
            exchange_file(report, exchange).into_bytes(),
        ));
    }
    files
}

/// Renders the evidence bundle as the bytes of a zip file.
///
/// This does not redact: pass a report that went through
/// [`redact_report`](crate::redact_report) (unless the user chose `--no-redact`).
pub fn render_bundle(report: &Report) -> Result<Vec<u8>, BundleError> {
    let files = bundle_files(report);
    let manifest = Manifest {
        tool: "authprobe",
        tool_version: &report.tool_version,
        target: &report.target,
        timestamp: &report.timestamp,
        outcome: report.outcome.as_str(),
        files: files
            .iter()
            .map(|(path, bytes)| ManifestEntry {
                path: path.clone(),
                bytes: bytes.len(),
                sha256: hex_sha256(bytes),
            })
            .collect(),
    };
    let mut manifest_json =
        serde_json::to_string_pretty(&manifest).map_err(|e| BundleError(e.to_string()))?;
    manifest_json.push('\n');
    // The same sums in the format `sha256sum -c SHA256SUMS` checks.
    let sums: String = manifest
        .files
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.path))
        .collect();

    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let all = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .chain([
            ("manifest.json", manifest_json.as_bytes()),
            ("SHA256SUMS", sums.as_bytes()),
        ]);
    for (path, bytes) in all {
        zip.start_file(path, options)
            .map_err(|e| BundleError(e.to_string()))?;
        zip.write_all(bytes)
            .map_err(|e| BundleError(e.to_string()))?;
    }
    let cursor = zip.finish().map_err(|e| BundleError(e.to_string()))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
pub(crate) mod tests;
