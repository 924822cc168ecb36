//! The layout of the call trace drawn as an SVG sequence diagram: where each lane, arrow
//! and label goes. The template draws it; every text in it is escaped there.

use authprobe_core::report::Report;

use crate::trace::{key_header_lines, lanes, outcome_text, shown_url, Role};

/// Width of the drawing, in SVG units (it scales down with the page).
const WIDTH: u32 = 960;
/// Top of the first exchange, below the lane headings.
const TOP: u32 = 64;
/// Vertical room of one exchange.
const ROW: u32 = 66;
/// Width of a lane's heading box.
pub(crate) const BOX_WIDTH: u32 = 170;
/// Longest label, in characters: SVG text does not wrap.
const LABEL_CHARS: usize = 110;

/// A lane: a participant with its lifeline.
pub(crate) struct LaneView {
    /// Centre of the lifeline.
    pub x: u32,
    /// Left edge of the heading box.
    pub box_x: u32,
    /// `client`, `MCP server`, `authorization server`.
    pub title: String,
    /// The host(s) it stands for.
    pub host: String,
}

/// One exchange: a request arrow, a response arrow (or a cross), and their labels.
pub(crate) struct ArrowView {
    /// Exchange id, for the link to its details.
    pub id: u32,
    /// Baseline of the request label.
    pub label_y: u32,
    /// `#3 GET /.well-known/… · purpose`.
    pub label: String,
    /// Height of the request arrow.
    pub request_y: u32,
    /// Height of the response arrow.
    pub response_y: u32,
    /// Client lifeline.
    pub from_x: u32,
    /// Server lifeline (the arrow stops a little short of it).
    pub to_x: u32,
    /// Where the response label starts.
    pub note_x: u32,
    /// Baseline of the response label.
    pub note_y: u32,
    /// `401 application/json · www-authenticate: (absent)`.
    pub note: String,
    /// The connection and where the time went (the arrows' tooltip).
    pub timing: String,
    /// True when a response came back (else the request ends in a cross).
    pub answered: bool,
    /// CSS class of the response: `ok`, `redirect`, `client-error`, `server-error`, `failed`.
    pub class: &'static str,
}

/// The whole drawing.
pub(crate) struct Diagram {
    /// Drawing width.
    pub width: u32,
    /// Drawing height.
    pub height: u32,
    /// Bottom of the lifelines.
    pub line_bottom: u32,
    /// Participants, client first.
    pub lanes: Vec<LaneView>,
    /// One per exchange, in id order.
    pub arrows: Vec<ArrowView>,
}

fn cut(text: &str, limit: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= limit {
        return one_line;
    }
    let mut out: String = one_line.chars().take(limit.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn status_class(exchange: &authprobe_core::http::Exchange) -> &'static str {
    match exchange.status() {
        Some(200..=299) => "ok",
        Some(300..=399) => "redirect",
        Some(400..=499) => "client-error",
        Some(_) => "server-error",
        None => "failed",
    }
}

/// Lays the diagram out for the report's exchanges.
pub(crate) fn layout(report: &Report) -> Diagram {
    let server_lanes = lanes(report);
    let client_x = 90;
    let spacing = (WIDTH - 2 * client_x) / server_lanes.len().max(1) as u32;
    let mut views = vec![LaneView {
        x: client_x,
        box_x: client_x - BOX_WIDTH / 2,
        title: "client".to_string(),
        host: "authprobe".to_string(),
    }];
    for (i, lane) in server_lanes.iter().enumerate() {
        let x = client_x + spacing * (i as u32 + 1);
        views.push(LaneView {
            x,
            box_x: x - BOX_WIDTH / 2,
            title: lane.role.title().to_string(),
            host: cut(&lane.hosts(), 24),
        });
    }
    let mut arrows = Vec::new();
    for (n, exchange) in report.exchanges.iter().enumerate() {
        let lane = server_lanes
            .iter()
            .position(|l| l.role == Role::of(exchange))
            .unwrap_or(0);
        let to_x = views[lane + 1].x;
        let top = TOP + ROW * n as u32;
        let mut label = format!(
            "#{} {} {}",
            exchange.id,
            exchange.request.method,
            shown_url(&server_lanes[lane], &exchange.request.url)
        );
        if let Some(origin) = exchange.redirect_of {
            label.push_str(&format!(" (redirect of #{origin})"));
        }
        label.push_str(&format!(" · {}", exchange.purpose));
        let mut note = outcome_text(exchange);
        if let Some(first) = key_header_lines(exchange).first() {
            note.push_str(&format!(" · {first}"));
        }
        arrows.push(ArrowView {
            id: exchange.id,
            label_y: top + 12,
            label: cut(&label, LABEL_CHARS),
            request_y: top + 20,
            response_y: top + 38,
            from_x: client_x,
            to_x,
            note_x: client_x + 10,
            note_y: top + 54,
            note: cut(&note, LABEL_CHARS),
            timing: crate::phases::breakdown(exchange),
            answered: exchange.response.is_some(),
            class: status_class(exchange),
        });
    }
    let line_bottom = TOP + ROW * report.exchanges.len() as u32 + 8;
    Diagram {
        width: WIDTH,
        height: line_bottom + 12,
        line_bottom,
        lanes: views,
        arrows,
    }
}
