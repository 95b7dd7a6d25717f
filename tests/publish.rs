//! Publish-ready output of the example site (the repository root): page
//! metadata, schema.org JSON-LD, a well-formed Atom feed and sitemap with
//! absolute URLs under `base_url`, robots.txt, the 404 page at any depth and
//! the search index. The checks that need a browser or the Nu HTML Checker
//! are in `tests/browser.rs`.

mod common;

use std::path::{Path, PathBuf};

use common::{attr, explainer, files, fixture};
use scraper::{Html, Selector};
use serde_json::Value;

const BASE: &str = "https://example.org/ukraine-talks/";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// The example site built into a temporary folder.
struct Example {
    dir: tempfile::TempDir,
}

impl Example {
    fn build(extra: &[&str]) -> Example {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut args = vec![
            "build",
            "--root",
            env!("CARGO_MANIFEST_DIR"),
            "--output",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let result = explainer(dir.path(), &args);
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        Example { dir }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out().join(rel)).unwrap()
    }

    /// Every page of the site, in both its languages: HTML files but the
    /// embeddable fact cards under `embed/`, which are parts of other
    /// sites' pages (no frame, `noindex`, not in the sitemap;
    /// tests/embeds.rs checks them).
    fn pages(&self) -> Vec<PathBuf> {
        files(&self.out())
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "html"))
            .filter(|f| !f.starts_with("embed") && !f.starts_with("uk/embed"))
            .collect()
    }

    /// Whether a page shows the original's text in another language (its
    /// canonical URL is the original's; it is not in the sitemap).
    fn is_fallback(&self, page: &Path) -> bool {
        self.read(page.to_str().unwrap())
            .contains("class=\"draft-banner untranslated\"")
    }
}

/// The page in the site's first language: `uk/x/index.html` → `x/index.html`.
fn original(page: &Path) -> &Path {
    page.strip_prefix("uk").unwrap_or(page)
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

/// The pretty URL a page file is published at.
fn url_of(page: &Path) -> String {
    let rel = page.to_string_lossy().replace('\\', "/");
    format!("{BASE}{}", rel.strip_suffix("index.html").unwrap_or(&rel))
}

#[test]
fn every_page_has_title_description_canonical_open_graph_and_lang() {
    let site = Example::build(&[]);
    for page in site.pages() {
        let html = Html::parse_document(&site.read(page.to_str().unwrap()));
        let at = page.display();
        let lang = if page.starts_with("uk") { "uk" } else { "en" };
        assert_eq!(attr(&html, "html", "lang").as_deref(), Some(lang), "{at}");
        let title = select(&html, "head > title")[0].text().collect::<String>();
        assert!(!title.trim().is_empty(), "{at}: empty <title>");
        let description = attr(&html, "meta[name=description]", "content").unwrap_or_default();
        assert!(!description.trim().is_empty(), "{at}: no meta description");
        let canonical = attr(&html, "link[rel=canonical]", "href").unwrap();
        let own = match site.is_fallback(&page) {
            true => original(&page),
            false => &page,
        };
        assert_eq!(canonical, url_of(own), "{at}: canonical");
        assert_eq!(
            attr(&html, "meta[property='og:url']", "content").as_deref(),
            Some(canonical.as_str()),
            "{at}"
        );
        for property in ["og:title", "og:description", "og:type", "og:site_name"] {
            let css = format!("meta[property='{property}']");
            assert!(
                attr(&html, &css, "content").is_some(),
                "{at}: no {property}"
            );
        }
        for name in ["twitter:card", "twitter:title", "twitter:description"] {
            let css = format!("meta[name='{name}']");
            assert!(attr(&html, &css, "content").is_some(), "{at}: no {name}");
        }
    }
}

#[test]
fn entity_descriptions_are_their_summaries() {
    let site = Example::build(&[]);
    let html = Html::parse_document(&site.read("actors/volodymyr-zelensky/index.html"));
    let description = attr(&html, "meta[name=description]", "content").unwrap();
    assert!(
        description.starts_with("President of Ukraine."),
        "{description}"
    );
    assert_eq!(
        attr(&html, "meta[property='og:type']", "content").as_deref(),
        Some("article")
    );
    assert_eq!(
        attr(&html, "meta[property='article:modified_time']", "content").as_deref(),
        Some("2026-01-10")
    );
}

/// The JSON-LD of a page, parsed; panics if it is missing or not JSON.
fn json_ld(site: &Example, page: &str) -> Value {
    let html = Html::parse_document(&site.read(page));
    let blocks = select(&html, "script[type='application/ld+json']");
    assert_eq!(blocks.len(), 1, "{page}: one JSON-LD block");
    let text: String = blocks[0].text().collect();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{page}: JSON-LD does not parse: {e}"))
}

/// The top-level nodes: the document itself, or the members of `@graph`.
fn nodes(value: &Value) -> Vec<&Value> {
    match value.get("@graph").and_then(Value::as_array) {
        Some(graph) => graph.iter().collect(),
        None => vec![value],
    }
}

fn types(value: &Value) -> Vec<&str> {
    nodes(value)
        .iter()
        .filter_map(|n| n.get("@type").and_then(Value::as_str))
        .collect()
}

/// What a page's JSON-LD must contain, from where the page is.
fn expected_type(site: &Example, page: &Path) -> Vec<&'static str> {
    let rel = page.to_string_lossy().replace('\\', "/");
    let first = original(page).to_string_lossy().replace('\\', "/");
    let parts: Vec<&str> = first.split('/').collect();
    match parts.as_slice() {
        ["index.html"] => vec!["WebSite"],
        ["404.html"] => vec!["WebPage"],
        ["search", "index.html"] => vec!["SearchResultsPage"],
        [_, "index.html"]
        | ["tags", _, "index.html"]
        | [_, "page", _, "index.html"]
        | ["tags", _, "page", _, "index.html"] => vec!["CollectionPage"],
        [kind, slug, "index.html"] => {
            let front = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("content/{kind}/{slug}.md")),
            )
            .unwrap();
            let answered = site.read(&rel).contains("question is-answered");
            let page_type = if answered { "FAQPage" } else { "WebPage" };
            let subject = match *kind {
                "actors" if front.contains("\ntype: person") => "Person",
                "actors" if front.contains("\ntype: country") => "Country",
                "actors" => "Organization",
                "meetings" => "Event",
                "proposals" if front.to_lowercase().contains(" bill\"") => "Legislation",
                "proposals" => "CreativeWork",
                "sources" if front.contains("\ntype: social") => "SocialMediaPosting",
                "sources" if front.contains("\ntype: article") => "Article",
                "sources" => "CreativeWork",
                _ => return vec![page_type],
            };
            vec![page_type, subject]
        }
        _ => panic!("unexpected page {rel}"),
    }
}

