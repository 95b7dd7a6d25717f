//! RENDER: load the theme's Tera templates — the site's `templates/` first,
//! then `themes/<name>/templates/`, then (for the default theme) the copy
//! compiled into the binary — and report template problems as diagnostics.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::{ErrorKind, Kwargs, State, Tera, TeraResult, Value};
use walkdir::WalkDir;

use crate::diag::{Diagnostic, Span};
use crate::i18n::Strings;

/// The default theme, compiled in so any site builds without a `themes/`
/// folder. `theme_files_are_all_embedded` (tests) keeps this list complete.
pub const DEFAULT_THEME: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "templates/index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "templates/list.html",
        include_str!("../../themes/default/templates/list.html"),
    ),
    (
        "templates/entity.html",
        include_str!("../../themes/default/templates/entity.html"),
    ),
    (
        "templates/actor.html",
        include_str!("../../themes/default/templates/actor.html"),
    ),
    (
        "templates/meeting.html",
        include_str!("../../themes/default/templates/meeting.html"),
    ),
    (
        "templates/proposal.html",
        include_str!("../../themes/default/templates/proposal.html"),
    ),
    (
        "templates/source.html",
        include_str!("../../themes/default/templates/source.html"),
    ),
    (
        "templates/page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "templates/changes.html",
        include_str!("../../themes/default/templates/changes.html"),
    ),
    (
        "templates/partials/changes.html",
        include_str!("../../themes/default/templates/partials/changes.html"),
    ),
    (
        "templates/partials/change_entries.html",
        include_str!("../../themes/default/templates/partials/change_entries.html"),
    ),
    (
        "templates/timeline.html",
        include_str!("../../themes/default/templates/timeline.html"),
    ),
    (
        "templates/map.html",
        include_str!("../../themes/default/templates/map.html"),
    ),
    (
        "templates/questions.html",
        include_str!("../../themes/default/templates/questions.html"),
    ),
    (
        "templates/tags.html",
        include_str!("../../themes/default/templates/tags.html"),
    ),
    (
        "templates/tag.html",
        include_str!("../../themes/default/templates/tag.html"),
    ),
    (
        "templates/share_card.svg",
        include_str!("../../themes/default/templates/share_card.svg"),
    ),
    (
        "templates/search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "templates/404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "templates/atom.xml",
        include_str!("../../themes/default/templates/atom.xml"),
    ),
    (
        "templates/sitemap.xml",
        include_str!("../../themes/default/templates/sitemap.xml"),
    ),
    (
        "templates/robots.txt",
        include_str!("../../themes/default/templates/robots.txt"),
    ),
    (
        "templates/partials/key_facts.html",
        include_str!("../../themes/default/templates/partials/key_facts.html"),
    ),
    (
        "templates/partials/fact_row.html",
        include_str!("../../themes/default/templates/partials/fact_row.html"),
    ),
    (
        "templates/partials/reader_questions.html",
        include_str!("../../themes/default/templates/partials/reader_questions.html"),
    ),
    (
        "templates/partials/relations.html",
        include_str!("../../themes/default/templates/partials/relations.html"),
    ),
    (
        "templates/partials/item_list.html",
        include_str!("../../themes/default/templates/partials/item_list.html"),
    ),
    (
        "templates/partials/sources.html",
        include_str!("../../themes/default/templates/partials/sources.html"),
    ),
    (
        "templates/partials/visuals.html",
        include_str!("../../themes/default/templates/partials/visuals.html"),
    ),
    (
        "templates/partials/stance_matrix.html",
        include_str!("../../themes/default/templates/partials/stance_matrix.html"),
    ),
    (
        "templates/partials/paginator.html",
        include_str!("../../themes/default/templates/partials/paginator.html"),
    ),
    (
        "templates/partials/map_legend.html",
        include_str!("../../themes/default/templates/partials/map_legend.html"),
    ),
    (
        "templates/embed.html",
        include_str!("../../themes/default/templates/embed.html"),
    ),
    (
        "templates/shortcodes/callout.html",
        include_str!("../../themes/default/templates/shortcodes/callout.html"),
    ),
    (
        "templates/shortcodes/datawrapper.html",
        include_str!("../../themes/default/templates/shortcodes/datawrapper.html"),
    ),
    (
        "templates/shortcodes/figure.html",
        include_str!("../../themes/default/templates/shortcodes/figure.html"),
    ),
    (
        "templates/shortcodes/flourish.html",
        include_str!("../../themes/default/templates/shortcodes/flourish.html"),
    ),
    (
        "templates/shortcodes/post.html",
        include_str!("../../themes/default/templates/shortcodes/post.html"),
    ),
    (
        "templates/shortcodes/pullquote.html",
        include_str!("../../themes/default/templates/shortcodes/pullquote.html"),
    ),
    (
        "templates/shortcodes/vimeo.html",
        include_str!("../../themes/default/templates/shortcodes/vimeo.html"),
    ),
    (
        "templates/shortcodes/youtube.html",
        include_str!("../../themes/default/templates/shortcodes/youtube.html"),
    ),
    (
        "static/style.css",
        include_str!("../../themes/default/static/style.css"),
    ),
    (
        "static/search.js",
        include_str!("../../themes/default/static/search.js"),
    ),
    (
        "static/favicon.svg",
        include_str!("../../themes/default/static/favicon.svg"),
    ),
    (
        "i18n/en.yaml",
        include_str!("../../themes/default/i18n/en.yaml"),
    ),
    (
        "i18n/uk.yaml",
        include_str!("../../themes/default/i18n/uk.yaml"),
    ),
];

