//! RENDER: shortcodes — Zola-style calls in page bodies
//! (`{{ youtube(id="…", title="…") }}`, `{% callout(kind="note") %}` …
//! `{% end %}`) rendered with the Tera templates under
//! `templates/shortcodes/`: the theme's, overridden or added to by the
//! site's own. Input: a body's Markdown; output: the Markdown with each
//! call replaced by a placeholder ([`expand`]), and after Markdown
//! rendering, the placeholders replaced by the calls' HTML.
//!
//! Writers paste embeds from chart tools and video sites; a shortcode
//! checks what they wrote (unknown names, missing or mistyped arguments
//! are errors at the call, with a did-you-mean) and writes markup that is
//! accessible, valid and asks nothing of a third party until the reader
//! does.

pub mod builtin;
mod context;
pub mod expand;
pub mod parse;

use std::collections::BTreeMap;
use std::path::Path;

use tera::Context;

use crate::render::templates::{self, Origin, Templates};

/// Where shortcode templates live inside a template folder.
pub const FOLDER: &str = "shortcodes/";

/// The site's shortcodes, compiled.
pub struct Shortcodes {
    /// `None` when a template failed to compile: the template error is
    /// reported with the other templates, and each call says it failed.
    compiled: Option<Templates>,
    /// Each shortcode's name and a print of its template's text, so that a
    /// change to one template renders again only the pages that call it.
    prints: BTreeMap<String, u64>,
    /// The site language's words, for what calls format here (a `post`'s
    /// date).
    strings: crate::i18n::Strings,
}

impl Shortcodes {
    /// The built-in templates, then the theme's, then the site's: later
    /// layers override earlier ones, name by name. Reads only the two
    /// `shortcodes/` folders, so `serve` can look again after every change.
    pub fn load(root: &Path, config: &crate::config::Config) -> Self {
        let theme = &config.theme;
        let mut layers = builtin_layers();
        for dir in [
            root.join("themes").join(theme).join("templates"),
            root.join("templates"),
        ] {
            read_folder(root, &dir, &mut layers);
        }
        let prints = layers
            .iter()
            .filter_map(|(name, (_, text))| {
                let short = name.strip_prefix(FOLDER)?.strip_suffix(".html")?;
                Some((
                    short.to_owned(),
                    xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
                ))
            })
            .collect();
        Shortcodes {
            compiled: templates::compile(layers, config.strings.clone()).ok(),
            prints,
            strings: config.strings.clone(),
        }
    }

    /// A print of every shortcode template, and of whether they compiled:
    /// what a page body that calls none still depends on (a template
    /// added under a name it calls turns its text into a call).
    pub fn print(&self) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&[u8::from(self.compiled.is_some())]);
        for (name, print) in &self.prints {
            h.update(name.as_bytes());
            h.update(&print.to_le_bytes());
        }
        h.digest()
    }

    /// The site language's words for dates.
    pub fn date_words(&self) -> &crate::i18n::DateWords {
        &self.strings.0.dates
    }

    /// Whether a template for `name` exists.
    pub fn has(&self, name: &str) -> bool {
        self.prints.contains_key(name)
    }

    /// Every shortcode's name, for did-you-mean hints.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.prints.keys().map(String::as_str)
    }

    /// The names whose templates differ between `self` and `other`.
    pub fn changed_since(&self, other: &Shortcodes) -> Vec<String> {
        let mut names: Vec<String> = self
            .prints
            .iter()
            .filter(|(n, p)| other.prints.get(*n) != Some(p))
            .map(|(n, _)| n.clone())
            .collect();
        names.extend(
            other
                .prints
                .keys()
                .filter(|n| !self.prints.contains_key(*n))
                .cloned(),
        );
        names
    }

    /// Renders the template of `name`; the error as one line on failure.
    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, String> {
        let Some(t) = &self.compiled else {
            return Err("the shortcode templates do not compile (see the template error)".into());
        };
        let template = format!("{FOLDER}{name}.html");
        t.tera.render(&template, ctx).map_err(|e| {
            let d = templates::template_error(&e, &t.origins, &t.sources);
            format!("{} ({})", d.message, d.file.display())
        })
    }
}

impl Default for Shortcodes {
    /// The built-in shortcodes alone.
    fn default() -> Self {
        Shortcodes::load(Path::new("/nonexistent"), &crate::config::Config::default())
    }
}

/// The `shortcodes/*.html` of one template folder, into `layers`. An
/// unreadable file is left out here; the templates stage reports it.
fn read_folder(root: &Path, templates: &Path, layers: &mut Layers) {
    let Ok(entries) = std::fs::read_dir(templates.join(FOLDER)) else {
        return;
    };
    let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files {
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if file.starts_with('.') || !file.ends_with(".html") {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&path) {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            layers.insert(format!("{FOLDER}{file}"), (Origin::File(rel), text));
        }
    }
}

/// Template name to where it came from and its text.
type Layers = BTreeMap<String, (Origin, String)>;

/// The default theme's shortcode templates, compiled into the binary, so
/// that any theme has them.
fn builtin_layers() -> Layers {
    templates::DEFAULT_THEME
        .iter()
        .filter_map(|(path, text)| {
            let name = path.strip_prefix("templates/")?;
            name.starts_with(FOLDER).then(|| {
                (
                    name.to_owned(),
                    (Origin::Builtin(name.to_owned()), (*text).to_owned()),
                )
            })
        })
        .collect()
}
