//! `explainer build` on fixture sites: the pages SPEC section 4 promises
//! exist, every link works, relations show from both ends.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use common::{build_ok, explainer, files, fixture};
use scraper::{Html, Selector};

const SPEC_PAGES: &[&str] = &[
    "index.html",
    "actors/index.html",
    "meetings/index.html",
    "proposals/index.html",
    "sources/index.html",
    "pages/index.html",
    "actors/ada-lovelace/index.html",
    "meetings/paris-summit/index.html",
    "proposals/peace-plan/index.html",
    "sources/wire-report/index.html",
    "pages/about/index.html",
    "timeline/index.html",
    "questions/index.html",
    "tags/index.html",
    "tags/diplomacy/index.html",
    "tags/summits/index.html",
    "search/index.html",
    "404.html",
    "sitemap.xml",
    "atom.xml",
    "robots.txt",
    "search-index.js",
];

#[test]
fn every_spec_page_exists() {
    let built = build_ok("build/basic", &[]);
    for page in SPEC_PAGES {
        assert!(built.out().join(page).is_file(), "missing {page}");
    }
}

#[test]
fn build_prints_a_one_line_summary() {
    let built = build_ok("build/basic", &[]);
    let stdout = String::from_utf8_lossy(&built.output.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("Built ")
            && stdout.contains(" pages")
            && stdout.trim_end().ends_with(" s"),
        "{stdout}"
    );
}

/// Every `href`/`src` of every page, with the page it is on.
fn internal_links(out: &Path) -> Vec<(PathBuf, String)> {
    let selector = Selector::parse("[href], [src]").unwrap();
    let mut links = Vec::new();
    for file in files(out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
    {
        if file.file_name().is_some_and(|n| n == "404.html") {
            continue; // absolute paths under base_url: served at any depth
        }
        let html = Html::parse_document(&std::fs::read_to_string(out.join(&file)).unwrap());
        for el in html.select(&selector) {
            let value = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if el.value().name() == "link" && el.value().attr("rel") == Some("canonical") {
                continue;
            }
            if !value.contains("://") && !value.starts_with("mailto:") {
                links.push((file.clone(), value.to_owned()));
            }
        }
    }
    links
}

fn ids_in(path: &Path) -> HashSet<String> {
    let html = Html::parse_document(&std::fs::read_to_string(path).unwrap());
    let selector = Selector::parse("[id]").unwrap();
    html.select(&selector)
        .filter_map(|e| e.value().attr("id").map(str::to_owned))
        .collect()
}

#[test]
fn every_internal_link_is_relative_and_resolves_to_a_file() {
    let built = build_ok("build/basic", &[]);
    let out = built.out();
    let links = internal_links(&out);
    assert!(
        links.len() > 100,
        "expected many links, found {}",
        links.len()
    );
    for (page, link) in links {
        assert!(
            !link.starts_with('/'),
            "{}: absolute link {link}",
            page.display()
        );
        let (path, fragment) = link
            .split_once('#')
            .map_or((link.as_str(), None), |(p, f)| (p, Some(f)));
        let target = if path.is_empty() {
            out.join(&page)
        } else {
            out.join(page.parent().unwrap()).join(path)
        };
        assert!(
            target.is_file(),
            "{}: link {link} does not resolve to a file",
            page.display()
        );
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            assert!(
                ids_in(&target).contains(fragment),
                "{}: no id #{fragment} in {}",
                page.display(),
                target.display()
            );
        }
    }
}

#[test]
fn pretty_links_point_at_folders() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_tree(&fixture("build/basic"), &site);
    let config = std::fs::read_to_string(site.join("site.yaml")).unwrap() + "pretty_links: true\n";
    std::fs::write(site.join("site.yaml"), config).unwrap();
    let out = explainer(&site, &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(site.join("public/actors/ada-lovelace/index.html")).unwrap();
    assert!(
        html.contains("href=\"../../meetings/paris-summit/\""),
        "pretty link missing"
    );
    assert!(!html.contains("meetings/paris-summit/index.html"));
}

#[test]
fn meeting_participants_and_hosts_link_back_from_actor_pages() {
    let built = build_ok("build/basic", &[]);
    let ada = built.main("actors/ada-lovelace/index.html");
    assert!(ada.contains("Meetings attended"));
    assert!(ada.contains("href=\"../../meetings/paris-summit/index.html\""));
    assert!(ada.contains("href=\"../../meetings/london-talks/index.html\""));
    let beta = built.main("actors/beta-land/index.html");
    assert!(beta.contains("Meetings hosted"), "{beta}");
    let coalition = built.main("actors/alpha-coalition/index.html");
    assert!(
        coalition.contains("observer"),
        "participant role shown on the actor page"
    );
}

