//! `explainer completions <shell>`: the shell completion script, generated
//! from the same clap definition the binary parses with, so it never lags.

use clap::CommandFactory;

use super::{Failure, Outcome};
use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> Result<Outcome, Failure> {
    let mut command = Cli::command();
    let mut stdout = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "explainer", &mut stdout);
    Ok(Outcome::Clean)
}
