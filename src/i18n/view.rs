//! LOAD: the language views of a multilingual site. Input: the site's
//! configuration; output: one configuration per language, each the whole
//! site in that language — its code, direction, words and base URL — so
//! the one engine runs once per language and nothing downstream knows
//! there is more than one.
//!
//! The first language is built at the root, every other under
//! `/<code>/`: a language's pages link each other relatively, exactly as a
//! one-language site's do, so a sub-path `base_url` and `file://` keep
//! working. Only the links between languages (`hreflang`, the switcher,
//! a fallback's canonical) cross from one view to another, and they are
//! made from [`View`].

use serde::Serialize;

use super::languages::Dir;
use crate::config::Config;

/// Where one language's pages live, as every view sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewLang {
    pub code: String,
    pub name: String,
    pub dir: Dir,
    /// The folder of its pages under the output root: `` or `uk/`.
    pub prefix: String,
    /// Its absolute base URL, with one trailing slash.
    pub base: String,
}

/// Which language a configuration builds, among the site's languages.
/// Empty `languages` is a one-language site, whose pages carry no
/// alternates and no switcher.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// The index of this view's language in `languages`.
    pub at: usize,
    pub languages: Vec<ViewLang>,
}

impl View {
    /// Whether the site is built in more than one language.
    pub fn is_multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// Whether this view is the first language's, at the root.
    pub fn is_first(&self) -> bool {
        self.at == 0
    }

    /// This view's language, on a multilingual site.
    pub fn current(&self) -> Option<&ViewLang> {
        self.languages
            .get(self.at)
            .filter(|_| self.is_multilingual())
    }

    /// The original language's code (the first).
    pub fn original(&self) -> Option<&ViewLang> {
        self.languages.first().filter(|_| self.is_multilingual())
    }

    /// The relative prefix from this view's root to the output root:
    /// `../` under `/uk/`, empty at the root.
    pub fn to_output_root(&self) -> String {
        let prefix = self.current().map_or("", |l| l.prefix.as_str());
        "../".repeat(prefix.matches('/').count())
    }
}

/// The view of the first language: `config` as loaded, knowing its
/// languages (a one-language site's view stays empty).
pub fn first(config: &mut Config) {
    let base = config.base();
    let languages: Vec<ViewLang> = config
        .languages
        .iter()
        .enumerate()
        .map(|(i, l)| ViewLang {
            code: l.code.clone(),
            name: l.name.clone(),
            dir: l.dir,
            prefix: if i == 0 {
                String::new()
            } else {
                format!("{}/", l.code)
            },
            base: if i == 0 {
                base.clone()
            } else {
                format!("{base}{}/", l.code)
            },
        })
        .collect();
    config.view = View { at: 0, languages };
    if let Some(language) = config.languages.first().cloned() {
        in_words_of(config, &language);
    }
}

/// The configuration of every other language: the first's, in that
/// language's code, direction, words and base URL. Keys a language's
/// files lack are reported to `diags`, as the first language's are.
pub fn others(
    root: &std::path::Path,
    first: &Config,
    diags: &mut crate::diag::Diagnostics,
) -> Vec<Config> {
    (1..first.view.languages.len())
        .map(|at| {
            let lang = &first.view.languages[at];
            let mut config = first.clone();
            config.language = lang.code.clone();
            config.set_base_url(&lang.base);
            config.view.at = at;
            in_words_of(&mut config, &first.languages[at]);
            let catalog = super::load(root, &config.theme, &lang.code, diags);
            config.strings = super::Strings(std::sync::Arc::new(catalog));
            config
        })
        .collect()
}

/// The title, description and menu `language` sets for itself.
fn in_words_of(config: &mut Config, language: &super::languages::Language) {
    if let Some(title) = &language.title {
        config.title.clone_from(title);
    }
    if let Some(description) = &language.description {
        config.description.clone_from(description);
    }
    if let Some(menu) = &language.menu {
        config.menu.clone_from(menu);
    }
}

/// The output path of `rel` (a path of a view) in the view of `lang`.
pub fn in_view(lang: &ViewLang, rel: &std::path::Path) -> std::path::PathBuf {
    if lang.prefix.is_empty() {
        rel.to_path_buf()
    } else {
        std::path::Path::new(lang.prefix.trim_end_matches('/')).join(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::languages::Language;

    fn two() -> Config {
        let mut config = Config::default();
        config.set_base_url("https://example.org/story");
        config.languages = ["en", "uk"]
            .iter()
            .map(|c| Language {
                code: (*c).into(),
                name: (*c).into(),
                dir: Dir::Ltr,
                title: None,
                description: None,
                menu: None,
            })
            .collect();
        first(&mut config);
        config
    }

    #[test]
    fn a_language_may_set_its_own_title_description_and_menu() {
        let mut config = two();
        config.title = "Peace talks".into();
        config.description = "Who is negotiating".into();
        let mut uk = config.languages[1].clone();
        uk.title = Some("Мирні переговори".into());
        uk.menu = Some(vec![crate::config::MenuItem {
            title: "Учасники".into(),
            url: "/actors/".into(),
        }]);
        in_words_of(&mut config, &uk);
        assert_eq!(config.title, "Мирні переговори");
        assert_eq!(config.description, "Who is negotiating", "not set: kept");
        assert_eq!(config.menu[0].title, "Учасники");
    }

    #[test]
    fn other_languages_live_under_their_code_below_the_base() {
        let config = two();
        let uk = &config.view.languages[1];
        assert_eq!(uk.prefix, "uk/");
        assert_eq!(uk.base, "https://example.org/story/uk/");
        assert_eq!(config.view.languages[0].base, "https://example.org/story/");
    }

    #[test]
    fn a_one_language_site_has_no_view() {
        let mut config = Config::default();
        first(&mut config);
        assert!(!config.view.is_multilingual());
        assert!(config.view.current().is_none());
    }
}
