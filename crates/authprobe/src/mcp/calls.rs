//! What each tool does, in terms of the engine and the renderers the CLI uses; no MCP
//! types here. A tool either answers (text plus structured content) or fails with one
//! sentence the caller can act on.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use authprobe_core::catalog::{explain_text, Code};
use authprobe_core::config::{parse_target, LoginFlow, ScanConfig};
use authprobe_core::http::HostLimits;
use authprobe_core::report::Report;
use authprobe_render::{read_report_json, redact_report, render_bundle, RedactionOptions};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;

use super::resume::{Logins, Progress};
use super::store::Store;
use super::summary;
use super::tools::Kind;
use crate::cli::{FamilyArg, ProbeArgs};
use crate::scan_cmd::{apply_probe_args, known_secrets, unreachable_line, DEFAULT_CONCURRENCY};

/// A tool's answer.
#[derive(Debug)]
pub struct Answer {
    /// The short text for the model and the user.
    pub text: String,
    /// The structured result (follows the tool's output schema).
    pub structured: Value,
}

/// A tool that ran and failed: one sentence saying what is wrong and what to do.
#[derive(Debug)]
pub struct ToolError(pub String);

impl ToolError {
    fn new(message: impl Into<String>) -> Self {
        ToolError(message.into())
    }
}

/// The state the tools share: remembered scans and the scan slots.
pub struct Tools {
    store: Store,
    slots: Arc<Semaphore>,
    logins: Logins,
    bundle_dir: PathBuf,
}

