//! Interop: scans real servers built with the official MCP SDKs (TypeScript and Python),
//! with oidc-provider as their authorization server, correct and misconfigured, and checks
//! that authprobe tells the truth about each (docs/interop.md).
//!
//! The fixtures are installed by ./scripts/test (tests/interop/install); without them these
//! tests fail and say so.

#[path = "interop_expect.rs"]
mod expect;
#[path = "interop_fixture.rs"]
pub mod fixture;
#[path = "interop_login.rs"]
mod login;

use std::process::Command;
use std::time::Duration;

use authprobe_core::config::{parse_target, ScanConfig};
use authprobe_core::http::Exchange;
use authprobe_core::report::Severity::{High, Info, Low, Medium};
use authprobe_core::report::{Outcome, Report};
use serde_json::Value;

use expect::{consequence, describe, judge, root, Gap, Library, Verdict};
use fixture::{read_json, workspace_root, Fixture, Runtime};

// ---------------------------------------------------------------------------------------
// Known SHOULD-level gaps of the real libraries (docs/known-ecosystem-issues.md).

/// `requireBearerAuth` answers a request without credentials with `error="invalid_token"`.
const TS_ERROR_WITHOUT_CREDENTIALS: Gap = Gap {
    library: Library::McpTypescript,
    code: "CHALLENGE_ERROR_WITHOUT_CREDENTIALS",
    severity: Low,
};
/// `mcpAuthMetadataRouter` serves the metadata without `Cache-Control`.
const TS_NO_CACHE_CONTROL: Gap = Gap {
    library: Library::McpTypescript,
    code: "PRM_CACHE_CONTROL_MISSING",
    severity: Info,
};
/// `RequireAuthMiddleware` answers a request without credentials with `error="invalid_token"`.
const PY_ERROR_WITHOUT_CREDENTIALS: Gap = Gap {
    library: Library::McpPython,
    code: "CHALLENGE_ERROR_WITHOUT_CREDENTIALS",
    severity: Low,
};
/// `RequireAuthMiddleware` leaves `scope` out of the challenge, even with `required_scopes`.
const PY_NO_CHALLENGE_SCOPE: Gap = Gap {
    library: Library::McpPython,
    code: "CHALLENGE_SCOPE_MISSING",
    severity: Low,
};
/// Client ID Metadata Documents are an opt-in experimental feature, off by default.
const OIDC_NO_CIMD: Gap = Gap {
    library: Library::OidcProvider,
    code: "AUTH_SERVER_CIMD_NOT_SUPPORTED",
    severity: Low,
};

/// Every recorded gap, for the documentation check.
const ALL_GAPS: &[&Gap] = &[
    &TS_ERROR_WITHOUT_CREDENTIALS,
    &TS_NO_CACHE_CONTROL,
    &PY_ERROR_WITHOUT_CREDENTIALS,
    &PY_NO_CHALLENGE_SCOPE,
    &OIDC_NO_CIMD,
];

// ---------------------------------------------------------------------------------------
// Deployments: an authorization server and an MCP server, started together.

/// How the oidc-provider issuer is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Issuer {
    /// `http://127.0.0.1:<port>`
    Plain,
    /// `http://127.0.0.1:<port>/`: legal, and must match byte for byte.
    TrailingSlash,
}

/// The processes of one configuration; dropping it stops them all.
struct Deployment {
    server: Fixture,
    issuer: Option<String>,
    mcp_url: String,
    // Declared last: dropped after the MCP server that depends on it.
    _authorization_server: Option<Fixture>,
}

fn deploy(runtime: Runtime, config: &str, mcp_path: &str, issuer: Option<Issuer>) -> Deployment {
    let authorization_server = issuer.map(|style| {
        let mut args = Vec::new();
        if style == Issuer::TrailingSlash {
            args.push("--trailing-slash".to_string());
        }
        let fixture = Fixture::start(Runtime::Node, "authorization-server", &args);
        let issuer = match style {
            Issuer::Plain => fixture.url(""),
            Issuer::TrailingSlash => fixture.url("/"),
        };
        (fixture, issuer)
    });
    let issuer = authorization_server.as_ref().map(|(_, i)| i.clone());
    let args: Vec<String> = issuer
        .iter()
        .flat_map(|i| ["--issuer".to_string(), i.clone()])
        .collect();
    let server = Fixture::start(runtime, config, &args);
    let mcp_url = server.url(mcp_path);
    Deployment {
        server,
        issuer,
        mcp_url,
        _authorization_server: authorization_server.map(|(f, _)| f),
    }
}

