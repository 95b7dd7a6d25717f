//! Profile: what one edit costs `serve`'s rebuild, in process, without the
//! watcher's debounce or HTTP — the part of `serve_latency`'s figures that
//! is explainer's own work.
//!
//! Renames the title of one content file and restores it, `runs` times
//! (8 by default), and prints for each step how long the pages took to be
//! ready ([`Engine::update`]), how long the whole rebuild took
//! ([`Engine::finish`] for the exports, feeds and search index), and how
//! many files were rendered and changed.
//!
//! ```sh
//! cargo run --release --example edit_profile -- SITE_DIR content/actors/x.md [runs]
//! ```

use std::path::PathBuf;
use std::time::Instant;

use explainer::cmd::CompileOptions;
use explainer::engine::{Change, Engine as Session};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(root), Some(rel)) = (args.next(), args.next()) else {
        eprintln!("usage: edit_profile SITE_DIR CONTENT_FILE [RUNS]");
        std::process::exit(2);
    };
    let (root, rel) = (PathBuf::from(root), PathBuf::from(rel));
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(8);
    let options = CompileOptions {
        drafts: false,
        base_url: Some("http://127.0.0.1:1111".into()),
        serving: true,
        ..Default::default()
    };
    let started = Instant::now();
    let mut session = Session::new(&root, options);
    println!("built in memory in {:.0} ms", ms(started));
    let original = std::fs::read_to_string(root.join(&rel)).expect("the content file");
    let title = original
        .lines()
        .find(|l| l.starts_with("title:"))
        .expect("a title line")
        .to_owned();
    for n in 0..runs {
        let text = if n % 2 == 0 {
            original.replacen(&title, &format!("title: \"Renamed Actor {n}\""), 1)
        } else {
            original.clone()
        };
        std::fs::write(root.join(&rel), text).expect("write");
        let started = Instant::now();
        let pages = session.update(&[Change::Content(rel.clone())], &[]);
        let pages_ms = ms(started);
        let rest = session.finish();
        println!(
            "{}: pages ready in {pages_ms:.1} ms, all in {:.1} ms; {} + {} rendered, {} changed",
            if n % 2 == 0 { "rename " } else { "restore" },
            ms(started),
            pages.rendered,
            rest.rendered,
            pages.changed.len() + rest.changed.len()
        );
    }
    std::fs::write(root.join(&rel), original).expect("restore");
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
