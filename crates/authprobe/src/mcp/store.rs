//! The scans the MCP server remembers, so that later tool calls can name them by
//! `scan_id`: bounded in number and in age, because the server may run for days.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use authprobe_core::config::ScanConfig;
use authprobe_core::report::Report;

/// Scans kept at most; the oldest is forgotten first.
pub const MAX_SCANS: usize = 64;
/// A scan is forgotten this long after it finished.
pub const MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// One finished scan. The report is the redacted one: the store never holds a
/// credential the caller handed over.
pub struct Stored {
    /// The redacted report.
    pub report: Arc<Report>,
    /// The URL that was scanned, as given.
    pub url: String,
    /// How it was scanned, without any credential: `scan_resume` scans again with a login.
    pub config: ScanConfig,
    /// When the scan finished.
    at: Instant,
}

impl Clone for Stored {
    fn clone(&self) -> Self {
        Stored {
            report: self.report.clone(),
            url: self.url.clone(),
            config: self.config.clone(),
            at: self.at,
        }
    }
}

/// The remembered scans, newest last.
#[derive(Default)]
pub struct Store {
    scans: Mutex<VecDeque<(String, Stored)>>,
}

impl Store {
    /// Remembers a report and returns its new `scan_id`.
    pub fn insert(&self, url: &str, config: &ScanConfig, report: Arc<Report>) -> String {
        let mut config = config.clone();
        config.bearer_token = None;
        config.login = None;
        let id = new_id();
        let mut scans = self.scans.lock().unwrap_or_else(PoisonError::into_inner);
        forget_expired(&mut scans, Instant::now());
        while scans.len() >= MAX_SCANS {
            scans.pop_front();
        }
        scans.push_back((
            id.clone(),
            Stored {
                report,
                url: url.to_string(),
                config,
                at: Instant::now(),
            },
        ));
        id
    }

    /// The scan with this id, unless it is unknown or too old.
    pub fn get(&self, id: &str) -> Option<Stored> {
        let mut scans = self.scans.lock().unwrap_or_else(PoisonError::into_inner);
        forget_expired(&mut scans, Instant::now());
        scans
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, s)| s.clone())
    }

    /// How many scans are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.scans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

fn forget_expired(scans: &mut VecDeque<(String, Stored)>, now: Instant) {
    while scans
        .front()
        .is_some_and(|(_, s)| now.duration_since(s.at) > MAX_AGE)
    {
        scans.pop_front();
    }
}

/// 128 random bits in hex: not guessable, so one caller cannot read another's scans
/// on a shared HTTP server by counting.
fn new_id() -> String {
    format!("scan-{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests;
