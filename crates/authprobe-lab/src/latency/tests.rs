use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn reads_fixed_delays_and_ranges() {
    assert_eq!("100ms".parse(), Ok(Latency::fixed(ms(100))));
    assert_eq!("1.5s".parse(), Ok(Latency::fixed(ms(1500))));
    assert_eq!(
        "250us".parse(),
        Ok(Latency::fixed(Duration::from_micros(250)))
    );
    assert_eq!("0".parse(), Ok(Latency::NONE));
    assert_eq!("150ms..50ms".parse(), Ok(Latency::between(ms(50), ms(150))));
    let range: Latency = "50ms..150ms".parse().unwrap();
    assert_eq!((range.min(), range.max()), (ms(50), ms(150)));
    assert_eq!(range.to_string(), "50ms..150ms");
    for bad in [
        "",
        "100",
        "fast",
        "10 minutes",
        "5h",
        "-3ms",
        "1ms..",
        "2e9s",
    ] {
        assert!(bad.parse::<Latency>().is_err(), "{bad}");
    }
}

#[test]
fn a_random_delay_stays_in_its_range() {
    let range = Latency::between(ms(50), ms(150));
    let draws: Vec<Duration> = (0..200).map(|_| range.draw()).collect();
    assert!(draws.iter().all(|d| (ms(50)..=ms(150)).contains(d)));
    assert!(draws.iter().any(|d| *d != draws[0]), "the delays vary");
    assert_eq!(Latency::fixed(ms(7)).draw(), ms(7));
    assert!(Latency::NONE.is_none() && !range.is_none());
}
