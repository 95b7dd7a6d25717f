//! `explainer clean`: remove the build cache and the output folder, so the
//! next build starts from nothing. Only what a build made is removed: the
//! cache files explainer writes, and an output folder carrying the marker
//! a build leaves. Content, templates and static files are never touched.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Failure, Outcome, say};
use crate::cli::{CleanArgs, GlobalArgs};
use crate::config;
use crate::diag::Diagnostics;
use crate::engine::cache;
use crate::output::{self, MARKER};

pub fn run(args: &CleanArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    let root = &args.root;
    super::ensure_site(root)?;
    let config = config::load(root, &mut Diagnostics::default());
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| root.join(&config.output_dir));
    let dir = super::cached::cache_dir(root, args.cache_dir.as_deref());
    let mut removed = Vec::new();
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |e: io::Error| Failure(format!("cannot remove {}: {e}", path.display()))
    };
    // The first language's record, kept Markdown and parses, then each other
    // language's, in a folder of its own (named by its code, and found by
    // looking: `languages:` may have changed since).
    let mut stores = vec![dir.clone()];
    if let Ok(entries) = fs::read_dir(&dir) {
        stores.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir() && cache::files_of(p).iter().any(|f| f.exists())),
        );
    }
    for store in &stores {
        for path in cache::files_of(store) {
            let gone = match path.is_dir() {
                true => fs::remove_dir_all(&path).map(|()| true),
                false => remove_file(&path),
            };
            if gone.map_err(fail(&path))? {
                removed.push(path);
            }
        }
        if store != &dir {
            let _ = fs::remove_dir(store);
        }
    }
    let images = config.images.cache();
    if images.is_dir() {
        fs::remove_dir_all(&images).map_err(fail(&images))?;
        removed.push(images);
    }
    // The cache folder goes only once nothing else is in it.
    let _ = fs::remove_dir(&dir);
    if out.join(MARKER).is_file() {
        output::check_target(root, &out, false).map_err(|e| Failure(e.to_string()))?;
        fs::remove_dir_all(&out).map_err(fail(&out))?;
        removed.push(out);
    } else if out.exists() {
        say::err(&format!(
            "warning: left {} alone: it was not written by explainer\n",
            out.display()
        ));
    }
    if !global.quiet {
        say::out(&summary(&removed));
    }
    Ok(Outcome::Clean)
}

/// Removes a file; whether it was there.
fn remove_file(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn summary(removed: &[PathBuf]) -> String {
    if removed.is_empty() {
        return "Nothing to clean\n".into();
    }
    let mut text = String::new();
    for path in removed {
        text.push_str(&format!("Removed {}\n", path.display()));
    }
    text
}
