use super::*;

#[test]
fn loopback_names_carry_the_port_and_a_specific_address_is_added() {
    let local: SocketAddr = "127.0.0.1:8765".parse().unwrap();
    assert_eq!(
        allowed_hosts(local, &[]),
        ["localhost:8765", "127.0.0.1:8765", "[::1]:8765"]
    );
    let lan: SocketAddr = "192.0.2.7:9000".parse().unwrap();
    assert!(allowed_hosts(lan, &["mcp.example".into()])
        .ends_with(&["192.0.2.7:9000".to_string(), "mcp.example".to_string()]));
    assert_eq!(
        allowed_origins(local, &[])[0],
        "http://localhost:8765".to_string()
    );
}
