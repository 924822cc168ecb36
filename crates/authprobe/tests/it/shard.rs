//! Sharded batches: `--shard I/N` splits a target list by position with no
//! coordination, and `authprobe merge` joins the shards' NDJSON into the table and the
//! exit code one batch over the whole list gives.

use std::collections::BTreeMap;
use std::path::Path;

use authprobe_lab::{Defect, LabConfig};
use serde_json::Value;

use crate::support::{closed_port_url, lab_with, run_bin as run, text};

/// `scan --targets LIST --json -` with room for 1,000 targets on one host, and `extra`.
fn scan_args(list: &Path, extra: &[&str]) -> Vec<String> {
    let mut argv: Vec<String> = [
        "scan",
        "--targets",
        list.to_str().unwrap(),
        "--json",
        "-",
        "--concurrency",
        "64",
        "--per-host",
        "128",
        "--timeout",
        "5",
    ]
    .map(String::from)
    .to_vec();
    argv.extend(extra.iter().map(|s| s.to_string()));
    argv
}

/// The summary table of a batch's stderr (it closes with the counts line), without
/// the time the run took, which no two runs share.
fn table_of(stderr: &str) -> String {
    let mut table = Vec::new();
    for line in stderr.lines() {
        if line.contains(" targets: ") {
            table.push(line.split(" · ").next().unwrap().to_string());
            return table.join("\n");
        }
        if !table.is_empty() || (line.contains("TARGET") && line.ends_with("PRIMARY FINDING")) {
            table.push(line.to_string());
        }
    }
    panic!("no summary table in:\n{stderr}")
}