#[test]
fn every_json_ld_block_parses_and_has_the_expected_type() {
    let site = Example::build(&[]);
    for page in site.pages() {
        let rel = page.to_string_lossy().replace('\\', "/");
        let value = json_ld(&site, &rel);
        assert_eq!(value["@context"], "https://schema.org", "{rel}");
        assert_eq!(types(&value), expected_type(&site, &page), "{rel}");
    }
}

#[test]
fn json_ld_maps_meetings_to_events_with_dates_place_and_people() {
    let site = Example::build(&[]);
    let value = json_ld(&site, "meetings/paris-summit-2026/index.html");
    let event = nodes(&value)[1];
    assert_eq!(event["startDate"], "2026-01-06");
    assert_eq!(event["endDate"], "2026-01-06");
    assert_eq!(event["location"]["@type"], "Place");
    assert_eq!(event["organizer"]["name"], "Emmanuel Macron");
    assert_eq!(event["eventStatus"], "https://schema.org/EventScheduled");
    let attendees = event["attendee"].as_array().unwrap();
    assert!(attendees.iter().any(|a| a["name"] == "Volodymyr Zelensky"));
    // attendee takes a Person or an Organization: a country attends as its
    // government.
    let uk = attendees
        .iter()
        .find(|a| a["name"] == "United Kingdom")
        .unwrap();
    assert_eq!(uk["@type"], "GovernmentOrganization");
    for a in attendees {
        let t = a["@type"].as_str().unwrap();
        assert!(
            ["Person", "Organization", "GovernmentOrganization"].contains(&t),
            "{t}"
        );
    }
}

#[test]
fn json_ld_cites_the_sources_of_key_facts_with_their_publisher() {
    let site = Example::build(&[]);
    let value = json_ld(&site, "actors/volodymyr-zelensky/index.html");
    let page = nodes(&value)[0];
    let citations = page["citation"].as_array().unwrap();
    let rbc = citations
        .iter()
        .find(|c| c["publisher"]["name"] == "RBC-Ukraine")
        .expect("the RBC-Ukraine source is cited");
    assert_eq!(rbc["@type"], "Article");
    assert!(rbc["url"].as_str().unwrap().starts_with("http"));
    let person = nodes(&value)[1];
    assert_eq!(person["jobTitle"], "President of Ukraine");
    assert!(
        person["alternateName"]
            .as_array()
            .unwrap()
            .contains(&Value::from("Володимир Зеленський"))
    );
}