/// Where a template came from, so errors can name the file to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk, relative to the site root.
    File(PathBuf),
    /// The copy of the default theme inside the binary.
    Builtin(String),
}

impl Origin {
    pub fn display_path(&self) -> PathBuf {
        match self {
            Origin::File(p) => p.clone(),
            Origin::Builtin(name) => {
                PathBuf::from(format!("themes/default/templates/{name} (built in)"))
            }
        }
    }
}

/// The compiled templates and where each one came from.
pub struct Templates {
    pub tera: Tera,
    pub origins: BTreeMap<String, Origin>,
    /// Text of each template, for diagnostics pointing into it.
    pub sources: BTreeMap<String, String>,
}

/// Templates every site needs; a missing one is an error before rendering.
pub const REQUIRED: &[&str] = &[
    "index.html",
    "list.html",
    "actor.html",
    "meeting.html",
    "proposal.html",
    "source.html",
    "page.html",
    "timeline.html",
    "changes.html",
    "map.html",
    "embed.html",
    "questions.html",
    "tags.html",
    "tag.html",
    "search.html",
    "404.html",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
];

/// Collects template texts by name, later layers overriding earlier ones.
pub fn collect(root: &Path, theme: &str) -> (BTreeMap<String, (Origin, String)>, Vec<Diagnostic>) {
    let mut layers = BTreeMap::new();
    let mut diags = Vec::new();
    let theme_dir = root.join("themes").join(theme);
    if theme == "default" {
        for (path, text) in DEFAULT_THEME {
            if let Some(name) = path.strip_prefix("templates/") {
                layers.insert(
                    name.to_owned(),
                    (Origin::Builtin(name.to_owned()), (*text).to_owned()),
                );
            }
        }
    } else if !theme_dir.is_dir() {
        diags.push(
            Diagnostic::error(
                "missing-theme",
                "site.yaml",
                format!("theme `{theme}` not found"),
            )
            .hint(format!(
                "create themes/{theme}/templates/, or set `theme: default`"
            )),
        );
    }
    read_dir_layer(root, &theme_dir.join("templates"), &mut layers, &mut diags);
    read_dir_layer(root, &root.join("templates"), &mut layers, &mut diags);
    let theme_present = theme == "default" || theme_dir.is_dir();
    for name in REQUIRED
        .iter()
        .filter(|n| theme_present && !layers.contains_key(**n))
    {
        diags.push(
            Diagnostic::error(
                "missing-template",
                format!("themes/{theme}/templates/{name}"),
                format!("template `{name}` is missing from theme `{theme}`"),
            )
            .hint(format!(
                "add themes/{theme}/templates/{name} (or templates/{name} in the site), or set `theme: default` to use the built-in theme"
            )),
        );
    }
    (layers, diags)
}