/// Each line's position in the batch and its target.
fn positions(stdout: &str) -> BTreeMap<u64, String> {
    let mut seen = BTreeMap::new();
    for line in stdout.lines() {
        let report: Value = serde_json::from_str(line).expect("one JSON report per line");
        assert_eq!(report["batch"]["total"], 1000, "{}", report["batch"]);
        let index = report["batch"]["index"].as_u64().unwrap();
        let target = report["target"].as_str().unwrap().to_string();
        assert!(seen.insert(index, target).is_none(), "#{index} twice");
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_shards_cover_a_thousand_targets_once_and_merge_into_the_same_table() {
    let many = lab_with(LabConfig::default().with_endpoints(1000)).await;
    let broken = lab_with(
        LabConfig::with_defects([Defect::from_name("auth-not-advertised").unwrap()])
            .with_endpoints(3),
    )
    .await;
    // 996 compliant endpoints, three with a high finding and one where nothing
    // listens, spread so that each shard gets some of the odd ones.
    let mut wanted: Vec<String> = (0..996).map(|i| many.endpoint_url(i).unwrap()).collect();
    for (at, i) in [(10, 0), (500, 1), (997, 2)] {
        wanted.insert(at, broken.endpoint_url(i).unwrap());
    }
    wanted.insert(41, closed_port_url());
    assert_eq!(wanted.len(), 1000);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("targets.txt");
    std::fs::write(&list, wanted.join("\n") + "\n").unwrap();

    let whole = run(scan_args(&list, &[])).await;
    let whole_err = text(&whole.stderr);
    // Findings at high win over the target that could not be scanned.
    assert_eq!(whole.status.code(), Some(2), "{whole_err}");
    let whole_table = table_of(&whole_err);
    assert!(
        whole_table
            .ends_with("1000 targets: 3 with findings at high or above, 1 could not be scanned"),
        "{whole_table}"
    );
    let by_position = positions(&text(&whole.stdout));
    let expected: BTreeMap<u64, String> = (1..).zip(wanted.iter().cloned()).collect();
    assert_eq!(by_position, expected);

    let mut files = Vec::new();
    let mut covered: BTreeMap<u64, String> = BTreeMap::new();
    for i in 1..=3u64 {
        let out = run(scan_args(&list, &["--shard", &format!("{i}/3")])).await;
        let stderr = text(&out.stderr);
        assert!(matches!(out.status.code(), Some(0 | 2 | 3)), "{stderr}");
        let stdout = text(&out.stdout);
        let lines = positions(&stdout);
        // Shard i of 3: the i-th target and every third after it, nothing else.
        assert!(lines.keys().all(|p| (p - 1) % 3 == i - 1), "shard {i}");
        assert_eq!(lines.len(), (1000 + 3 - i as usize) / 3, "shard {i}");
        // Its own table keeps the whole list's positions.
        assert!(table_of(&stderr)
            .lines()
            .nth(1)
            .unwrap()
            .trim_start()
            .starts_with(&i.to_string()));
        for (position, target) in lines {
            assert!(
                covered.insert(position, target).is_none(),
                "#{position} in two shards"
            );
        }
        let file = dir.path().join(format!("shard-{i}.ndjson"));
        std::fs::write(&file, stdout).unwrap();
        files.push(file.display().to_string());
    }
    // Together: every target exactly once, at its position.
    assert_eq!(covered, expected);

    let mut argv = vec!["merge".to_string()];
    argv.extend(files.iter().rev().cloned());
    let merged = run(argv).await;
    let merged_out = text(&merged.stdout);
    let merged_err = text(&merged.stderr);
    assert_eq!(merged.status.code(), whole.status.code(), "{merged_err}");
    assert_eq!(
        merged_out.trim_end(),
        whole_table,
        "the merged table differs"
    );
    // The target that could not be scanned is named the same way.
    let named = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .skip_while(|l| !l.contains("could not be scanned:"))
            .map(String::from)
            .collect()
    };
    assert_eq!(named(&merged_err), named(&whole_err));
    assert!(
        merged_err.contains("warning: 1 of 1000 targets could not be scanned:"),
        "{merged_err}"
    );
    many.shutdown().await;
    broken.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn merge_names_missing_shards_and_refuses_what_it_cannot_read() {
    let lab = lab_with(LabConfig::default().with_endpoints(5)).await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("targets.txt");
    let urls: Vec<String> = (0..5).map(|i| lab.endpoint_url(i).unwrap()).collect();
    std::fs::write(&list, urls.join("\n")).unwrap();
    let list = list.display().to_string();
    let shard = |i: usize| {
        let list = list.clone();
        async move {
            let out = run([
                "scan",
                "--targets",
                &list,
                "--json",
                "-",
                "--shard",
                &format!("{i}/2"),
            ]
            .map(String::from)
            .to_vec())
            .await;
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            out.stdout
        }
    };
    let first = dir.path().join("1.ndjson");
    std::fs::write(&first, shard(1).await).unwrap();
    let first = first.display().to_string();

    // Shard 2 of 2 never ran: its targets are named as not scanned, and the exit is 3.
    let out = run(vec!["merge".into(), first.clone()]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        stdout.contains("5 targets: 0 with findings at high or above, 2 could not be scanned"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("target #2: no report in the files given"));

    // A shard with nothing to do (more shards than targets) succeeds with no lines.
    let out = run(
        ["scan", "--targets", &list, "--json", "-", "--shard", "7/7"]
            .map(String::from)
            .to_vec(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());

    let garbage = dir.path().join("garbage.ndjson");
    std::fs::write(
        &garbage,
        "{\"schema_version\": 1, \"batch\": {\"index\": 1, \"total\": 5}}\n",
    )
    .unwrap();
    let not_json = dir.path().join("not-json.ndjson");
    std::fs::write(&not_json, "\n\nhello\n").unwrap();
    let single = dir.path().join("single.json");
    let one = run(vec![
        "scan".into(),
        urls[0].clone(),
        "--json".into(),
        single.display().to_string(),
        "-q".into(),
    ])
    .await;
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    // A single scan's report, on one line as in a stream, but from no batch.
    let compact: Value = serde_json::from_str(&std::fs::read_to_string(&single).unwrap()).unwrap();
    std::fs::write(&single, compact.to_string() + "\n").unwrap();
    let cases: [(Vec<String>, String); 6] = [
        (
            vec![first.clone(), garbage.display().to_string()],
            format!("{} line 1 is not an authprobe report", garbage.display()),
        ),
        (
            vec![not_json.display().to_string()],
            format!("{} line 3 is not JSON", not_json.display()),
        ),
        (
            vec![first.clone(), first.clone()],
            "repeats target #".into(),
        ),
        (
            vec![single.display().to_string()],
            "without its place in a batch".into(),
        ),
        (
            vec!["/nonexistent/shard.ndjson".into()],
            "cannot read /nonexistent/shard.ndjson".into(),
        ),
        (vec![], "required".into()),
    ];
    for (files, wanted) in cases {
        let mut argv = vec!["merge".to_string()];
        argv.extend(files.clone());
        let out = run(argv).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{files:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(&wanted), "{files:?}: {stderr}");
    }

    // A shard out of range, or a shard of one target, is refused in one line.
    for (argv, wanted) in [
        (
            vec!["scan", "--targets", &list, "--shard", "4/3"],
            "1 <= I <= N",
        ),
        (
            vec!["scan", "--targets", &list, "--shard", "0/3"],
            "1 <= I <= N",
        ),
        (
            vec!["scan", "--targets", &list, "--shard", "x"],
            "1 <= I <= N",
        ),
        (
            vec!["scan", &urls[0], "--shard", "1/2"],
            "--shard 1/2 splits a batch",
        ),
        (
            vec!["scan", &urls[0], "--per-host", "0"],
            "--per-host 0 is out of range",
        ),
    ] {
        let out = run(argv.iter().map(|s| s.to_string()).collect()).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{argv:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(wanted), "{argv:?}: {stderr}");
    }
    lab.shutdown().await;
}
