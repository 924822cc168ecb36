//! The truth table: the real SDK clients (tests/interop/node/client.mjs runs the
//! TypeScript SDK's client, tests/interop/python/client.py the Python SDK's) log in to
//! the clean lab and to every lab defect that concerns discovery or login; what each
//! got (in, or the error it raised) is committed in tests/clients/truth-table.tsv.
//!
//! The test holds both sides to the table: the real clients must still behave as
//! recorded (a new pin that changes behaviour fails here until the table is
//! regenerated with `scripts/truth-table`), and the profiles' verdicts on an active scan
//! of the same lab must equal the table (outcome, and the message as the profile's
//! template renders it). A row a profile cannot predict must be listed in
//! [`UNPREDICTED`] with the reason, and the list may not go stale.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use authprobe_core::clients::{message, Verdict};
use authprobe_core::config::ScanMode;
use authprobe_lab::{Defect, RunningLab};

use crate::interop::fixture::{workspace_root, Runtime};
use crate::support::{config, lab};

/// Every lab defect that concerns discovery or login, and `clean` (no defect). Left
/// out: `prm-authorization-server-http` and `as-issuer-link-local` name hosts off this
/// machine (auth.example, 169.254.169.254), which the real clients would contact.
const DEFECTS: &[&str] = &[
    "clean",
    "auth-not-advertised",
    "no-www-authenticate",
    "no-prm",
    "prm-html-catch-all",
    "prm-not-object",
    "prm-requires-auth",
    "prm-resource-trailing-slash",
    "prm-resource-parent",
    "prm-resource-other",
    "prm-resource-missing",
    "prm-resource-fragment",
    "prm-resource-not-canonical",
    "prm-no-authorization-servers",
    "prm-authorization-servers-relative",
    "prm-bearer-methods-invalid",
    "prm-field-type",
    "prm-jwks-uri-http",
    "prm-signing-alg-none",
    "prm-offline-access",
    "prm-no-cache-control",
    "prm-no-cors",
    "prm-root-only",
    "prm-path-suffix-only",
    "challenge-malformed",
    "challenge-basic",
    "challenge-no-scope",
    "challenge-no-resource-metadata",
    "challenge-relative-metadata",
    "challenge-error-without-credentials",
    "challenge-offline-access",
    "get-sse-without-auth",
    "get-not-sse",
    "redirect",
    "no-auth",
    "as-issuer-mismatch",
    "as-issuer-query",
    "as-no-pkce",
    "as-pkce-plain-only",
    "as-no-code-response-type",
    "as-legacy-grants",
    "as-metadata-html",
    "as-metadata-no-token-endpoint",
    "as-oidc-only",
    "as-candidate-5xx",
    "as-endpoint-not-https",
    "as-endpoint-other-host",
    "as-no-registration-path",
    "as-no-cimd",
    "as-no-public-client-auth",
    "as-no-iss-parameter",
    "as-protected-resources-other",
    "as-scopes-whitespace",
    "jwks-private-key",
    "jwks-empty",
    "jwks-invalid",
    "jwks-unreachable",
    "token-error-html",
    "token-error-200",
    "token-error-status",
    "token-error-code",
    "token-endpoint-404",
    "dcr-dangerous-uri",
    "dcr-http-redirect",
    "dcr-empty-redirect-uris",
    "dcr-rejects-loopback",
    "dcr-rejects-all",
    "dcr-reuses-client-id",
    "dcr-bad-error-response",
    "dcr-no-delete",
    "pkce-not-enforced",
    "pkce-plain-accepted",
    "redirect-uri-not-exact",
    "verifier-wrong-audience",
    "verifier-any-audience",
    "verifier-accepts-alg-none",
    "verifier-skips-signature",
    "session-without-token",
    "query-token-accepted",
    "malformed-bearer-accepted",
    "insufficient-scope-bare-403",
    "tools-list-refused-with-token",
    "token-response-cacheable",
    "token-type-not-bearer",
    "authorization-wrong-iss",
    "authorization-drops-state",
    "authorization-code-reusable",
    "refresh-token-not-rotated",
];

