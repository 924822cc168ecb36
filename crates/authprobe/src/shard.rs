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
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_position_exactly_once() {
        for count in 1..=7 {
            let shards: Vec<Shard> = (1..=count)
                .map(|i| format!("{i}/{count}").parse().unwrap())
                .collect();
            for position in 1..=50 {
                let owners = shards.iter().filter(|s| s.takes(position)).count();
                assert_eq!(owners, 1, "position {position} of {count} shards");
            }
        }
        let second: Shard = "2/3".parse().unwrap();
        let taken: Vec<usize> = (1..=10).filter(|&p| second.takes(p)).collect();
        assert_eq!(taken, [2, 5, 8]);
        assert_eq!(second.to_string(), "2/3");
    }

    #[test]
    fn out_of_range_or_malformed_shards_are_refused() {
        for bad in [
            "0/3", "4/3", "1/0", "0/0", "3", "a/3", "1/b", "-1/3", "1/3/5", "",
        ] {
            let error = Shard::parse(bad).unwrap_err();
            assert!(error.contains("1 <= I <= N"), "{bad}: {error}");
            assert_eq!(error.lines().count(), 1);
        }
        assert_eq!(Shard::parse(" 3/3 ").unwrap().to_string(), "3/3");
    }
}
