//! The SSRF guard: which addresses a URL the target can steer may reach.
//!
//! Every host taken from a target's documents or headers, and every redirect hop,
//! is resolved once; each resolved address is classified here and the request is
//! refused if any of them is not allowed. The client then connects only to the
//! addresses that were checked, so a second lookup cannot swap them.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

/// What kind of network an IP address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// Globally routable.
    Public,
    /// 127.0.0.0/8 and ::1.
    Loopback,
    /// RFC 1918 ranges and IPv6 unique-local fc00::/7.
    Private,
    /// 169.254.0.0/16 and fe80::/10 (includes cloud metadata endpoints).
    LinkLocal,
    /// Carrier-grade NAT, 100.64.0.0/10.
    SharedCgnat,
    /// Benchmarking ranges, 198.18.0.0/15 and 2001:2::/48.
    Benchmark,
    /// Multicast, 224.0.0.0/4 and ff00::/8.
    Multicast,
    /// 0.0.0.0 and ::, which reach the local host when connected to.
    Unspecified,
    /// 255.255.255.255.
    Broadcast,
    /// Reserved, documentation, site-local and other special-purpose ranges.
    Reserved,
}

impl AddressClass {
    /// Human name used in messages, e.g. `link-local`.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressClass::Public => "public",
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local",
            AddressClass::SharedCgnat => "shared (CGNAT)",
            AddressClass::Benchmark => "benchmarking",
            AddressClass::Multicast => "multicast",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Broadcast => "broadcast",
            AddressClass::Reserved => "reserved",
        }
    }

    /// The network kind this class belongs to, for comparison with the target's.
    ///
    /// The unspecified address counts as loopback because connecting to it reaches
    /// the local host. Multicast and broadcast have no kind: no target makes them
    /// reasonable destinations, and neither does link-local.
    pub fn network(self) -> Option<NetworkClass> {
        match self {
            AddressClass::Public => Some(NetworkClass::Public),
            AddressClass::Loopback | AddressClass::Unspecified => Some(NetworkClass::Loopback),
            AddressClass::Private
            | AddressClass::SharedCgnat
            | AddressClass::Benchmark
            | AddressClass::Reserved => Some(NetworkClass::Private),
            // Link-local holds cloud metadata services (169.254.169.254): no target
            // makes them a reasonable destination for a document-derived URL.
            AddressClass::Multicast | AddressClass::Broadcast | AddressClass::LinkLocal => None,
        }
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of network the user's target lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkClass {
    /// Reachable over the public internet.
    Public,
    /// The local host.
    Loopback,
    /// Any other non-public network (private, link-local, CGNAT, …).
    Private,
}

impl NetworkClass {
    /// The kind of network a set of resolved addresses belongs to: loopback when
    /// all are loopback, private when any is otherwise non-public, else public.
    pub fn of_addresses(addrs: impl IntoIterator<Item = IpAddr>) -> NetworkClass {
        let mut all_loopback = true;
        let mut any_private = false;
        let mut any = false;
        for ip in addrs {
            any = true;
            match classify_ip(ip).network() {
                Some(NetworkClass::Loopback) => {}
                Some(NetworkClass::Private) => {
                    any_private = true;
                    all_loopback = false;
                }
                _ => all_loopback = false,
            }
        }
        if any && all_loopback {
            NetworkClass::Loopback
        } else if any_private {
            NetworkClass::Private
        } else {
            NetworkClass::Public
        }
    }

    fn describe(self) -> &'static str {
        match self {
            NetworkClass::Public => "a public address",
            NetworkClass::Loopback => "the loopback interface",
            NetworkClass::Private => "a private network",
        }
    }
}

/// True for `localhost` and any name under `.localhost` (RFC 6761), in any case,
/// with or without a trailing dot.
pub fn is_localhost_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let lower = host.to_ascii_lowercase();
    lower == "localhost" || lower.ends_with(".localhost")
}

