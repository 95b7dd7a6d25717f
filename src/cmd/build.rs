//! `explainer build`: compile the site and write it to the output folder.

use std::time::Instant;

use super::progress::Progress;
use super::{CompileOptions, Failure, Outcome, Stage, compile_streaming, report, say, use_color};
use crate::cli::{BuildArgs, GlobalArgs};
use crate::config;
use crate::diag::Diagnostics;
use crate::output::{self, StaticSources};
use crate::render::OutFile;

pub fn run(args: &BuildArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    let started = Instant::now();
    let root = &args.site.root;
    let options = CompileOptions {
        drafts: args.site.drafts,
        base_url: args.base_url.clone(),
        serving: false,
        today: args.site.today,
    };
    let color = use_color(global.color);
    super::ensure_site(root)?;
    let out = match &args.output {
        Some(o) => o.clone(),
        None => root.join(config::load(root, &mut Diagnostics::default()).output_dir),
    };
    output::check_target(root, &out, args.force).map_err(|e| Failure(e.to_string()))?;
    if !args.no_cache {
        let progress = Progress::start(!global.quiet, color, started);
        let (outcome, built) = super::cached::run(args, global, &options, &out, &progress)?;
        progress.finish();
        if let Some(built) = &built
            && global.verbose
        {
            say::err(&built.timings.lines(Stage::Write));
        }
        if let Some(built) = built.filter(|_| !global.quiet) {
            let cached = match built.from_cache {
                Some((rendered, written)) => format!(
                    " (from the cache: {} rendered, {} written)",
                    group_thousands(rendered),
                    group_thousands(written)
                ),
                None => String::new(),
            };
            say::out(&format!(
                "Built {} pages ({} entities) into {} in {:.2} s{cached}\n",
                group_thousands(built.html_pages),
                group_thousands(built.pages),
                out.display(),
                started.elapsed().as_secs_f64()
            ));
        }
        return Ok(outcome);
    }
    // Pages are written to a temporary folder as they are rendered; it is
    // swapped in only if the whole build succeeds, and removed otherwise.
    let writer = output::Writer::begin(&out).map_err(|e| Failure(e.to_string()))?;
    let mut html_pages = 0;
    let progress = Progress::start(!global.quiet, color, started);
    let (compiled, write_error) = std::thread::scope(|scope| {
        // One batch waits while the next renders: writing overlaps
        // rendering, and memory stays bounded by two batches. An empty
        // batch is a checkpoint (see `render_pages`): it returns once the
        // writer has written everything handed to it before.
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<OutFile>>(1);
        let (written, checkpoints) = std::sync::mpsc::channel::<()>();
        let writing = scope.spawn(|| write_all(&writer, received, written));
        let (pages, sent) = (&mut html_pages, &batches);
        let mut emit = move |files: Vec<OutFile>| {
            *pages += files
                .iter()
                .filter(|f| f.path.extension().is_some_and(|e| e == "html"))
                .count();
            let checkpoint = files.is_empty();
            // A failed send or receive means the writer stopped at an
            // error, which `writing` returns.
            if sent.send(files).is_ok() && checkpoint {
                let _ = checkpoints.recv();
            }
        };
        let compiled = compile_streaming(root, &options, &|stage| progress.stage(stage), &mut emit);
        drop(batches);
        let write_error = writing.join().unwrap_or_else(|_| {
            Some(output::WriteError::Refused(
                "the writer thread panicked".into(),
            ))
        });
        (compiled, write_error)
    });
    // Clear the line before anything else is printed.
    progress.finish();
    let mut compiled = compiled?;
    if report(&mut compiled.diagnostics, &args.site, global) == Outcome::ContentErrors {
        say::err(&format!(
            "build failed; the previous output in {} was left as it was\n",
            out.display()
        ));
        return Ok(Outcome::ContentErrors);
    }
    if let Some(e) = write_error {
        return Err(Failure(e.to_string()));
    }
    let statics = StaticSources::of(root, &compiled.config);
    let writing = Instant::now();
    writer
        .finish(&statics)
        .map_err(|e| Failure(e.to_string()))?;
    compiled.timings.write = writing.elapsed();
    if global.verbose {
        say::err(&compiled.timings.lines(Stage::Write));
    }
    if !global.quiet {
        say::out(&format!(
            "Built {} pages ({} entities) into {} in {:.2} s\n",
            group_thousands(html_pages),
            group_thousands(compiled.pages),
            out.display(),
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(Outcome::Clean)
}

/// Writes batches as they arrive until the renderer is done; stops at the
/// first error (dropping the receiver, so the renderer's sends fail fast).
fn write_all(
    writer: &output::Writer,
    batches: std::sync::mpsc::Receiver<Vec<OutFile>>,
    written: std::sync::mpsc::Sender<()>,
) -> Option<output::WriteError> {
    for files in batches {
        if files.is_empty() {
            let _ = written.send(());
        } else if let Err(e) = writer.write_batch_serial(&files) {
            return Some(e);
        }
    }
    None
}

/// `1234567` → `1,234,567`, for the summary line.
pub fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::group_thousands(1234), "1,234");
        assert_eq!(super::group_thousands(12), "12");
        assert_eq!(super::group_thousands(1_000_000), "1,000,000");
    }
}
