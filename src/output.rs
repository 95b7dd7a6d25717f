//! WRITE: put the rendered files and static files into the output folder.
//!
//! Everything is written to a temporary folder next to the target and swapped
//! in only when all of it was written, so a failed build leaves the previous
//! output as it was. The output folder carries a marker file; a folder
//! without it is someone's work and is refused.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use crate::render::OutFile;
use crate::render::templates::DEFAULT_THEME;

/// Written into every output folder, so we only ever replace our own output.
pub const MARKER: &str = ".explainer-output";

/// Folders of the site that the build must never write into.
const PROTECTED: &[&str] = &["content", "templates", "themes", "static"];

/// Why the output could not be written.
#[derive(Debug)]
pub enum WriteError {
    /// The output folder is unsafe to replace; nothing was touched.
    Refused(String),
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Refused(why) => f.write_str(why),
            WriteError::Io { path, error } => write!(f, "cannot write {}: {error}", path.display()),
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |error| WriteError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Where static files come from, in copy order (later ones win).
#[derive(Debug, Clone)]
pub struct StaticSources {
    /// Copy the default theme's built-in static files first.
    pub builtin_theme: bool,
    pub dirs: Vec<PathBuf>,
}

/// Checks that `out` may be replaced by a build of the site at `root`.
pub fn check_target(root: &Path, out: &Path, force: bool) -> Result<(), WriteError> {
    let root = absolute(root);
    let out = absolute(out);
    if out.parent().is_none() {
        return Err(WriteError::Refused(format!(
            "refusing to use {} as the output folder",
            out.display()
        )));
    }
    if out == root || root.starts_with(&out) {
        return Err(WriteError::Refused(format!(
            "refusing to write output to {}: it is the site folder or contains it; use a subfolder such as `public`",
            out.display()
        )));
    }
    for name in PROTECTED {
        if out.starts_with(root.join(name)) {
            return Err(WriteError::Refused(format!(
                "refusing to write output into `{name}/`, which holds your own files; use `public`"
            )));
        }
    }
    let has_content = fs::read_dir(&out)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if has_content && !out.join(MARKER).exists() && !force {
        return Err(WriteError::Refused(format!(
            "{} is not empty and was not written by explainer; choose another --output, or pass --force to replace it",
            out.display()
        )));
    }
    Ok(())
}

/// Makes a path absolute and lexically normal without touching the disk, so
/// a folder that does not exist yet can still be compared.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    fs::canonicalize(&out).unwrap_or(out)
}

/// Writes everything to a temporary folder beside `out`, then swaps it in.
pub fn write(out: &Path, files: &[OutFile], statics: &StaticSources) -> Result<(), WriteError> {
    let out = absolute(out);
    let parent = out
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    clean_stale(&parent, &name);
    let tmp = parent.join(format!(".{name}.explainer-tmp-{}", std::process::id()));
    let result = fill(&tmp, files, statics).and_then(|()| swap(&tmp, &out, &parent, &name));
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

fn fill(tmp: &Path, files: &[OutFile], statics: &StaticSources) -> Result<(), WriteError> {
    fs::create_dir_all(tmp).map_err(io_err(tmp))?;
    if statics.builtin_theme {
        for (path, text) in DEFAULT_THEME {
            if let Some(rel) = path.strip_prefix("static/") {
                write_file(tmp, Path::new(rel), text.as_bytes())?;
            }
        }
    }
    for dir in &statics.dirs {
        copy_dir(dir, tmp)?;
    }
    for f in files {
        write_file(tmp, &f.path, &f.bytes)?;
    }
    write_file(
        tmp,
        Path::new(MARKER),
        b"This folder is generated by explainer; it is replaced on every build.\n",
    )
}

/// Writes one file under `root`, refusing any path that would leave it.
pub fn write_file(root: &Path, rel: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(WriteError::Refused(format!(
            "refusing to write outside the output folder: {}",
            rel.display()
        )));
    }
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::write(&path, bytes).map_err(io_err(&path))
}

/// Copies a static folder, skipping dot files and symlinks out of it.
fn copy_dir(dir: &Path, to: &Path) -> Result<(), WriteError> {
    if !dir.is_dir() {
        return Ok(());
    }
    let canonical = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker.flatten() {
        let path = entry.path();
        if entry.path_is_symlink()
            && !fs::canonicalize(path).is_ok_and(|t| t.starts_with(&canonical))
        {
            continue;
        }
        if !path.is_file() {
            continue;
        }
        let Ok(rel) = path.strip_prefix(dir) else {
            continue;
        };
        let bytes = fs::read(path).map_err(io_err(path))?;
        write_file(to, rel, &bytes)?;
    }
    Ok(())
}

/// Replaces `out` with `tmp`: the old output is moved aside first and
/// removed only once the new one is in place.
fn swap(tmp: &Path, out: &Path, parent: &Path, name: &str) -> Result<(), WriteError> {
    let old = parent.join(format!(".{name}.explainer-old-{}", std::process::id()));
    let had_old = out.exists();
    if had_old {
        fs::rename(out, &old).map_err(io_err(out))?;
    }
    if let Err(error) = fs::rename(tmp, out) {
        if had_old {
            let _ = fs::rename(&old, out);
        }
        return Err(WriteError::Io {
            path: out.to_path_buf(),
            error,
        });
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Removes temporary folders an interrupted build left behind.
fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.explainer-tmp-"),
        format!(".{name}.explainer-old-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_root_and_protected_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(check_target(root, root, false).is_err());
        assert!(check_target(root, &root.join("content"), false).is_err());
        assert!(check_target(root, &root.join("static/x"), false).is_err());
        assert!(check_target(&root.join("site"), root, false).is_err());
        assert!(check_target(root, &root.join("public"), false).is_ok());
    }

    #[test]
    fn refuses_a_foreign_non_empty_folder_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("thesis.docx"), b"mine").unwrap();
        assert!(check_target(dir.path(), &out, false).is_err());
        assert!(check_target(dir.path(), &out, true).is_ok());
    }

    #[test]
    fn write_file_stays_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_file(dir.path(), Path::new("../x"), b"").is_err());
        assert!(write_file(dir.path(), Path::new("/etc/x"), b"").is_err());
        assert!(write_file(dir.path(), Path::new("a/b.html"), b"").is_ok());
    }
}
