//! Multilingual sites (issue #18): every language of `languages:` built,
//! the first at the root and the others under `/<code>/`. One fixture,
//! `tests/sites/lang-two` (English and Ukrainian, a sub-path base URL),
//! with translated pages (Zelensky, the Paris summit, the home page) and
//! untranslated ones (Macron, the Paris statement, About). Pages are
//! parsed (scraper, roxmltree), not grepped.

mod common;

use std::path::{Path, PathBuf};

use explainer::cmd::CompileOptions;
use explainer::engine::{Change, Engine};
use scraper::{Html, Selector};

const BASE: &str = "https://example.org/story/";

fn site(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sites")
        .join(name)
}

use common::Built;

/// Pages of a build, parsed.
trait Parsed {
    fn page(&self, rel: &str) -> Page;
}

impl Parsed for Built {
    fn page(&self, rel: &str) -> Page {
        Page {
            rel: rel.to_owned(),
            html: Html::parse_document(&self.read(rel)),
        }
    }
}

fn built() -> Built {
    common::build_root_ok(&site("lang-two"), &["--no-cache"])
}

/// A parsed page and where it is.
struct Page {
    rel: String,
    html: Html,
}

impl Page {
    fn all(&self, css: &str) -> Vec<scraper::ElementRef<'_>> {
        let selector = Selector::parse(css).expect("selector");
        self.html.select(&selector).collect()
    }

    fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.all(css)
            .first()
            .and_then(|e| e.value().attr(name))
            .map(str::to_owned)
    }

    fn text(&self, css: &str) -> String {
        self.all(css)
            .first()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default()
    }

    /// `hreflang` → `href` of every `<link rel="alternate" hreflang>`.
    fn alternates(&self) -> Vec<(String, String)> {
        self.all("link[rel=alternate][hreflang]")
            .iter()
            .map(|e| {
                let v = e.value();
                (
                    v.attr("hreflang").unwrap_or_default().to_owned(),
                    v.attr("href").unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// The output file a relative link of this page leads to.
    fn follow(&self, href: &str) -> PathBuf {
        let mut at: Vec<&str> = self.rel.split('/').collect();
        at.pop();
        for part in href.split('/') {
            match part {
                ".." => {
                    at.pop();
                }
                "." | "" => {}
                p => at.push(p),
            }
        }
        PathBuf::from(at.join("/"))
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), format!("{BASE}{b}")))
        .collect()
}

#[test]
fn every_language_has_its_pages_the_first_at_the_root() {
    let b = built();
    for rel in [
        "index.html",
        "uk/index.html",
        "uk/actors/index.html",
        "uk/actors/page/2/index.html",
        "uk/actors/volodymyr-zelensky/index.html",
        "uk/actors/emmanuel-macron/index.html",
        "uk/meetings/paris-summit/index.html",
        "uk/tags/ceasefire/index.html",
        "uk/timeline/index.html",
        "uk/map/index.html",
        "uk/questions/index.html",
        "uk/changes/index.html",
        "uk/search/index.html",
        "uk/search-index.js",
        "uk/atom.xml",
        "uk/404.html",
    ] {
        assert!(b.out().join(rel).is_file(), "no {rel}");
    }
    // One sitemap and one robots.txt, for every language.
    assert!(!b.out().join("uk/sitemap.xml").exists());
    assert!(!b.out().join("uk/robots.txt").exists());
    let home = b.page("uk/index.html");
    assert_eq!(home.attr("html", "lang").as_deref(), Some("uk"));
    assert_eq!(
        home.attr("link[rel=canonical]", "href"),
        Some(format!("{BASE}uk/"))
    );
}

#[test]
fn a_translated_page_shows_the_translation_over_the_original_facts() {
    let b = built();
    let page = b.page("uk/actors/volodymyr-zelensky/index.html");
    assert_eq!(page.attr("html", "lang").as_deref(), Some("uk"));
    assert_eq!(page.text("h1").trim(), "Володимир Зеленський");
    assert_eq!(page.attr("h1", "lang"), None);
    let main = page.text("main");
    assert!(main.contains("Підтримує припинення вогню"), "{main}");
    assert!(main.contains("Чого він хоче?"), "{main}");
    assert!(page.all(".untranslated").is_empty());
    assert_eq!(
        page.attr("link[rel=canonical]", "href"),
        Some(format!("{BASE}uk/actors/volodymyr-zelensky/"))
    );
}

#[test]
fn refs_in_a_language_lead_to_that_languages_pages() {
    let b = built();
    let page = b.page("uk/actors/volodymyr-zelensky/index.html");
    let link = page
        .all(".prose.body a")
        .into_iter()
        .find(|a| {
            a.value()
                .attr("href")
                .unwrap_or("")
                .contains("paris-summit")
        })
        .expect("a link to the summit");
    assert_eq!(link.text().collect::<String>(), "Паризький саміт");
    let target = page.follow(link.value().attr("href").unwrap());
    assert_eq!(target, Path::new("uk/meetings/paris-summit/index.html"));
    // Static files are beside every language's pages.
    let icon = page.attr("link[rel=icon]", "href").unwrap();
    assert!(b.out().join(page.follow(&icon)).is_file(), "{icon}");
    let raw = b.read("uk/actors/volodymyr-zelensky/index.html");
    let at = raw.find("style.").expect("a stylesheet link");
    let start = raw[..at].rfind('"').unwrap() + 1;
    let end = at + raw[at..].find('"').unwrap();
    let css = &raw[start..end];
    assert!(b.out().join(page.follow(css)).is_file(), "{css}");
}

#[test]
fn hreflang_alternates_go_both_ways_with_x_default() {
    let b = built();
    let both = pairs(&[
        ("en", "actors/volodymyr-zelensky/"),
        ("uk", "uk/actors/volodymyr-zelensky/"),
        ("x-default", "actors/volodymyr-zelensky/"),
    ]);
    assert_eq!(
        b.page("actors/volodymyr-zelensky/index.html").alternates(),
        both
    );
    assert_eq!(
        b.page("uk/actors/volodymyr-zelensky/index.html")
            .alternates(),
        both
    );
    // An untranslated page exists in English only.
    let english = pairs(&[
        ("en", "actors/emmanuel-macron/"),
        ("x-default", "actors/emmanuel-macron/"),
    ]);
    assert_eq!(
        b.page("actors/emmanuel-macron/index.html").alternates(),
        english
    );
    assert_eq!(
        b.page("uk/actors/emmanuel-macron/index.html").alternates(),
        english
    );
    // Lists exist in every language.
    assert_eq!(
        b.page("uk/actors/index.html").alternates(),
        pairs(&[
            ("en", "actors/"),
            ("uk", "uk/actors/"),
            ("x-default", "actors/")
        ])
    );
}

#[test]
fn the_switcher_leads_to_the_same_page_in_the_other_language() {
    let b = built();
    for (rel, label, other) in [
        (
            "actors/emmanuel-macron/index.html",
            "Languages",
            "uk/actors/emmanuel-macron/index.html",
        ),
        (
            "uk/actors/emmanuel-macron/index.html",
            "Мови",
            "actors/emmanuel-macron/index.html",
        ),
        ("uk/index.html", "Мови", "index.html"),
    ] {
        let page = b.page(rel);
        let nav = "nav.language-switcher";
        assert_eq!(page.attr(nav, "aria-label").as_deref(), Some(label));
        let links = page.all(&format!("{nav} a"));
        assert_eq!(links.len(), 2, "{rel}");
        for a in &links {
            let v = a.value();
            assert_eq!(v.attr("lang"), v.attr("hreflang"), "{rel}");
            let target = page.follow(v.attr("href").unwrap());
            let current = v.attr("aria-current") == Some("page");
            assert_eq!(current, target == Path::new(rel), "{rel}");
            if !current {
                assert_eq!(target, Path::new(other), "{rel}");
            }
            assert!(b.out().join(&target).is_file(), "{rel} → {target:?}");
        }
    }
}

#[test]
fn an_untranslated_page_says_so_in_the_languages_words() {
    let b = built();
    let page = b.page("uk/actors/emmanuel-macron/index.html");
    let notice = page.text(".untranslated");
    assert!(notice.contains("ще не перекладено"), "{notice}");
    assert_eq!(page.attr(".untranslated", "role").as_deref(), Some("note"));
    // The chrome is Ukrainian, the text the original's, marked so.
    assert_eq!(page.attr("html", "lang").as_deref(), Some("uk"));
    assert_eq!(page.attr("h1", "lang").as_deref(), Some("en"));
    assert_eq!(page.text("h1").trim(), "Emmanuel Macron");
    // So are the fact written in the original and the reader question;
    // the table's own words and the typed rows are Ukrainian.
    assert_eq!(
        page.attr(".facts-table th span", "lang").as_deref(),
        Some("en")
    );
    assert_eq!(
        page.attr(".facts-table td span", "lang").as_deref(),
        Some("en")
    );
    assert_eq!(
        page.attr(".question h3 span[lang]", "lang").as_deref(),
        Some("en")
    );
    assert_eq!(
        page.attr(".question .answer", "lang").as_deref(),
        Some("en")
    );
    assert_eq!(page.attr(".key-facts h2", "lang"), None);
    assert_eq!(
        page.attr("link[rel=canonical]", "href"),
        Some(format!("{BASE}actors/emmanuel-macron/"))
    );
    // The original has no notice.
    assert!(
        b.page("actors/emmanuel-macron/index.html")
            .all(".untranslated")
            .is_empty()
    );
}

#[test]
fn an_untranslated_page_shares_the_originals_card_embed_oembed_and_feed() {
    let b = built();
    let out = b.out();
    // A translated page has its own; a fallback has none of its own.
    for file in ["card.png", "atom.xml", "index.html", "oembed.json"] {
        let own = match file {
            "card.png" | "atom.xml" => format!("uk/actors/volodymyr-zelensky/{file}"),
            f => format!("uk/embed/actors/volodymyr-zelensky/{f}"),
        };
        assert!(out.join(&own).is_file(), "{own} missing");
    }
    for none in [
        "uk/actors/emmanuel-macron/card.png",
        "uk/actors/emmanuel-macron/atom.xml",
        "uk/embed/actors/emmanuel-macron/index.html",
        "uk/embed/actors/emmanuel-macron/oembed.json",
    ] {
        assert!(!out.join(none).exists(), "{none} written for a fallback");
    }
    // The fallback points to the original's, which exist.
    let page = b.page("uk/actors/emmanuel-macron/index.html");
    let card = page.attr("meta[property='og:image']", "content");
    assert_eq!(card, Some(format!("{BASE}actors/emmanuel-macron/card.png")));
    let oembed = page.attr("link[type='application/json+oembed']", "href");
    assert_eq!(
        oembed,
        Some(format!("{BASE}embed/actors/emmanuel-macron/oembed.json"))
    );
    let feed = "link[rel=alternate][type='application/atom+xml'][title^='Emmanuel']";
    assert_eq!(
        page.attr(feed, "href").as_deref(),
        Some("../../../actors/emmanuel-macron/atom.xml")
    );
    assert!(out.join("actors/emmanuel-macron/atom.xml").is_file());
    assert!(out.join("actors/emmanuel-macron/card.png").is_file());
    assert!(
        out.join("embed/actors/emmanuel-macron/oembed.json")
            .is_file()
    );
    // A translated page keeps its own.
    let page = b.page("uk/actors/volodymyr-zelensky/index.html");
    assert_eq!(
        page.attr("meta[property='og:image']", "content"),
        Some(format!("{BASE}uk/actors/volodymyr-zelensky/card.png"))
    );
}

#[test]
fn lists_feeds_search_and_404_are_in_each_language() {
    let b = built();
    let en_list = b.page("actors/index.html").text("h1");
    let uk_list = b.page("uk/actors/index.html").text("h1");
    assert_ne!(en_list, uk_list);
    // Paginated like the original (one entry a page), in Ukrainian.
    let second = b.page("uk/actors/page/2/index.html");
    assert_eq!(second.attr("html", "lang").as_deref(), Some("uk"));
    let feed = b.read("uk/atom.xml");
    let doc = roxmltree::Document::parse(&feed).expect("the feed is XML");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(titles.contains(&"Паризький саміт"), "{titles:?}");
    assert!(
        feed.contains(&format!("{BASE}uk/meetings/paris-summit/")),
        "{feed}"
    );
    let index = b.read("uk/search-index.js");
    assert!(index.contains("Володимир Зеленський"), "{index}");
    assert!(!b.read("search-index.js").contains("Володимир Зеленський"));
    let missing = b.page("uk/404.html");
    assert_eq!(missing.attr("html", "lang").as_deref(), Some("uk"));
}

#[test]
fn the_sitemap_lists_every_language_with_alternates() {
    let b = built();
    let text = b.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&text).expect("the sitemap is XML");
    let urls: Vec<(String, Vec<(String, String)>)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|u| {
            let loc = u
                .children()
                .find(|c| c.has_tag_name("loc"))
                .and_then(|c| c.text())
                .unwrap_or_default()
                .to_owned();
            let alts = u
                .children()
                .filter(|c| c.has_tag_name(("http://www.w3.org/1999/xhtml", "link")))
                .map(|c| {
                    (
                        c.attribute("hreflang").unwrap_or_default().to_owned(),
                        c.attribute("href").unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            (loc, alts)
        })
        .collect();
    let find = |loc: &str| urls.iter().find(|(l, _)| l == &format!("{BASE}{loc}"));
    let both = pairs(&[
        ("en", "actors/volodymyr-zelensky/"),
        ("uk", "uk/actors/volodymyr-zelensky/"),
        ("x-default", "actors/volodymyr-zelensky/"),
    ]);
    assert_eq!(
        find("actors/volodymyr-zelensky/").map(|u| &u.1),
        Some(&both)
    );
    assert_eq!(
        find("uk/actors/volodymyr-zelensky/").map(|u| &u.1),
        Some(&both)
    );
    assert!(find("uk/").is_some());
    // A fallback is not a page of its own to index.
    assert!(find("actors/emmanuel-macron/").is_some());
    assert!(find("uk/actors/emmanuel-macron/").is_none());
}

#[test]
fn a_cached_build_equals_a_clean_one_after_edits_to_either_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    common::copy_tree(&site("lang-two"), &root);
    let cache = dir.path().join("cache");
    let cached = dir.path().join("cached");
    let build = |out: &Path, args: &[&str]| {
        let mut all = vec!["build", "--root", root.to_str().unwrap()];
        all.extend(["--output", out.to_str().unwrap()]);
        all.extend_from_slice(args);
        let done = common::explainer(dir.path(), &all);
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
    };
    let cache_args = ["--cache-dir", cache.to_str().unwrap()];
    build(&cached, &cache_args);
    for (rel, from, to) in [
        (
            "content/meetings/paris-summit.uk.md",
            "Паризький саміт",
            "Саміт у Парижі",
        ),
        (
            "content/meetings/paris-summit.md",
            "2026-01-06",
            "2026-01-07",
        ),
        (
            "content/actors/emmanuel-macron.md",
            "President of France",
            "President",
        ),
    ] {
        edit(&root, rel, from, to);
        build(&cached, &cache_args);
        let clean = dir.path().join("clean");
        let _ = std::fs::remove_dir_all(&clean);
        build(&clean, &["--no-cache"]);
        assert_eq!(common::files(&clean), common::files(&cached), "after {rel}");
        for file in common::files(&clean) {
            let (a, b) = (
                std::fs::read(clean.join(&file)),
                std::fs::read(cached.join(&file)),
            );
            assert!(
                a.unwrap() == b.unwrap(),
                "{} differs after {rel}",
                file.display()
            );
        }
    }
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).expect("fixture file");
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replace(from, to)).expect("write");
}

