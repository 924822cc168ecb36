//! The MCP server handler on the official SDK: lists the tools and runs a call,
//! stopping it when the client cancels.

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ProtocolVersion, ServerCapabilities, ServerConfig,
    Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::calls::{Answer, ToolError, Tools};
use super::tools::{self, Kind};

/// The revisions answered. 2026-07-28 is served statelessly by the SDK; the older
/// revisions than 2025-06-18 lack structured tool output, which these tools rely on.
const VERSIONS: &[ProtocolVersion] = &[
    ProtocolVersion::V_2025_06_18,
    ProtocolVersion::V_2025_11_25,
    ProtocolVersion::V_2026_07_28,
];

/// True for a revision this server answers.
pub fn speaks(version: &str) -> bool {
    VERSIONS.iter().any(|v| v.as_str() == version)
}

/// True for a revision the SDK knows (and would serve unless told otherwise).
pub fn sdk_knows(version: &str) -> bool {
    ProtocolVersion::KNOWN_VERSIONS
        .iter()
        .any(|v| v.as_str() == version)
}

/// The revisions answered, as strings (the same list as `VERSIONS`).
pub const VERSION_NAMES: [&str; 3] = ["2025-06-18", "2025-11-25", "2026-07-28"];

/// The handler: one per connection or session, all sharing the same tools.
#[derive(Clone)]
pub struct Face {
    tools: Arc<Tools>,
}

impl Face {
    /// A handler over these tools.
    pub fn new(tools: Arc<Tools>) -> Face {
        Face { tools }
    }
}

impl ServerHandler for Face {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_protocol_version(ProtocolVersion::V_2025_11_25)
            .with_server_info(
                Implementation::new("authprobe", env!("CARGO_PKG_VERSION"))
                    .with_title("authprobe"),
            )
            .with_instructions(
                "Call authprobe.scan_http with an MCP server's URL to learn why a client can or cannot connect to it and authorize; the first line of the answer is the primary finding. authprobe.explain explains a finding code.",
            )
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(VERSIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let listed = tools::ALL
            .into_iter()
            .flat_map(|kind| [tool(kind, false), tool(kind, true)])
            .collect();
        Ok(ListToolsResult::with_all_items(listed))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(kind) = Kind::from_name(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{}`", request.name),
                None,
            ));
        };
        let args = request.arguments.unwrap_or_default();
        // Cancellation drops the call's future, and with it every request the scan
        // has in flight (the engine aborts its tasks on drop).
        let outcome = tokio::select! {
            outcome = self.tools.call(kind, args) => outcome,
            () = context.ct.cancelled() => {
                return Err(ErrorData::internal_error("the call was cancelled", None));
            }
        };
        Ok(CallToolResponse::Complete(match outcome {
            Ok(answer) => success(answer),
            Err(ToolError(message)) => CallToolResult::error(vec![ContentBlock::text(message)]),
        }))
    }
}

fn success(answer: Answer) -> CallToolResult {
    let mut result = CallToolResult::structured(answer.structured);
    result.content = vec![ContentBlock::text(answer.text)];
    result
}

fn tool(kind: Kind, alias: bool) -> Tool {
    let spec = kind.spec(alias);
    let mut annotations = ToolAnnotations::with_title(spec.title);
    annotations.read_only_hint = Some(spec.read_only);
    annotations.destructive_hint = Some(false);
    annotations.idempotent_hint = Some(spec.read_only);
    annotations.open_world_hint = Some(spec.open_world);
    Tool::new(spec.name, spec.description, Arc::new(spec.input))
        .with_title(spec.title)
        .with_raw_output_schema(Arc::new(spec.output))
        .with_annotations(annotations)
}

#[cfg(test)]
mod tests;
