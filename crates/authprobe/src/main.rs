//! `authprobe`: tells you exactly why an MCP client cannot get into your MCP server.

mod batch;
mod batch_view;
mod bridge;
mod cli;
mod diff_cmd;
mod docs_cmd;
mod exit;
mod explain_cmd;
mod lab_cmd;
mod llm;
mod login;
mod mcp;
mod merge_cmd;
mod outputs;
mod scan_cmd;
mod shard;
mod stdio_scan;
mod tool_list;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::{Failure, EXIT_ERROR};

fn main() {
    // Every word must be text: the command line is echoed into the report and
    // matched against flag names, so a word that is not UTF-8 is refused here.
    if let Some((position, word)) = std::env::args_os()
        .enumerate()
        .find(|(_, word)| word.to_str().is_none())
    {
        eprintln!(
            "error: argument {position} is not valid UTF-8 ({}); give every argument as UTF-8 text",
            word.to_string_lossy()
        );
        std::process::exit(EXIT_ERROR);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            match err.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = err.print();
                    std::process::exit(0);
                }
                _ => {
                    let message = first_paragraph(&err.render().to_string());
                    eprintln!("error: {message} (see `authprobe --help`)");
                    std::process::exit(EXIT_ERROR);
                }
            }
        }
    };
    let code = match run(cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}

/// The first paragraph of a clap error on one line: a message that ends with a colon
/// continues on the next lines (the missing arguments, the possible values), which
/// would otherwise be lost.
fn first_paragraph(rendered: &str) -> String {
    let text: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    match text.join(" ").trim_start_matches("error: ") {
        "" => "invalid arguments".to_string(),
        message => message.to_string(),
    }
}

fn run(cli: Cli) -> Result<i32, Failure> {
    match cli.command {
        Command::Scan(args) => runtime()?.block_on(scan_cmd::run(*args)),
        Command::Demo(args) => runtime()?.block_on(lab_cmd::demo(args)),
        Command::Lab(args) => runtime()?.block_on(lab_cmd::lab(args)),
        Command::Explain(args) => explain_cmd::run(args),
        Command::Mcp(args) => runtime()?.block_on(mcp::run(args)),
        Command::Completions { shell } => docs_cmd::completions(shell),
        Command::Man { command } => docs_cmd::man(command.as_deref()),
        Command::Diff { old, new } => diff_cmd::run(&old, &new),
        Command::Merge(args) => merge_cmd::run(&args),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start the async runtime: {e}")))
}
