//! `--shard I/N`: one of N slices of a batch's target list, chosen by position, so
//! that N machines (a CI matrix, Kubernetes Indexed Jobs) split a batch without
//! talking to each other. Shard I takes the targets at positions I, I+N, I+2N, … (from
//! 1); together the N shards cover every target exactly once.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (both from 1, `index <= count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// Parses `I/N` as the command line gives it; the error is one line.
    pub fn parse(text: &str) -> Result<Shard, String> {
        text.parse()
    }

    /// True when the target at `position` (from 1) of the whole list is this shard's.
    pub fn takes(&self, position: usize) -> bool {
        position >= 1 && (position - 1) % self.count == self.index - 1
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let wrong = || {
            format!("`{text}` is not I/N with 1 <= I <= N, e.g. --shard 2/3 for the second of three shards")
        };
        let (index, count) = text.trim().split_once('/').ok_or_else(wrong)?;
        let index: usize = index.trim().parse().map_err(|_| wrong())?;
        let count: usize = count.trim().parse().map_err(|_| wrong())?;
        if index == 0 || index > count {
            return Err(wrong());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests;