#[test]
fn proposal_relations_show_on_both_ends() {
    let built = build_ok("build/basic", &[]);
    let plan = built.main("proposals/peace-plan/index.html");
    for actor in ["ada-lovelace", "alpha-coalition", "beta-land"] {
        assert!(
            plan.contains(&format!("../../actors/{actor}/index.html")),
            "{actor} on the proposal"
        );
    }
    assert!(
        plan.contains("Discussed at meetings")
            && plan.contains("../../meetings/paris-summit/index.html")
    );
    let section = |page: &str, title: &str| {
        let main = built.main(page);
        let start = main
            .find(title)
            .unwrap_or_else(|| panic!("{page} lacks {title}"));
        main[start..].split("</div>").next().unwrap().to_owned()
    };
    assert!(section("actors/ada-lovelace/index.html", "Proposals made").contains("peace-plan"));
    assert!(
        section("actors/alpha-coalition/index.html", "Proposals supported").contains("peace-plan")
    );
    assert!(section("actors/beta-land/index.html", "Proposals opposed").contains("peace-plan"));
    let meeting = built.main("meetings/paris-summit/index.html");
    assert!(meeting.contains("../../proposals/peace-plan/index.html"));
}

#[test]
fn group_members_and_affiliations_link_both_ways() {
    let built = build_ok("build/basic", &[]);
    let coalition = built.main("actors/alpha-coalition/index.html");
    assert!(
        coalition.contains("Members") && coalition.contains("../../actors/beta-land/index.html")
    );
    assert!(
        coalition.contains("Affiliated actors")
            && coalition.contains("../../actors/ada-lovelace/index.html")
    );
    let beta = built.main("actors/beta-land/index.html");
    assert!(beta.contains("Member of") && beta.contains("../../actors/alpha-coalition/index.html"));
}

#[test]
fn sources_list_every_fact_and_page_citing_them() {
    let built = build_ok("build/basic", &[]);
    let wire = built.main("sources/wire-report/index.html");
    assert!(wire.contains("Facts citing this source"));
    assert!(
        wire.contains("Appointed") && wire.contains("Attendance"),
        "fact labels listed"
    );
    assert!(
        wire.contains("Pages drawing on this source")
            && wire.contains("../../meetings/paris-summit/index.html")
    );
    let gazette = built.main("sources/gazette-report/index.html");
    assert!(gazette.contains("../../proposals/peace-plan/index.html"));
}

#[test]
fn pages_mentioning_an_actor_are_listed_on_it() {
    let built = build_ok("build/basic", &[]);
    let ada = built.main("actors/ada-lovelace/index.html");
    let mentioned = &ada[ada.find("Mentioned on").expect("mentions group")..];
    assert!(mentioned.contains("../../pages/about/index.html"));
}

#[test]
fn meetings_link_previous_and_next() {
    let built = build_ok("build/basic", &[]);
    let paris = built.main("meetings/paris-summit/index.html");
    assert!(paris.contains("rel=\"next\" href=\"../../meetings/london-talks/index.html\""));
    let london = built.main("meetings/london-talks/index.html");
    assert!(london.contains("rel=\"prev\" href=\"../../meetings/paris-summit/index.html\""));
}

#[test]
fn key_facts_cite_numbered_sources_linking_to_source_pages() {
    let built = build_ok("build/basic", &[]);
    let meeting = built.main("meetings/paris-summit/index.html");
    assert!(meeting.contains("<a class=\"cite\" href=\"../../sources/wire-report/index.html\""));
    assert!(meeting.contains(">[1]</a>") && meeting.contains(">[2]</a>"));
}

