//! WRITE: put a finished temporary folder in the output's place, in a way a
//! crash at any moment can be recovered from.
//!
//! Normally the output is swapped with two renames: the old output aside
//! (`.public.explainer-old-<pid>`), the new one in. A crash between the two
//! left no `public/` at all, and the next build used to delete the saved
//! one as a stale leftover; now the next build, holding the output's lock,
//! puts it back first ([`recover`]).
//!
//! A mount point (a Docker volume) cannot be renamed: there the temporary
//! folder is made inside the output, and the swap moves the entries instead
//! of the folder ([`Place::Inside`]), with the same recovery.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{WriteError, io_err, test_hook};

/// Prefixes of the folders a build makes beside (or inside) the output.
const TMP: &str = "explainer-tmp-";
const OLD: &str = "explainer-old";

/// Where the new output is written before it replaces the old one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Beside the output; swapped in by renaming the folders.
    Beside { parent: PathBuf, name: String },
    /// Inside the output, which cannot be renamed; swapped in entry by entry.
    Inside,
}

impl Place {
    /// Inside the output when it is a mount point, beside it otherwise.
    pub fn for_output(out: &Path, parent: &Path, name: &str) -> Place {
        if is_mount_point(out, parent) {
            Place::Inside
        } else {
            Place::Beside {
                parent: parent.to_path_buf(),
                name: name.to_owned(),
            }
        }
    }

    /// The temporary folder of this process.
    pub fn tmp(&self, out: &Path) -> PathBuf {
        let pid = std::process::id();
        match self {
            Place::Beside { parent, name } => parent.join(format!(".{name}.{TMP}{pid}")),
            Place::Inside => out.join(format!(".{TMP}{pid}")),
        }
    }

    /// Where the old output is kept during the swap.
    fn old(&self, out: &Path) -> PathBuf {
        let pid = std::process::id();
        match self {
            Place::Beside { parent, name } => parent.join(format!(".{name}.{OLD}-{pid}")),
            Place::Inside => out.join(format!(".{OLD}")),
        }
    }

    /// Names of leftovers of earlier builds: (temporary folders, saved old
    /// outputs), the saved ones newest first.
    fn leftovers(&self, out: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let (dir, tmp, old) = match self {
            Place::Beside { parent, name } => (
                parent.as_path(),
                format!(".{name}.{TMP}"),
                format!(".{name}.{OLD}"),
            ),
            Place::Inside => (out, format!(".{TMP}"), format!(".{OLD}")),
        };
        let names: Vec<(PathBuf, String)> = fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| (e.path(), e.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let tmps = names
            .iter()
            .filter(|(_, n)| n.starts_with(&tmp))
            .map(|(p, _)| p.clone())
            .collect();
        let mut olds: Vec<PathBuf> = names
            .into_iter()
            .filter(|(_, n)| n.starts_with(&old))
            .map(|(p, _)| p)
            .collect();
        olds.sort_by_key(|p| std::cmp::Reverse(modified(p)));
        (tmps, olds)
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    fs::symlink_metadata(path).and_then(|m| m.modified()).ok()
}

/// Undoes what an interrupted build left: its temporary folders go, and a
/// saved old output is put back if the new one never made it into place.
/// Called with the output's lock held, so no other build is writing.
pub fn recover(place: &Place, out: &Path) -> Result<(), WriteError> {
    let (tmps, olds) = place.leftovers(out);
    match place {
        Place::Beside { .. } => {
            let mut olds = olds.into_iter();
            if !exists(out)
                && let Some(saved) = olds.next()
            {
                fs::rename(&saved, out).map_err(io_err(out))?;
                note_restored(out);
            }
            olds.for_each(|old| remove_tree(&old));
        }
        Place::Inside => {
            // The old entries are moved aside before the new ones come in,
            // and the temporary folder goes before the saved one: with both
            // still there the swap did not finish, so the old ones return.
            for old in olds {
                if !tmps.is_empty() {
                    move_entries(&old, out, true)?;
                    note_restored(out);
                }
                remove_tree(&old);
            }
        }
    }
    tmps.iter().for_each(|tmp| remove_tree(tmp));
    Ok(())
}

fn note_restored(out: &Path) {
    let _ = writeln!(
        io::stderr(),
        "note: restored the output {} that an interrupted build had moved aside",
        out.display()
    );
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Replaces the output with the finished temporary folder.
pub fn swap(place: &Place, tmp: &Path, out: &Path) -> Result<(), WriteError> {
    match place {
        Place::Beside { .. } => swap_folders(tmp, out, &place.old(out)),
        Place::Inside => swap_entries(tmp, out, &place.old(out)),
    }
}

/// The old output aside, the new one in, the old one removed; a failed
/// second rename puts the old one back.
fn swap_folders(tmp: &Path, out: &Path, old: &Path) -> Result<(), WriteError> {
    let had_old = exists(out);
    if had_old {
        keep_mode(out, tmp);
        fs::rename(out, old).map_err(|e| rename_error(out, e))?;
        test_hook::crash_after("first-rename");
    }
    if let Err(error) = fs::rename(tmp, out) {
        if had_old {
            let _ = fs::rename(old, out);
        }
        return Err(rename_error(out, error));
    }
    if had_old {
        remove_tree(old);
    }
    Ok(())
}

/// The same swap one level down, for an output that cannot be renamed.
fn swap_entries(tmp: &Path, out: &Path, old: &Path) -> Result<(), WriteError> {
    fs::create_dir(old).map_err(io_err(old))?;
    move_entries(out, old, false)?;
    test_hook::crash_after("first-rename");
    move_entries(tmp, out, false)?;
    fs::remove_dir(tmp).map_err(io_err(tmp))?;
    remove_tree(old);
    Ok(())
}

/// Moves every entry of `from` into `to`, except the build's own folders;
/// with `replace`, an entry of the same name in `to` is removed first.
fn move_entries(from: &Path, to: &Path, replace: bool) -> Result<(), WriteError> {
    for entry in fs::read_dir(from).map_err(io_err(from))?.flatten() {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text.starts_with(&format!(".{TMP}")) || text.starts_with(&format!(".{OLD}")) {
            continue;
        }
        let target = to.join(&name);
        if replace && exists(&target) {
            remove_any(&target);
        }
        fs::rename(entry.path(), &target).map_err(io_err(&target))?;
    }
    Ok(())
}

/// The new folder gets the old one's permissions (a server may need them).
fn keep_mode(out: &Path, tmp: &Path) {
    if let Ok(meta) = fs::metadata(out) {
        let _ = fs::set_permissions(tmp, meta.permissions());
    }
}

fn rename_error(out: &Path, error: io::Error) -> WriteError {
    if matches!(
        error.kind(),
        io::ErrorKind::ResourceBusy | io::ErrorKind::CrossesDevices
    ) {
        return WriteError::Refused(format!(
            "cannot replace {0}: {error}; it looks like a mount point (a Docker volume?). \
             Mount the folder above it instead, or build into a folder inside it: --output {0}/site",
            out.display()
        ));
    }
    WriteError::Io {
        path: out.to_path_buf(),
        error,
    }
}

/// Removes a folder tree, its top-level entries in parallel.
pub fn remove_tree(dir: &Path) {
    let entries: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.par_iter().for_each(|path| remove_any(path));
    let _ = fs::remove_dir_all(dir);
}

/// Removes a file, a symlink (not what it points to) or a folder tree.
fn remove_any(path: &Path) {
    let _ = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        _ => fs::remove_file(path),
    };
}

/// Whether `out` is a mount point, which `rename` cannot move: on another
/// device than its parent, or listed as a mount (a bind mount of the same
/// device).
fn is_mount_point(out: &Path, parent: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(o), Ok(p)) = (fs::symlink_metadata(out), fs::metadata(parent))
            && o.is_dir()
            && o.dev() != p.dev()
        {
            return true;
        }
    }
    exists(out) && listed_as_mount(out)
}

