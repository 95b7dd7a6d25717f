//! Long lists are split into pages (`paginate_by`): kind lists, tag pages
//! and `/questions/`, with the first page at the list's own address and
//! the others under `page/<n>/`, linked in order, each with its own title,
//! all in the sitemap.

mod common;

use std::path::{Path, PathBuf};

use common::{attr, build_into, copy_tree, explainer, fixture};
use scraper::{Html, Selector};

/// The `build/basic` fixture built with `paginate_by: N` added to its
/// `site.yaml` (no key: the fixture as it is).
fn build_paginated(per_page: Option<usize>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("build/basic"), &root);
    if let Some(n) = per_page {
        let yaml = root.join("site.yaml");
        let text = std::fs::read_to_string(&yaml).unwrap();
        std::fs::write(&yaml, format!("{}\npaginate_by: {n}\n", text.trim_end())).unwrap();
    }
    let out = dir.path().join("out");
    build_into(&root, &out);
    (dir, out)
}

fn page(out: &Path, rel: &str) -> Html {
    let path = out.join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Html::parse_document(&text)
}

fn texts(html: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

/// The titles a list shows, page after page, following its `rel="next"`
/// links from the first page.
fn titles_following_next(out: &Path, first: &str, item_css: &str) -> Vec<String> {
    let mut titles = Vec::new();
    let mut rel = first.to_owned();
    for _ in 0..20 {
        let html = page(out, &rel);
        titles.extend(texts(&html, item_css));
        let Some(next) = attr(&html, "a[rel=next]", "href") else {
            return titles;
        };
        let here = Path::new(&rel).parent().unwrap();
        rel = normalise(&here.join(next));
    }
    panic!("{first}: more than 20 pages");
}

fn normalise(path: &Path) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.to_str().unwrap().split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[test]
fn pages_of_a_list_hold_every_entry_once_in_the_list_order() {
    let (_whole, unsplit) = build_paginated(None);
    let (_split, split) = build_paginated(Some(1));
    let item = ".item-list a.item-title";
    let all = texts(&page(&unsplit, "actors/index.html"), item);
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(
        titles_following_next(&split, "actors/index.html", item),
        all
    );
    for n in 2..=3 {
        assert!(split.join(format!("actors/page/{n}/index.html")).is_file());
    }
    assert!(!split.join("actors/page/4/index.html").exists());
    assert!(
        !unsplit.join("actors/page").exists(),
        "one page: nothing under page/"
    );

    let questions = ".question-group h2 a";
    let groups = texts(&page(&unsplit, "questions/index.html"), questions);
    assert!(groups.len() >= 2, "{groups:?}");
    assert_eq!(
        titles_following_next(&split, "questions/index.html", questions),
        groups
    );

    let tagged = texts(&page(&unsplit, "tags/diplomacy/index.html"), item);
    assert!(tagged.len() >= 2, "{tagged:?}");
    assert_eq!(
        titles_following_next(&split, "tags/diplomacy/index.html", item),
        tagged
    );
}

#[test]
fn each_page_has_its_own_title_canonical_and_links_back() {
    let (_dir, out) = build_paginated(Some(1));
    let second = page(&out, "actors/page/2/index.html");
    let title = texts(&second, "title").join("");
    assert!(title.starts_with("Actors, page 2 ·"), "{title}");
    assert_eq!(
        attr(&second, "link[rel=canonical]", "href").as_deref(),
        Some("https://example.org/fixture/actors/page/2/")
    );
    assert_eq!(
        attr(&second, "a[rel=prev]", "href").as_deref(),
        Some("../../../actors/index.html")
    );
    assert_eq!(
        attr(&second, "a[rel=next]", "href").as_deref(),
        Some("../../../actors/page/3/index.html")
    );
    let status = texts(&second, ".pagination [aria-current=page]").join("");
    assert_eq!(status, "Page 2 of 3");
    // The count is the whole list's, on every page.
    let count = texts(&second, ".page-header .count").join("");
    assert_eq!(count, "3 entries");
    let first = page(&out, "actors/index.html");
    assert_eq!(attr(&first, "a[rel=prev]", "href"), None);
    let last = page(&out, "actors/page/3/index.html");
    assert_eq!(attr(&last, "a[rel=next]", "href"), None);

    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    for url in [
        "https://example.org/fixture/actors/page/2/",
        "https://example.org/fixture/actors/page/3/",
        "https://example.org/fixture/questions/page/2/",
        "https://example.org/fixture/tags/diplomacy/page/2/",
    ] {
        assert!(sitemap.contains(&format!("<loc>{url}</loc>")), "{url}");
    }
}

#[test]
fn a_list_on_one_page_shows_no_page_links() {
    let (_dir, out) = build_paginated(None);
    let html = page(&out, "actors/index.html");
    assert!(texts(&html, ".pagination").is_empty());
}

#[test]
fn paginate_by_zero_keeps_every_list_on_one_page() {
    let (_dir, out) = build_paginated(Some(0));
    let item = ".item-list a.item-title";
    assert_eq!(texts(&page(&out, "actors/index.html"), item).len(), 3);
    let pages = common::files(&out);
    assert!(
        !pages
            .iter()
            .any(|p| p.components().any(|c| c.as_os_str() == "page")),
        "{pages:?}"
    );
}

#[test]
fn paginate_by_of_the_wrong_type_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("build/basic"), &root);
    let yaml = root.join("site.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let line = text.lines().count() + 1;
    std::fs::write(&yaml, format!("{}\npaginate_by: lots\n", text.trim_end())).unwrap();
    let result = explainer(dir.path(), &["check", "--root", root.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("`paginate_by` must be a whole number"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("site.yaml:{line}:14")), "{stderr}");
}