#[test]
fn typed_keys_come_before_key_facts_rows() {
    let built = build_ok("build/basic", &[]);
    let meeting = built.main("meetings/paris-summit/index.html");
    let order: Vec<usize> = [
        "Date",
        "Location",
        "Format",
        "Host",
        "Participants",
        "Proposals discussed",
        "Outcome",
        "Attendance",
    ]
    .iter()
    .map(|label| {
        meeting
            .find(&format!("<th scope=\"row\">{label}"))
            .unwrap_or_else(|| panic!("row {label}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "rows out of order: {order:?}"
    );
    // The status is in the kicker above the title, not a row.
    assert!(!meeting.contains("<th scope=\"row\">Status"));
    let kicker = &meeting[..meeting.find("<h1>").unwrap()];
    assert!(kicker.contains("status-held"), "{kicker}");
}

#[test]
fn a_disputed_fact_shows_every_value_with_its_sources() {
    let built = build_ok("build/basic", &[]);
    let ada = built.main("actors/ada-lovelace/index.html");
    let row_start = ada.find("<tr class=\"disputed\">").expect("a disputed row");
    let row = &ada[row_start..ada[row_start..].find("</tr>").unwrap() + row_start];
    assert!(row.contains("Title") && row.contains("Disputed"));
    assert!(row.contains("Special envoy") && row.contains("Deputy minister"));
    assert!(
        row.contains("sources/wire-report/index.html")
            && row.contains("sources/gazette-report/index.html")
    );
    assert!(row.contains("Only the Gazette reports this."));
    assert_eq!(
        ada.matches("<th scope=\"row\">Title").count(),
        1,
        "one row for the disputed label"
    );
}

#[test]
fn reader_questions_show_answered_and_open_distinctly() {
    let built = build_ok("build/basic", &[]);
    let ada = built.main("actors/ada-lovelace/index.html");
    assert!(ada.contains("question is-answered") && ada.contains("question is-open"));
    assert!(ada.contains("badge-open\">Open") && ada.contains("badge-answered\">Answered"));
    let questions = built.main("questions/index.html");
    assert!(
        questions.contains("Who does she report to?") && questions.contains("What was agreed?")
    );
    assert!(
        questions.contains("href=\"../actors/alpha-coalition/index.html\""),
        "answer links are relative to /questions/"
    );
}

#[test]
fn autolinking_links_the_first_mention_only_and_never_in_code_or_links() {
    let built = build_ok("build/basic", &[]);
    let meeting = built.main("meetings/paris-summit/index.html");
    let body = &meeting[meeting.find("<div class=\"prose body\">").unwrap()..];
    let body = &body[..body.find("</div>").unwrap()];
    assert_eq!(
        body.matches("href=\"../../actors/ada-lovelace/index.html\"")
            .count(),
        1,
        "{body}"
    );
    assert!(body.contains("<a href=\"../../actors/beta-land/index.html\">Beta Land</a> hosted"));
    assert!(body.contains("<code>Ada Lovelace</code>"));
    assert!(body.contains("Ada Lovelace inside code\n</code>"));
    assert!(body.contains("<a href=\"https://example.com/\">link about Beta Land</a>"));
}

#[test]
fn autolinking_skips_the_page_itself_and_headings() {
    let built = build_ok("build/basic", &[]);
    let ada = built.main("actors/ada-lovelace/index.html");
    let body = &ada[ada.find("<div class=\"prose body\">").unwrap()..];
    assert!(!body[..body.find("</div>").unwrap()].contains("actors/ada-lovelace/index.html"));
    let meeting = built.main("meetings/paris-summit/index.html");
    assert!(
        meeting.contains("<h2 id=\"what-beta-land-wanted\">What Beta Land wanted</h2>"),
        "{meeting}"
    );
}

#[test]
fn autolinking_leaves_actors_linked_with_refs_alone() {
    let built = build_ok("build/basic", &[]);
    let ada = built.main("actors/ada-lovelace/index.html");
    let body = &ada[ada.find("<div class=\"prose body\">").unwrap()..];
    let body = &body[..body.find("</div>").unwrap()];
    assert_eq!(
        body.matches("actors/beta-land/index.html").count(),
        1,
        "only the [[ref]] links Beta Land: {body}"
    );
}

#[test]
fn refs_render_with_the_target_title_or_given_text() {
    let built = build_ok("build/basic", &[]);
    let about = built.main("pages/about/index.html");
    assert!(about.contains("<a href=\"../../actors/ada-lovelace/index.html\">Ada Lovelace</a>"));
    assert!(
        about.contains("<a href=\"../../actors/beta-land/index.html\">the Beta delegation</a>")
    );
    let home = built.main("index.html");
    assert!(home.contains("<a href=\"meetings/paris-summit/index.html\">Paris summit</a>"));
}

#[test]
fn refs_with_display_text_work_inside_table_cells() {
    let built = build_ok("build/basic", &[]);
    let ada = built.main("actors/ada-lovelace/index.html");
    assert!(
        ada.contains(
            "<td><a href=\"../../actors/beta-land/index.html\">Beta</a></td><td>opposes</td>"
        ),
        "{ada}"
    );
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let built = build_ok("build/basic", &[]);
    assert!(!built.out().join("pages/secret/index.html").exists());
    assert!(!built.read("sitemap.xml").contains("secret"));
    let with = build_ok("build/basic", &["--drafts"]);
    assert!(with.out().join("pages/secret/index.html").exists());
}

#[test]
fn theme_static_files_and_site_static_files_are_copied() {
    let built = build_ok("build/basic", &[]);
    let out = built.out();
    let css = common::published(&out, "style.css");
    assert!(built.read(&css).contains("prefers-color-scheme"));
    let js = common::published(&out, "search.js");
    assert!(built.read(&js).contains("EXPLAINER_SEARCH"));
    assert_eq!(built.read("files/note.txt"), "site static file\n");
}

#[test]
fn the_built_in_theme_embeds_every_file_of_themes_default() {
    let theme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let on_disk: Vec<String> = files(&theme)
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    let embedded: Vec<String> = explainer::render::templates::DEFAULT_THEME
        .iter()
        .map(|(p, _)| (*p).to_owned())
        .collect();
    let mut embedded_sorted = embedded.clone();
    embedded_sorted.sort();
    assert_eq!(
        on_disk, embedded_sorted,
        "update DEFAULT_THEME in src/render/templates.rs"
    );
}

#[test]
fn feed_and_sitemap_use_absolute_pretty_urls() {
    let built = build_ok("build/basic", &[]);
    let sitemap = built.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/fixture/actors/ada-lovelace/</loc>"));
    assert!(sitemap.contains("<lastmod>2026-01-06</lastmod>"));
    let feed = built.read("atom.xml");
    assert!(feed.contains("<id>https://example.org/fixture/meetings/london-talks/</id>"));
    assert!(
        built
            .read("robots.txt")
            .contains("Sitemap: https://example.org/fixture/sitemap.xml")
    );
}

#[test]
fn base_url_flag_overrides_site_yaml() {
    let built = build_ok("build/basic", &["--base-url", "https://news.example/sub/"]);
    assert!(
        built
            .read("sitemap.xml")
            .contains("<loc>https://news.example/sub/actors/</loc>")
    );
    assert!(
        built
            .read("index.html")
            .contains("<link rel=\"canonical\" href=\"https://news.example/sub/\">")
    );
}

#[test]
fn build_with_no_flags_writes_public_in_the_site_folder() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("build/basic"), dir.path());
    let out = explainer(dir.path(), &["build"]);
    assert!(out.status.success());
    assert!(dir.path().join("public/index.html").is_file());
}

#[test]
fn root_and_output_work_from_any_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let root = fixture("build/basic");
    let out = explainer(
        &elsewhere,
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            "../site-out",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dir.path()
            .join("site-out/actors/ada-lovelace/index.html")
            .is_file()
    );
    assert!(
        !root.join("public").exists(),
        "nothing written into the fixture"
    );
}

