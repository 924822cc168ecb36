//! The call trace as a text sequence diagram (`--trace-ascii`): the client, the MCP
//! server and the authorization server as lanes, one arrow pair per exchange with its
//! status and the headers that matter for discovery, within 100 columns.

use authprobe_core::http::Exchange;
use authprobe_core::report::Report;

use crate::common::{authority, format_ms, origin, path_and_query};
use crate::text::one_line;

/// Widest line of the diagram.
pub const TRACE_WIDTH: usize = 100;

/// Response headers worth a line of their own: they carry the discovery path.
pub(crate) const KEY_HEADERS: &[&str] = &[
    "www-authenticate",
    "location",
    "mcp-session-id",
    "access-control-allow-origin",
];

/// Who the exchange talked to, as a lane of the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    /// The MCP server and what it publishes about itself (stages 1–3 and 7).
    McpServer,
    /// The authorization server (stages 4–6).
    AuthServer,
}

impl Role {
    pub(crate) fn of(exchange: &Exchange) -> Role {
        use authprobe_core::report::Stage;
        match exchange.stage {
            Stage::AuthServer | Stage::Token | Stage::Registration => Role::AuthServer,
            Stage::Challenge | Stage::Transport | Stage::Prm | Stage::Session => Role::McpServer,
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Role::McpServer => "MCP server",
            Role::AuthServer => "authorization server",
        }
    }
}

/// A server lane: its role, and the origins its exchanges went to (first one first).
pub(crate) struct Lane {
    pub role: Role,
    pub origins: Vec<String>,
}

impl Lane {
    /// `127.0.0.1:8931`, or `127.0.0.1:8931 +1 more` when several hosts share a role.
    pub(crate) fn hosts(&self) -> String {
        let first = self
            .origins
            .first()
            .map(|o| authority(o))
            .unwrap_or_default();
        match self.origins.len() {
            0 | 1 => first,
            n => format!("{first} +{} more", n - 1),
        }
    }
}

/// The server lanes the exchanges need, in funnel order; always at least the MCP server.
pub(crate) fn lanes(report: &Report) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    for role in [Role::McpServer, Role::AuthServer] {
        let mut origins: Vec<String> = Vec::new();
        if role == Role::McpServer {
            origins.push(origin(&report.target));
        }
        for exchange in report.exchanges.iter().filter(|e| Role::of(e) == role) {
            let o = origin(&exchange.request.url);
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
        if role == Role::McpServer || !origins.is_empty() {
            lanes.push(Lane { role, origins });
        }
    }
    lanes
}

/// What the arrow label shows of the URL: the path when the lane's main host was asked,
/// the whole URL otherwise.
pub(crate) fn shown_url(lane: &Lane, url: &str) -> String {
    if lane.origins.first().is_some_and(|o| *o == origin(url)) {
        path_and_query(url)
    } else {
        url.to_string()
    }
}

/// `401 application/json`, or `timeout: no response headers within 2 s`.
pub(crate) fn outcome_text(exchange: &Exchange) -> String {
    match (&exchange.response, &exchange.error) {
        (Some(r), error) => {
            let mut text = r.status.to_string();
            if let Some(mt) = r.media_type().filter(|m| !m.is_empty()) {
                text.push(' ');
                text.push_str(&mt);
            }
            if let Some(e) = error {
                text.push_str(&format!(" (then {}: {})", e.kind.as_str(), e.message));
            }
            text
        }
        (None, Some(e)) => format!("{}: {}", e.kind.as_str(), e.message),
        (None, None) => "no response".to_string(),
    }
}

/// The key headers of a response as `name: value` lines; `www-authenticate: (absent)`
/// on a 401, where its absence is the finding.
pub(crate) fn key_header_lines(exchange: &Exchange) -> Vec<String> {
    let Some(response) = &exchange.response else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for name in KEY_HEADERS {
        let values: Vec<&str> = response.header_values(name).collect();
        if values.is_empty() && *name == "www-authenticate" && response.status == 401 {
            lines.push("www-authenticate: (absent)".to_string());
        }
        for value in values {
            lines.push(format!("{name}: {value}"));
        }
    }
    lines
}

