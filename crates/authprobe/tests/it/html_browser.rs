//! The HTML report in a real browser: headless Chromium (Debian's `chromium`, which
//! `scripts/test` installs) loads it without a console message, and the primary finding
//! is rendered visibly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use authprobe_render::render_html;

use crate::outputs::lab_report;

const CHROMIUM: &str = "/usr/bin/chromium";
/// Only stops a browser that hangs; a page loads in well under a second.
const BROWSER_GUARD: Duration = Duration::from_secs(90);

/// Runs headless Chromium on a local file and returns what it printed: the DOM after
/// load on stdout, its log (console messages included) on stderr.
fn chromium_dump(page: &Path) -> Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run ./scripts/test, which installs Debian's chromium package"
    );
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > BROWSER_GUARD {
            let _ = child.kill();
            panic!("chromium did not finish loading {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// The console messages Chromium logged (`…:INFO:CONSOLE:…` and its other levels).
fn console_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

fn write_page(dir: &Path, name: &str, html: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, html).unwrap();
    path
}

/// The report page with a small script appended that records, in the DOM, whether the
/// primary finding is rendered visibly. The report itself has no script and forbids
/// scripts, so the copy's policy allows this one inline script, nothing else.
fn instrumented(html: &str, code: &str) -> String {
    let policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
    assert!(html.contains(policy), "the report's policy changed");
    let probe = format!(
        r#"<script>
const el = document.getElementById("primary-finding");
const box = el ? el.getBoundingClientRect() : null;
const style = el ? getComputedStyle(el) : null;
const shown = !!el && box.width > 0 && box.height > 0 && style.display !== "none"
  && style.visibility !== "hidden" && el.innerText.includes("{code}");
document.body.setAttribute("data-primary-visible", String(shown));
</script></body>"#
    );
    html.replace(policy, &format!("{policy}; script-src 'unsafe-inline'"))
        .replace("</body>", &probe)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn html_report_loads_cleanly_and_shows_the_primary_finding() {
    let report = lab_report("auth-not-advertised").await;
    let code = report
        .primary_finding
        .expect("a primary finding")
        .to_string();
    let html = render_html(&report);
    let dir = tempfile::tempdir().unwrap();

    // The detector works: a page under the report's policy that tries to fetch an
    // image gets a console message, and so would the report if it fetched anything.
    let control = write_page(
        dir.path(),
        "control.html",
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" \
             content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>c</title></head>\
             <body><img src=\"http://127.0.0.1:9/x.png\" alt=\"\"></body></html>",
    );
    let out = chromium_dump(&control);
    assert!(
        !console_lines(&out).is_empty(),
        "the control page logged nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let page = write_page(dir.path(), "report.html", &html);
    let out = chromium_dump(&page);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(console_lines(&out), Vec::<String>::new());
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("id=\"primary-finding\""), "{dom}");
    assert!(dom.contains(&code));
    // The root-cause analysis is on the page, with the corrected challenge.
    assert!(dom.contains("id=\"root-cause\""), "{dom}");
    assert!(
        dom.contains("WWW-Authenticate: Bearer resource_metadata="),
        "{dom}"
    );

    let probe = write_page(dir.path(), "probe.html", &instrumented(&html, &code));
    let out = chromium_dump(&probe);
    assert_eq!(console_lines(&out), Vec::<String>::new());
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("data-primary-visible=\"true\""),
        "the primary finding is not visible: {}",
        dom.lines().find(|l| l.contains("<body")).unwrap_or("")
    );
}

#[test]
fn the_visibility_probe_can_fail() {
    // Hidden by style: the probe must say so, or the check above proves nothing.
    let html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" \
        content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>t</title></head>\
        <body><section id=\"primary-finding\" style=\"display:none\">CODE_X</section></body></html>";
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), "hidden.html", &instrumented(html, "CODE_X"));
    let dom = String::from_utf8_lossy(&chromium_dump(&page).stdout).into_owned();
    assert!(dom.contains("data-primary-visible=\"false\""), "{dom}");
}