fn read_dir_layer(
    root: &Path,
    dir: &Path,
    layers: &mut BTreeMap<String, (Origin, String)>,
    diags: &mut Vec<Diagnostic>,
) {
    if !dir.is_dir() {
        return;
    }
    for entry in WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        let is_file = entry.file_type().is_file()
            || (entry.path_is_symlink() && is_file_inside(root, entry.path()));
        if !is_file || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(name) = path.strip_prefix(dir) else {
            continue;
        };
        let name = name.to_string_lossy().replace('\\', "/");
        let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                layers.insert(name, (Origin::File(rel), text));
            }
            Err(e) => diags.push(Diagnostic::error(
                "template-unreadable",
                rel,
                format!("cannot read template: {e}"),
            )),
        }
    }
}

/// Whether a symlinked template leads to a file inside the site: followed
/// then, never out of the site.
fn is_file_inside(root: &Path, path: &Path) -> bool {
    match (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        (Ok(root), Ok(target)) => target.starts_with(root) && target.is_file(),
        _ => false,
    }
}

/// Compiles the templates. Tera's `get_env` does not exist in 2.x; we
/// register one that fails with a clear message, so a theme written for 1.x
/// learns why instead of reading the builder's environment (tokens, paths)
/// into public pages.
pub fn compile(
    layers: BTreeMap<String, (Origin, String)>,
    strings: Strings,
) -> Result<Templates, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml", ".htm"]);
    tera.set_escape_fn(escape);
    tera.register_function("get_env", refuse_get_env);
    tera.register_function("t", Translate(strings));
    tera.register_function("asset", super::assets::tera_asset);
    let origins: BTreeMap<String, Origin> = layers
        .iter()
        .map(|(k, (o, _))| (k.clone(), o.clone()))
        .collect();
    let sources: BTreeMap<String, String> = layers
        .iter()
        .map(|(k, (_, t))| (k.clone(), t.clone()))
        .collect();
    let list: Vec<(String, String)> = layers.into_iter().map(|(k, (_, t))| (k, t)).collect();
    if let Err(e) = tera.add_raw_templates(list) {
        diags.push(template_error(&e, &origins, &sources));
    }
    if diags.is_empty() {
        Ok(Templates {
            tera,
            origins,
            sources,
        })
    } else {
        Err(diags)
    }
}

/// HTML/XML escaping for templates. Unlike Tera's default it leaves `/`
/// alone, so relative links stay readable in the output.
///
/// Runs between escaped bytes go straight to the output, with no string
/// built on the way: Tera calls this for every value a template prints.
fn escape(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = text.as_bytes();
    let mut copied = 0;
    for (at, byte) in bytes.iter().enumerate() {
        let entity: &[u8] = match byte {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[copied..at])?;
        out.write_all(entity)?;
        copied = at + 1;
    }
    out.write_all(&bytes[copied..])
}

/// The one function templates have for words: `t(key="key_facts")`,
/// `t(key="facts", count=n)`, `t(key="follow", title=page.title)` — the
/// theme's words in the site's language, the plural form CLDR picks for
/// `count`, each `{name}` filled with the argument of that name.
///
/// A message is markup written by the theme or the site, printed as it
/// is (like text written in a template); the arguments are escaped, like
/// any value a template prints.
struct Translate(Strings);

impl tera::Function<TeraResult<String>> for Translate {
    fn call(&self, kwargs: Kwargs, _: &State) -> TeraResult<String> {
        translate(&self.0, &kwargs)
    }

