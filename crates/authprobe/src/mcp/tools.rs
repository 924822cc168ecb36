//! The tools `authprobe mcp` offers: names, descriptions and JSON Schemas of their
//! inputs and outputs. Plain JSON here; `server.rs` turns them into the SDK's types.

use serde_json::{json, Map, Value};

/// What a tool does (each has a dotted name and an underscore alias).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A scan without credentials.
    ScanHttp,
    /// A scan with a bearer token.
    ScanWithCredentials,
    /// Continue a scan after a login.
    ScanResume,
    /// A stored scan or a report as Markdown.
    RenderMarkdown,
    /// A stored scan's evidence bundle.
    BundleEvidence,
    /// A catalog entry.
    Explain,
}

/// Every tool, in the order they are listed.
pub const ALL: [Kind; 6] = [
    Kind::ScanHttp,
    Kind::ScanWithCredentials,
    Kind::ScanResume,
    Kind::RenderMarkdown,
    Kind::BundleEvidence,
    Kind::Explain,
];

/// One listed tool.
pub struct Spec {
    /// The name clients call.
    pub name: String,
    /// A short human title.
    pub title: &'static str,
    /// What it does, for the model.
    pub description: String,
    /// JSON Schema of the arguments.
    pub input: Map<String, Value>,
    /// JSON Schema of the structured result.
    pub output: Map<String, Value>,
    /// True when the tool only reads (no scan traffic, no file).
    pub read_only: bool,
    /// True when the tool talks to servers named in its arguments.
    pub open_world: bool,
}

impl Kind {
    /// The dotted name, e.g. `authprobe.scan_http`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::ScanHttp => "authprobe.scan_http",
            Kind::ScanWithCredentials => "authprobe.scan_http_with_credentials",
            Kind::ScanResume => "authprobe.scan_resume",
            Kind::RenderMarkdown => "authprobe.render_markdown",
            Kind::BundleEvidence => "authprobe.bundle_evidence",
            Kind::Explain => "authprobe.explain",
        }
    }

    /// The alias for hosts that reject dots in tool names, e.g. `authprobe_scan_http`.
    pub fn alias(self) -> String {
        self.name().replace('.', "_")
    }

    /// The tool called `name` (dotted or alias).
    pub fn from_name(name: &str) -> Option<Kind> {
        ALL.into_iter()
            .find(|k| k.name() == name || k.alias() == name)
    }

    fn title(self) -> &'static str {
        match self {
            Kind::ScanHttp => "Scan an MCP server's discovery and authorization",
            Kind::ScanWithCredentials => "Scan an MCP server with a bearer token",
            Kind::ScanResume => "Continue a scan after a login",
            Kind::RenderMarkdown => "Render a report as Markdown",
            Kind::BundleEvidence => "Write a scan's evidence bundle",
            Kind::Explain => "Explain a finding code",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Kind::ScanHttp => "Walks the discovery and authorization path of an MCP endpoint over HTTP, without credentials, and reports why a client can or cannot get in: every finding with its evidence and the spec section it rests on, the primary finding first. When the server requires authorization the result has status \"auth_required\" and says how to continue. The scan is remembered under the returned scan_id.",
            Kind::ScanWithCredentials => "The same scan with a bearer token, so that the checks behind authorization run too (the MCP transport and tools, and the authenticated session). Give bearer_token, or credential_ref naming an environment variable AUTHPROBE_CREDENTIAL_<NAME> set where authprobe runs (so the token need not pass through the conversation). The token is never returned, stored or logged.",
            Kind::ScanResume => "Continues a scan whose result said \"auth_required\" by logging in through the server's own OAuth setup (flow code: authorization code with PKCE and a loopback redirect, the default; or device). The first call answers with status \"login_pending\" and what to show the user (the authorization URL, or the device code and where to enter it); once they have logged in, call it again with the same scan_id for the full report (the checks behind authorization included). The token is never returned, stored or logged.",
            Kind::RenderMarkdown => "Renders a remembered scan (scan_id) or a JSON report (report) as Markdown, ready to paste into an issue.",
            Kind::BundleEvidence => "Writes the evidence bundle of a remembered scan (a zip with the reports, the trace, every exchange and a SHA-256 manifest) and returns its path.",
            Kind::Explain => "Returns the catalog entry of a finding code: what it means, when it fires, the spec text it rests on and how to fix it.",
        }
    }

    /// The listed tool under `name` (the dotted name or the alias).
    pub fn spec(self, alias: bool) -> Spec {
        let description = if alias {
            format!(
                "Same as {} (a name without dots). {}",
                self.name(),
                self.description()
            )
        } else {
            self.description().to_string()
        };
        Spec {
            name: if alias {
                self.alias()
            } else {
                self.name().to_string()
            },
            title: self.title(),
            description,
            input: object(self.input()),
            output: object(self.output()),
            read_only: matches!(self, Kind::Explain | Kind::RenderMarkdown),
            open_world: matches!(
                self,
                Kind::ScanHttp | Kind::ScanWithCredentials | Kind::ScanResume
            ),
        }
    }

    fn input(self) -> Value {
        match self {
            Kind::ScanHttp => closed(scan_properties(), &["url"]),
            Kind::ScanWithCredentials => {
                let mut props = scan_properties();
                props.insert(
                    "bearer_token".into(),
                    json!({"type": "string", "minLength": 1, "description": "The access token sent as `Authorization: Bearer …` to the MCP endpoint."}),
                );
                props.insert(
                    "credential_ref".into(),
                    json!({"type": "string", "pattern": "^[A-Za-z0-9_]{1,64}$", "description": "Instead of bearer_token: NAME, read from the environment variable AUTHPROBE_CREDENTIAL_<NAME> (upper-cased) of the authprobe process."}),
                );
                closed(props, &["url"])
            }
            Kind::BundleEvidence => closed(one(("scan_id", scan_id_schema())), &["scan_id"]),
            Kind::ScanResume => {
                let mut props = one(("scan_id", scan_id_schema()));
                props.insert(
                    "flow".into(),
                    json!({"enum": ["code", "device"], "default": "code", "description": "code: the user opens a URL in a browser on the machine authprobe runs on; device: the user enters a code on any device (the authorization server must offer the device grant)."}),
                );
                closed(props, &["scan_id"])
            }
            Kind::RenderMarkdown => {
                let mut props = one(("scan_id", scan_id_schema()));
                props.insert(
                    "report".into(),
                    json!({"type": ["object", "string"], "description": "A JSON report (as written by `authprobe scan --json`), as an object or as text. Give this or scan_id."}),
                );
                closed(props, &[])
            }
            Kind::Explain => closed(
                one((
                    "code",
                    json!({"type": "string", "minLength": 1, "description": "A finding code, e.g. PRM_MISSING (case-insensitive)."}),
                )),
                &["code"],
            ),
        }
    }

    fn output(self) -> Value {
        match self {
            Kind::ScanHttp | Kind::ScanWithCredentials | Kind::ScanResume => scan_output(),
            Kind::RenderMarkdown => json!({
                "type": "object",
                "required": ["markdown"],
                "properties": {"markdown": {"type": "string"}}
            }),
            Kind::BundleEvidence => json!({
                "type": "object",
                "required": ["scan_id", "path", "bytes"],
                "properties": {
                    "scan_id": {"type": "string"},
                    "path": {"type": "string", "description": "Absolute path of the zip on the machine authprobe runs on."},
                    "bytes": {"type": "integer", "minimum": 0}
                }
            }),
            Kind::Explain => json!({
                "type": "object",
                "required": ["code", "severity", "title", "fires_when", "references", "remediation", "text"],
                "properties": {
                    "code": {"type": "string"},
                    "severity": {"enum": ["info", "low", "medium", "high"]},
                    "title": {"type": "string"},
                    "fires_when": {"type": "string"},
                    "references": {"type": "array", "items": {
                        "type": "object",
                        "required": ["spec", "section", "url"],
                        "properties": {"spec": {"type": "string"}, "section": {"type": "string"}, "url": {"type": "string"}}
                    }},
                    "remediation": {"type": "string"},
                    "text": {"type": "string", "description": "The entry as `authprobe explain` prints it."}
                }
            }),
        }
    }
}

