//! `explainer check`: the whole pipeline without writing, reporting every
//! problem in the human or JSON format.

use super::{CompileOptions, Failure, Outcome, compile, use_color};
use crate::cli::{CheckArgs, Format};

pub fn run(args: &CheckArgs) -> Result<Outcome, Failure> {
    let options = CompileOptions {
        drafts: args.site.drafts,
        base_url: None,
        serving: false,
    };
    let mut compiled = compile(&args.site.root, &options)?;
    let diagnostics = &mut compiled.diagnostics;
    if args.site.deny_warnings {
        diagnostics.deny_warnings();
    }
    match args.format {
        Format::Json => println!("{}", diagnostics.render_json()),
        Format::Human => eprint!("{}", diagnostics.render_human(use_color(args.site.color))),
    }
    Ok(if diagnostics.has_errors() {
        Outcome::ContentErrors
    } else {
        Outcome::Clean
    })
}
