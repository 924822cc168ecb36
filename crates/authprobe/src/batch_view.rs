//! What a batch shows a person: the target list read from a file, a directory name
//! per target, the progress line while it runs, and the summary table at the end.

use std::io::Write;
use std::time::{Duration, Instant};

use authprobe_core::report::{Outcome, Severity};

/// Longest target shown in the summary table before it is shortened.
const TARGET_WIDTH: usize = 60;
/// Longest directory name made from a target (the index keeps names unique).
const NAME_WIDTH: usize = 80;
/// The progress line is redrawn at most this often.
const REDRAW: Duration = Duration::from_millis(100);

/// The URLs of a targets file: one per line; blank lines and everything from a `#`
/// that starts a line or follows a blank are left out. Returns (line number, text).
pub fn target_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let cut = line
                .char_indices()
                .find(|&(at, c)| c == '#' && (at == 0 || line[..at].ends_with(char::is_whitespace)))
                .map_or(line.len(), |(at, _)| at);
            let url = line[..cut].trim();
            (!url.is_empty()).then(|| (i + 1, url.to_string()))
        })
        .collect()
}

/// The directory of target `index` (from 1) of `total`: the zero-padded index, then
/// the host, port and path with anything but letters, digits, `.`, `_` and `-`
/// turned into `-`, e.g. `007-mcp.example.com-8443-v1-mcp`.
pub fn target_dir_name(index: usize, total: usize, url: &url::Url) -> String {
    let width = total.to_string().len().max(3);
    let mut raw = url.host_str().unwrap_or("target").to_string();
    if let Some(port) = url.port() {
        raw.push_str(&format!("-{port}"));
    }
    raw.push_str(url.path());
    let mut slug = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
            c
        } else {
            '-'
        };
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    let slug: String = slug
        .trim_matches(['-', '.'])
        .chars()
        .take(NAME_WIDTH)
        .collect();
    format!("{index:0width$}-{slug}")
}

/// One line of the summary table: what became of a target.
#[derive(Debug, Clone)]
pub struct Row {
    /// Position in the input, from 1.
    pub index: usize,
    /// The URL as scanned.
    pub target: String,
    /// The outcome; `None` when the scan itself did not finish.
    pub outcome: Option<Outcome>,
    /// The primary finding's severity and code.
    pub primary: Option<(Severity, String)>,
    /// Findings at or above `--fail-on`.
    pub gated: usize,
    /// Why nothing was learned, when nothing was.
    pub failure: Option<String>,
}

impl Row {
    /// True when the scan learned nothing about the server.
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }
}

fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width - 1).collect();
    format!("{kept}…")
}

/// The summary table, rows in input order, and the closing line (with the time the
/// batch took, when it is known: `merge` does not know it).
pub fn summary_table(rows: &[Row], gate: Option<Severity>, took: Option<Duration>) -> String {
    let width = rows
        .iter()
        .map(|r| r.target.chars().count())
        .max()
        .unwrap_or(0)
        .clamp("TARGET".len(), TARGET_WIDTH);
    let last = rows.iter().map(|r| r.index).max().unwrap_or(0);
    let index_width = last.to_string().len().max(1);
    let mut out = format!(
        "{:>index_width$}  {:<width$}  {:<16}  PRIMARY FINDING\n",
        "#", "TARGET", "OUTCOME"
    );
    for row in rows {
        let outcome = row.outcome.map_or("(no report)", Outcome::as_str);
        let primary = match (&row.failure, &row.primary) {
            (Some(why), _) => why.clone(),
            (None, Some((severity, code))) => {
                format!("{} {code}", severity.as_str().to_uppercase())
            }
            (None, None) => "-".into(),
        };
        out.push_str(&format!(
            "{:>index_width$}  {:<width$}  {:<16}  {primary}\n",
            row.index,
            shorten(&row.target, width),
            outcome
        ));
    }
    let failed = rows.iter().filter(|r| r.failed()).count();
    let gated = rows.iter().filter(|r| r.gated > 0).count();
    let timing = took.map_or(String::new(), |took| {
        let seconds = took.as_secs_f64();
        let rate = if seconds > 0.0 {
            rows.len() as f64 / seconds
        } else {
            0.0
        };
        format!(" · {seconds:.1} s ({rate:.1} targets/s)")
    });
    let gate = gate.map_or("the gate (--fail-on none)".to_string(), |g| {
        format!("{} or above", g.as_str())
    });
    out.push_str(&format!(
        "\n{} targets: {} with findings at {gate}, {failed} could not be scanned{timing}\n",
        rows.len(),
        gated,
    ));
    out
}

/// A one-line progress indicator on stderr, for a terminal only.
pub struct Progress {
    enabled: bool,
    total: usize,
    done: usize,
    failed: usize,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    /// A progress line for `total` targets; draws nothing unless `enabled`.
    pub fn new(total: usize, enabled: bool) -> Progress {
        Progress {
            enabled,
            total,
            done: 0,
            failed: 0,
            started: Instant::now(),
            drawn: None,
        }
    }

    /// One more target finished.
    pub fn finished(&mut self, failed: bool) {
        self.done += 1;
        self.failed += usize::from(failed);
        self.draw(false);
    }

    /// Redraws the line (at most every [`REDRAW`] unless `force`).
    pub fn draw(&mut self, force: bool) {
        if !self.enabled || (!force && self.drawn.is_some_and(|at| at.elapsed() < REDRAW)) {
            return;
        }
        self.drawn = Some(Instant::now());
        let _ = std::io::stderr()
            .lock()
            .write_all(format!("\r\x1b[2K{}", self.line()).as_bytes());
    }

    fn line(&self) -> String {
        const BAR: usize = 30;
        let filled = (self.done * BAR).checked_div(self.total).unwrap_or(BAR);
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            self.done as f64 / seconds
        } else {
            0.0
        };
        format!(
            "[{}{}] {}/{} targets · {rate:.1}/s · {} could not be scanned · {:.0} s",
            "#".repeat(filled),
            ".".repeat(BAR - filled),
            self.done,
            self.total,
            self.failed,
            seconds
        )
    }

    /// Removes the line, so that what follows starts on a clean line.
    pub fn clear(&self) {
        if self.enabled && self.drawn.is_some() {
            let _ = std::io::stderr().lock().write_all(b"\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests;
