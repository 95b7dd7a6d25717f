//! `explainer check`: the whole pipeline without writing, reporting every
//! problem in the human or JSON format; with `--links`, also every source
//! address asked online ([`crate::links`]).

use super::{CompileOptions, Failure, Outcome, Stage, compile, say, use_color};
use crate::cli::{CheckArgs, Format, GlobalArgs};
use crate::diag::Severity;
use crate::links::{self, LinkOptions};

pub fn run(args: &CheckArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    let options = CompileOptions {
        drafts: args.site.drafts,
        base_url: None,
        serving: false,
        today: args.site.today,
    };
    let mut compiled = compile(&args.site.root, &options)?;
    let diagnostics = &mut compiled.diagnostics;
    if args.links {
        let started = std::time::Instant::now();
        let options = LinkOptions {
            timeout: args.link_timeout,
            drafts: args.site.drafts,
        };
        let report = links::check(&args.site.root, &options).map_err(Failure)?;
        if global.verbose {
            say::err(&format!(
                "  links    {} addresses, {} asked online, the rest from the cache, in {:.1} s\n",
                report.addresses,
                report.asked,
                started.elapsed().as_secs_f64()
            ));
        }
        diagnostics.merge(report.diagnostics);
    }
    if args.site.deny_warnings {
        diagnostics.deny_warnings();
    }
    match args.format {
        Format::Json => say::product(format!("{}\n", diagnostics.render_json()).as_bytes())?,
        // Quiet: the errors and their count, or nothing at all.
        Format::Human if global.quiet => {
            diagnostics.retain(|d| d.severity == Severity::Error);
            if diagnostics.has_errors() {
                say::err(&diagnostics.render_human(use_color(global.color)));
            }
        }
        Format::Human => say::err(&diagnostics.render_human(use_color(global.color))),
    }
    if global.verbose {
        say::err(&compiled.timings.lines(Stage::Render));
    }
    Ok(super::outcome_of(diagnostics))
}