/// One line of the diagram: lane bars, arrows and text laid on a grid of characters.
struct Row(Vec<char>);

impl Row {
    fn new(bars: &[usize]) -> Row {
        let mut cells = vec![' '; TRACE_WIDTH];
        for &col in bars {
            cells[col] = '|';
        }
        Row(cells)
    }

    /// Writes `text` from `col`, cut with `…` at the right edge.
    fn text(mut self, col: usize, text: &str) -> Row {
        let chars: Vec<char> = one_line(text).chars().collect();
        let room = TRACE_WIDTH.saturating_sub(col);
        let fits = chars.len() <= room;
        for (i, c) in chars.into_iter().take(room).enumerate() {
            self.0[col + i] = c;
        }
        if !fits && room > 0 {
            self.0[TRACE_WIDTH - 1] = '…';
        }
        self
    }

    fn finish(self) -> String {
        let line: String = self.0.into_iter().collect();
        line.trim_end().to_string()
    }
}

/// Renders the trace diagram.
///
/// This does not redact: pass a report that went through
/// [`redact_report`](crate::redact_report) (unless the user chose `--no-redact`).
pub fn render_trace(report: &Report) -> String {
    let lanes = lanes(report);
    let spacing = if lanes.len() >= 2 { 38 } else { 44 };
    let client_col = 2;
    let cols: Vec<usize> = (0..lanes.len())
        .map(|i| client_col + spacing * (i + 1))
        .collect();
    let mut bars = vec![client_col];
    bars.extend(&cols);
    let mut out = Vec::new();

    out.push(
        Row::new(&[])
            .text(0, &format!("authprobe call trace · {}", report.target))
            .finish(),
    );
    let mut facts = vec![
        report.outcome.as_str().to_string(),
        format!("{} exchanges", report.exchanges.len()),
        report.timestamp.clone(),
    ];
    facts.extend(format_ms(report.duration_ms));
    out.push(Row::new(&[]).text(0, &facts.join(" · ")).finish());
    out.push(String::new());

    let mut titles = Row::new(&[]).text(0, "client");
    let mut hosts = Row::new(&[]);
    for (lane, &col) in lanes.iter().zip(&cols) {
        titles = titles.text(col - 2, lane.role.title());
        hosts = hosts.text(col - 2, &lane.hosts());
    }
    out.push(titles.finish());
    out.push(hosts.finish());
    out.push(Row::new(&bars).finish());

    for exchange in &report.exchanges {
        let lane = lanes
            .iter()
            .position(|l| l.role == Role::of(exchange))
            .unwrap_or(0);
        let to = cols[lane];
        let mut label = format!(
            "#{} {} {}",
            exchange.id,
            exchange.request.method,
            shown_url(&lanes[lane], &exchange.request.url)
        );
        if let Some(origin) = exchange.redirect_of {
            label.push_str(&format!(" (redirect of #{origin})"));
        }
        label.push_str(&format!(" · {}", exchange.purpose));
        out.push(
            Row::new(&[client_col])
                .text(client_col + 2, &label)
                .finish(),
        );

        let mut request = Row::new(&bars);
        for col in client_col + 1..to - 1 {
            request.0[col] = '-';
        }
        request.0[to - 1] = if exchange.response.is_some() {
            '>'
        } else {
            'x'
        };
        out.push(request.finish());
        if exchange.response.is_some() {
            let mut response = Row::new(&bars);
            response.0[client_col + 1] = '<';
            for col in client_col + 2..to {
                response.0[col] = '-';
            }
            out.push(response.finish());
        }
        out.push(
            Row::new(&[client_col])
                .text(client_col + 4, &outcome_text(exchange))
                .finish(),
        );
        for line in key_header_lines(exchange) {
            out.push(Row::new(&[client_col]).text(client_col + 6, &line).finish());
        }
        out.push(Row::new(&bars).finish());
    }
    out.push(String::new());
    out.push("--> request   <-- response   --x no response (see the error)".to_string());
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