async fn scan(url: &str) -> Report {
    let mut config = ScanConfig::new(parse_target(url).expect("a fixture URL parses"));
    config.timeout = Duration::from_secs(5);
    authprobe_core::scan::scan(&config)
        .await
        .expect("the scan runs")
}

/// Scans the deployment and checks the report against the verdict; returns the report for
/// the case's own assertions.
async fn scan_and_judge(deployment: &Deployment, verdict: &Verdict<'_>) -> Report {
    let report = scan(&deployment.mcp_url).await;
    let problems = judge(verdict, &report);
    assert!(
        problems.is_empty(),
        "scan of {} disagrees with the interop expectations:\n  - {}\nfindings:\n{}",
        deployment.mcp_url,
        problems.join("\n  - "),
        describe(&report)
    );
    report
}

/// The last exchange of a request to `url` with `method`.
fn exchange<'a>(report: &'a Report, method: &str, url: &str) -> &'a Exchange {
    report
        .exchanges
        .iter()
        .rev()
        .find(|e| e.request.method == method && e.request.url == url)
        .unwrap_or_else(|| panic!("no {method} {url} in the trace"))
}

fn path_suffix_metadata_url(deployment: &Deployment, path: &str) -> String {
    deployment
        .server
        .url(&format!("/.well-known/oauth-protected-resource{path}"))
}

