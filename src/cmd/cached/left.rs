//! `explainer build` with the cache: the output folder as the last build
//! left it — checked before the cache is trusted, and recorded for the
//! next build.

use std::path::{Path, PathBuf};

use crate::cli::GlobalArgs;
use crate::cmd::say;
use crate::engine::cache::{self, Record, Stamp, Store, Unusable};
use crate::output::{self, MARKER};

/// The last build's record, when it is for this binary, configuration and
/// output, and the output is as that build left it. A damaged cache is
/// worth a warning; an outdated one is not.
pub(super) fn usable(
    store: &Store,
    stamp: Stamp,
    out: &Path,
    global: &GlobalArgs,
) -> Option<Record> {
    match store.load(stamp) {
        Ok(record) if output_as_left(out, &record.files) => Some(record),
        Ok(_) | Err(Unusable::Missing | Unusable::Outdated) => None,
        Err(Unusable::Broken(why)) => {
            if !global.quiet {
                say::err(&format!(
                    "warning: ignoring the build cache {} ({why}); building everything\n",
                    store.path().display()
                ));
            }
            None
        }
    }
}

/// Whether every file the last build wrote is still there with the same
/// length and time: an output folder someone changed, removed or replaced
/// is written anew.
fn output_as_left(out: &Path, files: &[Stated]) -> bool {
    use rayon::prelude::*;
    !files.is_empty()
        && files
            .par_iter()
            .all(|(rel, len, time)| stat(out, rel) == Some((*len, *time)))
}

/// An output file with its length and modification time.
pub(super) type Stated = (PathBuf, u64, i128);

/// The length and time of the output file `rel`, if it is a file.
fn stat(out: &Path, rel: &Path) -> Option<(u64, i128)> {
    let meta = std::fs::symlink_metadata(out.join(rel)).ok()?;
    meta.is_file().then(|| (meta.len(), cache::mtime_ns(&meta)))
}

/// Every file of the output with its length and time, in path order. With
/// the files as the last build left them and the ones this build touched,
/// only those (and the manifest) are looked at again: about 50,000 files at
/// 10,000 entities, which took 160 ms to list and look at.
pub(super) fn files_now(out: &Path, patched: Option<(Vec<Stated>, &[PathBuf])>) -> Vec<Stated> {
    let marker = PathBuf::from(MARKER);
    let Some((mut files, touched)) = patched else {
        let mut listed = output::listed_files(out);
        listed.push(marker);
        let mut files: Vec<Stated> = listed
            .into_iter()
            .filter_map(|rel| stat(out, &rel).map(|(len, time)| (rel, len, time)))
            .collect();
        files.sort_unstable();
        return files;
    };
    // Records before this one kept the manifest last.
    files.sort_unstable();
    for rel in touched.iter().chain([&marker]) {
        let at = files.binary_search_by(|(p, ..)| p.as_path().cmp(rel));
        match (stat(out, rel), at) {
            (Some((len, time)), Ok(i)) => files[i] = (rel.clone(), len, time),
            (Some((len, time)), Err(i)) => files.insert(i, (rel.clone(), len, time)),
            (None, Ok(i)) => drop(files.remove(i)),
            (None, Err(_)) => {}
        }
    }
    files
}
