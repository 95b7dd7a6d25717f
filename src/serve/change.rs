//! SERVE: what a changed path means for the build — the table from a file
//! event to a [`Change`], with editor temporary files left out.

use std::path::{Component, Path, PathBuf};

use crate::engine::Change;

/// Classifies a path (relative to the site root) that the watcher reported.
/// `None` means the change does not matter: an editor's temporary file, the
/// output folder, anything outside the watched folders.
///
/// `is_folder` tells whether a path under `content/` is, or was, a folder
/// holding content: only then does a path that is not a content file
/// change which pages exist.
pub fn classify(
    rel: &Path,
    theme: &str,
    output_dir: &Path,
    is_folder: impl Fn(&Path) -> bool,
) -> Option<Change> {
    if rel.starts_with(output_dir) || is_editor_temp(rel) {
        return None;
    }
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| {
            if let Component::Normal(s) = c {
                s.to_str()
            } else {
                None
            }
        })
        .collect();
    match parts.as_slice() {
        ["site.yaml"] => Some(Change::Everything),
        ["content", ..] => content_change(rel, is_folder),
        ["templates", ..] => Some(Change::Template),
        // The words of every page: read with the configuration.
        ["i18n", ..] => Some(Change::Everything),
        ["themes", name, "i18n", ..] if *name == theme => Some(Change::Everything),
        ["static", rest @ ..] if !rest.is_empty() => Some(Change::Static(rest.iter().collect())),
        ["themes", name, "templates", ..] if *name == theme => Some(Change::Template),
        ["themes", name, "static", rest @ ..] if *name == theme && !rest.is_empty() => {
            Some(Change::Static(rest.iter().collect::<PathBuf>()))
        }
        _ => None,
    }
}

/// A content file, or a folder of them (renamed, deleted or new), is
/// handed to the engine, which reads what came and went. Any other file is not content: GNU
/// `sed -i` and other tools write a temporary without an extension
/// (`content/actors/sedAb12Cd`) and rename it over the file, and that
/// must cost one page, not a full rebuild.
fn content_change(rel: &Path, is_folder: impl Fn(&Path) -> bool) -> Option<Change> {
    let ext = rel
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if PICTURES.contains(&ext.as_str()) {
        return Some(Change::Picture(rel.to_path_buf()));
    }
    let is_content_file = ext == "md" || ext == "yaml" || ext == "yml";
    (is_content_file || is_folder(rel)).then(|| Change::Content(rel.to_path_buf()))
}

/// Picture files a page may show from beside its content file.
const PICTURES: &[&str] = &["jpg", "jpeg", "png", "webp", "svg"];

/// Files editors write next to the one being saved, which never become
/// pages: vim's swap and backup files and its `4913` probe, emacs lock and
/// autosave files, JetBrains' safe-write copies, and dot files in general.
pub fn is_editor_temp(rel: &Path) -> bool {
    let Some(name) = rel.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with('#')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.contains("___jb_tmp___")
        || name.contains("___jb_old___")
        || name == "4913"
        || rel
            .components()
            .any(|c| matches!(c, Component::Normal(s) if s.to_string_lossy().starts_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_classified_by_where_they_happen() {
        let table: &[(&str, Option<Change>)] = &[
            ("site.yaml", Some(Change::Everything)),
            (
                "content/actors/a.md",
                Some(Change::Content("content/actors/a.md".into())),
            ),
            (
                "content/actors/b.yaml",
                Some(Change::Content("content/actors/b.yaml".into())),
            ),
            (
                "content/_index.md",
                Some(Change::Content("content/_index.md".into())),
            ),
            (
                "content/actors",
                Some(Change::Content("content/actors".into())),
            ),
            (
                "content/old-folder",
                Some(Change::Content("content/old-folder".into())),
            ),
            (
                "content/actors/portrait.JPG",
                Some(Change::Picture("content/actors/portrait.JPG".into())),
            ),
            ("templates/actor.html", Some(Change::Template)),
            ("templates/partials/key_facts.html", Some(Change::Template)),
            ("themes/default/templates/base.html", Some(Change::Template)),
            ("themes/other/templates/base.html", None),
            ("i18n/uk.yaml", Some(Change::Everything)),
            ("themes/default/i18n/en.yaml", Some(Change::Everything)),
            ("themes/other/i18n/en.yaml", None),
            (
                "static/img/logo.png",
                Some(Change::Static("img/logo.png".into())),
            ),
            (
                "themes/default/static/style.css",
                Some(Change::Static("style.css".into())),
            ),
            ("public/index.html", None),
            ("README.md", None),
            ("content/actors/.a.md.swp", None),
            ("content/actors/a.md~", None),
            ("content/actors/.#a.md", None),
            ("content/actors/#a.md#", None),
            ("content/actors/a.md___jb_tmp___", None),
            ("content/actors/a.md___jb_old___", None),
            ("content/actors/4913", None),
            ("content/.git/index", None),
            ("content/actors/sedAb12Cd", None),
            ("content/actors/notes.txt", None),
            (
                "content/people",
                Some(Change::Content("content/people".into())),
            ),
            (
                "content/actors",
                Some(Change::Content("content/actors".into())),
            ),
        ];
        // These are folders of content (still there, or renamed away);
        // the rest are files.
        let folders = ["content/actors", "content/people", "content/old-folder"];
        let is_folder = |p: &Path| folders.iter().any(|f| p == Path::new(f));
        for (path, expected) in table {
            assert_eq!(
                &classify(Path::new(path), "default", Path::new("public"), is_folder),
                expected,
                "{path}"
            );
        }
    }
}