#[test]
fn faq_answers_are_plain_text_with_refs_resolved() {
    let site = Example::build(&[]);
    let mut answers = 0;
    for page in site.pages() {
        let rel = page.to_string_lossy().replace('\\', "/");
        let value = json_ld(&site, &rel);
        for node in nodes(&value)
            .into_iter()
            .filter(|n| n["@type"] == "FAQPage")
        {
            for q in node["mainEntity"].as_array().unwrap() {
                assert_eq!(q["@type"], "Question");
                let text = q["acceptedAnswer"]["text"].as_str().unwrap();
                assert!(
                    !text.is_empty() && !text.contains('<') && !text.contains("[["),
                    "{rel}: answer is not plain text: {text}"
                );
                answers += 1;
            }
        }
    }
    assert!(answers > 20, "only {answers} answers found");
    // `[[politico-paris-declaration-draft|Politico]]` in an answer reads "Politico".
    let value = json_ld(&site, "meetings/paris-summit-2026/index.html");
    let text = nodes(&value)[0]["mainEntity"].to_string();
    assert!(text.contains("according to Politico"), "{text}");
}

/// The Atom child element `name` of `node`.
fn child<'a, 'input>(node: roxmltree::Node<'a, 'input>, name: &str) -> roxmltree::Node<'a, 'input> {
    node.children()
        .find(|c| c.has_tag_name((ATOM_NS, name)))
        .unwrap_or_else(|| panic!("no <{name}>"))
}

#[test]
fn atom_feed_is_well_formed_with_absolute_urls() {
    let site = Example::build(&[]);
    let text = site.read("atom.xml");
    let doc = roxmltree::Document::parse(&text).expect("atom.xml is well-formed XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM_NS));
    assert_eq!(feed.tag_name().name(), "feed");
    for name in ["id", "title", "updated", "author"] {
        child(feed, name);
    }
    let self_link = feed
        .children()
        .find(|c| c.has_tag_name((ATOM_NS, "link")) && c.attribute("rel") == Some("self"))
        .expect("rel=self link");
    assert_eq!(
        self_link.attribute("href"),
        Some(&*format!("{BASE}atom.xml"))
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM_NS, "entry")))
        .collect();
    assert_eq!(entries.len(), 20, "feed_limit: 20 in site.yaml");
    for entry in entries {
        let id = child(entry, "id").text().unwrap();
        assert!(id.starts_with(BASE), "{id}");
        let link = child(entry, "link").attribute("href").unwrap();
        assert_eq!(link, id);
        let updated = child(entry, "updated").text().unwrap();
        assert!(
            updated.len() == 20 && updated.ends_with("T00:00:00Z"),
            "{updated}"
        );
        child(entry, "title");
    }
}

#[test]
fn feed_limit_caps_the_feed() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("build/basic"), dir.path());
    let config = std::fs::read_to_string(dir.path().join("site.yaml")).unwrap();
    std::fs::write(dir.path().join("site.yaml"), config + "feed_limit: 1\n").unwrap();
    let result = explainer(dir.path(), &["build"]);
    assert!(result.status.success());
    let text = std::fs::read_to_string(dir.path().join("public/atom.xml")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let entries = doc
        .descendants()
        .filter(|n| n.has_tag_name((ATOM_NS, "entry")))
        .count();
    assert_eq!(entries, 1);
}

#[test]
fn sitemap_lists_every_page_once_with_an_absolute_url_and_lastmod() {
    let site = Example::build(&[]);
    let text = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&text).expect("sitemap.xml is well-formed XML");
    assert!(doc.root_element().has_tag_name((SITEMAP_NS, "urlset")));
    let mut locs = Vec::new();
    for url in doc
        .root_element()
        .children()
        .filter(|c| c.has_tag_name((SITEMAP_NS, "url")))
    {
        let field = |name: &str| {
            url.children()
                .find(|c| c.has_tag_name((SITEMAP_NS, name)))
                .and_then(|c| c.text())
                .map(str::to_owned)
        };
        let loc = field("loc").expect("a <url> without <loc>");
        assert!(loc.starts_with(BASE), "{loc}");
        // Every page with a date, and every page listing dated pages, says
        // when it last changed; free pages without `updated` cannot.
        match field("lastmod") {
            Some(lastmod) => assert!(
                lastmod.len() == 10 && lastmod.starts_with("20"),
                "{lastmod}"
            ),
            None => assert!(
                loc.starts_with(&format!("{BASE}pages/"))
                    || loc.starts_with(&format!("{BASE}uk/pages/")),
                "{loc} has no lastmod"
            ),
        }
        locs.push(loc);
    }
    let mut pages: Vec<String> = site
        .pages()
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "404.html"))
        .filter(|p| !site.is_fallback(p))
        .map(|p| url_of(p))
        .collect();
    pages.sort();
    locs.sort();
    assert_eq!(locs, pages);
}

