//! The command line, as clap derive types. Parsing only: `cmd/` acts on it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "explainer",
    version,
    about = "A static site generator for news explainer sites",
    after_help = "Examples:\n  explainer init my-site          # a new site that builds at once\n  explainer new actor \"Jane Doe\"   # content/actors/jane-doe.md\n  explainer check                  # every problem, with file:line:col\n  explainer build                  # the site, into public/\n\nDocumentation: docs/getting-started.md, docs/cli.md"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, before or after its name.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// When to use colours: `auto` means on a terminal, unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true, help_heading = "Global options")]
    pub color: Color,
    /// Print only errors: no summary line, no warnings, no progress bar.
    #[arg(
        long,
        short,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,
    /// Also print how long each stage took (load, resolve, render, write).
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub verbose: bool,
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
        after_help = "Examples:\n  explainer check\n  explainer check --format json --deny-warnings\n  explainer check --links           # also ask every source address online"
    )]
    Check(CheckArgs),
    /// Build in memory, serve on http://127.0.0.1:1111, rebuild on every save
    /// and reload open tabs; errors show in the browser.
    #[command(
        after_help = "Examples:\n  explainer serve\n  explainer serve --port 8080 --open\n  explainer serve --poll        # on network or container file systems"
    )]
    Serve(ServeArgs),
    /// Create a new site in DIR: site.yaml and one example of each kind of page.
    #[command(
        after_help = "The new site uses the built-in default theme (no themes/ folder), so it\nkeeps the theme's fixes when explainer is upgraded.\n\nExamples:\n  explainer init my-site\n  explainer init . --force    # add the starter files to an existing folder, keeping its files"
    )]
    Init(InitArgs),
    /// Create a content file for a new actor, meeting, proposal, source or page.
    #[command(
        after_help = "The slug (file name) comes from the title; Cyrillic is transliterated and\naccents are dropped. A site's archetypes/<kind>.md replaces the built-in\ntemplate for that kind (placeholders: {{title}}, {{slug}}, {{date}}, {{kind}}).\n\nExamples:\n  explainer new actor \"Volodymyr Zelensky\"\n  explainer new meeting \"Paris summit\" --root my-site\n  explainer new actor \"Володимир Зеленський\"     # content/actors/volodymyr-zelenskyi.md\n  explainer new source \"Reuters, 6 January\" --slug reuters-paris-summit\n  explainer new --translate uk actors/volodymyr-zelensky   # content/actors/volodymyr-zelensky.uk.md"
    )]
    New(NewArgs),
    /// Mark a translation current: record in its `translated_from` the
    /// original's text as it is now, so `check` stops warning that the
    /// original changed since.
    #[command(
        after_help = "Run it after bringing the translation up to date with its original.\n\nExamples:\n  explainer translated uk actors/volodymyr-zelensky\n  explainer translated uk _index --root my-site"
    )]
    Translated(TranslatedArgs),
    /// Upload the built site to a bucket or folder named in site.yaml,
    /// sending only files whose bytes changed and deleting what the build
    /// no longer has.
    #[command(
        after_help = "Targets are listed in site.yaml:\n  deploy:\n    targets:\n      - {name: production, url: \"s3://my-bucket/explainer?region=eu-west-1\"}\n\nCredentials come from the environment (AWS_ACCESS_KEY_ID, GOOGLE_APPLICATION_CREDENTIALS,\nAZURE_STORAGE_ACCOUNT_NAME, ...) or ~/.aws/credentials, and are never printed.\n\nExamples:\n  explainer build && explainer deploy\n  explainer deploy --build --target staging\n  explainer deploy --dry-run        # print the plan, change nothing\n\nDocumentation: docs/deploy.md"
    )]
    Deploy(DeployArgs),
    /// Remove the build cache and the output folder, so the next build
    /// starts from nothing.
    #[command(
        after_help = "Removes `.explainer-cache/` (or --cache-dir) and the output folder, only if a\nbuild made it. Content, templates and static files are never touched.\n\nExamples:\n  explainer clean\n  explainer clean --root my-site --cache-dir /tmp/cache"
    )]
    Clean(CleanArgs),
    /// Print a shell completion script to stdout.
    #[command(
        after_help = "Examples:\n  explainer completions bash > ~/.local/share/bash-completion/completions/explainer\n  explainer completions zsh > ~/.zfunc/_explainer\n  explainer completions fish > ~/.config/fish/completions/explainer.fish"
    )]
    Completions(CompletionsArgs),
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
    /// The date date checks take as today (`YYYY-MM-DD`); by default the
    /// newest date in the content, never the clock.
    #[arg(long, value_parser = parse_today)]
    pub today: Option<crate::content::model::Date>,
}

