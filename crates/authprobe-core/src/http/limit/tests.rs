use futures_util::FutureExt;

use super::*;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[tokio::test]
async fn a_host_gets_at_most_its_cap_and_other_hosts_are_apart() {
    let limits = HostLimits::new(2);
    let a1 = limits.acquire(&url("http://a.example/x")).await;
    let _a2 = limits.acquire(&url("http://a.example:80/y")).await;
    // The same host and port: no third slot until one is freed.
    let third = limits.acquire(&url("http://a.example/z"));
    tokio::pin!(third);
    assert!(third.as_mut().now_or_never().is_none());
    // Another port is another host.
    let _b = limits.acquire(&url("http://a.example:8080/")).await;
    drop(a1);
    let _a3 = third.await;
    assert_eq!(HostLimits::new(0).per_host(), 1);
}

#[tokio::test]
async fn idle_hosts_are_forgotten_past_the_table_size() {
    let limits = HostLimits::new(1);
    let busy = limits.acquire(&url("http://busy.example/")).await;
    for i in 0..HOSTS_KEPT + 10 {
        drop(limits.acquire(&url(&format!("http://h{i}.example/"))).await);
    }
    assert!(limits.hosts() <= HOSTS_KEPT, "{}", limits.hosts());
    // The host with a request in flight kept its semaphore: still no second slot.
    let again = limits.acquire(&url("http://busy.example/"));
    tokio::pin!(again);
    assert!(again.as_mut().now_or_never().is_none());
    drop(busy);
    again.await;
}