/// What every correct protected configuration must show beyond the verdict: discovery
/// works through the challenge, and the metadata names this endpoint and the real issuer,
/// byte for byte.
fn assert_discovery_works(report: &Report, deployment: &Deployment) {
    assert!(
        report.prm_ok && report.oauth_discovery_viable,
        "{report:#?}"
    );
    let discovery = &report.auth_discovery;
    assert_eq!(
        discovery.resource.as_deref(),
        Some(deployment.mcp_url.as_str())
    );
    assert_eq!(
        discovery.resource_metadata.as_deref(),
        Some(path_suffix_metadata_url(deployment, "/mcp").as_str())
    );
    let issuer = deployment.issuer.clone().expect("an issuer");
    assert_eq!(
        discovery.authorization_servers,
        std::slice::from_ref(&issuer)
    );
    // The scan read oidc-provider's metadata, whose `issuer` is the same string, byte for
    // byte (trailing slash included when the deployment has one).
    let issuers: Vec<String> = report
        .exchanges
        .iter()
        .filter_map(|e| e.response.as_ref())
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .filter_map(|doc| {
            doc.get("issuer")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    assert!(
        !issuers.is_empty(),
        "no authorization server metadata was read"
    );
    assert!(
        issuers.iter().all(|i| *i == issuer),
        "{issuers:?} vs {issuer}"
    );
    let chosen: Vec<&str> = discovery
        .prm_candidates
        .iter()
        .filter(|c| c.chosen)
        .map(|c| c.source.as_str())
        .collect();
    assert_eq!(chosen, ["header"]);
}

/// Runs the authprobe binary against a URL and returns its exit code and JSON report.
async fn run_binary(url: &str, fail_on: &str) -> (Option<i32>, Value) {
    let args = vec![
        "scan".to_string(),
        url.to_string(),
        "--json".to_string(),
        "-".to_string(),
        "--fail-on".to_string(),
        fail_on.to_string(),
    ];
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_authprobe"))
            .args(&args)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("join");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

// ---------------------------------------------------------------------------------------
// Correct configurations.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ts_sdk_stateful_with_oidc_provider_is_protected_ok() {
    let deployment = deploy(Runtime::Node, "ts-stateful", "/mcp", Some(Issuer::Plain));
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: true,
            outcome: Outcome::ProtectedOk,
            primary: Some("CHALLENGE_ERROR_WITHOUT_CREDENTIALS"),
            expected: &[],
            gaps: &[
                &TS_NO_CACHE_CONTROL,
                &TS_ERROR_WITHOUT_CREDENTIALS,
                &OIDC_NO_CIMD,
            ],
            false_alarms: &[],
        },
    )
    .await;
    assert_discovery_works(&report, &deployment);
    // The challenge names the scope the bearer middleware requires.
    assert_eq!(
        report.auth_discovery.challenge_scope.as_deref(),
        Some("mcp:tools")
    );

    // The binary agrees, and a medium gate passes a correct server.
    let (code, json) = run_binary(&deployment.mcp_url, "medium").await;
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["outcome"], "protected-ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ts_sdk_stateless_answering_get_with_405_is_protected_ok() {
    // The issuer ends with "/" and the metadata repeats it exactly: correct.
    let deployment = deploy(
        Runtime::Node,
        "ts-stateless",
        "/mcp",
        Some(Issuer::TrailingSlash),
    );
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: true,
            outcome: Outcome::ProtectedOk,
            primary: Some("CHALLENGE_ERROR_WITHOUT_CREDENTIALS"),
            expected: &[],
            gaps: &[
                &TS_NO_CACHE_CONTROL,
                &TS_ERROR_WITHOUT_CREDENTIALS,
                &OIDC_NO_CIMD,
            ],
            false_alarms: &[],
        },
    )
    .await;
    assert_discovery_works(&report, &deployment);
    assert!(deployment
        .issuer
        .as_deref()
        .is_some_and(|i| i.ends_with('/')));
    // GET was really answered 405 (a stateless server has no stream), and that is fine.
    let get = exchange(&report, "GET", &deployment.mcp_url);
    assert_eq!(get.status(), Some(405));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_protected_with_oidc_provider_is_protected_ok() {
    let deployment = deploy(Runtime::Python, "py-protected", "/mcp", Some(Issuer::Plain));
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: true,
            outcome: Outcome::ProtectedOk,
            primary: Some("CHALLENGE_SCOPE_MISSING"),
            expected: &[],
            gaps: &[
                &PY_NO_CHALLENGE_SCOPE,
                &PY_ERROR_WITHOUT_CREDENTIALS,
                &OIDC_NO_CIMD,
            ],
            false_alarms: &[],
        },
    )
    .await;
    assert_discovery_works(&report, &deployment);
    // The SDK's metadata handler sets Cache-Control, so that check stays quiet here.
    let metadata = exchange(
        &report,
        "GET",
        &path_suffix_metadata_url(&deployment, "/mcp"),
    );
    assert!(metadata
        .response
        .as_ref()
        .and_then(|r| r.header("cache-control"))
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_without_auth_is_no_auth() {
    let deployment = deploy(Runtime::Python, "py-open", "/mcp", None);
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: true,
            outcome: Outcome::NoAuth,
            primary: None,
            expected: &[root("AUTH_NOT_REQUIRED", Info)],
            gaps: &[],
            false_alarms: &[],
        },
    )
    .await;
    assert_eq!(report.auth_required, Some(false));
    assert!(
        report.protocol.negotiated_version.is_some(),
        "{:?}",
        report.protocol
    );
    // Nothing stands between the scan and the server's tools.
    let tools: Vec<&str> = report
        .tools
        .iter()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .collect();
    assert_eq!(tools, ["echo"], "{:?}", report.tools);
}