/// Arguments of the scan tools (`deny_unknown_fields`: a misspelt option is an error,
/// not a silently different scan).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanInput {
    url: String,
    mode: Option<String>,
    protocol_version: Option<String>,
    timeout_seconds: Option<f64>,
    deadline_seconds: Option<f64>,
    mcp: Option<String>,
    rfc: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    allow_private_issuers: bool,
    bearer_token: Option<String>,
    credential_ref: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanIdInput {
    scan_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResumeInput {
    scan_id: String,
    flow: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkdownInput {
    scan_id: Option<String>,
    report: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainInput {
    code: String,
}

impl Tools {
    /// Up to `concurrency` scans at once; bundles are written under `bundle_dir`.
    pub fn new(concurrency: usize, bundle_dir: PathBuf) -> Tools {
        Tools {
            store: Store::default(),
            slots: Arc::new(Semaphore::new(concurrency)),
            logins: Logins::default(),
            bundle_dir,
        }
    }

    /// Runs `kind` with these arguments. Dropping the future stops a scan's requests.
    pub async fn call(&self, kind: Kind, args: Map<String, Value>) -> Result<Answer, ToolError> {
        match kind {
            Kind::ScanHttp => {
                let input: ScanInput = parse(kind, args)?;
                if input.bearer_token.is_some() || input.credential_ref.is_some() {
                    return Err(ToolError::new(format!(
                        "{} takes no credentials; call {} to scan with a token",
                        kind.name(),
                        Kind::ScanWithCredentials.name()
                    )));
                }
                self.scan(input, None).await
            }
            Kind::ScanWithCredentials => {
                let input: ScanInput = parse(kind, args)?;
                let token = credential(&input)?;
                self.scan(input, Some(token)).await
            }
            Kind::ScanResume => self.resume(parse(kind, args)?).await,
            Kind::RenderMarkdown => self.markdown(parse(kind, args)?),
            Kind::BundleEvidence => self.bundle(parse(kind, args)?),
            Kind::Explain => explain(parse(kind, args)?),
        }
    }

    async fn scan(&self, input: ScanInput, token: Option<String>) -> Result<Answer, ToolError> {
        let config = config(&input, token)?;
        // The slot is held until the scan ends or the call is cancelled (dropped).
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| ToolError::new("the server is shutting down; no scan was run"))?;
        let report = authprobe_core::scan::scan(&config)
            .await
            .map_err(|e| ToolError::new(e.to_string()))?;
        let with_credentials = config.bearer_token.is_some();
        self.finish(&config, &input.url, &report, with_credentials)
    }

    /// Redacts a finished scan's report, remembers it, and answers with it.
    fn finish(
        &self,
        config: &ScanConfig,
        url: &str,
        report: &Report,
        with_credentials: bool,
    ) -> Result<Answer, ToolError> {
        let redaction = RedactionOptions {
            enabled: true,
            extra_secrets: known_secrets(config),
        };
        let report = redact_report(report, &redaction);
        if report.outcome.is_failure_to_scan() {
            return Err(ToolError::new(unreachable_line(&report)));
        }
        let json = report_value(&report);
        let report = Arc::new(report);
        let id = self.store.insert(url, config, report.clone());
        Ok(summary::scan_answer(
            &report,
            json,
            &id,
            url,
            with_credentials,
        ))
    }

    /// `scan_resume`: the scan of a stored `auth_required` result again, logging in.
    async fn resume(&self, input: ResumeInput) -> Result<Answer, ToolError> {
        let stored = self
            .store
            .get(&input.scan_id)
            .ok_or_else(|| unknown(&input.scan_id))?;
        if stored.report.auth_required != Some(true) {
            return Err(ToolError::new(format!(
                "scan {} did not find authorization required, so there is no login to continue with",
                input.scan_id
            )));
        }
        let flow = match input.flow.as_deref() {
            None | Some("code") => LoginFlow::Code,
            Some("device") => LoginFlow::Device,
            Some(other) => {
                return Err(ToolError::new(format!(
                    "flow `{other}` is not code or device"
                )))
            }
        };
        let progress = self
            .logins
            .resume(
                &input.scan_id,
                stored.config.clone(),
                flow,
                self.slots.clone(),
            )
            .await
            .map_err(ToolError)?;
        match progress {
            Progress::Waiting(prompt) => Ok(summary::login_answer(&input.scan_id, &prompt)),
            Progress::Finished(Err(why)) => Err(ToolError(why)),
            Progress::Finished(Ok(report)) => {
                self.finish(&stored.config, &stored.url, &report, true)
            }
        }
    }

    fn stored(&self, id: &str) -> Result<Arc<Report>, ToolError> {
        self.store
            .get(id)
            .map(|s| s.report)
            .ok_or_else(|| unknown(id))
    }

    fn markdown(&self, input: MarkdownInput) -> Result<Answer, ToolError> {
        let report = match (input.scan_id, input.report) {
            (Some(id), None) => self.stored(&id)?,
            (None, Some(report)) => Arc::new(read_report(report)?),
            _ => {
                return Err(ToolError::new(
                    "give exactly one of scan_id (from a scan tool) and report (a JSON report)",
                ))
            }
        };
        let markdown = authprobe_render::render_markdown(&report);
        Ok(Answer {
            text: markdown.clone(),
            structured: json!({ "markdown": markdown }),
        })
    }

    fn bundle(&self, input: ScanIdInput) -> Result<Answer, ToolError> {
        let report = self.stored(&input.scan_id)?;
        let bytes = render_bundle(&report)
            .map_err(|e| ToolError::new(format!("cannot build the bundle: {e}")))?;
        std::fs::create_dir_all(&self.bundle_dir).map_err(|e| {
            ToolError::new(format!("cannot create {}: {e}", self.bundle_dir.display()))
        })?;
        let path = self
            .bundle_dir
            .join(format!("authprobe-{}.zip", input.scan_id));
        std::fs::write(&path, &bytes)
            .map_err(|e| ToolError::new(format!("cannot write {}: {e}", path.display())))?;
        let path = std::path::absolute(&path).unwrap_or(path);
        Ok(Answer {
            text: format!(
                "Evidence bundle of {} written to {} ({} bytes).",
                report.target,
                path.display(),
                bytes.len()
            ),
            structured: json!({
                "scan_id": input.scan_id,
                "path": path.display().to_string(),
                "bytes": bytes.len(),
            }),
        })
    }
}

fn unknown(id: &str) -> ToolError {
    ToolError::new(format!(
        "unknown scan_id `{id}`: scans are remembered for an hour and while the server runs; run the scan again"
    ))
}

/// The arguments as `T`, or one sentence naming what is wrong.
fn parse<T: for<'de> Deserialize<'de>>(
    kind: Kind,
    args: Map<String, Value>,
) -> Result<T, ToolError> {
    serde_json::from_value(Value::Object(args))
        .map_err(|e| ToolError::new(format!("invalid arguments for {}: {e}", kind.name())))
}

/// The scan configuration, validated exactly as the CLI validates its flags (the SSRF
/// guard then applies to every URL as for `authprobe scan`).
fn config(input: &ScanInput, token: Option<String>) -> Result<ScanConfig, ToolError> {
    let target = parse_target(&input.url).map_err(|e| ToolError::new(e.to_string()))?;
    let probe = ProbeArgs {
        header: input
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect(),
        timeout: input.timeout_seconds.unwrap_or(8.0),
        deadline: input.deadline_seconds.unwrap_or(60.0),
        mcp: family(input.mcp.as_deref(), "mcp")?,
        rfc: family(input.rfc.as_deref(), "rfc")?,
        allow_private_issuers: input.allow_private_issuers,
        insecure: false,
        no_follow_redirects: false,
        active: match input.mode.as_deref() {
            None | Some("passive") => false,
            Some("active") => true,
            Some(other) => {
                return Err(ToolError::new(format!(
                    "mode `{other}` is not passive or active"
                )))
            }
        },
        bearer_token: token,
        bearer_token_file: None,
        protocol_version: input.protocol_version.clone(),
    };
    let mut config = ScanConfig::new(target);
    apply_probe_args(&mut config, &probe).map_err(|e| ToolError::new(e.to_string()))?;
    config.limits = HostLimits::new(DEFAULT_CONCURRENCY);
    Ok(config)
}

fn family(value: Option<&str>, name: &str) -> Result<FamilyArg, ToolError> {
    match value {
        None | Some("best-effort") => Ok(FamilyArg::BestEffort),
        Some("off") => Ok(FamilyArg::Off),
        Some("strict") => Ok(FamilyArg::Strict),
        Some(other) => Err(ToolError::new(format!(
            "{name} `{other}` is not off, best-effort or strict"
        ))),
    }
}

/// The bearer token of a credentials scan: given, or read from the environment
/// variable a `credential_ref` names. Only `AUTHPROBE_CREDENTIAL_*` variables can be
/// named, so that a tool call cannot send any other secret of this process to a server.
fn credential(input: &ScanInput) -> Result<String, ToolError> {
    match (&input.bearer_token, &input.credential_ref) {
        (Some(token), None) if !token.trim().is_empty() => Ok(token.trim().to_string()),
        (None, Some(name))
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            let var = format!("AUTHPROBE_CREDENTIAL_{}", name.to_ascii_uppercase());
            match std::env::var(&var) {
                Ok(token) if !token.trim().is_empty() => Ok(token.trim().to_string()),
                _ => Err(ToolError::new(format!(
                    "credential_ref `{name}` names no credential: set the environment variable {var} where authprobe mcp runs"
                ))),
            }
        }
        (None, Some(name)) => Err(ToolError::new(format!(
            "credential_ref `{name}` is not a name of letters, digits and underscores"
        ))),
        _ => Err(ToolError::new(
            "give exactly one of bearer_token and credential_ref",
        )),
    }
}

fn read_report(value: Value) -> Result<Report, ToolError> {
    let text = match value {
        Value::String(text) => text,
        other => other.to_string(),
    };
    read_report_json(&text).map_err(|e| ToolError::new(format!("report: {e}")))
}

/// The report as the JSON document `--json` writes.
fn report_value(report: &Report) -> Value {
    serde_json::from_str(&authprobe_render::render_json(report)).unwrap_or(Value::Null)
}

fn explain(input: ExplainInput) -> Result<Answer, ToolError> {
    let code = Code::parse(&input.code.trim().to_ascii_uppercase()).ok_or_else(|| {
        ToolError::new(format!(
            "unknown finding code `{}`; the codes are listed in the catalog (`authprobe explain --list`)",
            input.code
        ))
    })?;
    let entry = code.entry();
    let text = explain_text(code);
    let references: Vec<Value> = entry
        .references
        .iter()
        .map(|r| json!({"spec": r.spec, "section": r.section, "url": r.url}))
        .collect();
    Ok(Answer {
        text: text.clone(),
        structured: json!({
            "code": code.as_str(),
            "severity": entry.severity.as_str(),
            "title": entry.title,
            "fires_when": entry.fires_when,
            "references": references,
            "remediation": entry.remediation,
            "text": text,
        }),
    })
}

#[cfg(test)]
mod tests;