/// Classifies an IP address. IPv6 forms that embed an IPv4 address (mapped,
/// compatible, NAT64, 6to4) are classified by the embedded address.
pub fn classify_ip(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

const fn v4net(a: u8, b: u8, c: u8, d: u8, len: u8) -> (Ipv4Addr, u8) {
    (Ipv4Addr::new(a, b, c, d), len)
}

/// IPv4 ranges std does not name, checked in order after the std predicates.
const V4_TABLE: [((Ipv4Addr, u8), AddressClass); 8] = [
    (v4net(0, 0, 0, 0, 8), AddressClass::Reserved),
    (v4net(100, 64, 0, 0, 10), AddressClass::SharedCgnat),
    (v4net(198, 18, 0, 0, 15), AddressClass::Benchmark),
    (v4net(192, 0, 0, 0, 24), AddressClass::Reserved),
    (v4net(192, 0, 2, 0, 24), AddressClass::Reserved),
    (v4net(198, 51, 100, 0, 24), AddressClass::Reserved),
    (v4net(203, 0, 113, 0, 24), AddressClass::Reserved),
    (v4net(240, 0, 0, 0, 4), AddressClass::Reserved),
];

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    if ip.is_unspecified() {
        return AddressClass::Unspecified;
    }
    if ip.is_broadcast() {
        return AddressClass::Broadcast;
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    if ip.is_private() {
        return AddressClass::Private;
    }
    if ip.is_link_local() {
        return AddressClass::LinkLocal;
    }
    if ip.is_multicast() {
        return AddressClass::Multicast;
    }
    for ((net, len), class) in V4_TABLE {
        if Ipv4Net::new(net, len).is_ok_and(|n| n.contains(&ip)) {
            return class;
        }
    }
    AddressClass::Public
}

fn in_v6(ip: &Ipv6Addr, net: &str) -> bool {
    net.parse::<Ipv6Net>().is_ok_and(|n| n.contains(ip))
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if ip.is_unspecified() {
        return AddressClass::Unspecified;
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    if let Some(v4) = embedded_v4(&ip) {
        return classify_v4(v4);
    }
    let table: [(&str, AddressClass); 9] = [
        ("64:ff9b:1::/48", AddressClass::Private),
        ("fc00::/7", AddressClass::Private),
        ("fe80::/10", AddressClass::LinkLocal),
        ("fec0::/10", AddressClass::Reserved),
        ("ff00::/8", AddressClass::Multicast),
        ("2001:db8::/32", AddressClass::Reserved),
        ("2001:2::/48", AddressClass::Benchmark),
        // Teredo hides the real peer behind an obfuscated IPv4 address.
        ("2001::/32", AddressClass::Reserved),
        ("100::/64", AddressClass::Reserved),
    ];
    for (net, class) in table {
        if in_v6(&ip, net) {
            return class;
        }
    }
    // Only 2000::/3 is allocated for global unicast; anything else is special.
    if in_v6(&ip, "2000::/3") {
        AddressClass::Public
    } else {
        AddressClass::Reserved
    }
}

/// The IPv4 address carried inside an IPv6 address, for the forms that route to it.
fn embedded_v4(ip: &Ipv6Addr) -> Option<Ipv4Addr> {
    let o = ip.octets();
    let last = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    let seg = ip.segments();
    // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (SIIT translated).
    if seg[..5] == [0; 5] && seg[5] == 0xffff
        || seg[..4] == [0; 4] && seg[4] == 0xffff && seg[5] == 0
    {
        return Some(last);
    }
    // ::a.b.c.d (deprecated IPv4-compatible); :: and ::1 are handled before.
    if seg[..6] == [0; 6] {
        return Some(last);
    }
    // 64:ff9b::/96, the well-known NAT64 prefix.
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(last);
    }
    // 2002:AABB:CCDD::/48, 6to4.
    if seg[0] == 0x2002 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

/// The guard's decision inputs: whether it is lifted and where the target lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// `--allow-private-issuers`: every address is allowed.
    pub allow_private: bool,
    /// The network of the user's target.
    pub target: NetworkClass,
}

/// A refusal by the guard, with everything its message needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refused to connect to {host} ({what} is {class}) because the target is on {}; \
     pass --allow-private-issuers to allow it",
    target.describe()
)]
pub struct Refusal {
    /// The host as written in the URL.
    pub host: String,
    /// The address refused, or `by name` for names such as `localhost`.
    pub what: String,
    /// The class of the refused address.
    pub class: AddressClass,
    /// The network of the user's target.
    pub target: NetworkClass,
}

impl Policy {
    /// True when an address of this class may be reached.
    pub fn allows(&self, class: AddressClass) -> bool {
        if self.allow_private {
            return true;
        }
        match class.network() {
            Some(NetworkClass::Public) => true,
            Some(kind) => kind == self.target,
            None => false,
        }
    }

    /// Checks a host name before any lookup: `localhost` names are loopback.
    pub fn check_name(&self, host: &str) -> Result<(), Refusal> {
        if is_localhost_name(host) && !self.allows(AddressClass::Loopback) {
            return Err(Refusal {
                host: host.to_string(),
                what: "the name".to_string(),
                class: AddressClass::Loopback,
                target: self.target,
            });
        }
        Ok(())
    }

    /// Checks one resolved (or literal) address of `host`.
    pub fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), Refusal> {
        let class = classify_ip(ip);
        if self.allows(class) {
            Ok(())
        } else {
            Err(Refusal {
                host: host.to_string(),
                what: ip.to_string(),
                class,
                target: self.target,
            })
        }
    }

    /// Checks every address; the first refused one refuses the request.
    pub fn check_all(&self, host: &str, ips: &[IpAddr]) -> Result<(), Refusal> {
        self.check_name(host)?;
        ips.iter().try_for_each(|ip| self.check_ip(host, *ip))
    }
}

#[cfg(test)]
mod tests;
