//! The `explainer` binary: parse the command line, run it, map the result to
//! an exit code (0 clean, 1 content errors, 2 usage or environment).

use std::process::ExitCode;

use clap::Parser;
use explainer::Outcome;
use explainer::cli::Cli;

/// mimalloc's `mi_option_purge_delay` (the position of the option in
/// `mi_option_e` of mimalloc v3, which libmimalloc-sys 0.1.49 builds).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Give memory freed in bulk (a rendered page once written, Markdown
    // sources once rendered) back to the system at once instead of after
    // 10 ms: a large build frees faster than that, and the pages kept for
    // reuse made the peak of a 100,000-entity build about 10 % higher.
    // `MIMALLOC_PURGE_DELAY` in the environment still decides, if set.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a documented option before any thread is started.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
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
