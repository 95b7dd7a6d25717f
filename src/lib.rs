//! explainer: a static site generator for news explainer sites.
//!
//! The pipeline is plain data passed between stages, one folder each:
//! `content` (load + parse) → `resolve` → `render` → `output` (write).
//! `engine` runs them, once for `build` and `check`, kept alive for
//! `serve`; `links` is `check --links`, the one part that goes online;
//! `cmd` holds the commands; `main.rs` only maps the result to an
//! exit code.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod deploy;
pub mod diag;
pub mod engine;
pub mod i18n;
pub mod links;
pub mod output;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod slug;

use cli::{Cli, Command};
pub use cmd::{Failure, Outcome};

/// Runs one command line.
pub fn run(cli: &Cli) -> Result<Outcome, Failure> {
    match &cli.command {
        Command::Build(args) => cmd::build::run(args, &cli.global),
        Command::Check(args) => cmd::check::run(args, &cli.global),
        Command::Serve(args) => serve::run(args, &cli.global),
        Command::Init(args) => cmd::init::run(args, &cli.global),
        Command::New(args) => cmd::new::run(args, &cli.global),
        Command::Translated(args) => cmd::translate::refresh(args),
        Command::Deploy(args) => cmd::deploy::run(args, &cli.global),
        Command::Clean(args) => cmd::clean::run(args, &cli.global),
        Command::Completions(args) => cmd::completions::run(args),
    }
}
