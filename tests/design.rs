//! The page design a reader meets, on the example site (`content/`): the
//! story front's sections, an entity page's hierarchy (identity line, eight
//! key facts then "All N facts", one Connections section), the "Report an
//! error" link, and lists in the order readers look people up.

mod common;

use common::build_example;
use scraper::{Html, Selector};

fn read(out: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn texts(html: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|n| n.text().collect::<String>().trim().to_owned())
        .collect()
}

#[test]
fn design_of_the_example_site() {
    // One build for every check: the example site takes seconds to build.
    let (_dir, out) = build_example();
    the_front_page_tells_the_story(&out);
    an_actor_page_has_a_hierarchy(&out);
    every_page_offers_to_report_an_error(&out);
    people_are_listed_by_surname(&out);
}

fn the_front_page_tells_the_story(out: &std::path::Path) {
    let home = read(out, "index.html");
    let headings = texts(&home, "main h2");
    for wanted in [
        "Latest developments",
        "What happens next",
        "Where the sources disagree",
        "Readers ask",
        "Who's who",
    ] {
        assert!(
            headings.iter().any(|h| h == wanted),
            "{wanted}: {headings:?}"
        );
    }
    // The expected Zelensky–Trump meeting (no date, no status) is next.
    let next = texts(&home, ".front-next .item-title");
    assert!(
        next.iter().any(|t| t.starts_with("Zelensky–Trump meeting")),
        "{next:?}"
    );
    // Disputes link to the disputed page's key facts.
    assert!(
        home.contains("#key-facts-title\">"),
        "disputes link to key facts"
    );
    // Who's who: people with their role; the counts are one quiet line.
    let people = texts(&home, ".people-cards li span");
    assert!(
        people.iter().any(|r| r == "President of Ukraine"),
        "{people:?}"
    );
    assert_eq!(texts(&home, ".section-line a").len(), 4);
}

fn an_actor_page_has_a_hierarchy(out: &std::path::Path) {
    let page = read(out, "actors/volodymyr-zelensky/index.html");
    // Role · affiliation under the title; the country is not repeated when
    // the affiliation names it, and no "Type: Person" row.
    assert_eq!(
        texts(&page, ".identity"),
        ["President of Ukraine · Ukraine"]
    );
    assert!(!page.contains("<th scope=\"row\">Type"));
    assert!(!page.contains("<th scope=\"row\">Role"));
    // Eight rows show; the rest are behind "All N facts".
    let shown = texts(&page, ".key-facts > table tbody > tr");
    let more = texts(&page, ".more-facts tbody > tr");
    assert_eq!(shown.len(), 8);
    assert!(!more.is_empty());
    assert_eq!(
        texts(&page, ".more-facts > summary"),
        [format!("All {} facts", shown.len() + more.len())]
    );
    // One figure, in the Connections section.
    assert_eq!(page.matches("<svg xmlns").count(), 1);
    let boxes = texts(&page, ".relations figure .mp-node").len();
    assert!((2..=15).contains(&boxes), "{boxes} boxes");
}

fn every_page_offers_to_report_an_error(out: &std::path::Path) {
    for rel in [
        "index.html",
        "map/index.html",
        "meetings/paris-summit-2026/index.html",
    ] {
        let html = read(out, rel);
        let doc = Html::parse_document(&html);
        let sel = Selector::parse("a.report-error").unwrap();
        let href = doc
            .select(&sel)
            .next()
            .and_then(|a| a.value().attr("href"))
            .unwrap_or_else(|| panic!("{rel}: no Report an error link"));
        assert!(
            href.starts_with("mailto:corrections@example.org?subject=Error%20on%20"),
            "{href}"
        );
        let page = rel.trim_end_matches("index.html");
        let url = format!(
            "https%3A%2F%2Fexample.org%2Fukraine-talks%2F{}",
            page.replace('/', "%2F")
        );
        assert!(href.contains(&url), "{rel}: {href}");
    }
}

fn people_are_listed_by_surname(out: &std::path::Path) {
    let first = read(out, "actors/index.html");
    let names = texts(&first, "main .item-title");
    let at = |n: &str| names.iter().position(|x| x == n).unwrap_or(usize::MAX);
    // Budanov < Dmitriev < Grynkevich < Kushner (Charles < Jared).
    assert!(at("Kyrylo Budanov") < at("Kirill Dmitriev"), "{names:?}");
    assert!(at("Charles Kushner") < at("Jared Kushner"), "{names:?}");
}
