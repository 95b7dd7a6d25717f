//! LOAD: `site.yaml`, the site configuration. Every key has a default, so a
//! site without the file still builds.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::content::yaml::{self, Node, Value};
use crate::diag::{Diagnostic, Diagnostics, Span, closest};

pub const CONFIG_FILE: &str = "site.yaml";

/// Every key `site.yaml` may hold; the starter site's file names them all.
pub const KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "languages",
    "theme",
    "autolink",
    "pretty_links",
    "output_dir",
    "feed_limit",
    "paginate_by",
    "stale_after_days",
    "report_error",
    "menu",
    "extra",
    "images",
    "deploy",
    "git_dates",
];

/// Keys of `deploy:` in `site.yaml`.
const DEPLOY_KEYS: &[&str] = &["targets", "cache_control"];

/// A link in the site's main navigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuItem {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Without a trailing slash: `https://example.org/explainer`.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    pub autolink: bool,
    pub pretty_links: bool,
    pub output_dir: PathBuf,
    pub feed_limit: usize,
    /// Entries on each page of a kind's list, a tag and the reader
    /// questions; 0 keeps each on one page.
    pub paginate_by: usize,
    pub stale_after_days: Option<u32>,
    /// Where readers report an error: a `mailto:` address or a form's URL;
    /// every page links to it with its title and address filled in.
    pub report_error: Option<String>,
    pub menu: Vec<MenuItem>,
    pub extra: serde_json::Value,
    /// "Today" for date checks, from `--today`; otherwise the newest date
    /// in the content (never the clock: see `resolve::lint`).
    #[serde(skip)]
    pub today: Option<crate::content::model::Date>,
    /// `images:` — how pictures are processed (`docs/images.md`).
    pub images: crate::render::images::ImageConfig,
    /// Where `explainer deploy` publishes, and its Cache-Control rules.
    pub deploy: DeployConfig,
    /// `git_dates: true`: where it is written (for its diagnostics), when
    /// on. Pages without `updated` then take their file's last commit day
    /// (`content::git_dates`).
    #[serde(skip)]
    pub git_dates: Option<Span>,
    /// `languages:` as written; the first is the site's language.
    pub languages: Vec<crate::i18n::languages::Language>,
    /// The words readers see, in `language` (`crate::i18n`): read with
    /// the configuration, since `language` and `theme` choose them.
    #[serde(skip)]
    pub strings: crate::i18n::Strings,
    /// Which of `languages` this configuration builds (`crate::i18n::view`).
    #[serde(skip)]
    pub view: crate::i18n::view::View,
}

/// `deploy:` in `site.yaml`, as written (the target URLs are parsed by
/// `deploy::target` when a deploy runs; globs are checked here so a typo
/// is reported with its line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeployConfig {
    pub targets: Vec<DeployTarget>,
    /// Cache-Control by glob, first match wins; files no rule matches get
    /// the defaults (see `docs/deploy.md`).
    pub cache_control: Vec<CacheRule>,
}

/// A named place to publish to: `{name: production, url: "s3://bucket/prefix"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployTarget {
    pub name: String,
    pub url: String,
}

/// `{glob: "images/**", value: "public, max-age=86400"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheRule {
    pub glob: String,
    pub value: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Explainer".into(),
            description: String::new(),
            base_url: "http://localhost:1111".into(),
            language: "en".into(),
            theme: "default".into(),
            autolink: true,
            pretty_links: false,
            output_dir: PathBuf::from("public"),
            feed_limit: 20,
            paginate_by: 50,
            stale_after_days: None,
            report_error: None,
            menu: Vec::new(),
            extra: serde_json::Value::Object(Default::default()),
            today: None,
            images: Default::default(),
            deploy: DeployConfig::default(),
            git_dates: None,
            languages: Vec::new(),
            strings: Default::default(),
            view: Default::default(),
        }
    }
}

impl Config {
    /// `base_url` with one trailing slash, for joining absolute URLs.
    pub fn base(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    /// Which way the site's language is written.
    pub fn dir(&self) -> crate::i18n::languages::Dir {
        self.languages
            .iter()
            .find(|l| l.code == self.language)
            .or(self.languages.first())
            .map(|l| l.dir)
            .unwrap_or_default()
    }

    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = url.trim_end_matches('/').to_owned();
    }
}

/// Reads `site.yaml` under `root`; a missing file gives the defaults. A
/// file that is there but unusable (a folder, a FIFO, not UTF-8, not a
/// mapping) is an error, never the defaults: those would publish canonical
/// and feed URLs on localhost.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Config {
    let mut config = load_file(root, diags);
    config.images.site_root = root.to_path_buf();
    let catalog = crate::i18n::load(root, &config.theme, &config.language, diags);
    config.strings = crate::i18n::Strings(std::sync::Arc::new(catalog));
    crate::i18n::view::first(&mut config);
    config
}

