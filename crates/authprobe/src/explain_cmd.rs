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
    if let Some(message) = args.error {
        return explain_error(&message);
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

/// `explain --error`: the clients that print this message and the findings behind it.
fn explain_error(message: &str) -> Result<i32, Failure> {
    let matches = authprobe_core::clients::explain_error(message);
    if matches.is_empty() {
        return Err(Failure::new(
            "no client profile prints that message; `authprobe scan <url>` shows each \
             client's verdict and message for a server",
        ));
    }
    print!("{}", render_error_matches(&matches));
    Ok(EXIT_OK)
}

/// The text `explain --error` prints for its matches.
pub fn render_error_matches(matches: &[authprobe_core::clients::MessageMatch]) -> String {
    let mut out = String::new();
    for m in matches {
        let profile = authprobe_core::clients::profiles::find(m.client);
        let name = profile.map_or(m.client.to_string(), |p| {
            format!("{} {}", p.name, p.version)
        });
        out.push_str(&format!("{name} prints this at {}:\n", m.step.as_str()));
        out.push_str(&format!("  {}\n", m.template));
        out.push_str(&format!("  means: {}\n", m.meaning));
        if !m.codes.is_empty() {
            let codes: Vec<&str> = m.codes.iter().map(|c| c.as_str()).collect();
            out.push_str(&format!("  findings: {}\n", codes.join(", ")));
            out.push_str(&format!("  more: authprobe explain {}\n", codes[0]));
        }
        out.push('\n');
    }
    out
}