/// Whether `/proc/self/mountinfo` (Linux) lists `out` as a mount point.
fn listed_as_mount(out: &Path) -> bool {
    let Ok(table) = fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let wanted = out.to_string_lossy();
    table
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .any(|point| unescape_mount(point) == wanted)
}

/// mountinfo writes space, tab, newline and backslash as `\040` and so on.
fn unescape_mount(field: &str) -> String {
    let mut out = String::new();
    let mut rest = field;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 1..at + 4)
            .and_then(|d| u8::from_str_radix(d, 8).ok());
        match code {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beside(dir: &Path) -> Place {
        Place::Beside {
            parent: dir.to_path_buf(),
            name: "out".into(),
        }
    }

    #[test]
    fn a_saved_output_without_a_new_one_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join(".out.explainer-old-42");
        fs::create_dir_all(&saved).unwrap();
        fs::write(saved.join("index.html"), "old").unwrap();
        fs::create_dir_all(dir.path().join(".out.explainer-tmp-42")).unwrap();
        let out = dir.path().join("out");
        recover(&beside(dir.path()), &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!saved.exists());
        assert!(!dir.path().join(".out.explainer-tmp-42").exists());
    }

    #[test]
    fn a_saved_output_beside_a_new_one_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join(".out.explainer-old-42");
        fs::create_dir_all(&saved).unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("index.html"), "new").unwrap();
        recover(&beside(dir.path()), &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert!(!saved.exists());
    }

    #[test]
    fn an_interrupted_swap_inside_the_output_puts_the_old_entries_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::create_dir_all(out.join(".explainer-old")).unwrap();
        fs::write(out.join(".explainer-old/index.html"), "old").unwrap();
        fs::create_dir_all(out.join(".explainer-tmp-42")).unwrap();
        fs::write(out.join("index.html"), "new, half moved in").unwrap();
        recover(&Place::Inside, out).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!out.join(".explainer-old").exists());
        assert!(!out.join(".explainer-tmp-42").exists());
    }

    #[test]
    fn swapping_inside_the_output_replaces_its_entries() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::write(out.join("gone.html"), "old").unwrap();
        let tmp = Place::Inside.tmp(out);
        fs::create_dir_all(tmp.join("a")).unwrap();
        fs::write(tmp.join("a/index.html"), "new").unwrap();
        swap(&Place::Inside, &tmp, out).unwrap();
        assert!(!out.join("gone.html").exists());
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "new");
        assert_eq!(fs::read_dir(out).unwrap().count(), 1);
    }

    #[test]
    fn mount_points_are_read_with_their_escapes() {
        assert_eq!(unescape_mount("/mnt/my\\040site"), "/mnt/my site");
        assert_eq!(unescape_mount("/plain"), "/plain");
    }
}
