//! `explainer completions <shell>`: the shell completion script, generated
//! from the same clap definition the binary parses with, so it never lags.

use clap::CommandFactory;

use super::{Failure, Outcome, say};
use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> Result<Outcome, Failure> {
    let mut command = Cli::command();
    // Generated into memory first: `generate` panics on a failed write,
    // which a closed pipe (`| head`) is.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "explainer", &mut script);
    say::product(&script)?;
    Ok(Outcome::Clean)
}
