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
