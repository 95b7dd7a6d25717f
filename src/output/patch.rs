//! WRITE, from the build cache: change the output folder in place, file by
//! file, instead of writing a new folder and swapping it in. Only files
//! whose bytes changed are written, each to a temporary file renamed over
//! the old one, so a reader (or a web server) sees the old file or the new
//! one, never half of one, and unchanged files keep their times.
//!
//! The caller removes the build cache before patching: a patch that stops
//! half-way leaves a folder the next build does not trust, and that build
//! writes everything anew through the [`super::Writer`].

use std::fs;
use std::path::{Path, PathBuf};

use super::lock::OutputLock;
use super::{MARKER, Manifest, WriteError, absolute, check_relative, hash, io_err};

/// An output folder being changed in place.
pub struct Patch {
    out: PathBuf,
    manifest: Manifest,
    /// The files written or removed, in the order they were.
    touched: Vec<PathBuf>,
    _lock: OutputLock,
}

impl Patch {
    /// Locks the output; it must be one a build wrote (with its marker).
    pub fn begin(out: &Path) -> Result<Patch, WriteError> {
        let out = absolute(out);
        let parent = out.parent().unwrap_or(Path::new("/")).to_path_buf();
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let lock = OutputLock::acquire(&parent.join(format!(".{name}.explainer-lock")), &out)?;
        // What an interrupted full build left goes first, as in a full one.
        super::swap::recover(&super::swap::Place::for_output(&out, &parent, &name), &out)?;
        if !out.join(MARKER).is_file() {
            return Err(WriteError::Refused(format!(
                "{} has no {MARKER}: it was not written by explainer",
                out.display()
            )));
        }
        let manifest = Manifest::read(&out);
        Ok(Patch {
            out,
            manifest,
            touched: Vec::new(),
            _lock: lock,
        })
    }

    /// The files the output holds, by its manifest.
    pub fn listed(&self) -> impl Iterator<Item = &PathBuf> {
        self.manifest.entries.keys()
    }

    /// Writes `bytes` at `rel` unless the file already holds them.
    pub fn put(&mut self, rel: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        check_relative(rel)?;
        let print = (hash(bytes), bytes.len());
        if self.manifest.entries.get(rel) == Some(&print) {
            return Ok(());
        }
        let path = self.out.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        let tmp = path.with_file_name(format!(
            ".{}.explainer-tmp",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
        fs::rename(&tmp, &path).map_err(io_err(&path))?;
        self.manifest.entries.insert(rel.to_path_buf(), print);
        self.touched.push(rel.to_path_buf());
        Ok(())
    }

    /// Removes a file the site no longer has, and folders it leaves empty.
    pub fn remove(&mut self, rel: &Path) -> Result<(), WriteError> {
        check_relative(rel)?;
        let path = self.out.join(rel);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_err(&path)(e)),
            _ => {}
        }
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.out) {
            if fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        self.manifest.entries.remove(rel);
        self.touched.push(rel.to_path_buf());
        Ok(())
    }

    /// Writes the new manifest; returns the files written or removed
    /// (the manifest aside).
    pub fn finish(self) -> Result<Vec<PathBuf>, WriteError> {
        if !self.touched.is_empty() {
            let tmp = self.out.join(format!("{MARKER}.tmp"));
            fs::write(&tmp, self.manifest.render()).map_err(io_err(&tmp))?;
            fs::rename(&tmp, self.out.join(MARKER)).map_err(io_err(&self.out))?;
        }
        Ok(self.touched)
    }
}

/// The files a build left in `out`, by its manifest.
pub fn listed_files(out: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Manifest::read(&absolute(out)).entries.into_keys().collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_files_are_written_and_removed_folders_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("a")).unwrap();
        fs::write(out.join("a/index.html"), "old").unwrap();
        let mut m = Manifest::default();
        m.entries.insert("a/index.html".into(), (hash(b"old"), 3));
        fs::write(out.join(MARKER), m.render()).unwrap();
        let mut patch = Patch::begin(&out).unwrap();
        patch.put(Path::new("a/index.html"), b"old").unwrap();
        patch.put(Path::new("b/index.html"), b"new").unwrap();
        patch.remove(Path::new("a/index.html")).unwrap();
        let touched = patch.finish().unwrap();
        assert_eq!(
            touched,
            [PathBuf::from("b/index.html"), "a/index.html".into()]
        );
        assert!(!out.join("a").exists(), "an emptied folder is removed");
        assert_eq!(fs::read(out.join("b/index.html")).unwrap(), b"new");
        assert_eq!(listed_files(&out), vec![PathBuf::from("b/index.html")]);
    }

    #[test]
    fn a_folder_without_the_marker_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("x"), "mine").unwrap();
        assert!(Patch::begin(dir.path()).is_err());
    }
}
