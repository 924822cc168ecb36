//! Records the git commit the binary is built from, for `authprobe --version`.
//!
//! `AUTHPROBE_GIT_COMMIT` in the environment wins (a container build has no `.git`:
//! `docker build --build-arg AUTHPROBE_GIT_COMMIT=$(git rev-parse --short HEAD)`);
//! otherwise `git rev-parse --short HEAD`; otherwise (no git, or a source tree without
//! `.git`, such as a packaged crate) "unknown". The script reruns when HEAD moves
//! (the HEAD file, the branch it points to, packed refs) and never otherwise, so it
//! does not make every build dirty.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=AUTHPROBE_GIT_COMMIT");
    let given = std::env::var("AUTHPROBE_GIT_COMMIT")
        .ok()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let commit = given.or_else(|| {
        let commit = git(&["rev-parse", "--short", "HEAD"])?;
        // The files whose change means HEAD moved. A path that does not exist would
        // make cargo rerun the script on every build, so only existing ones are named.
        let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watched.push(git(&["rev-parse", "--git-path", &branch]));
        }
        watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
        for path in watched.into_iter().flatten().map(PathBuf::from) {
            if path.exists() {
                let path = std::fs::canonicalize(&path).unwrap_or(path);
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        Some(commit)
    });
    let commit = commit.unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=AUTHPROBE_GIT_COMMIT={commit}");
}
