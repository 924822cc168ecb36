use super::*;
use crate::test_support::{sample_report, TARGET};

#[test]
fn has_summary_primary_tables_and_folded_exchanges() {
    let report = sample_report();
    let md = render_markdown(&report);
    assert!(md.starts_with(&format!(
        "## authprobe: protected-broken · AUTH_REQUIRED_BUT_NOT_ADVERTISED on `{TARGET}`\n"
    )));
    assert!(md.contains("**protected-broken** · 1 high, 0 medium, 1 low, 0 info (+1 consequence)"));
    assert!(md.contains("### Primary finding\n\n**HIGH** [`AUTH_REQUIRED_BUT_NOT_ADVERTISED`](#auth_required_but_not_advertised)"));
    assert!(md.contains("#### AUTH_REQUIRED_BUT_NOT_ADVERTISED\n"));
    assert!(md.contains("- **More:** `authprobe explain PRM_HTTP_STATUS_NOT_200`"));
    assert!(!md.contains("github.com"));
    assert!(md.contains("- **Fix:** Answer unauthenticated requests with 401"));
    assert!(
        md.contains("[RFC 9110 §15.5.2](https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2)")
    );
    assert!(md.contains(
        "| 1 | Challenge: unauthenticated initialize | FAIL | 401 without WWW-Authenticate |"
    ));
    assert!(md.contains("| medium | [`PRM_HTTP_STATUS_NOT_200`]"));
    assert!(md.contains("(consequence of `AUTH_REQUIRED_BUT_NOT_ADVERTISED`)"));
    let details = md.find("<details>").unwrap();
    assert!(md[details..].contains("```http\n# #1 · stage 1 Challenge"));
    assert!(md[details..].contains(&format!("```sh\ncurl -sS -i {TARGET}")));
    assert!(md.ends_with("</details>\n"));
}

#[test]
fn network_text_cannot_inject_markup() {
    let mut report = sample_report();
    report.findings[0].evidence =
        "saw <img src=http://evil.example/x> and | pipes and ```` fences\nnew line".into();
    report.exchanges[0].response.as_mut().unwrap().body =
        "```\n## forged heading\n````".to_string();
    let md = render_markdown(&report);
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;img src=http://evil.example/x&gt; and \\| pipes"));
    // The body sits inside a fence longer than its own backtick runs.
    assert!(md.contains("`````http\n"), "{md}");
    assert!(!md.contains("\n## forged heading\n`````"));
}
