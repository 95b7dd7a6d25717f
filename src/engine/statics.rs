//! ENGINE, WRITE: static files of the theme and the site as published —
//! images without metadata, stylesheets and scripts under hashed names
//! ([`crate::render::assets::publish`]) — and the table of them pages link
//! through ([`AssetTable`]). `serve` keeps the files in its in-memory
//! output; `build` takes only the table (its writer copies the files with
//! the same rule).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::diag::Diagnostic;
use rayon::prelude::*;

use super::blob::Blob;
use crate::render::assets::{self, Asset, AssetTable, Published};
use crate::render::templates::DEFAULT_THEME;

use super::outputs::Outputs as Output;

/// The site's static files as published, and a warning for each image
/// that could not be stripped.
#[derive(Debug, Default)]
pub struct Statics {
    pub table: Arc<AssetTable>,
    warnings: BTreeMap<String, Diagnostic>,
}

impl Statics {
    /// Reads and publishes every static file, without keeping the bytes.
    pub fn load(root: &Path, config: &Config) -> Self {
        let mut statics = Statics::default();
        for (key, asset, _, warning) in publish_all(root, config, false) {
            statics.add(key, asset, warning);
        }
        statics
    }

    /// [`Statics::load`], putting every file into `output` as well.
    pub fn load_into(
        root: &Path,
        config: &Config,
        output: &mut Output,
        changed: &mut BTreeSet<PathBuf>,
    ) -> Self {
        let mut statics = Statics::default();
        for (key, asset, bytes, warning) in publish_all(root, config, true) {
            let path = PathBuf::from(&asset.file);
            if let Some(bytes) = bytes.filter(|b| output.get(&path) != Some(b)) {
                changed.insert(path.clone());
                output.insert(path, bytes);
            }
            statics.add(key, asset, warning);
        }
        statics
    }

    fn add(&mut self, key: String, asset: Asset, warning: Option<Diagnostic>) {
        if let Some(warning) = warning {
            self.warnings.insert(key.clone(), warning);
        }
        Arc::make_mut(&mut self.table).insert(key, asset);
    }

    /// Warnings about static files, for the diagnostics of a run.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.warnings.values()
    }

    /// Reads one static file (by its path under `static/`) again from the
    /// highest layer that has it, and brings its table entry and, with
    /// `output`, its published file up to date: a new version's name
    /// replaces the old one, and a file no layer has any more is removed.
    pub fn refresh(
        &mut self,
        root: &Path,
        config: &Config,
        rel: &Path,
        output: Option<(&mut Output, &mut BTreeSet<PathBuf>)>,
    ) {
        let key = rel.to_string_lossy().replace('\\', "/");
        let table = Arc::make_mut(&mut self.table);
        let old = table.get(&key).map(|a| PathBuf::from(&a.file));
        self.warnings.remove(&key);
        let source = read(root, config, rel);
        let published = source
            .as_ref()
            .map(|(bytes, _)| assets::publish(&key, bytes));
        if let Some((published, (_, from))) = published.as_ref().zip(source.as_ref())
            && let Some(why) = &published.corrupt
        {
            self.warnings
                .insert(key.clone(), corrupt_warning(from, &why.0));
        }
        match &published {
            Some(p) => table.insert(key.clone(), p.asset.clone()),
            None => table.remove(&key),
        }
        if let Some((output, changed)) = output {
            write(old, published.as_ref(), output, changed);
        }
    }
}

/// One static file as published: its path under `static/`, its table
/// entry, its bytes (when kept) and a warning if it could not be stripped.
type Loaded = (String, Asset, Option<Blob>, Option<Diagnostic>);

/// Reads and publishes every static file, in parallel: hashing a folder of
/// photographs is most of the work.
fn publish_all(root: &Path, config: &Config, keep: bool) -> Vec<Loaded> {
    let all: Vec<PathBuf> = all(root, config).into_iter().collect();
    all.par_iter()
        .filter_map(|rel| {
            let key = rel.to_string_lossy().replace('\\', "/");
            let (bytes, from) = read(root, config, rel)?;
            let published = assets::publish(&key, &bytes);
            let warning = published
                .corrupt
                .as_ref()
                .map(|why| corrupt_warning(&from, &why.0));
            let kept =
                keep.then(|| Blob::new(Path::new(&published.asset.file), published.bytes.to_vec()));
            Some((key, published.asset, kept, warning))
        })
        .collect()
}

/// Puts a published file into the output in place of its old name.
fn write(
    old: Option<PathBuf>,
    published: Option<&Published<'_>>,
    output: &mut Output,
    changed: &mut BTreeSet<PathBuf>,
) {
    let new = published.map(|p| PathBuf::from(&p.asset.file));
    if let Some(old) = old.filter(|o| Some(o) != new.as_ref())
        && output.remove(&old).is_some()
    {
        changed.insert(old);
    }
    let (Some(new), Some(p)) = (new, published) else {
        return;
    };
    if output.get(&new).is_some_and(|b| b.same_as(&p.bytes)) {
        return;
    }
    changed.insert(new.clone());
    let blob = Blob::new(&new, p.bytes.to_vec());
    output.insert(new, blob);
}

/// An image whose metadata could not be removed: published unchanged,
/// which the writer should know about.
pub fn corrupt_warning(file: &Path, why: &str) -> Diagnostic {
    Diagnostic::warning(
        "static-image",
        file,
        format!("could not remove the metadata of this image ({why}); it is published unchanged"),
    )
    .hint("open and save the picture again in an image editor, or check that its extension says what it is")
}

/// Static files of every layer, by path under `static/`.
pub fn all(root: &Path, config: &Config) -> BTreeSet<PathBuf> {
    let mut all = BTreeSet::new();
    if config.theme == "default" {
        all.extend(
            DEFAULT_THEME
                .iter()
                .filter_map(|(p, _)| p.strip_prefix("static/"))
                .map(PathBuf::from),
        );
    }
    for dir in dirs(root, config) {
        for entry in walkdir::WalkDir::new(&dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            if let Ok(rel) = entry.path().strip_prefix(&dir)
                && !rel.iter().any(|c| c.to_string_lossy().starts_with('.'))
            {
                all.insert(rel.to_path_buf());
            }
        }
    }
    all
}

/// Static folders, lowest precedence first.
fn dirs(root: &Path, config: &Config) -> [PathBuf; 2] {
    [
        root.join("themes").join(&config.theme).join("static"),
        root.join("static"),
    ]
}

/// One static file's bytes from the highest layer that has it, with its
/// path relative to the site root (for warnings).
fn read(root: &Path, config: &Config, rel: &Path) -> Option<(Vec<u8>, PathBuf)> {
    let from_disk = dirs(root, config).into_iter().rev().find_map(|dir| {
        let path = dir.join(rel);
        let bytes = std::fs::read(&path).ok()?;
        Some((
            bytes,
            path.strip_prefix(root).unwrap_or(&path).to_path_buf(),
        ))
    });
    let builtin = || {
        let wanted = format!("static/{}", rel.to_string_lossy().replace('\\', "/"));
        DEFAULT_THEME
            .iter()
            .find(|(p, _)| *p == wanted)
            .map(|(_, text)| {
                let shown = PathBuf::from(format!("themes/default/{wanted} (built in)"));
                (text.as_bytes().to_vec(), shown)
            })
    };
    from_disk.or_else(|| (config.theme == "default").then(builtin).flatten())
}