/// What the kept engine serves at `rel`.
fn served(engine: &Engine, rel: &str) -> String {
    let bytes = engine
        .output()
        .get(Path::new(rel))
        .cloned()
        .unwrap_or_else(|| panic!("no {rel}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn serve_follows_new_translations_and_edits_to_originals_and_translations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    common::copy_tree(&site("lang-two"), root);
    let mut engine = Engine::new(root, CompileOptions::default());
    let macron_uk = "uk/actors/emmanuel-macron/index.html";
    assert!(served(&engine, macron_uk).contains("untranslated"));
    // A new translation file: the fallback becomes the translation, and
    // the English page gains its alternate.
    let new = "content/actors/emmanuel-macron.uk.md";
    std::fs::write(
        root.join(new),
        "---\ntitle: \"Емманюель Макрон\"\n---\nМакрон.\n",
    )
    .unwrap();
    let done = engine.apply(&[Change::Content(PathBuf::from(new))]);
    assert!(done.changed.contains(Path::new(macron_uk)), "{done:?}");
    let page = served(&engine, macron_uk);
    assert!(page.contains("Емманюель Макрон") && !page.contains("untranslated"));
    assert!(served(&engine, "actors/emmanuel-macron/index.html").contains("hreflang=\"uk\""));
    // An edit to the original reaches its translation's page.
    let summit = "content/meetings/paris-summit.md";
    edit(root, summit, "2026-01-06", "2026-01-08");
    engine.apply(&[Change::Content(PathBuf::from(summit))]);
    assert!(served(&engine, "uk/meetings/paris-summit/index.html").contains("2026-01-08"));
    // An edit to a translation.
    let uk = "content/meetings/paris-summit.uk.md";
    edit(root, uk, "Паризький саміт", "Саміт у Парижі");
    engine.apply(&[Change::Content(PathBuf::from(uk))]);
    assert!(served(&engine, "uk/meetings/paris-summit/index.html").contains("Саміт у Парижі"));
    // Its removal makes the page a fallback again.
    std::fs::remove_file(root.join(new)).unwrap();
    engine.apply(&[Change::Content(PathBuf::from(new))]);
    assert!(served(&engine, macron_uk).contains("untranslated"));
    let fresh = Engine::new(root, CompileOptions::default());
    assert_eq!(engine.diagnostics().items(), fresh.diagnostics().items());
    assert!(
        engine.output() == fresh.output(),
        "the kept engine differs from a fresh one"
    );
}

#[test]
fn a_translated_actor_page_lifts_role_and_type_out_of_its_facts_as_the_original_does() {
    // Typed rows are found by their key, which must not be the words
    // shown: in Ukrainian "Посада" is the role.
    let b = built();
    for (rel, role) in [
        (
            "actors/volodymyr-zelensky/index.html",
            "President of Ukraine",
        ),
        (
            "uk/actors/volodymyr-zelensky/index.html",
            "Президент України",
        ),
    ] {
        let page = b.page(rel);
        assert_eq!(page.text("p.identity"), role, "{rel}");
        let labels: Vec<String> = page
            .all(".facts-table th")
            .iter()
            .map(|th| th.text().collect::<String>().trim().to_owned())
            .collect();
        assert_eq!(labels.len(), 1, "{rel}: {labels:?}");
    }
}
