//! DEPLOY: the output folder as files to publish — each one's path under
//! the site root, size, SHA-256 and the headers it is to carry.

use std::path::Path;

use aws_lc_rs::digest;
use rayon::prelude::*;

use super::headers::{self, CacheRules};
use crate::cmd::Failure;

/// A file of the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Relative to the output folder, with `/`: `actors/x/index.html`.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub content_type: String,
    pub cache_control: String,
}

/// Every file under `out` except dot files (the build's marker): read
/// and hashed in parallel.
pub fn scan(out: &Path, rules: &CacheRules) -> Result<Vec<LocalFile>, Failure> {
    if !out.is_dir() {
        return Err(Failure(format!(
            "the output folder {} does not exist; run `explainer build` first, or pass --build",
            out.display()
        )));
    }
    let mut paths = Vec::new();
    let walk = walkdir::WalkDir::new(out)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| Failure(format!("cannot read {}: {e}", out.display())))?;
        if entry.file_type().is_file() {
            paths.push(entry.into_path());
        }
    }
    paths
        .par_iter()
        .map(|path| describe(out, path, rules))
        .collect()
}

fn describe(out: &Path, path: &Path, rules: &CacheRules) -> Result<LocalFile, Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?;
    let rel = site_path(out, path);
    Ok(LocalFile {
        size: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
        content_type: headers::content_type(&rel).to_owned(),
        cache_control: rules.cache_control(&rel).to_owned(),
        path: rel,
    })
}

/// `out/actors/x/index.html` → `actors/x/index.html`, on any platform.
fn site_path(out: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(out).unwrap_or(path);
    rel.iter()
        .map(|c| c.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = digest::digest(&digest::SHA256, bytes);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_nothing_is_the_known_value() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn the_scan_skips_dot_files_and_names_paths_with_slashes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("actors/x")).unwrap();
        std::fs::write(out.join("actors/x/index.html"), "<p>").unwrap();
        std::fs::write(out.join(".explainer-output"), "").unwrap();
        let files = scan(out, &CacheRules::new(&[]).unwrap()).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["actors/x/index.html"]);
        assert_eq!(files[0].size, 3);
    }

    #[test]
    fn a_missing_output_folder_says_to_build_first() {
        let err = scan(Path::new("/no/such/folder"), &CacheRules::new(&[]).unwrap()).unwrap_err();
        assert!(err.0.contains("explainer build"), "{}", err.0);
    }
}
