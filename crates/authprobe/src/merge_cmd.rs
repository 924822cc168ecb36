//! `authprobe merge a.ndjson b.ndjson …`: the summary table and exit code of one batch,
//! from the streams its shards wrote (`scan --targets FILE --shard I/N --json -`).
//!
//! Each line is a report that says where its target stands in the whole list
//! (`"batch": {"index", "total"}`); the rows are put back in that order and judged
//! with the batch's own rules ([`batch::row_of`], [`batch::exit_code`]). A position no
//! file has a line for (a shard that did not run, or a target whose scan ended without
//! a report) is a target that could not be scanned, as it would be in one batch. Only
//! the rows are kept, so memory stays small whatever the size of the reports.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use authprobe_core::report::Severity;
use authprobe_render::read_batch_line;

use crate::batch::{self, exit_code};
use crate::batch_view::{self, Row};
use crate::cli::MergeArgs;
use crate::exit::Failure;
use crate::outputs;
use crate::scan_cmd;

/// The longest line read; a report is far smaller (bodies are capped at 1 MiB each,
/// but a scan has a few dozen exchanges at most).
const MAX_LINE: u64 = 256 * 1024 * 1024;

/// What the files gave so far: a row per position, and the length of the list.
#[derive(Default)]
struct Merged {
    rows: BTreeMap<usize, (Row, String)>,
    total: Option<(usize, String)>,
}

/// Reads every file, prints the table on stdout and returns the batch's exit code.
pub fn run(args: &MergeArgs) -> Result<i32, Failure> {
    let gate = scan_cmd::gate(args.fail_on);
    let mut merged = Merged::default();
    for path in &args.files {
        read_file(path, gate, &mut merged)?;
    }
    let Some((total, _)) = merged.total else {
        return Err(Failure::new(
            "no reports in the files given: merge the output of `authprobe scan --targets FILE --shard I/N --json -`",
        ));
    };
    let mut rows: Vec<Row> = Vec::with_capacity(total);
    let mut found = merged.rows.into_iter().peekable();
    for index in 1..=total {
        match found.next_if(|(at, _)| *at == index) {
            Some((_, (row, _))) => rows.push(row),
            None => rows.push(missing(index)),
        }
    }
    outputs::write_stdout(batch_view::summary_table(&rows, gate, None).as_bytes())?;
    Ok(exit_code(&rows))
}

/// The row of a position no file had a line for.
fn missing(index: usize) -> Row {
    Row {
        index,
        target: format!("(target #{index})"),
        outcome: None,
        primary: None,
        gated: 0,
        failure: Some(format!(
            "target #{index}: no report in the files given (its shard did not run or did not finish)"
        )),
    }
}

fn read_file(path: &Path, gate: Option<Severity>, merged: &mut Merged) -> Result<(), Failure> {
    let shown = path.display();
    let input: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?,
        )
    };
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        let read = reader
            .by_ref()
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
        if read == 0 {
            break;
        }
        let at = format!("{shown} line {number}");
        if read as u64 > MAX_LINE {
            return Err(Failure::new(format!(
                "{at} is longer than {} MiB; give the NDJSON `authprobe scan --json -` writes",
                MAX_LINE / 1024 / 1024
            )));
        }
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        add_line(&text, &at, gate, merged)?;
    }
    Ok(())
}

fn add_line(
    text: &str,
    at: &str,
    gate: Option<Severity>,
    merged: &mut Merged,
) -> Result<(), Failure> {
    let (report, position) = read_batch_line(text).map_err(|e| {
        Failure::new(format!(
            "{at} is {e}; give the lines `authprobe scan --targets FILE --json -` writes"
        ))
    })?;
    let Some(position) = position else {
        return Err(Failure::new(format!(
            "{at} is a report without its place in a batch (no \"batch\"); give the lines `authprobe scan --targets FILE --json -` writes"
        )));
    };
    match &merged.total {
        Some((total, first)) if *total != position.total => {
            return Err(Failure::new(format!(
                "{at} belongs to a batch of {} targets, {first} to one of {total}: merge the shards of one target list",
                position.total
            )));
        }
        Some(_) => {}
        None => merged.total = Some((position.total, at.to_string())),
    }
    if let Some((_, earlier)) = merged.rows.get(&position.index) {
        return Err(Failure::new(format!(
            "{at} repeats target #{} of {earlier}: give each shard's output once",
            position.index
        )));
    }
    let row = batch::row_of(position.index, &report, gate);
    merged.rows.insert(position.index, (row, at.to_string()));
    Ok(())
}