/// Rows decided by the token response a client receives, which only a scan that logs in
/// sees: until the scan raises the code named here, the profile's verdict rests on an
/// assumption (listed in the verdict) and the row is not held to the table. Once the
/// scan raises the code, the row must match and its entry here must go.
const AWAITING_LOGIN: &[(&str, &str, &str)] = &[(
    "token-type-not-bearer",
    "python-sdk",
    "TOKEN_TYPE_NOT_BEARER",
)];

/// Rows whose verdict the profiles leave "unknown", and why: the client goes on to a
/// URL no scan requests (its default endpoints when there is no metadata).
const UNPREDICTED: &[(&str, &str, &str)] = &[
    (
        "challenge-basic",
        "typescript-sdk",
        "no metadata anywhere: registers at /register of the origin, never probed",
    ),
    (
        "challenge-basic",
        "python-sdk",
        "no metadata anywhere: registers at /register of the origin, never probed",
    ),
    (
        "as-metadata-html",
        "python-sdk",
        "skips the HTML and finds no metadata: default endpoints, never probed",
    ),
    (
        "as-metadata-no-token-endpoint",
        "python-sdk",
        "skips the invalid document: default endpoints, never probed",
    ),
    (
        "as-candidate-5xx",
        "python-sdk",
        "stops at the 500 without metadata: default endpoints, never probed",
    ),
    (
        "as-no-registration-path",
        "python-sdk",
        "registers at /register of the origin, never probed",
    ),
];

const CLIENTS: &[&str] = &["typescript-sdk", "python-sdk"];

fn table_path() -> PathBuf {
    workspace_root().join("tests/clients/truth-table.tsv")
}

/// One row: outcome (`in` or `fails`) and message.
type Table = BTreeMap<(String, String), (String, String)>;

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// Replaces each lab's base URL by `{base}` and a client's loopback redirect URI by
/// `{redirect_uri}` (each client listens on a port of its own), so the table does not
/// depend on ports.
fn normalize(text: &str, base: &str) -> String {
    let redirect = regex::Regex::new(r"http://127\.0\.0\.1:\d+/callback").expect("static pattern");
    // The state a client sends is random; a message quoting it is recorded without it.
    let state =
        regex::Regex::new(r"(State parameter mismatch: \S+ != )\S+").expect("static pattern");
    let text = text.replace(base, "{base}");
    let text = redirect.replace_all(&text, "{redirect_uri}");
    state.replace_all(&text, "${1}{state}").into_owned()
}

fn read_table() -> Table {
    let text = std::fs::read_to_string(table_path()).expect("tests/clients/truth-table.tsv exists");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.splitn(4, '\t').collect();
            assert_eq!(cols.len(), 4, "a row has four columns: {l}");
            (
                (cols[0].into(), cols[1].into()),
                (cols[2].into(), unescape(cols[3])),
            )
        })
        .collect()
}

fn write_table(table: &Table) {
    let mut out = String::from(
        "# defect\tclient\toutcome\tmessage (as printed; {base} is the lab's base URL)\n\
         # Generated by scripts/truth-table from the real clients (pinned in tests/interop/); do not edit.\n",
    );
    for ((defect, client), (outcome, message)) in table {
        out.push_str(&format!(
            "{defect}\t{client}\t{outcome}\t{}\n",
            escape(message)
        ));
    }
    std::fs::write(table_path(), out).expect("the truth table is written");
}

async fn start(name: &str) -> RunningLab {
    match name {
        "clean" => lab(&[]).await,
        other => {
            let defect =
                Defect::from_name(other).unwrap_or_else(|| panic!("no lab defect {other}"));
            lab(&[defect]).await
        }
    }
}

