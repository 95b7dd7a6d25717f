//! LOAD: translation files to a [`Catalog`]. Layers, later ones overriding
//! single keys of earlier ones: the default theme's files compiled into the
//! binary (under every theme), the theme's folder `themes/<name>/i18n/`,
//! the site's `i18n/`.
//! English is read the same way and lies under every layer of the site's
//! language, so a key no file of the language has shows in English — and
//! is listed as a warning, at the place its English text was written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Catalog, FALLBACK, Message};
use crate::content::yaml::{self, Node, Value};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::render::templates::DEFAULT_THEME;

/// Plural categories a message may give, as CLDR names them.
const CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// A message and where it was written.
struct Entry {
    message: Message,
    file: PathBuf,
    span: Span,
}

/// One language's messages, layer over layer.
#[derive(Default)]
struct Layered {
    entries: HashMap<String, Entry>,
    /// Whether any layer had a file for the language.
    found: bool,
    /// Each file's text, for warnings pointing into it.
    texts: HashMap<PathBuf, String>,
}

/// The catalog for `lang`, with every problem of the files read in
/// `diags`: files that are not YAML or hold a value of the wrong shape
/// (errors), keys the language lacks (warnings).
pub fn load(root: &Path, theme: &str, lang: &str, diags: &mut Diagnostics) -> Catalog {
    let english = layers(root, theme, FALLBACK, diags);
    let mut messages: HashMap<String, Message> = english
        .entries
        .iter()
        .map(|(k, e)| (k.clone(), e.message.clone()))
        .collect();
    if primary(lang) != FALLBACK {
        let own = layers(root, theme, lang, diags);
        report_missing(lang, &english, &own, diags);
        messages.extend(own.entries.into_iter().map(|(k, e)| (k, e.message)));
    }
    Catalog::new(lang, messages)
}

/// The default theme's catalog for `lang` alone, with nothing from disk.
pub fn builtin(lang: &str) -> Catalog {
    let mut diags = Diagnostics::default();
    let mut english = Layered::default();
    read_builtin(FALLBACK, &mut english, &mut diags);
    let mut messages: HashMap<String, Message> = english
        .entries
        .into_iter()
        .map(|(k, e)| (k, e.message))
        .collect();
    let mut own = Layered::default();
    read_builtin(lang, &mut own, &mut diags);
    messages.extend(own.entries.into_iter().map(|(k, e)| (k, e.message)));
    Catalog::new(lang, messages)
}

/// The messages of one compiled-in file alone.
pub fn builtin_messages(lang: &str) -> HashMap<String, Message> {
    let mut layered = Layered::default();
    read_builtin(lang, &mut layered, &mut Diagnostics::default());
    layered
        .entries
        .into_iter()
        .map(|(k, e)| (k, e.message))
        .collect()
}

