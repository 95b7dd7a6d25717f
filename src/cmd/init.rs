//! `explainer init DIR`: a new site that builds at once, with one example of
//! each kind of page and `site.yaml` with every key commented.
//!
//! The starter files are real files under `src/cmd/init/`, compiled in. The
//! theme is not copied: a new site uses the default theme built into the
//! binary, so upgrading explainer upgrades its theme too, and a site only
//! holds the templates it changes (`templates/<name>`, docs/themes.md).
//!
//! `init` never overwrites: a non-empty folder is refused unless `--force`,
//! and even then every file that exists is skipped and named.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{Failure, Outcome, say, use_color};
use crate::cli::{GlobalArgs, InitArgs};

/// Each starter file: where it goes in the new site, and its text.
pub const STARTER: &[(&str, &str)] = &[
    ("site.yaml", include_str!("init/site.yaml")),
    (".gitignore", include_str!("init/gitignore")),
    ("content/_index.md", include_str!("init/content/_index.md")),
    (
        "content/actors/maria-kovalenko.md",
        include_str!("init/content/actors/maria-kovalenko.md"),
    ),
    (
        "content/meetings/first-round-geneva.md",
        include_str!("init/content/meetings/first-round-geneva.md"),
    ),
    (
        "content/proposals/river-treaty-draft.md",
        include_str!("init/content/proposals/river-treaty-draft.md"),
    ),
    (
        "content/sources/example-wire-talks-open.md",
        include_str!("init/content/sources/example-wire-talks-open.md"),
    ),
    (
        "content/pages/about.md",
        include_str!("init/content/pages/about.md"),
    ),
];

/// What `init` did, file by file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Created {
    pub written: Vec<PathBuf>,
    /// Files that already existed and were left as they were.
    pub skipped: Vec<PathBuf>,
}

pub fn run(args: &InitArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    let dir = &args.dir;
    refuse_unless_empty(dir, args.force)?;
    let created = write_starter(dir)?;
    let color = use_color(global.color);
    if !global.quiet {
        for skipped in &created.skipped {
            let (on, off) = if color {
                ("\x1b[1;33m", "\x1b[0m")
            } else {
                ("", "")
            };
            say::err(&format!(
                "{on}skipped{off} {}: it already exists and was left as it was\n",
                skipped.display()
            ));
        }
        say::out(&next_steps(dir, &created));
    }
    Ok(Outcome::Clean)
}

/// A folder holding anything but hidden entries (`.git`) is refused, so
/// `init` never mixes its files into someone's work by accident.
fn refuse_unless_empty(dir: &Path, force: bool) -> Result<(), Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure(format!(
            "{} exists and is not a folder; choose another name",
            dir.display()
        )));
    }
    if force || !dir.exists() {
        return Ok(());
    }
    let entries =
        fs::read_dir(dir).map_err(|e| Failure(format!("cannot read {}: {e}", dir.display())))?;
    let visible = entries
        .flatten()
        .any(|e| !e.file_name().to_string_lossy().starts_with('.'));
    if visible {
        return Err(Failure(format!(
            "{} is not empty; choose a new folder, or pass --force to add the starter files (existing files are never overwritten)",
            dir.display()
        )));
    }
    Ok(())
}

/// Writes every starter file that does not exist yet.
pub fn write_starter(dir: &Path) -> Result<Created, Failure> {
    let mut created = Created::default();
    for (rel, text) in STARTER {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| Failure(format!("cannot create {}: {e}", parent.display())))?;
        }
        match create_new(&path, text) {
            Ok(()) => created.written.push(PathBuf::from(rel)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                created.skipped.push(PathBuf::from(rel));
            }
            Err(e) => {
                return Err(Failure(format!("cannot write {}: {e}", path.display())));
            }
        }
    }
    Ok(created)
}

/// Writes `text` to a file that must not exist yet, atomically refusing
/// to replace one that appeared in the meantime.
pub fn create_new(path: &Path, text: &str) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

fn next_steps(dir: &Path, created: &Created) -> String {
    let mut out = if created.skipped.is_empty() {
        format!(
            "Created a new explainer site in {} ({} files).\n",
            dir.display(),
            created.written.len()
        )
    } else {
        format!(
            "Added {} starter files to {}; {} already existed and were kept.\n",
            created.written.len(),
            dir.display(),
            created.skipped.len()
        )
    };
    out.push_str("\nNext:\n");
    if dir != Path::new(".") {
        out.push_str(&format!("  cd {}\n", shell_word(dir)));
    }
    out.push_str(
        "  explainer serve    # preview at http://127.0.0.1:1111, reloading as you edit\n\
         \x20 explainer check    # every problem, with file:line:column\n\
         \x20 explainer build    # the site, into public/\n\n\
         The files in content/ are examples to replace: see docs/getting-started.md\n\
         in the explainer documentation. The theme is built in; docs/themes.md\n\
         there says how to change one of its templates.\n",
    );
    out
}

/// Quotes a path for the `cd` line when it has spaces or quotes.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-~".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_starter_file_is_written_once_and_then_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_starter(dir.path()).unwrap();
        assert_eq!(first.written.len(), STARTER.len());
        assert!(first.skipped.is_empty());
        fs::write(dir.path().join("site.yaml"), "title: mine\n").unwrap();
        let second = write_starter(dir.path()).unwrap();
        assert!(second.written.is_empty());
        assert_eq!(second.skipped.len(), STARTER.len());
        let kept = fs::read_to_string(dir.path().join("site.yaml")).unwrap();
        assert_eq!(kept, "title: mine\n");
    }

    #[test]
    fn a_folder_with_only_hidden_entries_counts_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        assert!(refuse_unless_empty(dir.path(), false).is_ok());
        fs::write(dir.path().join("notes.txt"), "x").unwrap();
        assert!(refuse_unless_empty(dir.path(), false).is_err());
        assert!(refuse_unless_empty(dir.path(), true).is_ok());
    }

    #[test]
    fn the_cd_line_quotes_paths_a_shell_would_split() {
        assert_eq!(shell_word(Path::new("my-site")), "my-site");
        assert_eq!(shell_word(Path::new("my site")), "'my site'");
    }
}
