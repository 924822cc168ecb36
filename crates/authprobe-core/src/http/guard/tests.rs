use std::net::IpAddr;

use url::{Host, Url};

use super::*;

/// The class of the host of `url`, as the client would see it after parsing.
fn class_of_url(url: &str) -> AddressClass {
    let url = Url::parse(url).unwrap();
    match url.host().unwrap() {
        Host::Ipv4(v4) => classify_ip(IpAddr::V4(v4)),
        Host::Ipv6(v6) => classify_ip(IpAddr::V6(v6)),
        Host::Domain(name) => {
            assert!(is_localhost_name(name), "{name} is not a literal");
            AddressClass::Loopback
        }
    }
}

#[test]
fn classifies_the_table_of_forms() {
    use AddressClass::*;
    let table: &[(&str, AddressClass)] = &[
        // IPv4 spellings the URL parser canonicalises to 127.0.0.1.
        ("http://2130706433/", Loopback),
        ("http://0x7f.1/", Loopback),
        ("http://0177.0.0.1/", Loopback),
        ("http://127.1/", Loopback),
        ("http://0x7f000001/", Loopback),
        ("http://017700000001/", Loopback),
        ("http://127.0.0.1./", Loopback),
        ("http://127.255.255.254/", Loopback),
        // Special IPv4 ranges.
        ("http://169.254.169.254/latest/meta-data/", LinkLocal),
        ("http://0xa9fea9fe/", LinkLocal),
        ("http://100.64.0.1/", SharedCgnat),
        ("http://100.127.255.255/", SharedCgnat),
        ("http://198.18.0.1/", Benchmark),
        ("http://198.19.255.1/", Benchmark),
        ("http://224.0.0.1/", Multicast),
        ("http://0.0.0.0/", Unspecified),
        ("http://0/", Unspecified),
        ("http://0.1.2.3/", Reserved),
        ("http://255.255.255.255/", Broadcast),
        ("http://240.0.0.1/", Reserved),
        ("http://192.0.0.8/", Reserved),
        ("http://192.0.2.1/", Reserved),
        ("http://198.51.100.7/", Reserved),
        ("http://203.0.113.9/", Reserved),
        ("http://10.1.2.3/", Private),
        ("http://172.16.0.1/", Private),
        ("http://172.31.255.255/", Private),
        ("http://192.168.1.1/", Private),
        ("http://172.32.0.1/", Public),
        ("http://100.128.0.1/", Public),
        ("http://8.8.8.8/", Public),
        // IPv6.
        ("http://[::]/", Unspecified),
        ("http://[::1]/", Loopback),
        ("http://[::ffff:127.0.0.1]/", Loopback),
        ("http://[::ffff:7f00:1]/", Loopback),
        ("http://[::ffff:169.254.169.254]/", LinkLocal),
        ("http://[::ffff:0:a00:1]/", Private),
        ("http://[::127.0.0.1]/", Loopback),
        ("http://[::10.0.0.1]/", Private),
        ("http://[64:ff9b::a9fe:a9fe]/", LinkLocal),
        ("http://[64:ff9b::808:808]/", Public),
        ("http://[64:ff9b:1::1]/", Private),
        ("http://[2002:7f00:1::]/", Loopback),
        ("http://[2002:808:808::1]/", Public),
        ("http://[fe80::1]/", LinkLocal),
        ("http://[fd00::1]/", Private),
        ("http://[fc00::1]/", Private),
        ("http://[fec0::1]/", Reserved),
        ("http://[ff02::1]/", Multicast),
        ("http://[2001:db8::1]/", Reserved),
        ("http://[2001::1]/", Reserved),
        ("http://[2001:2::1]/", Benchmark),
        ("http://[100::1]/", Reserved),
        ("http://[4000::1]/", Reserved),
        ("http://[2606:4700::1111]/", Public),
        ("http://[2a00:1450:4001::200e]/", Public),
        // Names that are loopback before any lookup.
        ("http://localhost/", Loopback),
        ("http://foo.localhost/", Loopback),
        ("http://LOCALHOST:8080/", Loopback),
        ("http://localhost./", Loopback),
    ];
    assert!(table.len() >= 30);
    for (url, want) in table {
        assert_eq!(class_of_url(url), *want, "{url}");
    }
}

