//! The person's side of `--login`: the flags become a `LoginConfig`, and the
//! engine's `LoginFrontEnd` calls land here: the authorization URL is always
//! printed on stderr and opened in a browser (`$BROWSER`, else the platform's
//! opener) unless `--no-browser`; a device code is printed; the token
//! response is written to `--token-out` with mode 0600. Nothing here prints a
//! token or a secret.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authprobe_core::config::{LoginConfig, LoginFlow, LoginFrontEnd};

use crate::cli::{LoginArg, ScanArgs};
use crate::exit::Failure;

/// The binary's front end.
#[derive(Debug)]
pub struct Terminal {
    no_browser: bool,
    token_out: Option<PathBuf>,
    /// Why `--token-out` could not be written, to fail the command afterwards.
    error: Mutex<Option<String>>,
}

impl Terminal {
    /// The failure to write `--token-out`, if there was one.
    pub fn failure(&self) -> Option<Failure> {
        self.error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .map(Failure::new)
    }
}

impl LoginFrontEnd for Terminal {
    fn authorize(&self, url: &str) {
        eprintln!("authprobe: log in at {url}");
        if self.no_browser {
            return;
        }
        if let Err(why) = open_browser(url) {
            eprintln!("authprobe: could not open a browser ({why}): open the URL above yourself");
        }
    }

    fn device_code(&self, verification_uri: &str, user_code: &str, complete: Option<&str>) {
        eprintln!("authprobe: to log in, open {verification_uri} and enter the code {user_code}");
        if let Some(complete) = complete {
            eprintln!("authprobe: (or open {complete})");
        }
    }

    fn obtained(&self, token_response: &str) {
        let Some(path) = &self.token_out else {
            return;
        };
        if let Err(e) = write_private(path, token_response) {
            *self.error.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(format!("cannot write --token-out {}: {e}", path.display()));
        }
    }
}

/// The login configuration of `authprobe scan`, and its front end.
pub fn config(args: &ScanArgs) -> Result<Option<(LoginConfig, Arc<Terminal>)>, Failure> {
    let Some(flow) = args.login else {
        let stray = [
            (args.client_id.is_some(), "--client-id"),
            (args.client_secret.is_some(), "--client-secret"),
            (args.client_metadata_url.is_some(), "--client-metadata-url"),
            (args.scope.is_some(), "--scope"),
            (args.token_out.is_some(), "--token-out"),
            (args.no_browser, "--no-browser"),
        ];
        if let Some((_, flag)) = stray.iter().find(|(given, _)| *given) {
            return Err(Failure::new(format!(
                "{flag} belongs to --login: add --login (or drop {flag})"
            )));
        }
        return Ok(None);
    };
    if !(args.login_timeout.is_finite() && args.login_timeout > 0.0 && args.login_timeout <= 3600.0)
    {
        return Err(Failure::new(format!(
            "--login-timeout {} is out of range: give a number of seconds above 0 and at most 3600, e.g. --login-timeout 120",
            args.login_timeout
        )));
    }
    if args.client_secret.is_some() && args.client_id.is_none() {
        return Err(Failure::new("--client-secret needs --client-id"));
    }
    if let Some(url) = &args.client_metadata_url {
        let ok = url::Url::parse(url).is_ok_and(|u| u.scheme() == "https" && u.path() != "/");
        if !ok {
            return Err(Failure::new(format!(
                "--client-metadata-url {url}: give the https URL (with a path) of the Client ID Metadata Document you host"
            )));
        }
    }
    let flow = match flow {
        LoginArg::Code => LoginFlow::Code,
        LoginArg::Device => LoginFlow::Device,
        LoginArg::ClientCredentials => LoginFlow::ClientCredentials,
    };
    if flow == LoginFlow::ClientCredentials
        && (args.client_id.is_none() || args.client_secret.is_none())
    {
        return Err(Failure::new(
            "--login client-credentials needs --client-id and --client-secret of a confidential client",
        ));
    }
    let terminal = Arc::new(Terminal {
        no_browser: args.no_browser,
        token_out: args.token_out.clone(),
        error: Mutex::new(None),
    });
    let config = LoginConfig {
        flow,
        client_id: args.client_id.clone(),
        client_secret: args.client_secret.clone(),
        client_metadata_url: args.client_metadata_url.clone(),
        scope: args.scope.clone(),
        timeout: Duration::from_secs_f64(args.login_timeout),
        keep_client: args.token_out.is_some(),
        front_end: terminal.clone(),
    };
    Ok(Some((config, terminal)))
}

/// Opens `url` the way a desktop would: each command of `$BROWSER` (separated
/// by `:`, `%s` standing for the URL, else the URL is the one argument) until
/// one starts, else `xdg-open` / `open` / `start`.
fn open_browser(url: &str) -> std::io::Result<()> {
    let from_env = std::env::var("BROWSER").unwrap_or_default();
    let mut last = None;
    for command in from_env.split(':').filter(|c| !c.trim().is_empty()) {
        let mut words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
        if words.iter().any(|w| w.contains("%s")) {
            words = words.iter().map(|w| w.replace("%s", url)).collect();
        } else {
            words.push(url.to_string());
        }
        match spawn(&words) {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    if let Some(e) = last {
        return Err(e);
    }
    let platform: Vec<String> = if cfg!(target_os = "macos") {
        vec!["open".into(), url.into()]
    } else if cfg!(windows) {
        vec![
            "cmd".into(),
            "/C".into(),
            "start".into(),
            String::new(),
            url.into(),
        ]
    } else {
        vec!["xdg-open".into(), url.into()]
    };
    spawn(&platform)
}

/// Starts a program without a terminal, and reaps it when it ends.
fn spawn(words: &[String]) -> std::io::Result<()> {
    let (program, args) = words
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty command"))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Writes `text` to `path`, readable by the owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")
}
