//! The `explainer` binary: parse the command line, run it, map the result to
//! an exit code (0 clean, 1 content errors, 2 usage or environment).

use std::process::ExitCode;

use clap::Parser;
use explainer::Outcome;
use explainer::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match explainer::run(&cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::ContentErrors) => ExitCode::from(1),
        Err(failure) => {
            let (on, off) = if explainer::cmd::use_color(cli.global.color) {
                ("\x1b[1;31m", "\x1b[0m")
            } else {
                ("", "")
            };
            eprintln!("{on}error{off}: {failure}");
            ExitCode::from(2)
        }
    }
}

/// mimalloc: rendering allocates many small strings on every core at once,
/// where glibc's allocator showed up as a tenth of the build's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
