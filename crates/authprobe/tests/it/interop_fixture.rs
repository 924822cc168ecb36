//! Starts the interop fixture servers (tests/interop/) as child processes on free loopback
//! ports, waits until they answer HTTP, and always stops them: on drop, so a failed
//! assertion or a panic cleans up too.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::NamedTempFile;

/// A cold Python start on a loaded two-core machine takes a few seconds; this only bounds
/// a fixture that never comes up.
const READY_DEADLINE: Duration = Duration::from_secs(45);
/// Another process may take the port between our probe and the fixture's bind.
const START_ATTEMPTS: usize = 3;

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// Which runtime a fixture program runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// tests/interop/node/fixture.mjs: the MCP TypeScript SDK and oidc-provider.
    Node,
    /// tests/interop/python/fixture.py: the MCP Python SDK.
    Python,
}

impl Runtime {
    fn program(self) -> PathBuf {
        let root = workspace_root();
        match self {
            Runtime::Node => PathBuf::from("node"),
            Runtime::Python => root.join("target/interop-venv/bin/python"),
        }
    }

    fn script(self) -> PathBuf {
        let root = workspace_root();
        match self {
            Runtime::Node => root.join("tests/interop/node/fixture.mjs"),
            Runtime::Python => root.join("tests/interop/python/fixture.py"),
        }
    }

    /// The lock file the fixtures were installed from, and the stamp `tests/interop/install`
    /// writes after a successful install (the lock file's content plus the runtime version).
    fn lock_and_stamp(self) -> (PathBuf, PathBuf) {
        let root = workspace_root();
        match self {
            Runtime::Node => (
                root.join("tests/interop/node/package-lock.json"),
                root.join("tests/interop/node/node_modules/.authprobe-installed"),
            ),
            Runtime::Python => (
                root.join("tests/interop/python/requirements.txt"),
                root.join("target/interop-venv/.authprobe-installed"),
            ),
        }
    }

    /// Panics, saying what to run, unless the fixtures are installed from the current pins.
    /// Never a silent skip: a plain `cargo test` must not report the interop suite as passed.
    pub fn require_installed(self) {
        let (lock, stamp) = self.lock_and_stamp();
        let lock_text = std::fs::read_to_string(&lock)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", lock.display()));
        let problem = match std::fs::read_to_string(&stamp) {
            Err(_) => Some("they are not installed"),
            Ok(s) if !s.starts_with(lock_text.trim_end()) => {
                Some("they were installed from other pins than the current lock file")
            }
            Ok(_) => None,
        };
        if let Some(problem) = problem {
            panic!(
                "interop fixtures for {self:?}: {problem} ({} missing or stale).\n\
                 Run ./scripts/test (it installs them, then runs cargo test), or \
                 tests/interop/install once before cargo test. See docs/interop.md.",
                stamp.display()
            );
        }
    }
}

/// A running fixture server. Dropping it kills its whole process group.
pub struct Fixture {
    name: String,
    child: Child,
    port: u16,
    log: NamedTempFile,
    // Held open: the fixture exits when its stdin closes, even if this process is killed.
    _stdin: Option<std::process::ChildStdin>,
}

impl Fixture {
    /// Starts `config` of `runtime` with `--port <free port>` and `extra` arguments, and
    /// returns once it answers HTTP.
    pub fn start(runtime: Runtime, config: &str, extra: &[String]) -> Fixture {
        runtime.require_installed();
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let mut fixture = spawn(runtime, config, port, extra);
            match fixture.wait_ready() {
                Ok(()) => return fixture,
                Err(reason) => {
                    last_log = format!("{reason}\n--- {config} log ---\n{}", fixture.log_text());
                    let port_taken = last_log.contains("EADDRINUSE")
                        || last_log.contains("address already in use");
                    if !port_taken {
                        break;
                    }
                }
            }
        }
        panic!("fixture {config} did not start: {last_log}");
    }

    /// `http://127.0.0.1:<port>` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The server's output so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited with {status} before answering"));
            }
            if answers_http(self.port) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no HTTP answer on port {} within {READY_DEADLINE:?}",
                    self.port
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // The runtime could have started helpers: end the whole group, then reap the leader.
        let pid = self.child.id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- log of fixture {} ---\n{}", self.name, self.log_text());
        }
    }
}

fn spawn(runtime: Runtime, config: &str, port: u16, extra: &[String]) -> Fixture {
    let log = NamedTempFile::new().expect("a temporary log file");
    let out = log.reopen().expect("the log file reopens");
    let err = out.try_clone().expect("the log file handle clones");
    let program = runtime.program();
    let mut child = Command::new(&program)
        .arg(runtime.script())
        .args(["--config", config, "--port", &port.to_string()])
        .args(extra)
        .current_dir(runtime.script().parent().expect("the script has a folder"))
        .env("NO_COLOR", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        // Its own process group, so that drop can end everything it started.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} for fixture {config}: {e}. Run ./scripts/test, which checks \
                 and installs what the interop tests need (docs/interop.md).",
                program.display()
            )
        });
    let stdin = child.stdin.take();
    Fixture {
        name: config.to_string(),
        child,
        port,
        log,
        _stdin: stdin,
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// True once the port answers a GET with an HTTP status line.
fn answers_http(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!(
        "GET /authprobe-readiness HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

/// Reads a JSON file (a package manifest), panicking with its path.
pub fn read_json(path: &Path) -> serde_json::Value {
    let file = File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    serde_json::from_reader(file).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}
