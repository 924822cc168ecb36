use super::*;
use crate::test_support::{sample_report, TARGET};

/// Every URL the page would load by itself (not links the reader may follow).
fn fetched_urls(html: &str) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for attribute in [
        "src=\"",
        "srcset=\"",
        "@import",
        "url(http",
        "<link rel=\"stylesheet",
    ] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            urls.push(rest[at..].chars().take(80).collect());
            rest = &rest[at + attribute.len()..];
        }
    }
    urls.retain(|u| !u.contains("data:"));
    urls
}

#[test]
fn self_contained_without_scripts() {
    let html = render_html(&sample_report());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert_eq!(fetched_urls(&html), Vec::<String>::new());
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn shows_outcome_funnel_primary_findings_trace_and_exchanges() {
    let report = sample_report();
    let html = render_html(&report);
    assert!(html.contains("<strong>Outcome: protected-broken</strong>"));
    let primary = html.find("id=\"primary-finding\"").expect("primary block");
    let block = &html[primary..html[primary..].find("</section>").unwrap() + primary];
    assert!(block.contains("<code>AUTH_REQUIRED_BUT_NOT_ADVERTISED</code>"));
    assert!(block.contains("authprobe explain AUTH_REQUIRED_BUT_NOT_ADVERTISED"));
    assert!(block.contains("<dt>Impact</dt><dd>blocks-discovery</dd>"));
    assert!(!html.contains("github.com"));
    assert!(block.contains("https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2"));
    assert!(html.contains("<span class=\"pill fail\">FAIL</span>"));
    assert!(html.contains("id=\"finding-PRM_HTTP_STATUS_NOT_200\""));
    assert!(html.contains("consequence of <code>AUTH_REQUIRED_BUT_NOT_ADVERTISED</code>"));
    // One request and one response arrow per exchange.
    assert_eq!(html.matches("class=\"arrow request\"").count(), 2);
    assert_eq!(html.matches("marker-end=\"url(#head)\"").count(), 4);
    assert!(html.contains("<text x=\"100\" y=\"76\">#1 POST /mcp · exchange 1</text>"));
    for exchange in &report.exchanges {
        assert!(html.contains(&format!("<details id=\"exchange-{}\">", exchange.id)));
    }
    assert!(html.contains(&format!("curl -sS -i {TARGET}")));
}

#[test]
fn text_from_the_network_is_escaped() {
    let mut report = sample_report();
    report.findings[0].evidence = "<script>alert(1)</script><img src=x onerror=alert(2)>".into();
    report.exchanges[0].purpose = "</text><script>x</script>".into();
    report.exchanges[1].response.as_mut().unwrap().body = "</pre><iframe src=//evil>".into();
    let html = render_html(&report);
    assert!(!html.contains("<script"), "unescaped markup");
    assert!(!html.contains("<img"));
    assert!(!html.contains("<iframe"));
    // The text is still there, as text.
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );
    assert_eq!(fetched_urls(&html), Vec::<String>::new());
}

#[test]
fn a_report_without_findings_or_exchanges_still_renders() {
    let mut report = sample_report();
    report.findings.clear();
    report.primary_finding = None;
    report.exchanges.clear();
    let html = render_html(&report);
    assert!(!html.contains("id=\"primary-finding\""));
    assert!(html.contains("No findings."));
    assert!(html.contains("Exchanges (0)"));
}
