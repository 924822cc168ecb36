//! Scans over real links (`cargo bench -p authprobe --bench links`): every connection
//! to the lab goes through a proxy on 127.0.0.1 that gives it a round-trip time and
//! speaks TLS with a generated certificate.
//!
//! The link: each byte arrives half a round trip after it was sent, in both
//! directions, and nothing the client sends arrives before one round trip after the
//! connection opened (the TCP handshake's cost; the kernel completes the loopback
//! handshake at once, so the proxy holds the client's first bytes instead). A TLS 1.3
//! connection and its first request therefore cost three round trips, as on a real
//! network, and the client's records show the TCP round trip inside the TLS phase.
//!
//! Printed: one passive scan of the clean lab (authorization server on the same
//! origin, then on an origin of its own) against its floor in round trips; a batch of
//! virtual endpoints through the link; and the same clean scan on plain loopback
//! (wall time, and CPU time per target in a batch). Figures, not assertions:
//! docs/performance.md records a run. `AUTHPROBE_BENCH_QUICK=1` runs fewer rounds.

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
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authprobe_core::config::{parse_target, ScanConfig};
use authprobe_lab::{LabConfig, RunningLab};
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

const BIN: &str = env!("CARGO_BIN_EXE_authprobe");

fn main() {
    let quick = std::env::var_os("AUTHPROBE_BENCH_QUICK").is_some();
    let rounds = if quick { 3 } else { 7 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let rtt = Duration::from_millis(100);
    println!(
        "authprobe over links ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    runtime.block_on(async {
        single_scans(rtt, rounds).await;
        batch_over_link(rtt, if quick { 50 } else { 200 }).await;
        loopback(rounds, if quick { 200 } else { 1000 }).await;
    });
}

/// A TLS acceptor with a freshly generated self-signed certificate for 127.0.0.1.
fn acceptor() -> TlsAcceptor {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    let certified = rcgen::generate_simple_self_signed(names).expect("a certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("the certificate is usable");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TlsAcceptor::from(Arc::new(config))
}

/// A link in front of `upstream`: round-trip time `rtt`, TLS terminated at its end.
struct Link {
    listener: TcpListener,
}

impl Link {
    async fn bind() -> Link {
        Link {
            listener: TcpListener::bind("127.0.0.1:0").await.expect("a port"),
        }
    }

    fn origin(&self) -> String {
        let addr = self.listener.local_addr().expect("bound");
        format!("https://{addr}")
    }

    /// Serves the link until the runtime ends.
    fn serve(self, upstream: SocketAddr, rtt: Duration, tls: TlsAcceptor) {
        tokio::spawn(async move {
            while let Ok((client, _)) = self.listener.accept().await {
                let _ = client.set_nodelay(true);
                let tls = tls.clone();
                tokio::spawn(carry(client, upstream, rtt, tls));
            }
        });
    }
}

/// One connection through the link: delayed bytes on the wire side, TLS, then the
/// plain lab connection.
async fn carry(client: TcpStream, upstream: SocketAddr, rtt: Duration, tls: TlsAcceptor) {
    let opened = tokio::time::Instant::now();
    let (wire, proxy_end) = tokio::io::duplex(256 * 1024);
    let (client_read, client_write) = client.into_split();
    let (wire_read, wire_write) = tokio::io::split(wire);
    let half = rtt / 2;
    // Client to server: not before the TCP handshake's round trip, then half a trip.
    tokio::spawn(delay(client_read, wire_write, half, opened + rtt));
    tokio::spawn(delay(wire_read, client_write, half, opened));
    let Ok(mut secure) = tls.accept(proxy_end).await else {
        return;
    };
    let Ok(mut lab) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = lab.set_nodelay(true);
    let _ = tokio::io::copy_bidirectional(&mut secure, &mut lab).await;
}

/// Copies `from` to `to`, each chunk leaving `by` after it arrived, and never before
/// `not_before`; the order of bytes is kept.
async fn delay<R, W>(mut from: R, mut to: W, by: Duration, not_before: tokio::time::Instant)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (send, mut receive) = mpsc::unbounded_channel::<(tokio::time::Instant, Bytes)>();
    let writer = tokio::spawn(async move {
        while let Some((at, chunk)) = receive.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let at = tokio::time::Instant::now().max(not_before) + by;
                if send.send((at, Bytes::copy_from_slice(&buf[..n]))).is_err() {
                    break;
                }
            }
        }
    }
    drop(send);
    let _ = writer.await;
}