fn parse_today(text: &str) -> Result<crate::content::model::Date, String> {
    crate::content::model::Date::parse(text)
        .ok_or_else(|| format!("`{text}` is not a date: write YYYY-MM-DD, e.g. 2026-01-20"))
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
    /// Render everything, without reading or writing the build cache.
    #[arg(long)]
    pub no_cache: bool,
    /// The cache folder; default `.explainer-cache` in the site folder.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct CleanArgs {
    /// The site folder (holding site.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Output folder; default `output_dir` from site.yaml, relative to the root.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The cache folder; default `.explainer-cache` in the site folder.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The target to deploy to, by its name in site.yaml; default the first.
    #[arg(long, short)]
    pub target: Option<String>,
    /// Print what would be uploaded and deleted, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Refuse to delete more objects than this unless --force is given.
    #[arg(long, default_value_t = 256)]
    pub max_deletes: usize,
    /// Delete however many objects the build no longer has.
    #[arg(long)]
    pub force: bool,
    /// The folder to deploy; default `output_dir` from site.yaml, relative to the root.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Run `explainer build` into the output folder first.
    #[arg(long)]
    pub build: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also ask every source's `url` and `archive_url` whether it still
    /// answers, and warn about dead and moved ones (answers are kept for a
    /// day in .explainer-cache/links.json).
    #[arg(long)]
    pub links: bool,
    /// With --links: how long to wait for a server's answer.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds, requires = "links")]
    pub link_timeout: std::time::Duration,
}

fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| {
            format!("`{text}` is not a number of seconds between 0 and 3600, e.g. 10 or 2.5")
        })
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Address to listen on; loopback by default, so only this machine can connect.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in a browser once it is served.
    #[arg(long)]
    pub open: bool,
    /// Poll the file system instead of relying on change events (network
    /// drives, some containers and VMs).
    #[arg(long)]
    pub poll: bool,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The folder to create the site in; created if missing.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Add the starter files to a non-empty folder. Existing files are never
    /// overwritten: they are skipped, and each one is named.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// What to create.
    #[arg(value_enum, required_unless_present = "translate")]
    pub kind: Option<NewKind>,
    /// The page's title, in quotes; the file name is made from it.
    #[arg(required_unless_present = "translate")]
    pub title: Option<String>,
    /// Write a translation skeleton of an existing page instead: the
    /// language code and the page's id (`uk actors/volodymyr-zelensky`,
    /// `uk _index` for the home page).
    #[arg(long, num_args = 2, value_names = ["LANG", "ID"], conflicts_with_all = ["kind", "title", "slug"])]
    pub translate: Option<Vec<String>>,
    /// The site folder (holding site.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Use this slug (file name without `.md`) instead of one made from the title.
    #[arg(long)]
    pub slug: Option<String>,
}

/// `explainer translated LANG ID`.
#[derive(Debug, Clone, Args)]
pub struct TranslatedArgs {
    /// The translation's language code: `uk`.
    pub lang: String,
    /// The original's id: `actors/volodymyr-zelensky`, `_index`.
    pub id: String,
    /// The site folder (holding site.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// The kinds of content `new` creates: the folders of `content/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NewKind {
    Actor,
    Meeting,
    Proposal,
    Source,
    Page,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}
