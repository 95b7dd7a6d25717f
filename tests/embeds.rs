//! Embeddable fact cards: every entity's `/embed/<kind>/<slug>/` is a page
//! without the site's chrome holding its key facts, disputed badges and
//! sources, that reports its height to the page around it; its
//! `oembed.json` parses as an oEmbed `rich` response whose HTML is the
//! card's iframe; and the entity page links that file for discovery.

mod common;

use scraper::{Html, Selector};

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn text(el: &scraper::ElementRef<'_>) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const CARD: &str = "embed/actors/steve-witkoff/index.html";
const OEMBED: &str = "embed/actors/steve-witkoff/oembed.json";

#[test]
fn the_card_holds_the_key_facts_their_disputes_and_sources_without_the_sites_chrome() {
    let built = common::build_ok("embeds/disputed", &[]);
    let html = Html::parse_document(&built.read(CARD));
    assert_eq!(text(&select(&html, "main h1")[0]), "Steve Witkoff");
    assert!(select(&html, "header, nav, footer, .site-header").is_empty());
    let rows: Vec<String> = select(&html, ".facts-table tr th")
        .iter()
        .map(text)
        .collect();
    assert!(rows.contains(&"Title Disputed".to_owned()), "{rows:?}");
    let versions: Vec<String> = select(&html, ".fact-versions li")
        .iter()
        .map(text)
        .collect();
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(versions[0].starts_with("Special envoy"), "{versions:?}");
    assert!(versions[1].starts_with("Deputy minister"), "{versions:?}");
    let sources: Vec<String> = select(&html, ".source-list li a")
        .iter()
        .map(text)
        .collect();
    assert_eq!(sources, ["Wire report", "Gazette report"]);
    // Links open outside the iframe and lead to the site's pages.
    assert_eq!(
        common::attr(&html, "base", "target").as_deref(),
        Some("_blank")
    );
    let page = common::attr(&html, "main h1 a", "href").unwrap();
    assert_eq!(page, "../../../actors/steve-witkoff/index.html");
    let card_dir = built.out().join("embed/actors/steve-witkoff");
    assert!(card_dir.join(&page).is_file());
    // A link in a fact's value, rendered for the entity's page, leads to
    // the page it names from the card too.
    let cited = common::attr(&html, ".facts-table td a:not(.cite)", "href").unwrap();
    assert_eq!(cited, "../../../sources/wire-report/index.html");
    assert!(card_dir.join(&cited).is_file());
    assert_eq!(
        common::attr(&html, "meta[name=robots]", "content").as_deref(),
        Some("noindex")
    );
}

#[test]
fn the_card_reports_its_height_to_the_page_around_it() {
    let built = common::build_ok("embeds/disputed", &[]);
    let html = Html::parse_document(&built.read(CARD));
    let script = text(&select(&html, "script")[0]);
    assert!(script.contains("window.parent.postMessage({ \"datawrapper-height\": heights }"));
    assert!(script.contains("heights[\"actors-steve-witkoff\"] = height"));
    assert!(script.contains("new ResizeObserver(report)"));
}

#[test]
fn the_oembed_file_is_a_rich_response_whose_html_is_the_cards_iframe() {
    let built = common::build_ok("embeds/disputed", &[]);
    let json: serde_json::Value = serde_json::from_str(&built.read(OEMBED)).unwrap();
    assert_eq!(json["version"], "1.0");
    assert_eq!(json["type"], "rich");
    assert_eq!(json["title"], "Steve Witkoff");
    assert_eq!(json["provider_name"], "Embed Test");
    assert_eq!(json["provider_url"], "https://news.example.org/explainer/");
    assert_eq!(
        json["thumbnail_url"],
        "https://news.example.org/explainer/actors/steve-witkoff/card.png"
    );
    let (w, h) = (
        json["width"].as_u64().unwrap(),
        json["height"].as_u64().unwrap(),
    );
    let frame = Html::parse_fragment(json["html"].as_str().unwrap());
    let iframe = select(&frame, "iframe");
    assert_eq!(iframe.len(), 1, "the html is one iframe");
    let attr = |name: &str| iframe[0].value().attr(name).unwrap().to_owned();
    assert_eq!(
        attr("src"),
        "https://news.example.org/explainer/embed/actors/steve-witkoff/"
    );
    assert_eq!(attr("title"), "Key facts: Steve Witkoff");
    assert_eq!(
        (attr("width"), attr("height")),
        (w.to_string(), h.to_string())
    );
    // The iframe's address is the card's folder in the output.
    let under_base = attr("src").replace("https://news.example.org/explainer/", "");
    assert!(built.out().join(under_base).join("index.html").is_file());
}

#[test]
fn the_entity_page_links_its_oembed_file_for_discovery() {
    let built = common::build_ok("embeds/disputed", &[]);
    let html = Html::parse_document(&built.read("actors/steve-witkoff/index.html"));
    let css = "link[rel=alternate][type='application/json+oembed']";
    let href = common::attr(&html, css, "href").unwrap();
    assert_eq!(
        href,
        "https://news.example.org/explainer/embed/actors/steve-witkoff/oembed.json"
    );
    let file = href.replace("https://news.example.org/explainer/", "");
    assert!(built.out().join(file).is_file());
    // Cards are not pages of their own for search engines.
    let sitemap = built.read("sitemap.xml");
    assert!(!sitemap.contains("/embed/"), "{sitemap}");
}

#[test]
fn every_entity_gets_a_card_and_an_oembed_file() {
    let built = common::build_ok("embeds/disputed", &[]);
    for id in [
        "actors/steve-witkoff",
        "sources/wire-report",
        "sources/gazette-report",
    ] {
        let dir = built.out().join("embed").join(id);
        assert!(dir.join("index.html").is_file(), "{id}");
        assert!(dir.join("oembed.json").is_file(), "{id}");
    }
}