#[test]
fn localhost_names() {
    assert!(is_localhost_name("localhost"));
    assert!(is_localhost_name("LocalHost"));
    assert!(is_localhost_name("a.b.localhost"));
    assert!(is_localhost_name("localhost."));
    assert!(!is_localhost_name("localhost.example.com"));
    assert!(!is_localhost_name("notlocalhost"));
    assert!(!is_localhost_name(""));
}

fn policy(target: NetworkClass, allow_private: bool) -> Policy {
    Policy {
        allow_private,
        target,
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn loopback_target_allows_loopback_only() {
    let p = policy(NetworkClass::Loopback, false);
    assert!(p.check_ip("h", ip("127.0.0.1")).is_ok());
    assert!(p.check_ip("h", ip("::1")).is_ok());
    assert!(p.check_ip("h", ip("0.0.0.0")).is_ok());
    assert!(p.check_name("localhost").is_ok());
    assert!(p.check_ip("h", ip("10.0.0.1")).is_err());
    assert!(p.check_ip("h", ip("169.254.169.254")).is_err());
    assert!(p.check_ip("h", ip("8.8.8.8")).is_ok());
}

#[test]
fn public_target_refuses_every_special_class() {
    let p = policy(NetworkClass::Public, false);
    for s in [
        "127.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "10.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "198.18.0.1",
        "224.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "fd00::1",
        "fe80::1",
        "64:ff9b::a9fe:a9fe",
    ] {
        assert!(p.check_ip("h", ip(s)).is_err(), "{s}");
    }
    assert!(p.check_name("localhost").is_err());
    assert!(p.check_name("api.localhost").is_err());
    assert!(p.check_ip("h", ip("8.8.8.8")).is_ok());
    assert!(p.check_ip("h", ip("2606:4700::1111")).is_ok());
    assert!(p.check_name("example.com").is_ok());
}

#[test]
fn private_target_allows_private_but_not_loopback() {
    let p = policy(NetworkClass::Private, false);
    assert!(p.check_ip("h", ip("10.1.2.3")).is_ok());
    assert!(p.check_ip("h", ip("192.168.0.10")).is_ok());
    assert!(p.check_ip("h", ip("fd12::1")).is_ok());
    assert!(p.check_ip("h", ip("127.0.0.1")).is_err());
    assert!(p.check_ip("h", ip("0.0.0.0")).is_err());
    assert!(p.check_ip("h", ip("224.0.0.1")).is_err());
    assert!(p.check_name("localhost").is_err());
}

#[test]
fn allow_private_allows_everything() {
    for target in [
        NetworkClass::Public,
        NetworkClass::Private,
        NetworkClass::Loopback,
    ] {
        let p = policy(target, true);
        for s in [
            "127.0.0.1",
            "169.254.169.254",
            "10.0.0.1",
            "224.0.0.1",
            "::",
        ] {
            assert!(p.check_ip("h", ip(s)).is_ok(), "{s}");
        }
        assert!(p.check_name("localhost").is_ok());
    }
}

#[test]
fn any_refused_address_refuses_the_host() {
    let p = policy(NetworkClass::Public, false);
    let err = p
        .check_all("mixed.example", &[ip("8.8.8.8"), ip("169.254.169.254")])
        .unwrap_err();
    assert_eq!(err.class, AddressClass::LinkLocal);
    assert!(p
        .check_all("ok.example", &[ip("8.8.8.8"), ip("1.1.1.1")])
        .is_ok());
}

#[test]
fn refusal_message_names_host_address_class_and_remedy() {
    let p = policy(NetworkClass::Public, false);
    let msg = p
        .check_ip("metadata.example", ip("169.254.169.254"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("metadata.example"), "{msg}");
    assert!(msg.contains("169.254.169.254"), "{msg}");
    assert!(msg.contains("link-local"), "{msg}");
    assert!(msg.contains("--allow-private-issuers"), "{msg}");
}

#[test]
fn network_class_of_resolved_sets() {
    use NetworkClass::*;
    assert_eq!(
        NetworkClass::of_addresses([ip("127.0.0.1"), ip("::1")]),
        Loopback
    );
    assert_eq!(NetworkClass::of_addresses([ip("10.0.0.1")]), Private);
    assert_eq!(
        NetworkClass::of_addresses([ip("127.0.0.1"), ip("10.0.0.1")]),
        Private
    );
    assert_eq!(NetworkClass::of_addresses([ip("8.8.8.8")]), Public);
    assert_eq!(
        NetworkClass::of_addresses([ip("8.8.8.8"), ip("127.0.0.1")]),
        Public
    );
    assert_eq!(NetworkClass::of_addresses([]), Public);
}