    fn is_safe(&self) -> bool {
        true
    }
}

fn translate(strings: &Strings, kwargs: &Kwargs) -> TeraResult<String> {
    let key: &str = kwargs.must_get("key")?;
    let count: Option<i64> = kwargs.get("count")?;
    let message = match count {
        Some(n) => strings.plural_form(key, usize::try_from(n).unwrap_or(0)),
        None => strings.get(key),
    };
    let Some(message) = message else {
        return Err(tera::Error::message(format!(
            "no text for `{key}`: add `{key}:` to the theme's i18n/{}.yaml or the site's i18n/{}.yaml",
            crate::i18n::FALLBACK,
            crate::i18n::FALLBACK
        )));
    };
    let args: Vec<(String, String)> = kwargs
        .iter()
        .filter(|(name, _)| name.as_str() != Some("key"))
        .map(|(name, value)| {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            (name.to_string(), crate::render::views::escape(&text))
        })
        .collect();
    let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    Ok(crate::i18n::fill(message, &args))
}

fn refuse_get_env(_: Kwargs, _: &State) -> TeraResult<Value> {
    Err(tera::Error::message(
        "`get_env` is disabled in explainer themes: pass values through `extra` in site.yaml instead",
    ))
}

/// Turns a Tera error into a diagnostic naming the template file and line.
/// Tera 2 reports syntax and rendering errors with the template's name and
/// a byte range in its source.
pub fn template_error(
    error: &tera::Error,
    origins: &BTreeMap<String, Origin>,
    sources: &BTreeMap<String, String>,
) -> Diagnostic {
    let (name, message, span) = match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let range = &report.span().range;
            let name = report.filename().to_owned();
            let at = sources
                .get(&name)
                .and_then(|t| t.get(range.clone()))
                .unwrap_or("");
            let message = match report.message() {
                // Tera says "Unknown tag" for a tag that is known but out of
                // place, such as `endblock` while an `if` is still open.
                "Unknown tag" if !at.is_empty() => format!("unexpected tag `{at}`"),
                other => other.to_owned(),
            };
            (name, message, Some(Span::new(range.start, range.end)))
        }
        other => {
            let text = other.to_string();
            let (name, span) = located_in_text(&text, sources).unwrap_or_default();
            (name, first_line(&text).to_owned(), span)
        }
    };
    let origin = origins.get(&name);
    let file = origin
        .map(Origin::display_path)
        .unwrap_or_else(|| PathBuf::from("templates"));
    let mut d = Diagnostic::error("template", file, format!("template error: {message}"));
    if let Some(span) = span {
        d = d.at(span);
    }
    if message.starts_with("asset(path=") {
        d = d.hint("asset() finds files in the site's static/ folder, then the theme's: add the file there, or correct the path (relative to static/)");
    }
    if message.starts_with("unexpected tag") {
        d = d.hint("an `{% if %}`, `{% for %}` or `{% block %}` above this line may be missing its closing tag");
    }
    d.hint(match origin {
        Some(Origin::Builtin(_)) => format!("the built-in `{name}` failed; a template of yours it includes or extends may be the cause"),
        _ => format!("fix `{name}`; the variables each template sees are listed in docs/templates.md"),
    })
}

/// Some Tera errors are plain messages that embed `--> name:line:col`.
fn located_in_text(
    text: &str,
    sources: &BTreeMap<String, String>,
) -> Option<(String, Option<Span>)> {
    let after = text.split("--> ").nth(1)?;
    let mut parts = after.split(':');
    let name = parts.next()?.trim().to_owned();
    let line: usize = parts.next()?.trim().parse().ok()?;
    let column: usize = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    let template = sources.get(&name)?;
    let line_start: usize = template
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = template[line_start..].lines().next().unwrap_or("");
    let offset = line_start
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
    Some((name, Some(Span::new(offset, offset + 1))))
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s)
}