/// The lab behind links: its own, and the authorization server's when `separate`.
async fn lab_behind_links(rtt: Duration, separate: bool, endpoints: usize) -> RunningLab {
    let tls = acceptor();
    let link = Link::bind().await;
    let auth_link = if separate {
        Some(Link::bind().await)
    } else {
        None
    };
    let auth_origin = auth_link.as_ref().map(Link::origin);
    let mut config = LabConfig::default()
        .with_endpoints(endpoints)
        .with_public_origins(&link.origin(), auth_origin.as_deref());
    if separate {
        config = config.with_separate_auth_server();
    }
    let lab = authprobe_lab::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .expect("the lab starts");
    link.serve(lab.addr(), rtt, tls.clone());
    if let (Some(auth_link), Some(auth_addr)) = (auth_link, lab.auth_addr()) {
        auth_link.serve(auth_addr, rtt, tls);
    }
    lab
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn scan_config(url: &str) -> ScanConfig {
    let mut config = ScanConfig::new(parse_target(url).expect("lab URL"));
    // The certificate is generated for the run; nothing else about TLS is relaxed.
    config.insecure = true;
    config
}

/// Part 1: one scan at a time over the link, against its floor.
async fn single_scans(rtt: Duration, rounds: usize) {
    let rtt_ms = rtt.as_secs_f64() * 1000.0;
    println!(
        "\n1. One passive scan of the clean lab over TLS at {rtt_ms:.0} ms RTT (median of {rounds})\n"
    );
    println!(
        "{:<18} {:>9} {:>6} {:>12} {:>8} {:>8} {:>8}  outcome",
        "auth server", "requests", "depth", "connections", "floor", "floor s", "wall s"
    );
    // TCP + TLS, then the three dependent levels; a second origin adds its own TCP
    // and TLS once its name is known.
    for (name, separate, floor_trips) in
        [("same origin", false, 5u32), ("separate origin", true, 7)]
    {
        let lab = lab_behind_links(rtt, separate, 0).await;
        let config = scan_config(&lab.mcp_url());
        let mut walls = Vec::new();
        let mut shape = (0, 0, 0);
        let mut outcome = String::new();
        for _ in 0..rounds {
            let started = Instant::now();
            let report = authprobe_core::scan::scan(&config).await.expect("scan");
            walls.push(started.elapsed().as_secs_f64());
            let mut ids: Vec<u32> = report
                .exchanges
                .iter()
                .filter_map(|e| e.connection.as_ref().map(|c| c.id))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            shape = (report.exchanges.len(), report.critical_path, ids.len());
            outcome = format!("{:?}", report.outcome);
        }
        let floor = f64::from(floor_trips) * rtt.as_secs_f64();
        println!(
            "{name:<18} {:>9} {:>6} {:>12} {:>4} RTT {floor:>8.2} {:>8.3}  {outcome}",
            shape.0,
            shape.1,
            shape.2,
            floor_trips,
            median(walls)
        );
        lab.shutdown().await;
    }
}

/// Part 2: the release binary scanning virtual endpoints through the link.
async fn batch_over_link(rtt: Duration, targets: usize) {
    println!(
        "\n2. Batch over TLS at {:.0} ms RTT: {targets} virtual endpoints of one lab (one host)\n",
        rtt.as_secs_f64() * 1000.0
    );
    let lab = lab_behind_links(rtt, false, targets).await;
    batch_table(&lab, targets, &[(16, 16), (128, 16), (128, 128)], true).await;
    lab.shutdown().await;
}

/// Part 3: plain loopback, no link: one scan's wall time, and a batch's CPU time.
async fn loopback(rounds: usize, targets: usize) {
    println!("\n3. Plain loopback (no link, no TLS)\n");
    let lab = authprobe_lab::start(
        LabConfig::default().with_endpoints(targets),
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .expect("the lab starts");
    let config = ScanConfig::new(parse_target(&lab.mcp_url()).expect("lab URL"));
    let mut walls = Vec::new();
    for _ in 0..rounds.max(5) {
        let started = Instant::now();
        authprobe_core::scan::scan(&config).await.expect("scan");
        walls.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "clean lab, one scan in-process: median {:.2} ms wall\n",
        median(walls)
    );
    batch_table(&lab, targets, &[(16, 16)], false).await;
    lab.shutdown().await;
}

/// Runs `authprobe scan --targets` over the endpoints with each (concurrency,
/// per-host) pair and prints wall time, throughput and the child's CPU time.
async fn batch_table(lab: &RunningLab, targets: usize, settings: &[(usize, usize)], tls: bool) {
    let dir = std::env::temp_dir().join(format!("authprobe-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let list = dir.join("targets.txt");
    let mut file = std::fs::File::create(&list).expect("the targets file");
    for i in 0..targets {
        writeln!(file, "{}", lab.endpoint_url(i).expect("an endpoint")).expect("write");
    }
    drop(file);
    println!(
        "{:>12} {:>9} {:>9} {:>10} {:>16} {:>6}",
        "concurrency", "per-host", "wall s", "targets/s", "CPU ms/target", "exit"
    );
    for &(concurrency, per_host) in settings {
        let list = list.clone();
        let (wall, cpu, code) =
            tokio::task::spawn_blocking(move || run_batch(&list, concurrency, per_host, tls))
                .await
                .expect("the batch ran");
        println!(
            "{concurrency:>12} {per_host:>9} {wall:>9.2} {:>10.1} {:>16.2} {code:>6}",
            targets as f64 / wall,
            cpu * 1000.0 / targets as f64
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// One batch: wall seconds, the child's CPU seconds (user + system), exit code.
fn run_batch(
    list: &std::path::Path,
    concurrency: usize,
    per_host: usize,
    tls: bool,
) -> (f64, f64, String) {
    let started = Instant::now();
    let mut command = std::process::Command::new(BIN);
    command
        .args(["scan", "--targets"])
        .arg(list)
        .args(["--json", "-", "--concurrency", &concurrency.to_string()])
        .args(["--per-host", &per_host.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if tls {
        command.arg("--insecure");
    }
    let child = command.spawn().expect("the binary starts");
    let (code, cpu) = wait_with_cpu(child);
    (started.elapsed().as_secs_f64(), cpu, code)
}

/// Waits for the child; its exit code and CPU seconds (Linux `wait4`).
#[cfg(unix)]
fn wait_with_cpu(child: std::process::Child) -> (String, f64) {
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
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (code, seconds(usage.ru_utime) + seconds(usage.ru_stime))
}

#[cfg(not(unix))]
fn wait_with_cpu(mut child: std::process::Child) -> (String, f64) {
    let code = child.wait().ok().and_then(|s| s.code());
    (code.map_or("?".into(), |c| c.to_string()), 0.0)
}
