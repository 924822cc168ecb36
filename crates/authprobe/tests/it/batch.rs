//! Batch scans (`--targets`, several URLs) and the scheduler: every target gets a
//! row and its outputs whatever the others do, the exit code follows the worst
//! target, and a scan's trace is the same whatever order the answers arrive in.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use authprobe_core::http::HostLimits;
use authprobe_core::report::Report;
use authprobe_lab::{Defect, LabConfig, Latency};
use serde_json::Value;

use crate::support::{closed_port_url, codes, config, lab, lab_with, run_bin as run, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_endpoints_a_hanging_and_an_unreachable_target_all_get_a_row() {
    let many = lab_with(LabConfig::default().with_endpoints(50)).await;
    let hanging = lab(&[Defect::HangHeaders]).await;
    let unreachable = closed_port_url();
    let mut wanted: Vec<String> = (0..50).map(|i| many.endpoint_url(i).unwrap()).collect();
    wanted.push(hanging.mcp_url());
    wanted.push(unreachable.clone());
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("targets.txt");
    let mut file = String::from("# the lab's virtual endpoints\n\n");
    for url in &wanted {
        file.push_str(&format!("{url}   # one target\n"));
    }
    std::fs::write(&list, file).unwrap();

    let out = run(vec![
        "scan".into(),
        "--targets".into(),
        list.display().to_string(),
        "--json".into(),
        "-".into(),
        "--timeout".into(),
        "1".into(),
        "--deadline".into(),
        "4".into(),
    ])
    .await;
    let stderr = text(&out.stderr);
    // No finding at or above high anywhere, and two targets taught nothing: 3.
    assert_eq!(out.status.code(), Some(3), "{stderr}");

    // One compact JSON report per line, one line per target.
    let stdout = text(&out.stdout);
    let reports: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON report"))
        .collect();
    assert_eq!(reports.len(), wanted.len(), "{stdout}");
    let targets: BTreeSet<&str> = reports
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, wanted.iter().map(String::as_str).collect());
    for report in &reports {
        let expected = match report["target"].as_str().unwrap() {
            t if t == hanging.mcp_url() => "timeout",
            t if t == unreachable => "unreachable",
            _ => "protected-ok",
        };
        assert_eq!(report["outcome"], expected, "{}", report["target"]);
        assert_eq!(report["schema_version"], 1);
    }

    // The table (on stderr, as stdout carries the reports) has a row for each
    // target, and the targets that could not be scanned are named.
    for url in &wanted {
        assert!(
            stderr.lines().any(|l| l.contains(&format!(" {url} "))),
            "no row for {url}:\n{stderr}"
        );
    }
    assert!(stderr.contains("52 targets: 0 with findings at high or above, 2 could not be scanned"));
    assert!(stderr.contains("error: 2 of 52 targets could not be scanned:"));
    assert!(stderr.contains(&format!("cannot reach {unreachable}")));
    // Not a terminal: no progress line.
    assert!(!stderr.contains('\r'), "{stderr}");
    hanging.shutdown().await;
    many.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn findings_anywhere_exit_2_and_each_target_gets_its_directory() {
    let broken = lab_with(
        LabConfig::with_defects([Defect::from_name("auth-not-advertised").unwrap()])
            .with_endpoints(2),
    )
    .await;
    let clean = lab(&[]).await;
    let unreachable = closed_port_url();
    let urls = [
        clean.mcp_url(),
        broken.endpoint_url(1).unwrap(),
        unreachable.clone(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let mut argv: Vec<String> = vec!["scan".into()];
    argv.extend(urls.iter().cloned());
    argv.extend(
        [
            "--output-dir",
            out_dir.to_str().unwrap(),
            "--json",
            "report.json",
            "--timeout",
            "2",
        ]
        .map(String::from),
    );
    let out = run(argv).await;
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    // A finding at or above high wins over the target that could not be scanned.
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("HIGH AUTH_REQUIRED_BUT_NOT_ADVERTISED"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: 1 of 3 targets could not be scanned:"),
        "{stderr}"
    );

    // Each target's report in a directory named after its position and its URL;
    // only the format asked for.
    let port = |url: &str| url::Url::parse(url).unwrap().port().unwrap();
    let expected = [
        format!("001-127.0.0.1-{}-mcp", port(&urls[0])),
        format!("002-127.0.0.1-{}-t-1-mcp", port(&urls[1])),
        format!("003-127.0.0.1-{}-mcp", port(&urls[2])),
    ];
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, expected);
    for (name, url) in expected.iter().zip(&urls) {
        let target_dir = out_dir.join(name);
        let files: Vec<String> = std::fs::read_dir(&target_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files, ["report.json"]);
        let report = read_json(&target_dir.join("report.json"));
        assert_eq!(report["target"], url.as_str());
    }
    broken.shutdown().await;
    clean.shutdown().await;
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batch_arguments_that_cannot_work_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("targets.txt");
    std::fs::write(&list, "http://127.0.0.1:1/mcp\nnot a url\n").unwrap();
    let list = list.display().to_string();
    let scan = |extra: &[&str]| {
        let mut argv = vec!["scan".to_string()];
        argv.extend(extra.iter().map(|s| s.to_string()));
        argv
    };
    let two = ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"];
    let cases: [(Vec<String>, &str); 7] = [
        (scan(&["--targets", &list]), "line 2"),
        (
            scan(&["--targets", "/nonexistent/targets.txt"]),
            "cannot read --targets",
        ),
        (
            scan(&[two[0], two[1], "--md", "-"]),
            "--md - cannot carry many reports",
        ),
        (
            scan(&[two[0], two[1], "--sarif", "x.sarif"]),
            "needs --output-dir",
        ),
        (
            scan(&[two[0], two[1], "--baseline", "old.json"]),
            "applies to one target",
        ),
        (scan(&[two[0], "--concurrency", "0"]), "--concurrency 0"),
        (
            vec!["lab".into(), "--latency".into(), "fast".into()],
            "--latency `fast` is not a latency",
        ),
    ];
    for (argv, wanted) in cases {
        let out = run(argv.clone()).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{argv:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(wanted), "{argv:?}: {stderr}");
    }
}

/// The trace as a list of what was asked, without what varies between runs.
fn shape(report: &Report) -> Vec<(String, String, String)> {
    report
        .exchanges
        .iter()
        .map(|e| {
            let url = url::Url::parse(&e.request.url).unwrap();
            (
                e.request.method.clone(),
                url.path().to_string(),
                e.purpose.clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_trace_is_the_same_whatever_order_answers_arrive_in() {
    // Random delays shuffle the order the answers come back in; a cap of one request
    // at a time makes the scan strictly sequential. The trace must not notice.
    let lab = lab_with(
        LabConfig::default()
            .with_latency(Latency::between(Duration::ZERO, Duration::from_millis(15))),
    )
    .await;
    let token = lab.issue_token();
    let mut shapes = Vec::new();
    let mut depths = BTreeSet::new();
    for per_host in [16, 1, 16, 4] {
        let mut cfg = config(&lab.mcp_url(), Duration::from_secs(5));
        cfg.limits = HostLimits::new(per_host);
        // With a token, stage 2 and stages 4 to 6 run side by side.
        cfg.bearer_token = Some(token.clone());
        let report = authprobe_core::scan::scan(&cfg).await.unwrap();
        assert_eq!(
            report.outcome.as_str(),
            "protected-ok",
            "{:?}",
            codes(&report)
        );
        let ids: Vec<u32> = report.exchanges.iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=ids.len() as u32).collect::<Vec<_>>());
        shapes.push(shape(&report));
        depths.insert(report.critical_path);
    }
    assert!(shapes.windows(2).all(|w| w[0] == w[1]), "{shapes:#?}");
    assert_eq!(
        depths.len(),
        1,
        "the depth follows the graph, not the timing"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_critical_path_counts_round_trips_that_wait_for_each_other() {
    // Clean: (initialize ‖ well-known PRM) → AS metadata → (JWK Set ‖ token).
    let clean = lab(&[]).await;
    let report = crate::support::scan(&clean.mcp_url()).await;
    assert_eq!(report.critical_path, 3);
    assert!(report.exchanges.len() > 3);
    // Nothing advertised: stage 1 and the well-known URLs, all at once, then the
    // origin's authorization server metadata that 2025-03-26 clients fall back to.
    let bare = lab(&[Defect::from_name("auth-not-advertised").unwrap()]).await;
    assert_eq!(crate::support::scan(&bare.mcp_url()).await.critical_path, 2);
    // The target redirects once: initialize takes two round trips, and the metadata
    // its challenge names is not among the well-known URLs already fetched, so one
    // more before the authorization server's metadata and the token endpoint.
    let moved = lab(&[Defect::from_name("redirect").unwrap()]).await;
    let report = crate::support::scan(&moved.mcp_url()).await;
    assert_eq!(report.critical_path, 5, "{:?}", shape(&report));
    clean.shutdown().await;
    bare.shutdown().await;
    moved.shutdown().await;
}