fn load_file(root: &Path, diags: &mut Diagnostics) -> Config {
    let rel = Path::new(CONFIG_FILE);
    let text = match read(&root.join(CONFIG_FILE)) {
        Ok(Some(text)) => text,
        Ok(None) => return Config::default(),
        Err(unusable) => {
            diags.add_source(rel, &unusable.text);
            diags.push(unusable.problem);
            return Config::default();
        }
    };
    let mut found = Vec::new();
    let config = match yaml::parse(&text, 0, &text) {
        Ok(node) => from_node(node, &text, &mut found),
        Err(e) => {
            let mut d = Diagnostic::error("yaml", rel, e.message).at(e.span);
            if let Some(h) = e.hint {
                d = d.hint(h);
            }
            found.push(d);
            Config::default()
        }
    };
    if !found.is_empty() {
        diags.add_source(rel, &text);
        diags.extend(found);
    }
    config
}

/// A `site.yaml` that cannot be used: the problem, and whatever text there
/// is for it to point into.
struct Unusable {
    problem: Diagnostic,
    text: String,
}

/// The text of `site.yaml`, `None` when there is none. Only a regular file
/// is opened: reading a FIFO would wait forever.
fn read(path: &Path) -> Result<Option<String>, Box<Unusable>> {
    let unusable = |message: String| {
        let problem = Diagnostic::error("config-unreadable", CONFIG_FILE, message).hint(FILE_HINT);
        Box::new(Unusable {
            problem,
            text: String::new(),
        })
    };
    let meta = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unusable(format!("cannot read site.yaml: {e}"))),
        Ok(meta) => meta,
    };
    if meta.is_dir() {
        return Err(unusable("site.yaml is a folder, not a file".into()));
    }
    if !meta.is_file() {
        return Err(unusable(
            "site.yaml is not a regular file (a FIFO, socket or device)".into(),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| unusable(format!("cannot read site.yaml: {e}")))?;
    String::from_utf8(bytes).map(Some).map_err(|e| not_utf8(&e))
}

const FILE_HINT: &str = "site.yaml must be a readable text file; remove it to use the defaults";

/// The first byte that is not UTF-8, pointed at in the text as it can be shown.
fn not_utf8(error: &std::string::FromUtf8Error) -> Box<Unusable> {
    let at = error.utf8_error().valid_up_to();
    let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
    let problem = Diagnostic::error("not-utf8", CONFIG_FILE, "site.yaml is not UTF-8 text")
        .at(Span::new(at, at + 1))
        .hint("save the file as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\")");
    Box::new(Unusable { problem, text })
}

fn from_node(node: Node, text: &str, diags: &mut Vec<Diagnostic>) -> Config {
    let mut config = Config::default();
    let entries = match node.value {
        Value::Map(entries) => entries,
        Value::Null => return config,
        _ => {
            diags.push(
                Diagnostic::error(
                    "wrong-type",
                    CONFIG_FILE,
                    format!(
                        "site.yaml must be a mapping of keys, found {}",
                        node.type_name()
                    ),
                )
                .at(node.span)
                .hint("write one `key: value` per line, as in `title: \"My explainer\"`"),
            );
            return config;
        }
    };
    let mut language_at = None;
    for (key, value) in entries {
        let name = key.scalar_text(text).unwrap_or_default();
        if !KEYS.contains(&name.as_str()) {
            let mut d = Diagnostic::warning(
                "unknown-key",
                CONFIG_FILE,
                format!("unknown key `{name}` in site.yaml"),
            )
            .at(key.span);
            if let Some(k) = closest(&name, KEYS.iter().copied()) {
                d = d.hint(format!("did you mean `{k}`?"));
            }
            diags.push(d);
            continue;
        }
        if name == "deploy" {
            config.deploy = deploy(&value, text, diags);
            continue;
        }
        if name == "languages" {
            config.languages = crate::i18n::languages::parse(&value, text, diags);
            continue;
        }
        if name == "language" {
            language_at = Some(value.span);
        }
        if let Err(expected) = set(&mut config, &name, &value, text) {
            diags.push(
                Diagnostic::error(
                    "wrong-type",
                    CONFIG_FILE,
                    format!("`{name}` must be {expected}, found {}", value.type_name()),
                )
                .at(value.span),
            );
        }
    }
    crate::i18n::languages::first_is_the_site_language(&mut config, language_at, diags);
    config
}

/// Sets one key; on a type mismatch returns what was expected.
fn set(c: &mut Config, name: &str, v: &Node, text: &str) -> Result<(), &'static str> {
    let string = || v.scalar_text(text).ok_or("text");
    match name {
        "title" => c.title = string()?,
        "description" => c.description = string()?,
        "base_url" => c.set_base_url(&string()?),
        "language" => c.language = string()?,
        "theme" => c.theme = string()?,
        "output_dir" => c.output_dir = PathBuf::from(string()?),
        "autolink" => c.autolink = as_bool(v).ok_or("true or false")?,
        "pretty_links" => c.pretty_links = as_bool(v).ok_or("true or false")?,
        "git_dates" => c.git_dates = as_bool(v).ok_or("true or false")?.then_some(v.span),
        "feed_limit" => c.feed_limit = as_count(v).ok_or("a whole number")?,
        "paginate_by" => c.paginate_by = as_count(v).ok_or("a whole number")?,
        "stale_after_days" => {
            c.stale_after_days = Some(
                as_count(v)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or("a whole number")?,
            )
        }
        "report_error" => c.report_error = Some(string()?).filter(|s| !s.is_empty()),
        "menu" => c.menu = menu(v, text).ok_or("a list of {title, url}")?,
        "extra" => c.extra = crate::content::parse::node_to_json(v),
        "images" => c.images = crate::render::images::config_from(v, text)?,
        _ => {}
    }
    Ok(())
}

