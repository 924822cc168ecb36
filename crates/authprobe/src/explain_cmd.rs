//! `authprobe explain CODE`.

use authprobe_core::catalog::{explain_text, Code};

use crate::cli::ExplainArgs;
use crate::exit::{Failure, EXIT_OK};

/// Prints one catalog entry, or the list of codes.
pub fn run(args: ExplainArgs) -> Result<i32, Failure> {
    if args.list {
        for code in Code::ALL {
            let entry = code.entry();
            println!(
                "{:<44} {:<6} {}",
                code.as_str(),
                entry.severity.as_str(),
                entry.title
            );
        }
        return Ok(EXIT_OK);
    }
    let raw = args.code.unwrap_or_default();
    let code = Code::parse(&raw).ok_or_else(|| {
        Failure::new(format!(
            "unknown finding code `{raw}`; `authprobe explain --list` prints every code"
        ))
    })?;
    print!("{}", explain_text(code));
    Ok(EXIT_OK)
}
