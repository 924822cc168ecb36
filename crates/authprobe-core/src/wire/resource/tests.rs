use url::Url;

use super::*;

fn cmp(requested: &str, resource: &str) -> ResourceMatch {
    compare_resource(&Url::parse(requested).unwrap(), resource)
}

fn reason(m: ResourceMatch) -> String {
    match m {
        ResourceMatch::Mismatch { reason } => reason,
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

const MCP: &str = "https://mcp.example.com/api/mcp";

#[test]
fn identical_is_exact() {
    assert_eq!(cmp(MCP, MCP), ResourceMatch::Exact);
}

#[test]
fn normalisation_makes_exact() {
    assert_eq!(
        cmp(MCP, "HTTPS://MCP.Example.COM:443/api/mcp"),
        ResourceMatch::Exact
    );
    assert_eq!(
        cmp(MCP, "https://mcp.example.com/api/./x/../mcp"),
        ResourceMatch::Exact
    );
    assert_eq!(
        cmp(MCP, "https://mcp.example.com/%61pi/mcp"),
        ResourceMatch::Exact
    );
    assert_eq!(
        cmp("https://h.example/a%2fb", "https://h.example/a%2Fb"),
        ResourceMatch::Exact
    );
}

#[test]
fn empty_path_equals_root() {
    assert_eq!(
        cmp("https://h.example", "https://h.example/"),
        ResourceMatch::Exact
    );
    assert_eq!(
        cmp("https://h.example/", "https://h.example"),
        ResourceMatch::Exact
    );
}

#[test]
fn fragment_is_ignored_by_the_comparison() {
    assert_eq!(
        cmp(MCP, "https://mcp.example.com/api/mcp#x"),
        ResourceMatch::Exact
    );
}

#[test]
fn trailing_slash_either_way() {
    assert_eq!(
        cmp(MCP, "https://mcp.example.com/api/mcp/"),
        ResourceMatch::TrailingSlashOnly
    );
    assert_eq!(
        cmp("https://mcp.example.com/api/mcp/", MCP),
        ResourceMatch::TrailingSlashOnly
    );
}

#[test]
fn parent_paths_on_segment_boundaries() {
    assert_eq!(
        cmp(MCP, "https://mcp.example.com/api"),
        ResourceMatch::ParentPath
    );
    assert_eq!(
        cmp(MCP, "https://mcp.example.com/api/"),
        ResourceMatch::ParentPath
    );
    assert_eq!(
        cmp(MCP, "https://mcp.example.com"),
        ResourceMatch::ParentPath
    );
    assert_eq!(
        cmp(MCP, "https://mcp.example.com/"),
        ResourceMatch::ParentPath
    );
}

#[test]
fn prefix_that_is_not_a_segment_is_a_mismatch() {
    let why = reason(cmp(MCP, "https://mcp.example.com/ap"));
    assert!(why.contains("unrelated"), "{why}");
}

#[test]
fn child_path_is_a_mismatch() {
    let why = reason(cmp(MCP, "https://mcp.example.com/api/mcp/v2"));
    assert!(why.contains("below"), "{why}");
}

#[test]
fn scheme_host_and_port_mismatches() {
    assert!(reason(cmp(MCP, "http://mcp.example.com/api/mcp")).starts_with("scheme differs"));
    assert!(reason(cmp(MCP, "https://other.example.com/api/mcp")).starts_with("host differs"));
    let why = reason(cmp(MCP, "https://mcp.example.com:8443/api/mcp"));
    assert_eq!(why, "port differs: requested 443, resource 8443");
    assert!(reason(cmp("http://localhost:3000/mcp", "http://localhost/mcp")).contains("port"));
}

#[test]
fn parent_on_another_origin_is_a_mismatch() {
    assert!(reason(cmp(MCP, "https://other.example.com/api")).starts_with("host"));
}

#[test]
fn query_must_match() {
    // The query as the only difference is told apart from a mismatch.
    assert_eq!(
        cmp("https://h.example/mcp?t=1", "https://h.example/mcp"),
        ResourceMatch::QueryOnly {
            query: "t=1".to_string()
        }
    );
    let why = reason(cmp("https://h.example/mcp", "https://h.example/mcp?t=1"));
    assert_eq!(why, "query differs: requested no query, resource ?t=1");
    let why = reason(cmp(
        "https://h.example/mcp?t=1",
        "https://h.example/mcp?t=2",
    ));
    assert_eq!(why, "query differs: requested ?t=1, resource ?t=2");
    assert_eq!(
        cmp("https://h.example/mcp?t=1", "https://h.example/mcp?t=1"),
        ResourceMatch::Exact
    );
    assert!(reason(cmp(
        "https://h.example/mcp?t=1",
        "https://h.example/mcp/?t=2"
    ))
    .contains("query"));
    assert!(reason(cmp("https://h.example/a/mcp", "https://h.example/a?t=1")).contains("query"));
}

#[test]
fn parent_without_query_covers_a_requested_query() {
    assert_eq!(
        cmp("https://h.example/a/mcp?t=1", "https://h.example/a"),
        ResourceMatch::ParentPath
    );
}

#[test]
fn relative_and_unparseable_values() {
    assert_eq!(cmp(MCP, "/api/mcp"), ResourceMatch::Relative);
    assert_eq!(cmp(MCP, "mcp.example.com/api/mcp"), ResourceMatch::Relative);
    assert!(matches!(
        cmp(MCP, "https://[::1"),
        ResourceMatch::Unparseable(_)
    ));
    assert!(matches!(
        cmp(MCP, "https://exa mple.com/"),
        ResourceMatch::Unparseable(_)
    ));
    assert!(matches!(cmp(MCP, ""), ResourceMatch::Unparseable(_)));
}

#[test]
fn canonical_uri_has_no_issues() {
    for raw in [
        "https://mcp.example.com/mcp",
        "https://mcp.example.com",
        "https://mcp.example.com:8443",
        "https://mcp.example.com/server/MCP",
        "http://localhost:80800/x",
    ] {
        assert_eq!(canonical_issues(raw), vec![], "{raw}");
    }
}

#[test]
fn uppercase_scheme_and_host() {
    assert_eq!(
        canonical_issues("HTTPS://MCP.example.com/mcp"),
        vec![
            CanonicalIssue::UppercaseScheme,
            CanonicalIssue::UppercaseHost
        ]
    );
    assert_eq!(
        canonical_issues("Https://mcp.example.com/MCP"),
        vec![CanonicalIssue::UppercaseScheme]
    );
    assert_eq!(
        canonical_issues("https://user:PW@Mcp.example.com/"),
        vec![CanonicalIssue::UppercaseHost]
    );
    assert_eq!(
        canonical_issues("https://[FE80::1]/"),
        vec![CanonicalIssue::UppercaseHost]
    );
}

#[test]
fn default_ports() {
    assert_eq!(
        canonical_issues("https://mcp.example.com:443/mcp"),
        vec![CanonicalIssue::DefaultPort]
    );
    assert_eq!(
        canonical_issues("http://mcp.example.com:80"),
        vec![CanonicalIssue::DefaultPort]
    );
    assert_eq!(
        canonical_issues("HTTP://[::1]:0080?x"),
        vec![CanonicalIssue::UppercaseScheme, CanonicalIssue::DefaultPort]
    );
    assert_eq!(canonical_issues("http://mcp.example.com:443"), vec![]);
    assert_eq!(canonical_issues("https://mcp.example.com:80"), vec![]);
}

#[test]
fn fragments_even_empty() {
    assert_eq!(
        canonical_issues("https://mcp.example.com#fragment"),
        vec![CanonicalIssue::Fragment]
    );
    assert_eq!(
        canonical_issues("https://mcp.example.com/mcp#"),
        vec![CanonicalIssue::Fragment]
    );
    assert_eq!(
        canonical_issues("HTTPS://Mcp.example.com:443/#x"),
        vec![
            CanonicalIssue::UppercaseScheme,
            CanonicalIssue::UppercaseHost,
            CanonicalIssue::DefaultPort,
            CanonicalIssue::Fragment
        ]
    );
}

#[test]
fn strings_without_scheme_or_authority() {
    assert_eq!(canonical_issues("mcp.example.com"), vec![]);
    assert_eq!(canonical_issues("/MCP#x"), vec![CanonicalIssue::Fragment]);
    assert_eq!(
        canonical_issues("URN:x:Y"),
        vec![CanonicalIssue::UppercaseScheme]
    );
    assert_eq!(canonical_issues(""), vec![]);
    assert_eq!(canonical_issues("https://"), vec![]);
    assert_eq!(canonical_issues("https://[::1:443"), vec![]);
}

#[test]
fn issues_read_as_sentences() {
    let text = CanonicalIssue::DefaultPort.to_string();
    assert!(text.contains("default port"), "{text}");
    assert!(CanonicalIssue::Fragment.to_string().contains("fragment"));
}

#[test]
fn loopback_hosts() {
    for raw in [
        "http://localhost:3000/mcp",
        "http://LOCALHOST/",
        "http://api.localhost/",
        "http://localhost./",
        "http://127.0.0.1/",
        "http://127.8.9.10:1/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
    ] {
        assert!(is_loopback_url(&Url::parse(raw).unwrap()), "{raw}");
    }
    for raw in [
        "http://example.com/",
        "http://localhost.example.com/",
        "http://mylocalhost/",
        "http://10.0.0.1/",
        "http://[::2]/",
        "http://0.0.0.0/",
        "file:///tmp/x",
    ] {
        assert!(!is_loopback_url(&Url::parse(raw).unwrap()), "{raw}");
    }
}

#[test]
fn absolute_https_or_loopback() {
    assert_eq!(
        is_absolute_https_or_loopback("https://as.example.com"),
        UrlRequirement::Ok
    );
    assert_eq!(
        is_absolute_https_or_loopback("HTTPS://as.example.com"),
        UrlRequirement::Ok
    );
    assert_eq!(
        is_absolute_https_or_loopback("http://127.0.0.1:9000/"),
        UrlRequirement::Ok
    );
    assert_eq!(
        is_absolute_https_or_loopback("http://localhost/"),
        UrlRequirement::Ok
    );
    assert_eq!(
        is_absolute_https_or_loopback("http://as.example.com"),
        UrlRequirement::NotHttps
    );
    assert_eq!(
        is_absolute_https_or_loopback("ftp://localhost/"),
        UrlRequirement::NotHttps
    );
    assert_eq!(
        is_absolute_https_or_loopback("/as"),
        UrlRequirement::NotAbsolute
    );
    assert_eq!(
        is_absolute_https_or_loopback("as.example.com"),
        UrlRequirement::NotAbsolute
    );
    assert!(matches!(
        is_absolute_https_or_loopback("https://exa mple.com"),
        UrlRequirement::Unparseable(_)
    ));
    assert!(matches!(
        is_absolute_https_or_loopback(" "),
        UrlRequirement::Unparseable(_)
    ));
}