fn as_bool(v: &Node) -> Option<bool> {
    match v.value {
        Value::Bool(b) => Some(b),
        _ => None,
    }
}

fn as_count(v: &Node) -> Option<usize> {
    match v.value {
        Value::Int(i) => usize::try_from(i).ok(),
        _ => None,
    }
}

/// `deploy:`; every problem is a diagnostic at its own line, and what can
/// be read of the rest is kept.
fn deploy(v: &Node, text: &str, diags: &mut Vec<Diagnostic>) -> DeployConfig {
    let mut out = DeployConfig::default();
    let Value::Map(entries) = &v.value else {
        diags.push(wrong_type("deploy", "a mapping with `targets`", v));
        return out;
    };
    for (key, value) in entries {
        let name = key.scalar_text(text).unwrap_or_default();
        match name.as_str() {
            "targets" => out.targets = deploy_targets(value, text, diags),
            "cache_control" => out.cache_control = cache_rules(value, text, diags),
            _ => {
                let mut d = Diagnostic::warning(
                    "unknown-key",
                    CONFIG_FILE,
                    format!("unknown key `{name}` in `deploy`"),
                )
                .at(key.span);
                if let Some(k) = closest(&name, DEPLOY_KEYS.iter().copied()) {
                    d = d.hint(format!("did you mean `{k}`?"));
                }
                diags.push(d);
            }
        }
    }
    out
}

fn wrong_type(name: &str, expected: &str, v: &Node) -> Diagnostic {
    Diagnostic::error(
        "wrong-type",
        CONFIG_FILE,
        format!("`{name}` must be {expected}, found {}", v.type_name()),
    )
    .at(v.span)
}

/// The text of `key` in a mapping node, if it is there and a scalar.
fn field(entries: &[(Node, Node)], key: &str, text: &str) -> Option<String> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .and_then(|(_, v)| v.scalar_text(text))
}

fn deploy_targets(v: &Node, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<DeployTarget> {
    const EXPECTED: &str = "a list of {name, url}";
    let Value::Seq(items) = &v.value else {
        diags.push(wrong_type("deploy.targets", EXPECTED, v));
        return Vec::new();
    };
    let mut targets = Vec::new();
    for item in items {
        let read = match &item.value {
            Value::Map(entries) => field(entries, "name", text).zip(field(entries, "url", text)),
            _ => None,
        };
        match read {
            Some((name, url)) => targets.push(DeployTarget { name, url }),
            None => diags.push(
                wrong_type("a deploy target", "a mapping with `name` and `url`", item)
                    .hint("write it as `- {name: production, url: \"s3://my-bucket/site\"}`"),
            ),
        }
    }
    targets
}

fn cache_rules(v: &Node, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<CacheRule> {
    const EXPECTED: &str = "a list of {glob, value}";
    let Value::Seq(items) = &v.value else {
        diags.push(wrong_type("deploy.cache_control", EXPECTED, v));
        return Vec::new();
    };
    let mut rules = Vec::new();
    for item in items {
        let read = match &item.value {
            Value::Map(entries) => field(entries, "glob", text).zip(field(entries, "value", text)),
            _ => None,
        };
        let Some((glob, value)) = read else {
            diags.push(
                wrong_type(
                    "a cache_control rule",
                    "a mapping with `glob` and `value`",
                    item,
                )
                .hint("write it as `- {glob: \"images/**\", value: \"public, max-age=86400\"}`"),
            );
            continue;
        };
        if let Err(e) = globset::Glob::new(&glob) {
            diags.push(
                Diagnostic::error(
                    "bad-glob",
                    CONFIG_FILE,
                    format!("`{glob}` is not a valid glob: {}", e.kind()),
                )
                .at(item.span)
                .hint("`*` matches within a folder, `**` across folders: `**/*.html`, `images/**`"),
            );
            continue;
        }
        rules.push(CacheRule { glob, value });
    }
    rules
}

/// `menu:`, a list of `{title, url}`; `None` if it is not one.
pub(crate) fn menu(v: &Node, text: &str) -> Option<Vec<MenuItem>> {
    let Value::Seq(items) = &v.value else {
        return None;
    };
    items
        .iter()
        .map(|item| {
            let Value::Map(entries) = &item.value else {
                return None;
            };
            let get = |k: &str| {
                entries
                    .iter()
                    .find(|(key, _)| key.as_str() == Some(k))
                    .and_then(|(_, v)| v.scalar_text(text))
            };
            Some(MenuItem {
                title: get("title")?,
                url: get("url")?,
            })
        })
        .collect()
}
