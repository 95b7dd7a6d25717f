//! Helpers for integration tests: run the real binary on a fixture site and
//! read what it wrote.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of a fixture site under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `explainer` with `args`, from `cwd`.
pub fn explainer(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_explainer"))
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the explainer binary runs")
}

/// A fixture built into a fresh temporary folder.
pub struct Built {
    pub dir: tempfile::TempDir,
    pub output: Output,
}

impl Built {
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// The text of an output file, panicking with its path if missing.
    pub fn read(&self, rel: &str) -> String {
        let path = self.out().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The `<main>` element of a page, where the content is.
    pub fn main(&self, rel: &str) -> String {
        let html = self.read(rel);
        let start = html.find("<main").expect("page has <main>");
        let end = html.find("</main>").expect("page closes </main>");
        html[start..end].to_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

/// Builds fixture `name` with extra `args` into a temporary folder.
pub fn build(name: &str, args: &[&str]) -> Built {
    build_root(&fixture(name), args)
}

/// Builds the site at `root` with extra `args` into a temporary folder.
pub fn build_root(root: &Path, args: &[&str]) -> Built {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let mut all = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let output = explainer(dir.path(), &all);
    Built { dir, output }
}

/// Builds and asserts success.
pub fn build_ok(name: &str, args: &[&str]) -> Built {
    build_root_ok(&fixture(name), args)
}

/// Builds the site at `root` and asserts success.
pub fn build_root_ok(root: &Path, args: &[&str]) -> Built {
    let built = build_root(root, args);
    assert!(
        built.output.status.success(),
        "build of {} failed:\n{}",
        root.display(),
        built.stderr()
    );
    built
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    out.sort();
    out
}

/// Runs `explainer check --root <fixture>` with extra `args`, from the crate
/// root, so the command is the one a writer would type.
pub fn check(name: &str, args: &[&str]) -> Output {
    let root = fixture(name);
    let mut all = vec!["check", "--root", root.to_str().unwrap()];
    all.extend_from_slice(args);
    explainer(Path::new(env!("CARGO_MANIFEST_DIR")), &all)
}

/// The repository's own example site built into a temporary folder; the
/// folder lives as long as the returned guard.
pub fn build_example() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    build_into(Path::new(env!("CARGO_MANIFEST_DIR")), &out);
    (dir, out)
}

/// Builds the site at `root` into `out`, asserting success.
/// A fresh build of `root` into `out`: without the build cache, so it
/// starts from nothing and leaves no cache in the fixture.
pub fn build_into(root: &Path, out: &Path) {
    let result = fresh_build(root, out);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// [`build_into`], handing back what the build printed and its status.
pub fn fresh_build(root: &Path, out: &Path) -> Output {
    explainer(
        out.parent().expect("an output folder inside another"),
        &[
            "build",
            "--no-cache",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
    )
}

/// Copies every file of `from` into `to`, creating folders as needed.
pub fn copy_tree(from: &Path, to: &Path) {
    // A cache `check` left in a fixture (pictures, share cards) is not
    // part of it.
    let cached = |f: &Path| f.starts_with(".explainer-cache");
    for file in files(from).into_iter().filter(|f| !cached(f)) {
        let target = to.join(&file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&file), target).unwrap();
    }
}

/// The value of attribute `name` on the first element `css` selects.
pub fn attr(html: &scraper::Html, css: &str, name: &str) -> Option<String> {
    let selector = scraper::Selector::parse(css).expect("a valid selector");
    html.select(&selector)
        .next()
        .and_then(|e| e.value().attr(name).map(str::to_owned))
}

/// The name a static file is published under in `out`: `style.css` is
/// written as `style.<16 hex digits>.css`.
pub fn published(out: &Path, rel: &str) -> String {
    let (stem, ext) = rel.rsplit_once('.').expect("a name with an extension");
    files(out)
        .into_iter()
        .map(|f| f.to_string_lossy().replace('\\', "/"))
        .find(|f| {
            f.strip_prefix(&format!("{stem}."))
                .and_then(|rest| rest.strip_suffix(&format!(".{ext}")))
                .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .unwrap_or_else(|| panic!("no published {rel} in {}", out.display()))
}

/// The stylesheet link of a page of the default theme (written by its
/// loader script, and in `<noscript>` for readers without JavaScript).
pub fn stylesheet_href(html: &str) -> Option<String> {
    let start = html.find("<link rel=\"stylesheet\" href=\"")? + 29;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].to_owned())
}
