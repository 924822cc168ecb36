//! Exit codes and the one-line failures the binary prints.

use std::fmt;

/// No finding at or above `--fail-on`.
pub const EXIT_OK: i32 = 0;
/// Findings at or above `--fail-on`.
pub const EXIT_FINDINGS: i32 = 2;
/// The scan could not run: bad arguments, unreachable target, I/O error.
pub const EXIT_ERROR: i32 = 3;

/// A failure to run, printed as one line: what is wrong and what to do.
#[derive(Debug)]
pub struct Failure(String);

impl Failure {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Failure(message.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
