use clap::Parser;

use super::*;
use crate::cli::{Cli, Command};

fn plan(args: &[&str]) -> Plan {
    let mut argv = vec!["authprobe", "scan", "http://127.0.0.1:1/mcp"];
    argv.extend(args);
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Scan(scan) => Plan::from_args(&scan.output),
        _ => unreachable!(),
    }
}

fn file(path: &str) -> Destination {
    Destination::File(PathBuf::from(path))
}

#[test]
fn output_dir_alone_writes_every_format_with_its_name() {
    let p = plan(&["--output-dir", "out"]);
    let names: Vec<Destination> = p.entries().iter().map(|(_, d)| d.clone()).collect();
    assert_eq!(
        names,
        [
            file("out/report.json"),
            file("out/report.md"),
            file("out/trace.txt"),
            file("out/report.sarif"),
            file("out/report.junit.xml"),
            file("out/report.html"),
            file("out/bundle.zip"),
        ]
    );
    assert!(!p.uses_stdout());
}

#[test]
fn output_dir_holds_relative_paths_and_stdout_stays_stdout() {
    let p = plan(&[
        "--output-dir",
        "out",
        "--sarif",
        "a.sarif",
        "--json",
        "-",
        "--html",
        "/tmp/x.html",
    ]);
    assert_eq!(
        p.entries(),
        [
            (Format::Json, Destination::Stdout),
            (Format::Sarif, file("out/a.sarif")),
            (Format::Html, file("/tmp/x.html")),
        ]
    );
    assert!(p.uses_stdout());
    assert_eq!(plan(&[]), Plan::default());
    assert_eq!(
        plan(&["--md", "r.md"]).entries(),
        [(Format::Markdown, file("r.md"))]
    );
}