#[test]
fn robots_txt_points_at_the_absolute_sitemap() {
    let site = Example::build(&["--base-url", "https://news.example/deep/sub"]);
    let robots = site.read("robots.txt");
    assert!(
        robots.contains("Sitemap: https://news.example/deep/sub/sitemap.xml"),
        "{robots}"
    );
    assert!(
        site.read("sitemap.xml")
            .contains("<loc>https://news.example/deep/sub/actors/</loc>")
    );
}

#[test]
fn the_404_page_links_by_absolute_paths_under_the_base_url() {
    let site = Example::build(&["--base-url", "https://news.example/deep/sub/"]);
    let html = Html::parse_document(&site.read("404.html"));
    let css = common::published(&site.out(), "style.css");
    assert_eq!(
        common::stylesheet_href(&site.read("404.html")),
        Some(format!("/deep/sub/{css}"))
    );
    for a in select(&html, "a[href]") {
        let href = a.value().attr("href").unwrap();
        assert!(
            href.starts_with("/deep/sub/") || href.starts_with('#') || href.starts_with("mailto:"),
            "{href}"
        );
    }
    assert_eq!(
        attr(&html, "meta[name=robots]", "content").as_deref(),
        Some("noindex")
    );
    let at_root = Example::build(&["--base-url", "https://news.example"]);
    assert_eq!(
        common::stylesheet_href(&at_root.read("404.html")),
        Some(format!("/{css}"))
    );
}

/// The records of `search-index.js`.
fn search_index(site: &Example) -> Vec<Value> {
    let text = site.read("search-index.js");
    let json = text
        .strip_prefix("window.EXPLAINER_SEARCH=")
        .and_then(|t| t.trim_end().strip_suffix(';'))
        .expect("search-index.js sets window.EXPLAINER_SEARCH");
    serde_json::from_str(json).unwrap()
}

#[test]
fn the_search_index_holds_names_in_every_script_facts_and_body_words() {
    let site = Example::build(&[]);
    let records = search_index(&site);
    assert_eq!(records.len(), 78, "one record per entity");
    let zelensky = records
        .iter()
        .find(|r| r["u"] == "actors/volodymyr-zelensky/index.html")
        .unwrap();
    assert_eq!(zelensky["k"], "actor");
    assert!(zelensky["a"].to_string().contains("Володимир Зеленський"));
    let facts = zelensky["f"].as_str().unwrap();
    assert!(facts.contains("Role: President of Ukraine"), "{facts}");
    assert!(facts.contains("State of the peace deal: "), "{facts}");
    assert!(!facts.contains('<') && !facts.contains("[["), "{facts}");
    let body = zelensky["b"].as_str().unwrap();
    assert!(
        body.contains("yermak") && body == body.to_lowercase(),
        "{body}"
    );
    let meeting = records
        .iter()
        .find(|r| r["u"] == "meetings/paris-summit-2026/index.html")
        .unwrap();
    assert_eq!(meeting["d"], "2026-01-06");
    assert!(meeting["g"].as_array().is_some_and(|g| !g.is_empty()));
}

#[test]
fn the_search_index_stays_compact() {
    let site = Example::build(&[]);
    let bytes = site.read("search-index.js").len();
    assert!(bytes < 150_000, "search-index.js is {bytes} bytes");
    for r in search_index(&site) {
        let terms = r["b"].as_str().unwrap_or("").split(' ').count();
        assert!(
            terms <= explainer::render::search_index::BODY_WORDS,
            "{}: {terms} body terms",
            r["u"]
        );
    }
}

#[test]
fn the_search_page_hides_its_form_until_javascript_runs_and_says_why() {
    let site = Example::build(&[]);
    let html = Html::parse_document(&site.read("search/index.html"));
    assert!(select(&html, "form#search-form[hidden]").len() == 1);
    // The first <noscript>, in <head>, links the stylesheet.
    let noscript: Vec<String> = select(&html, "noscript")
        .iter()
        .map(|n| n.inner_html())
        .collect();
    assert!(
        noscript.iter().any(|n| n.contains("needs JavaScript")),
        "{noscript:?}"
    );
    assert!(
        select(&html, ".header-search").is_empty(),
        "one search box on the search page"
    );
    let header = Html::parse_document(&site.read("actors/index.html"));
    assert_eq!(
        attr(&header, ".header-search", "action").as_deref(),
        Some("../search/index.html")
    );
}