#[test]
fn a_site_without_a_themes_folder_uses_the_built_in_theme() {
    assert!(!fixture("build/basic").join("themes").exists());
    let built = build_ok("build/basic", &[]);
    let css = common::published(&built.out(), "style.css");
    assert_eq!(
        common::stylesheet_href(&built.read("index.html")).as_deref(),
        Some(css.as_str())
    );
}

#[test]
fn site_templates_override_theme_templates_by_path() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("build/basic"), dir.path());
    let partial = dir.path().join("templates/partials/sources.html");
    std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
    std::fs::write(
        &partial,
        "<p class=\"custom-sources\">{{ page.sources | length }} sources</p>",
    )
    .unwrap();
    let out = explainer(dir.path(), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("public/meetings/paris-summit/index.html"))
        .unwrap();
    assert!(html.contains("<p class=\"custom-sources\">2 sources</p>"));
}

#[test]
fn the_example_site_builds_both_its_languages_with_no_warning_but_its_disputed_facts() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let out = dir.path().join("out");
    // Its own cache folder: the checkout's may be from another version.
    let cache = dir.path().join("cache");
    let result = explainer(
        dir.path(),
        &[
            "build",
            "--root",
            root,
            "--output",
            out.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    let unexpected: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:") || l.starts_with("error:"))
        .filter(|l| !l.ends_with("[disputed-fact]"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "the example site should only warn about its disputed facts:\n{stderr}"
    );
    // Its Ukrainian pages are built under /uk/ (issue 18).
    assert!(out.join("uk/index.html").is_file());
    let links = internal_links(&out);
    for (page, link) in links {
        let path = link.split('#').next().unwrap();
        let target = if path.is_empty() {
            out.join(&page)
        } else {
            out.join(page.parent().unwrap()).join(path)
        };
        assert!(target.is_file(), "{}: {link}", page.display());
    }
}
