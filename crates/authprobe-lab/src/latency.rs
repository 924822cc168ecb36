//! Injected latency: a delay before every response, fixed or drawn at random from
//! a range, so that a lab on loopback behaves like a server far away (benchmarks,
//! and scans whose wall time should follow the round-trip time).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How long the lab waits before answering each request.
///
/// Parses from `100ms`, `1.5s`, `250us`, `0` (no delay) or a range `50ms..150ms`
/// (each response waits a uniformly random time in it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latency {
    min: Duration,
    max: Duration,
}

/// Why a latency could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a latency; write it like 100ms, 1.5s or 50ms..150ms")]
pub struct LatencyError(String);

impl Latency {
    /// No delay.
    pub const NONE: Latency = Latency {
        min: Duration::ZERO,
        max: Duration::ZERO,
    };

    /// The same delay before every response.
    pub fn fixed(delay: Duration) -> Latency {
        Latency {
            min: delay,
            max: delay,
        }
    }

    /// A delay drawn uniformly from `a..=b` for each response (in either order).
    pub fn between(a: Duration, b: Duration) -> Latency {
        Latency {
            min: a.min(b),
            max: a.max(b),
        }
    }

    /// The shortest delay.
    pub fn min(&self) -> Duration {
        self.min
    }

    /// The longest delay.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// True when responses are not delayed.
    pub fn is_none(&self) -> bool {
        self.max.is_zero()
    }

    /// The delay of one response.
    fn draw(&self) -> Duration {
        if self.min == self.max {
            self.min
        } else {
            let (low, high) = (nanos(self.min), nanos(self.max));
            Duration::from_nanos(rand::random_range(low..=high))
        }
    }

    /// Waits the delay of one response.
    pub(crate) async fn wait(&self) {
        if !self.is_none() {
            tokio::time::sleep(self.draw()).await;
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// One duration: a number and a unit (`us`, `ms`, `s`); a bare `0` is zero.
fn duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "us" | "µs" => value / 1_000_000.0,
        "ms" => value / 1000.0,
        "s" => value,
        _ => return None,
    };
    // An hour is far beyond any useful delay, and keeps the conversion finite.
    (seconds.is_finite() && (0.0..=3600.0).contains(&seconds))
        .then(|| Duration::from_secs_f64(seconds))
}

impl FromStr for Latency {
    type Err = LatencyError;

    fn from_str(text: &str) -> Result<Latency, LatencyError> {
        let invalid = || LatencyError(text.to_string());
        match text.split_once("..") {
            Some((a, b)) => Ok(Latency::between(
                duration(a).ok_or_else(invalid)?,
                duration(b).ok_or_else(invalid)?,
            )),
            None => duration(text).map(Latency::fixed).ok_or_else(invalid),
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |d: Duration| format!("{}ms", d.as_secs_f64() * 1000.0);
        if self.min == self.max {
            f.write_str(&show(self.min))
        } else {
            write!(f, "{}..{}", show(self.min), show(self.max))
        }
    }
}

#[cfg(test)]
mod tests;
