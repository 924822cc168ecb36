//! Speed and scale figures, printed in one run (`cargo bench -p authprobe --bench scale`):
//!
//! 1. one passive scan of the clean lab and of two defect labs, at 0 ms and 100 ms
//!    of latency injected before every response: requests sent, the scan's
//!    critical-path depth, wall time, and wall time ÷ (depth × latency);
//! 2. batch mode: the release binary scanning 1,000 virtual endpoints of one lab at
//!    0 ms and 100 ms, with the default caps (16 targets at once, 8 requests per
//!    host) and with both at 128, in targets per second, with its peak memory;
//! 3. `authprobe --version` start-up time and the size of the binary.
//!
//! Everything talks to 127.0.0.1 only. These are measurements, not assertions:
//! docs/performance.md and docs/scale.md record a run. `AUTHPROBE_BENCH_QUICK=1` runs
//! fewer rounds; `AUTHPROBE_BENCH_PART=batch` (or `single`, `startup`) runs one part.

#![allow(
    unsafe_code,
    reason = "wait4(2) reads the resource use of the scans it measures"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark harness, like a test"
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use authprobe_core::config::{parse_target, ScanConfig};
use authprobe_lab::{Defect, LabConfig, Latency, RunningLab};

const BIN: &str = env!("CARGO_BIN_EXE_authprobe");

fn main() {
    let quick = std::env::var_os("AUTHPROBE_BENCH_QUICK").is_some();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let part = std::env::var("AUTHPROBE_BENCH_PART").unwrap_or_default();
    let runs = |name: &str| part.is_empty() || part == name;
    println!("authprobe benchmarks ({})", machine());
    if runs("single") {
        runtime.block_on(single_scans(if quick { 1 } else { 5 }));
    }
    if runs("batch") {
        runtime.block_on(batches(if quick { 200 } else { 1000 }));
    }
    if runs("startup") {
        startup(if quick { 20 } else { 100 });
    }
}

/// CPU model and count, and memory, from /proc (Linux); "unknown" elsewhere.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown CPU");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse::<u64>().ok())
        .map_or("? GiB".into(), |kib| {
            format!("{:.0} GiB", kib as f64 / 1024.0 / 1024.0)
        });
    format!("{model}, {cores} cores, {memory}")
}

async fn start(config: LabConfig) -> RunningLab {
    authprobe_lab::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .expect("the lab starts on loopback")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Part 1: one scan at a time.
async fn single_scans(rounds: usize) {
    println!(
        "\n1. One passive scan (median of {rounds}; in-process engine, default --per-host 8)\n"
    );
    println!(
        "{:<22} {:>8} {:>9} {:>6} {:>10} {:>18}",
        "lab", "latency", "requests", "depth", "wall ms", "wall/(depth×lat)"
    );
    let labs: [(&str, Vec<Defect>); 3] = [
        ("clean", Vec::new()),
        ("no-auth", vec![defect("no-auth")]),
        ("redirect", vec![defect("redirect")]),
    ];
    for (name, defects) in labs {
        for latency_ms in [0u64, 100] {
            let latency = Latency::fixed(Duration::from_millis(latency_ms));
            let lab = start(LabConfig::with_defects(defects.clone()).with_latency(latency)).await;
            let config = ScanConfig::new(parse_target(&lab.mcp_url()).expect("lab URL"));
            let mut walls = Vec::new();
            let mut shape = (0, 0);
            for _ in 0..rounds {
                let started = Instant::now();
                let report = authprobe_core::scan::scan(&config).await.expect("scan");
                walls.push(started.elapsed().as_secs_f64() * 1000.0);
                shape = (report.exchanges.len(), report.critical_path);
            }
            let wall = median(walls);
            let ratio = if latency_ms == 0 {
                "-".to_string()
            } else {
                format!("{:.2}", wall / (shape.1 as f64 * latency_ms as f64))
            };
            println!(
                "{name:<22} {:>6}ms {:>9} {:>6} {wall:>10.1} {ratio:>18}",
                latency_ms, shape.0, shape.1
            );
            lab.shutdown().await;
        }
    }
}

fn defect(name: &str) -> Defect {
    Defect::from_name(name).expect("a lab defect")
}

/// Part 2: the release binary scanning many endpoints of one lab.
async fn batches(targets: usize) {
    println!("\n2. Batch: {targets} virtual endpoints of one lab, `authprobe scan --targets FILE --json -` (stdout to /dev/null)\n");
    println!(
        "{:>8} {:>12} {:>9} {:>10} {:>10} {:>12} {:>8}",
        "latency", "concurrency", "per-host", "wall s", "targets/s", "peak RSS MB", "exit"
    );
    let dir = std::env::temp_dir().join(format!("authprobe-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    for latency_ms in [0u64, 100] {
        let latency = Latency::fixed(Duration::from_millis(latency_ms));
        let lab = start(
            LabConfig::default()
                .with_latency(latency)
                .with_endpoints(targets),
        )
        .await;
        let list = dir.join(format!("targets-{latency_ms}.txt"));
        let mut file = std::fs::File::create(&list).expect("the targets file");
        for i in 0..targets {
            let url = lab.endpoint_url(i).expect("an endpoint");
            writeln!(file, "{url}").expect("write the targets file");
        }
        drop(file);
        // The defaults, then both caps raised: fast when told.
        for (concurrency, per_host) in [(16usize, 8usize), (128, 128)] {
            let (wall, peak_kib, code) = tokio::task::spawn_blocking({
                let list = list.clone();
                move || run_batch(&list, concurrency, per_host)
            })
            .await
            .expect("the batch ran");
            println!(
                "{:>6}ms {concurrency:>12} {per_host:>9} {wall:>10.2} {:>10.0} {:>12.1} {code:>8}",
                latency_ms,
                targets as f64 / wall,
                peak_kib as f64 / 1024.0
            );
        }
        lab.shutdown().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs one batch; returns its wall time in seconds, its peak RSS in KiB and its exit code.
fn run_batch(list: &Path, concurrency: usize, per_host: usize) -> (f64, u64, String) {
    let started = Instant::now();
    let child = Command::new(BIN)
        .args(["scan", "--targets"])
        .arg(list)
        .args(["--json", "-", "--concurrency", &concurrency.to_string()])
        .args(["--per-host", &per_host.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let (code, peak) = wait_with_peak(child);
    (started.elapsed().as_secs_f64(), peak, code)
}

/// Waits for the child and reads its own peak resident set (Linux `ru_maxrss`, KiB).
#[cfg(unix)]
fn wait_with_peak(child: std::process::Child) -> (String, u64) {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain system call on our own child; both out-parameters are valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let code = if waited == pid && libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status).to_string()
    } else {
        "?".into()
    };
    (code, u64::try_from(usage.ru_maxrss).unwrap_or(0))
}

#[cfg(not(unix))]
fn wait_with_peak(mut child: std::process::Child) -> (String, u64) {
    let code = child.wait().ok().and_then(|s| s.code());
    (code.map_or("?".into(), |c| c.to_string()), 0)
}

/// Part 3: start-up time and binary size.
fn startup(runs: usize) {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let status = Command::new(BIN)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .expect("the binary runs");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(status.success());
    }
    let mean = times.iter().sum::<f64>() / runs as f64;
    let size = std::fs::metadata(BIN).map_or(0, |m| m.len());
    println!("\n3. Start-up and size\n");
    println!(
        "`authprobe --version`: median {:.2} ms, mean {mean:.2} ms over {runs} runs",
        median(times)
    );
    println!(
        "binary {}: {:.2} MB ({size} bytes)",
        BIN,
        size as f64 / 1_000_000.0
    );
}
