//! LOAD: `languages:` of `site.yaml` — the site's languages, each with its
//! code, its name as its readers write it, and its writing direction.
//! Input: the YAML node; output: [`Language`]s, with a diagnostic at the
//! line and column of every problem.
//!
//! The first language is the site's: its pages are built at the root, in
//! its words, with `dir="rtl"` when it is written right to left. Every
//! other language is built under `/<code>/` ([`super::view`]).

use serde::Serialize;

use crate::config::CONFIG_FILE;
use crate::content::yaml::{Node, Value};
use crate::diag::{Diagnostic, Span, closest};

/// Keys of one entry of `languages:`.
const KEYS: &[&str] = &["code", "name", "dir", "title", "description", "menu"];

/// Which way a language is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    #[default]
    Ltr,
    Rtl,
}

/// One language of the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Language {
    /// A BCP 47 code: `uk`, `en`, `pt-BR`, `fa`.
    pub code: String,
    /// Its name in itself: "Українська".
    pub name: String,
    pub dir: Dir,
    /// The site's title, description and menu in this language, where
    /// they differ from the top-level keys (as in Hugo's `languages`).
    pub title: Option<String>,
    pub description: Option<String>,
    pub menu: Option<Vec<crate::config::MenuItem>>,
}

/// The languages of `languages:`, each checked; a wrong entry is left out.
pub fn parse(node: &Node, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Language> {
    let Value::Seq(items) = &node.value else {
        diags.push(error(
            node.span,
            format!("`languages` must be a list, found {}", node.type_name()),
        ));
        return Vec::new();
    };
    let mut out: Vec<Language> = Vec::new();
    for item in items {
        let Some(language) = entry(item, text, diags) else {
            continue;
        };
        if out.iter().any(|l| l.code == language.code) {
            diags.push(error(
                item.span,
                format!("language `{}` is listed twice", language.code),
            ));
            continue;
        }
        out.push(language);
    }
    out
}

/// The first of `languages` is the site's language; a `language:` that
/// names another is an error at it.
pub fn first_is_the_site_language(
    config: &mut crate::config::Config,
    language_at: Option<Span>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(first) = config.languages.first() else {
        return;
    };
    if let Some(at) = language_at.filter(|_| config.language != first.code) {
        diags.push(
            Diagnostic::error(
                "languages",
                CONFIG_FILE,
                format!(
                    "`language: {}` disagrees with `languages`, whose first entry is `{}`",
                    config.language, first.code
                ),
            )
            .at(at)
            .hint("remove `language`: the first of `languages` is the site's language"),
        );
    }
    config.language = first.code.clone();
}

/// One `{code, name, dir}`.
fn entry(item: &Node, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Language> {
    let Value::Map(entries) = &item.value else {
        diags.push(
            error(
                item.span,
                format!("a language must be a mapping, found {}", item.type_name()),
            )
            .hint("write `- {code: uk, name: Українська}`"),
        );
        return None;
    };
    let get = |k: &str| entries.iter().find(|(key, _)| key.as_str() == Some(k));
    for (key, _) in entries {
        let name = key.scalar_text(text).unwrap_or_default();
        if !KEYS.contains(&name.as_str()) {
            let mut d = Diagnostic::warning(
                "unknown-key",
                CONFIG_FILE,
                format!("unknown key `{name}` in a language"),
            )
            .at(key.span);
            if let Some(k) = closest(&name, KEYS.iter().copied()) {
                d = d.hint(format!("did you mean `{k}`?"));
            }
            diags.push(d);
        }
    }
    let code = code(get("code"), item.span, text, diags)?;
    let Some(name) = get("name").and_then(|(_, v)| v.scalar_text(text)) else {
        diags.push(
            error(item.span, format!("language `{code}` has no `name`"))
                .hint("add its name as its readers write it: `name: Українська`, `name: English`"),
        );
        return None;
    };
    let dir = match get("dir") {
        None => Dir::Ltr,
        Some((_, v)) => match v.scalar_text(text).as_deref() {
            Some("ltr") => Dir::Ltr,
            Some("rtl") => Dir::Rtl,
            _ => {
                diags
                    .push(error(v.span, "`dir` must be `ltr` or `rtl`").hint(
                        "`rtl` for Arabic, Hebrew or Persian; `ltr`, the default, otherwise",
                    ));
                return None;
            }
        },
    };
    let text_of = |k: &str| get(k).and_then(|(_, v)| v.scalar_text(text));
    let menu = match get("menu") {
        None => None,
        Some((_, v)) => {
            let Some(menu) = crate::config::menu(v, text) else {
                diags.push(
                    error(
                        v.span,
                        format!("the `menu` of language `{code}` is not a menu"),
                    )
                    .hint("write it like the top-level one: a list of `{title, url}`"),
                );
                return None;
            };
            Some(menu)
        }
    };
    Some(Language {
        code,
        name,
        dir,
        title: text_of("title"),
        description: text_of("description"),
        menu,
    })
}

/// The entry's `code`, a BCP 47 tag.
fn code(
    found: Option<&(Node, Node)>,
    at: Span,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let Some((_, value)) = found else {
        diags.push(error(at, "a language without a `code`").hint("add `code: uk` (a BCP 47 code)"));
        return None;
    };
    let code = value.scalar_text(text).unwrap_or_default();
    if icu_locale_core::Locale::try_from_str(&code).is_err() || code.is_empty() {
        diags.push(
            error(value.span, format!("`{code}` is not a language code"))
                .hint("write a BCP 47 code: `uk`, `en`, `pt-BR`, `fa`"),
        );
        return None;
    }
    Some(code)
}

fn error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error("languages", CONFIG_FILE, message).at(span)
}
