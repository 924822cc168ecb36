//! `authprobe completions` and `authprobe man`: generated from the same flag
//! definitions as `--help`, so the three can never disagree.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::{Failure, EXIT_OK};
use crate::outputs::write_stdout;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<i32, Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "authprobe", &mut script);
    write_stdout(&script)?;
    Ok(EXIT_OK)
}

/// Prints the man page of authprobe, or of one of its commands.
pub fn man(command: Option<&str>) -> Result<i32, Failure> {
    let root = Cli::command();
    let page = match command {
        None => root,
        Some(name) => {
            let Some(sub) = root.find_subcommand(name) else {
                let known: Vec<&str> = root.get_subcommands().map(|s| s.get_name()).collect();
                return Err(Failure::new(format!(
                    "no command `{name}`; man pages exist for: {}",
                    known.join(", ")
                )));
            };
            let full = format!("authprobe-{name}");
            sub.clone().display_name(full.clone()).bin_name(full)
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| Failure::new(format!("cannot render the man page: {e}")))?;
    write_stdout(&roff)?;
    Ok(EXIT_OK)
}
