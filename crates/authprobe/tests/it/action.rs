//! The GitHub Action's steps (`scripts/action.sh`, called by `action.yml`), run here as
//! a runner would run them: the same environment variables (the output file, the job
//! summary file, the runner's temporary directory, the inputs) and the authprobe
//! binary under test in place of the `cargo install` of a real run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use authprobe_lab::{Defect, LabConfig};
use serde_json::Value;

use crate::support::{bin, lab, lab_with, text};

/// A fake runner: its files and the inputs of one use of the action.
struct Runner {
    dir: tempfile::TempDir,
    inputs: Vec<(&'static str, String)>,
}

impl Runner {
    fn new(inputs: &[(&'static str, &str)]) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("temp")).unwrap();
        std::fs::write(dir.path().join("summary.md"), "").unwrap();
        Runner {
            dir,
            inputs: inputs.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs one step; the output file starts empty for each step.
    async fn step(&self, step: &str, extra_env: &[(&str, &str)]) -> Output {
        std::fs::write(self.path("output"), "").unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/action.sh");
        let mut command = Command::new("bash");
        command
            .arg(script)
            .arg(step)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("RUNNER_TEMP", self.path("temp"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env(
                "GITHUB_ACTION_PATH",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
            )
            .env("AUTHPROBE_BIN", bin());
        for (name, value) in &self.inputs {
            command.env(format!("INPUT_{name}"), value);
        }
        for (name, value) in extra_env {
            command.env(name, value);
        }
        tokio::task::spawn_blocking(move || command.output().expect("bash runs"))
            .await
            .expect("join")
    }

    /// The step outputs written to `$GITHUB_OUTPUT` (`name=value` lines).
    fn outputs(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.path("output"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.path("summary.md")).unwrap()
    }

    /// The scan step, then the last step with the exit code the scan step reported.
    async fn scan_and_finish(&self) -> (BTreeMap<String, String>, Output) {
        let scan = self.step("scan", &[]).await;
        assert_eq!(
            scan.status.code(),
            Some(0),
            "the scan step itself succeeds so that the SARIF upload runs: {}",
            text(&scan.stderr)
        );
        let outputs = self.outputs();
        let code = outputs.get("exit-code").cloned().unwrap_or_default();
        let finish = self
            .step("finish", &[("AUTHPROBE_EXIT_CODE", code.as_str())])
            .await;
        (outputs, finish)
    }
}

fn sarif_results(path: &str) -> Vec<(String, String)> {
    let log: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let errors: Vec<String> = crate::outputs::sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1, "one run");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            // Every result points at its own rule.
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
            let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                uri.as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_url_gives_sarif_a_summary_and_the_exit_code_fail_on_asks_for() {
    let broken = lab(&[Defect::from_name("auth-not-advertised").unwrap()]).await;
    let url = broken.mcp_url();

    // Defaults: SARIF and summary on, fail on high; extra arguments quoted like a shell.
    let runner = Runner::new(&[
        ("URL", &url),
        ("FAIL_ON", "high"),
        ("SARIF", "true"),
        ("SUMMARY", "true"),
        ("ARGS", "--timeout 5 -H 'Accept-Language: de, en'"),
    ]);
    let (outputs, finish) = runner.scan_and_finish().await;
    assert_eq!(outputs["exit-code"], "2", "{outputs:?}");
    assert_eq!(finish.status.code(), Some(2));
    assert!(text(&finish.stderr)
        .contains("::error title=authprobe::findings at or above fail-on (high)"));
    let sarif = &outputs["sarif-file"];
    assert_eq!(
        *sarif,
        runner
            .path("temp/authprobe/authprobe.sarif")
            .display()
            .to_string()
    );
    let results = sarif_results(sarif);
    assert!(
        results.contains(&("AUTH_REQUIRED_BUT_NOT_ADVERTISED".to_string(), url.clone())),
        "{results:?}"
    );
    let summary = runner.summary();
    assert!(
        summary.starts_with(&format!(
            "## authprobe: protected-broken · AUTH_REQUIRED_BUT_NOT_ADVERTISED on `{url}`"
        )),
        "{summary}"
    );
    // The quoted header reached the target as one value.
    let report = std::fs::read_to_string(runner.path("temp/authprobe/report.json")).unwrap();
    assert!(
        report.contains("de, en"),
        "the -H of `args` was split wrongly"
    );

    // fail-on none: the same findings, exit 0; no SARIF and no summary when turned off.
    let runner = Runner::new(&[
        ("URL", &url),
        ("FAIL_ON", "none"),
        ("SARIF", "false"),
        ("SUMMARY", "false"),
    ]);
    let (outputs, finish) = runner.scan_and_finish().await;
    assert_eq!(outputs["exit-code"], "0", "{outputs:?}");
    assert_eq!(finish.status.code(), Some(0));
    assert!(!outputs.contains_key("sarif-file"), "{outputs:?}");
    assert!(!runner.path("temp/authprobe/authprobe.sarif").exists());
    assert_eq!(runner.summary(), "");
    broken.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_targets_file_gives_one_sarif_run_and_the_batch_table() {
    let broken = lab_with(
        LabConfig::with_defects([Defect::from_name("auth-not-advertised").unwrap()])
            .with_endpoints(2),
    )
    .await;
    let clean = lab(&[]).await;
    let prm_broken = lab(&[Defect::from_name("prm-resource-trailing-slash").unwrap()]).await;
    let urls = [
        broken.endpoint_url(0).unwrap(),
        clean.mcp_url(),
        prm_broken.mcp_url(),
        broken.endpoint_url(1).unwrap(),
    ];
    let runner = Runner::new(&[("TARGETS", "targets.txt"), ("FAIL_ON", "medium")]);
    std::fs::write(runner.path("targets.txt"), urls.join("\n")).unwrap();
    let (outputs, finish) = runner.scan_and_finish().await;
    assert_eq!(outputs["exit-code"], "2", "{outputs:?}");
    assert_eq!(finish.status.code(), Some(2));

    // The targets' SARIF files joined into one run, each result still at its rule.
    let results = sarif_results(&outputs["sarif-file"]);
    for url in [&urls[0], &urls[3]] {
        assert!(
            results.contains(&("AUTH_REQUIRED_BUT_NOT_ADVERTISED".to_string(), url.clone())),
            "{results:?}"
        );
    }
    assert!(
        results.iter().any(|(_, uri)| *uri == urls[2]),
        "{results:?}"
    );
    assert!(
        !results.iter().any(|(_, uri)| *uri == urls[1]),
        "{results:?}"
    );

    // The summary carries the batch's table: a row per target.
    let summary = runner.summary();
    for url in &urls {
        assert!(summary.contains(url.as_str()), "{summary}");
    }
    assert!(
        summary.contains("4 targets: 3 with findings at medium or above"),
        "{summary}"
    );
    broken.shutdown().await;
    clean.shutdown().await;
    prm_broken.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_inputs_fail_with_an_annotation_and_the_install_plan_is_stable() {
    for inputs in [
        vec![],
        vec![("URL", "http://127.0.0.1:1/mcp"), ("TARGETS", "t.txt")],
    ] {
        let runner = Runner::new(&inputs);
        let out = runner.step("scan", &[]).await;
        assert_eq!(out.status.code(), Some(3));
        assert!(
            text(&out.stderr).starts_with("::error title=authprobe::give"),
            "{}",
            text(&out.stderr)
        );
    }
    let runner = Runner::new(&[]);
    let finish = runner.step("finish", &[]).await;
    assert_eq!(
        finish.status.code(),
        Some(3),
        "no exit code from the scan: not a pass"
    );

    // The cache key follows the action's own source; a version names its own.
    let runner = Runner::new(&[]);
    assert_eq!(runner.step("plan", &[]).await.status.code(), Some(0));
    let first = runner.outputs();
    assert_eq!(first["mode"], "cargo");
    assert!(
        first["cache-key"].starts_with("authprobe-Linux-X64-"),
        "{first:?}"
    );
    assert_eq!(runner.step("plan", &[]).await.status.code(), Some(0));
    assert_eq!(runner.outputs(), first);
    let pinned = Runner::new(&[("VERSION", "v0.1.0")]);
    pinned.step("plan", &[]).await;
    assert_eq!(pinned.outputs()["cache-key"], "authprobe-Linux-X64-v0.1.0");
    let image = Runner::new(&[("IMAGE", "registry.example.com/authprobe:0.1.0")]);
    image.step("plan", &[]).await;
    assert_eq!(image.outputs()["mode"], "image");
}

#[test]
fn action_yml_hands_every_input_the_script_reads_to_its_steps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let action = std::fs::read_to_string(root.join("action.yml")).unwrap();
    let script = std::fs::read_to_string(root.join("scripts/action.sh")).unwrap();
    for step in ["plan", "install", "scan", "finish"] {
        let call = format!("run: bash \"$GITHUB_ACTION_PATH/scripts/action.sh\" {step}");
        assert!(action.contains(&call), "action.yml never runs `{step}`");
    }
    for input in [
        "url", "targets", "args", "fail-on", "sarif", "summary", "version", "image",
    ] {
        let variable = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(script.contains(&variable), "the script ignores {input}");
        assert!(
            action.contains(&format!("{variable}: ${{{{ inputs.{input} }}}}")),
            "action.yml does not pass {input} as {variable}"
        );
        assert!(
            action.contains(&format!("\n  {input}:\n")),
            "no input {input}"
        );
    }
    assert!(action.contains("uses: github/codeql-action/upload-sarif@"));
    assert!(action.contains("sarif_file: ${{ steps.scan.outputs.sarif-file }}"));
}