/// `en` of `en-GB`.
fn primary(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// Every layer of one language, first to last.
fn layers(root: &Path, theme: &str, lang: &str, diags: &mut Diagnostics) -> Layered {
    let mut layered = Layered::default();
    // The default theme's words lie under every theme's: the words Rust
    // writes (relation titles, dates) exist whatever the theme.
    read_builtin(lang, &mut layered, diags);
    for dir in [
        Path::new("themes").join(theme).join("i18n"),
        PathBuf::from("i18n"),
    ] {
        read_file(root, &dir, lang, &mut layered, diags);
    }
    layered
}

fn read_builtin(lang: &str, layered: &mut Layered, diags: &mut Diagnostics) {
    // The default theme's translations are compiled in with its templates.
    let builtin = |l: &str| {
        let wanted = format!("i18n/{l}.yaml");
        DEFAULT_THEME.iter().find(|(p, _)| *p == wanted)
    };
    if let Some((path, text)) = builtin(lang).or_else(|| builtin(primary(lang))) {
        let file = Path::new("themes/default").join(path);
        add_text(&file, text, layered, diags);
    }
}

/// Reads `<dir>/<lang>.yaml`, or the file of the language alone.
fn read_file(root: &Path, dir: &Path, lang: &str, layered: &mut Layered, diags: &mut Diagnostics) {
    for name in [lang, primary(lang)] {
        let rel = dir.join(format!("{name}.yaml"));
        let path = root.join(&rel);
        if !path.is_file() {
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => add_text(&rel, &text, layered, diags),
            Err(e) => diags.push(Diagnostic::error(
                "i18n-unreadable",
                rel,
                format!("cannot read translation file: {e}"),
            )),
        }
        return;
    }
}

/// Parses one file and lays its messages over the ones before.
fn add_text(file: &Path, text: &str, layered: &mut Layered, diags: &mut Diagnostics) {
    layered.found = true;
    layered.texts.insert(file.to_path_buf(), text.to_owned());
    let mut found = Vec::new();
    match yaml::parse(text, 0, text) {
        Ok(node) => {
            for (key, entry) in messages(file, text, node, &mut found) {
                layered.entries.insert(key, entry);
            }
        }
        Err(e) => {
            let mut d = Diagnostic::error("yaml", file, e.message).at(e.span);
            if let Some(h) = e.hint {
                d = d.hint(h);
            }
            found.push(d);
        }
    }
    if !found.is_empty() {
        diags.add_source(file, text);
        diags.extend(found);
    }
}

/// The messages of a parsed file; values of the wrong shape are errors.
fn messages(
    file: &Path,
    text: &str,
    node: Node,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Entry)> {
    let entries = match node.value {
        Value::Map(entries) => entries,
        Value::Null => return Vec::new(),
        _ => {
            diags.push(shape_error(
                file,
                node.span,
                "a translation file must be a mapping of keys to texts",
                node.type_name(),
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let name = key.scalar_text(text).unwrap_or_default();
        match message(file, text, key.span, &value, diags) {
            Some(message) => out.push((
                name,
                Entry {
                    message,
                    file: file.to_path_buf(),
                    span: key.span,
                },
            )),
            None => continue,
        }
    }
    out
}

/// A text, a list of texts, or plural forms by CLDR category.
/// `key` is where the message's key was written: a message with no value,
/// or plural forms without `other`, are reported there.
fn message(
    file: &Path,
    text: &str,
    key: Span,
    value: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Message> {
    match &value.value {
        Value::Seq(items) => items
            .iter()
            .map(|i| i.scalar_text(text))
            .collect::<Option<Vec<_>>>()
            .map(Message::List)
            .or_else(|| {
                diags.push(shape_error(
                    file,
                    value.span,
                    "a list of texts must hold texts only",
                    "something else",
                ));
                None
            }),
        Value::Map(forms) => plural(file, text, key, forms, diags).map(Message::Plural),
        Value::Null => {
            diags.push(shape_error(
                file,
                key,
                "a translation must be a text",
                "nothing",
            ));
            None
        }
        _ => value.scalar_text(text).map(Message::Text),
    }
}

fn plural(
    file: &Path,
    text: &str,
    key: Span,
    forms: &[(Node, Node)],
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (category, form) in forms {
        let name = category.scalar_text(text).unwrap_or_default();
        if !CATEGORIES.contains(&name.as_str()) {
            diags.push(
                Diagnostic::error(
                    "i18n-plural",
                    file,
                    format!("`{name}` is not a plural category"),
                )
                .at(category.span)
                .hint("plural forms are named zero, one, two, few, many and other, as in CLDR"),
            );
            continue;
        }
        out.push((name, form.scalar_text(text)?));
    }
    if !out.iter().any(|(c, _)| c == "other") {
        diags.push(
            Diagnostic::error("i18n-plural", file, "plural forms without an `other` form")
                .at(key)
                .hint("add `other:`: it is the form CLDR falls back to in every language"),
        );
        return None;
    }
    Some(out)
}

fn shape_error(file: &Path, span: Span, what: &str, found: &str) -> Diagnostic {
    Diagnostic::error("i18n-type", file, format!("{what}, found {found}"))
        .at(span)
        .hint("write `key: text`, `key: [text, …]` for a list, or `key: {one: …, other: …}` for plural forms")
}

/// One warning per key English has and `lang` lacks, or one for a
/// language no file translates.
fn report_missing(lang: &str, english: &Layered, own: &Layered, diags: &mut Diagnostics) {
    if !own.found {
        diags.push(
            Diagnostic::warning(
                "missing-translation",
                format!("i18n/{lang}.yaml"),
                format!("no translation file for language `{lang}`: pages show the theme's English words"),
            )
            .hint(format!(
                "copy themes/default/i18n/en.yaml to i18n/{lang}.yaml and translate it (see docs/i18n.md)"
            )),
        );
        return;
    }
    let mut missing: Vec<(&String, &Entry)> = english
        .entries
        .iter()
        .filter(|(k, _)| !own.entries.contains_key(*k))
        .collect();
    missing.sort_by(|a, b| (&a.1.file, a.1.span.start).cmp(&(&b.1.file, b.1.span.start)));
    for (key, entry) in missing {
        if let Some(text) = english.texts.get(&entry.file) {
            diags.add_source(&entry.file, text);
        }
        diags.push(
            Diagnostic::warning(
                "missing-translation",
                &entry.file,
                format!("`{key}` has no translation into `{lang}`: pages show it in English"),
            )
            .at(entry.span)
            .hint(format!("add `{key}:` to i18n/{lang}.yaml")),
        );
    }
}
