//! The command line, as clap derive types. Parsing only: `cmd/` acts on it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "explainer",
    version,
    about = "A static site generator for news explainer sites"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default `public/`).
    #[command(
        after_help = "Examples:\n  explainer build\n  explainer build --root my-site --output /tmp/out --base-url https://example.org/explainer/"
    )]
    Build(BuildArgs),
    /// Check every file and report all problems, without writing output.
    #[command(
        after_help = "Examples:\n  explainer check\n  explainer check --format json --deny-warnings"
    )]
    Check(CheckArgs),
}

/// Arguments every command that reads a site shares.
#[derive(Debug, Clone, Args)]
pub struct SiteArgs {
    /// The site folder (holding site.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder; default `output_dir` from site.yaml, relative to the root.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Override `base_url` from site.yaml.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Replace a non-empty output folder that explainer did not create.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}
