//! `authprobe diff old.json new.json`: what changed between two reports.

use std::path::Path;

use authprobe_render::{diff_reports, render_diff};

use crate::exit::{Failure, EXIT_FINDINGS, EXIT_OK};
use crate::outputs::{read_report, write_stdout};

/// Prints the changes; exits 2 when something regressed, 0 otherwise.
pub fn run(old: &Path, new: &Path) -> Result<i32, Failure> {
    let old = read_report(old, "")?;
    let new = read_report(new, "")?;
    let diff = diff_reports(&old, &new);
    write_stdout(render_diff(&diff).as_bytes())?;
    Ok(if diff.regressed() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