// ---------------------------------------------------------------------------------------
// Broken configurations, built with the same libraries.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn express_guard_without_challenge_is_the_bug_report() {
    // The hand-written guard names no authorization server, so none is started.
    let deployment = deploy(Runtime::Node, "ts-guard-no-challenge", "/mcp", None);
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: false,
            outcome: Outcome::ProtectedBroken,
            primary: Some("AUTH_REQUIRED_BUT_NOT_ADVERTISED"),
            expected: &[
                root("AUTH_REQUIRED_BUT_NOT_ADVERTISED", High),
                consequence(
                    "DISCOVERY_NO_WWW_AUTHENTICATE",
                    High,
                    "AUTH_REQUIRED_BUT_NOT_ADVERTISED",
                ),
                consequence(
                    "OAUTH_DISCOVERY_UNAVAILABLE",
                    High,
                    "AUTH_REQUIRED_BUT_NOT_ADVERTISED",
                ),
                consequence(
                    "PRM_HTTP_STATUS_NOT_200",
                    High,
                    "AUTH_REQUIRED_BUT_NOT_ADVERTISED",
                ),
            ],
            gaps: &[],
            false_alarms: &[],
        },
    )
    .await;
    let post = exchange(&report, "POST", &deployment.mcp_url);
    let response = post.response.as_ref().expect("a response");
    assert_eq!(response.status, 401);
    assert!(response.header("www-authenticate").is_none());

    // The binary fails the default gate on it.
    let (code, json) = run_binary(&deployment.mcp_url, "high").await;
    assert_eq!(code, Some(2), "{json:#}");
    // The JSON report names the primary finding by code, or as an object carrying it.
    let primary = &json["primary_finding"];
    let primary = primary.get("code").unwrap_or(primary);
    assert_eq!(primary, "AUTH_REQUIRED_BUT_NOT_ADVERTISED", "{json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_behind_the_bearer_middleware_requires_auth() {
    let deployment = deploy(
        Runtime::Node,
        "ts-metadata-behind-auth",
        "/mcp",
        Some(Issuer::Plain),
    );
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: false,
            outcome: Outcome::ProtectedBroken,
            primary: Some("PRM_REQUIRES_AUTH"),
            expected: &[
                root("PRM_REQUIRES_AUTH", High),
                consequence("OAUTH_DISCOVERY_UNAVAILABLE", High, "PRM_REQUIRES_AUTH"),
            ],
            gaps: &[&TS_ERROR_WITHOUT_CREDENTIALS],
            false_alarms: &[],
        },
    )
    .await;
    let metadata = exchange(
        &report,
        "GET",
        &path_suffix_metadata_url(&deployment, "/mcp"),
    );
    assert_eq!(metadata.status(), Some(401));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spa_catch_all_serves_html_as_metadata() {
    let deployment = deploy(
        Runtime::Node,
        "ts-spa-catch-all",
        "/mcp",
        Some(Issuer::Plain),
    );
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: false,
            outcome: Outcome::ProtectedBroken,
            primary: Some("PRM_CONTENT_TYPE_NOT_JSON"),
            expected: &[
                root("PRM_CONTENT_TYPE_NOT_JSON", High),
                consequence(
                    "OAUTH_DISCOVERY_UNAVAILABLE",
                    High,
                    "PRM_CONTENT_TYPE_NOT_JSON",
                ),
            ],
            gaps: &[&TS_ERROR_WITHOUT_CREDENTIALS],
            false_alarms: &[],
        },
    )
    .await;
    let metadata = exchange(
        &report,
        "GET",
        &path_suffix_metadata_url(&deployment, "/mcp"),
    );
    let media = metadata.response.as_ref().and_then(|r| r.media_type());
    assert_eq!(media.as_deref(), Some("text/html"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_server_url_set_to_the_origin_names_a_parent_path() {
    let deployment = deploy(
        Runtime::Node,
        "ts-resource-origin",
        "/mcp",
        Some(Issuer::Plain),
    );
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: false,
            outcome: Outcome::ProtectedOk,
            primary: Some("PRM_RESOURCE_PARENT_PATH"),
            // The SDK serves the document at the origin's root URL and names it in the
            // challenge: one working mechanism, so the missing path-suffix URL is no finding.
            expected: &[root("PRM_RESOURCE_PARENT_PATH", Medium)],
            gaps: &[
                &TS_NO_CACHE_CONTROL,
                &TS_ERROR_WITHOUT_CREDENTIALS,
                &OIDC_NO_CIMD,
            ],
            false_alarms: &[],
        },
    )
    .await;
    assert_eq!(
        report.auth_discovery.resource.as_deref(),
        Some(deployment.server.url("/").as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_resource_server_url_with_trailing_slash() {
    let deployment = deploy(
        Runtime::Python,
        "py-resource-trailing-slash",
        "/mcp",
        Some(Issuer::Plain),
    );
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: false,
            outcome: Outcome::ProtectedOk,
            primary: Some("PRM_RESOURCE_TRAILING_SLASH"),
            expected: &[root("PRM_RESOURCE_TRAILING_SLASH", Medium)],
            gaps: &[
                &PY_NO_CHALLENGE_SCOPE,
                &PY_ERROR_WITHOUT_CREDENTIALS,
                &OIDC_NO_CIMD,
            ],
            false_alarms: &[],
        },
    )
    .await;
    assert_eq!(
        report.auth_discovery.resource.as_deref(),
        Some(format!("{}/", deployment.mcp_url).as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_app_mounted_under_a_prefix_points_at_missing_metadata() {
    let deployment = deploy(
        Runtime::Python,
        "py-mounted-prefix",
        "/api/mcp",
        Some(Issuer::Plain),
    );
    let report = scan_and_judge(
        &deployment,
        &Verdict {
            correct: false,
            outcome: Outcome::ProtectedBroken,
            primary: Some("DISCOVERY_RESOURCE_METADATA_INVALID"),
            expected: &[
                root("DISCOVERY_RESOURCE_METADATA_INVALID", High),
                consequence(
                    "OAUTH_DISCOVERY_UNAVAILABLE",
                    High,
                    "DISCOVERY_RESOURCE_METADATA_INVALID",
                ),
                consequence(
                    "PRM_HTTP_STATUS_NOT_200",
                    High,
                    "DISCOVERY_RESOURCE_METADATA_INVALID",
                ),
            ],
            gaps: &[&PY_NO_CHALLENGE_SCOPE, &PY_ERROR_WITHOUT_CREDENTIALS],
            false_alarms: &[],
        },
    )
    .await;
    // The challenge still names the metadata of /mcp, which the mount moved under /api.
    let hinted = path_suffix_metadata_url(&deployment, "/mcp");
    assert_eq!(
        report.auth_discovery.resource_metadata.as_deref(),
        Some(hinted.as_str())
    );
    assert_eq!(exchange(&report, "GET", &hinted).status(), Some(404));
}

// ---------------------------------------------------------------------------------------
// The record of ecosystem issues stays true.

/// The pinned version of a library, from the fixtures' manifests.
fn pinned_version(library: Library) -> String {
    let root = workspace_root();
    match library {
        Library::McpTypescript | Library::OidcProvider => {
            let manifest = read_json(&root.join("tests/interop/node/package.json"));
            manifest["dependencies"][library.package()]
                .as_str()
                .unwrap_or_else(|| panic!("{} is not pinned in package.json", library.package()))
                .to_string()
        }
        Library::McpPython => {
            let path = root.join("tests/interop/python/requirements.txt");
            let text = std::fs::read_to_string(&path).expect("requirements.txt reads");
            let prefix = format!("{}==", library.package());
            text.lines()
                .find_map(|l| l.trim().strip_prefix(prefix.as_str()))
                .map(|v| v.trim().to_string())
                .unwrap_or_else(|| {
                    panic!("{} is not pinned in requirements.txt", library.package())
                })
        }
    }
}

#[test]
fn every_known_gap_is_documented_for_the_pinned_version() {
    let path = workspace_root().join("docs/known-ecosystem-issues.md");
    let doc = std::fs::read_to_string(&path).expect("docs/known-ecosystem-issues.md reads");
    // Sections start with "## <package> <version>".
    let sections: Vec<(String, &str)> = doc
        .split("\n## ")
        .skip(1)
        .map(|s| s.split_once('\n').unwrap_or((s, "")))
        .map(|(heading, body)| (heading.replace('`', ""), body))
        .collect();
    for library in Library::ALL {
        let heading = format!("{} {} ", library.package(), pinned_version(library));
        let body = sections
            .iter()
            .find(|(h, _)| h.starts_with(heading.as_str()))
            .map(|(_, b)| *b)
            .unwrap_or_else(|| {
                panic!(
                    "docs/known-ecosystem-issues.md has no section \"## {heading}…\" for the \
                     pinned version: re-check the library's behaviour and update the page"
                )
            });
        for gap in ALL_GAPS.iter().filter(|g| g.library == library) {
            assert!(
                body.contains(&format!("`{}`", gap.code)),
                "docs/known-ecosystem-issues.md, section {heading}, does not record {}",
                gap.code
            );
        }
    }
}