/// The published report schema (docs/report.schema.json), embedded as the `report`
/// property; its `$defs` move to the root so that its `#/$defs/…` references resolve.
fn scan_output() -> Value {
    let mut report: Map<String, Value> =
        serde_json::from_str(include_str!("../../../../docs/report.schema.json"))
            .unwrap_or_default();
    let defs = report.remove("$defs").unwrap_or_else(|| json!({}));
    report.remove("$schema");
    report.remove("$id");
    json!({
        "type": "object",
        "required": ["status", "scan_id", "summary"],
        "properties": {
            "status": {"enum": ["complete", "auth_required", "login_pending"], "description": "auth_required: the server wants authorization, and next_step says how to continue; login_pending: show `login` to the user, then call scan_resume again (there is no report yet)."},
            "scan_id": {"type": "string", "description": "Names this scan in render_markdown, bundle_evidence and scan_resume (remembered for an hour)."},
            "summary": {"type": "string", "description": "The short text summary, primary finding first."},
            "next_step": {"type": "string"},
            "continue_with": {
                "type": "object",
                "required": ["tool", "arguments"],
                "properties": {"tool": {"type": "string"}, "arguments": {"type": "object"}}
            },
            "login": {
                "type": "object",
                "properties": {
                    "authorization_url": {"type": "string"},
                    "verification_uri": {"type": "string"},
                    "user_code": {"type": "string"},
                    "verification_uri_complete": {"type": "string"}
                }
            },
            "report": Value::Object(report)
        },
        "$defs": defs
    })
}

fn scan_id_schema() -> Value {
    json!({"type": "string", "minLength": 1, "description": "The scan_id a scan tool returned."})
}

fn family_schema(which: &str) -> Value {
    json!({"enum": ["off", "best-effort", "strict"], "default": "best-effort",
           "description": format!("The {which} conformance family: strict raises SHOULD-level findings one step.")})
}

fn scan_properties() -> Map<String, Value> {
    let props = json!({
        "url": {"type": "string", "minLength": 1, "description": "The MCP endpoint, e.g. https://example.com/mcp."},
        "mode": {"enum": ["passive", "active"], "default": "passive", "description": "active also runs probes that create state (client registrations), cleaned up afterwards."},
        "protocol_version": {"type": "string", "description": "Force an MCP revision (e.g. 2025-06-18) instead of detecting it."},
        "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600, "default": 8, "description": "Per-request timeout."},
        "deadline_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600, "default": 60, "description": "Overall deadline of the scan."},
        "mcp": family_schema("MCP"),
        "rfc": family_schema("RFC"),
        "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Extra request headers on every request to the target's origin."},
        "allow_private_issuers": {"type": "boolean", "default": false, "description": "Let URLs taken from the server's documents reach private and loopback addresses."}
    });
    object(props)
}

fn one((name, schema): (&str, Value)) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(name.to_string(), schema);
    map
}

fn closed(properties: Map<String, Value>, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests;