/// Runs one real client against every lab; returns the rows it produced.
fn run_client(runtime: Runtime, labs: &[(&str, RunningLab)]) -> Table {
    runtime.require_installed();
    let root = workspace_root();
    let (program, script) = match runtime {
        Runtime::Node => (
            PathBuf::from("node"),
            root.join("tests/interop/node/client.mjs"),
        ),
        Runtime::Python => (
            root.join("target/interop-venv/bin/python"),
            root.join("tests/interop/python/client.py"),
        ),
    };
    let args: Vec<String> = labs
        .iter()
        .map(|(n, l)| format!("{n}={}", l.mcp_url()))
        .collect();
    let output = Command::new(&program)
        .arg(&script)
        .args(&args)
        .current_dir(script.parent().expect("the script has a directory"))
        .output()
        .unwrap_or_else(|e| panic!("{} could not run: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut table = Table::new();
    for line in stdout.lines() {
        let row: serde_json::Value =
            serde_json::from_str(line).expect("the client prints JSON lines");
        let target = row["target"].as_str().unwrap_or_default().to_string();
        let base = labs
            .iter()
            .find(|(n, _)| *n == target)
            .map(|(_, l)| l.mcp_url().trim_end_matches("/mcp").to_string())
            .unwrap_or_default();
        table.insert(
            (
                target,
                row["client"].as_str().unwrap_or_default().to_string(),
            ),
            (
                row["outcome"].as_str().unwrap_or_default().to_string(),
                normalize(row["message"].as_str().unwrap_or_default(), &base),
            ),
        );
    }
    assert_eq!(
        table.len(),
        labs.len(),
        "{} reported {} of {} targets; stderr:\n{}",
        program.display(),
        table.len(),
        labs.len(),
        String::from_utf8_lossy(&output.stderr)
    );
    table
}

async fn start_all() -> Vec<(&'static str, RunningLab)> {
    let mut labs = Vec::new();
    for name in DEFECTS {
        labs.push((*name, start(name).await));
    }
    labs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_clients_still_behave_as_the_truth_table_records() {
    let labs = start_all().await;
    let (ts_labs, py_labs) = (&labs, &labs);
    let mut real = tokio::task::block_in_place(|| run_client(Runtime::Node, ts_labs));
    real.extend(tokio::task::block_in_place(|| {
        run_client(Runtime::Python, py_labs)
    }));
    if std::env::var_os("AUTHPROBE_BLESS").is_some() {
        write_table(&real);
        return;
    }
    let recorded = read_table();
    let differences: Vec<String> = real
        .iter()
        .filter(|(k, v)| recorded.get(*k) != Some(*v))
        .map(|((d, c), (o, m))| {
            format!(
                "{d} × {c}: now {o} {m:?}, recorded {:?}",
                recorded.get(&(d.clone(), c.clone()))
            )
        })
        .collect();
    assert!(
        differences.is_empty() && recorded.len() == real.len(),
        "the pinned clients no longer behave as tests/clients/truth-table.tsv records \
         (regenerate it with scripts/truth-table and review the diff):\n{}",
        differences.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profiles_predict_the_truth_table() {
    let table = read_table();
    let mut wrong = Vec::new();
    let mut unknown_rows = Vec::new();
    for name in DEFECTS {
        let lab = start(name).await;
        let base = lab.mcp_url().trim_end_matches("/mcp").to_string();
        let mut cfg = config(&lab.mcp_url(), Duration::from_secs(3));
        cfg.mode = ScanMode::Active;
        // The token a logged-in client holds, so that the session with it is seen too.
        cfg.bearer_token = Some(lab.issue_token());
        let report = authprobe_core::scan::scan(&cfg).await.expect("scan runs");
        for client in CLIENTS {
            let key = (name.to_string(), client.to_string());
            let (outcome, message) = table
                .get(&key)
                .unwrap_or_else(|| panic!("no row for {name} × {client}"));
            let verdict = report
                .clients
                .iter()
                .find(|v| v.client == *client)
                .expect("every profile is judged");
            let predicted = verdict
                .message
                .as_deref()
                .map(|m| normalize(m, &base))
                .unwrap_or_default();
            let awaiting = AWAITING_LOGIN
                .iter()
                .find(|(d, c, _)| d == name && c == client);
            if let Some((_, _, code)) = awaiting {
                let raised = report.findings.iter().any(|f| f.code.as_str() == *code);
                assert!(!raised, "{name} × {client}: the scan now raises {code}: remove the row from AWAITING_LOGIN");
                assert!(
                    verdict.assumptions.iter().any(|a| a.contains("token_type is Bearer (not observed")),
                    "{name} × {client}: a verdict resting on the unseen token response must say so: {verdict:?}"
                );
                continue;
            }
            let ok = match verdict.verdict {
                Verdict::GetsIn => outcome == "in",
                Verdict::Fails => outcome == "fails" && message::matches(&predicted, message),
                Verdict::Unknown => {
                    unknown_rows.push((name.to_string(), client.to_string()));
                    true
                }
            };
            if !ok {
                wrong.push(format!(
                    "{name} × {client}: predicted {} {predicted:?} ({}), real {outcome} {message:?}",
                    verdict.verdict.as_str(),
                    verdict.detail
                ));
            }
        }
        lab.shutdown().await;
    }
    let listed: Vec<(String, String)> = UNPREDICTED
        .iter()
        .map(|(d, c, _)| (d.to_string(), c.to_string()))
        .collect();
    assert!(
        wrong.is_empty(),
        "profiles disagree with the real clients:\n{}",
        wrong.join("\n")
    );
    assert_eq!(
        unknown_rows, listed,
        "the rows left unpredicted must be exactly those listed in UNPREDICTED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exit_code_follows_one_client_and_explain_finds_its_message() {
    let lab = start("prm-resource-trailing-slash").await;
    let run = |client: &str| {
        crate::support::run_bin(vec![
            "scan".into(),
            lab.mcp_url(),
            "-q".into(),
            "--fail-on".into(),
            "none".into(),
            "--fail-on-client".into(),
            client.into(),
        ])
    };
    // The TypeScript SDK refuses the trailing slash; a 2025-03-26 client never reads it.
    assert_eq!(run("typescript-sdk").await.status.code(), Some(2));
    assert_eq!(run("mcp-2025-03-26").await.status.code(), Some(0));
    let out = crate::support::run_bin(vec![
        "scan".into(),
        lab.mcp_url(),
        "--client".into(),
        "python-sdk".into(),
    ])
    .await;
    let text = crate::support::text(&out.stdout);
    assert!(
        text.contains("MCP Python SDK 2.3.0 · stops at authorization"),
        "{text}"
    );
    assert!(
        !text.contains("TypeScript SDK"),
        "--client limits the section: {text}"
    );
    let bad = crate::support::run_bin(vec![
        "scan".into(),
        lab.mcp_url(),
        "--client".into(),
        "nope".into(),
    ])
    .await;
    assert_eq!(bad.status.code(), Some(3));

    let explained = crate::support::run_bin(vec![
        "explain".into(),
        "--error".into(),
        "Protected resource https://x.example/mcp/ does not match expected https://x.example/mcp (or origin)".into(),
    ])
    .await;
    assert_eq!(explained.status.code(), Some(0));
    let text = crate::support::text(&explained.stdout);
    assert!(
        text.starts_with("MCP TypeScript SDK 1.32.2 prints this at protected-resource-metadata"),
        "{text}"
    );
    assert!(text.contains("PRM_RESOURCE_TRAILING_SLASH"), "{text}");
    let unknown = crate::support::run_bin(vec![
        "explain".into(),
        "--error".into(),
        "socket hang up".into(),
    ])
    .await;
    assert_eq!(unknown.status.code(), Some(3));
    lab.shutdown().await;
}
