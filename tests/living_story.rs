//! A living story: the changes log, dates with their real precision,
//! facts with a time, preserved sources and the draft banner, each on a
//! fixture site under `tests/fixtures/living/`.

mod common;

use common::build_ok;
use serde_json::Value;

/// The JSON-LD of a page, parsed.
fn jsonld(html: &str) -> Value {
    let start = html
        .find("application/ld+json\">")
        .expect("page has JSON-LD")
        + 21;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("JSON-LD parses")
}

// ---------------------------------------------------------------- changes

#[test]
fn changes_log_is_near_the_top_newest_first_with_corrections_distinct() {
    let built = build_ok("living/changes", &[]);
    let main = built.main("meetings/summit/index.html");
    let log = main
        .find("changes-log")
        .expect("the page shows its changes");
    assert!(
        log < main.find("key-facts").unwrap(),
        "log comes before the key facts"
    );
    let update = main.find("A follow-up meeting was announced.").unwrap();
    let clarification = main.find("The venue is the presidential palace").unwrap();
    let correction = main.find("An earlier version gave the attendance").unwrap();
    assert!(
        update < clarification && clarification < correction,
        "newest first"
    );
    assert!(main.contains("<li id=\"change-1\" class=\"change change-correction\">"));
    assert!(main.contains("<span class=\"badge badge-correction\">Correction</span>"));
    assert!(main.contains("<time datetime=\"2026-01-07\">7 January 2026</time>"));
}

#[test]
fn a_corrected_fact_row_is_marked_and_links_to_its_entry() {
    let built = build_ok("living/changes", &[]);
    let main = built.main("meetings/summit/index.html");
    assert!(
        main.contains("<tr class=\"corrected\">\n        <th scope=\"row\">Attendance <a class=\"badge badge-correction\" href=\"#change-1\">corrected</a></th>"),
        "{main}"
    );
    assert!(
        !main.contains("Venue <a"),
        "a change without `fact` marks no row"
    );
}

#[test]
fn corrections_are_correction_comments_in_jsonld() {
    let built = build_ok("living/changes", &[]);
    let ld = jsonld(&built.read("meetings/summit/index.html"));
    let page = &ld["@graph"][0];
    let corrections = page["correction"].as_array().expect("a correction list");
    // The update is news, not a correction: two of three.
    assert_eq!(corrections.len(), 2);
    assert_eq!(corrections[0]["@type"], "CorrectionComment");
    assert_eq!(corrections[0]["datePublished"], "2026-01-09");
    assert_eq!(
        corrections[1]["url"],
        "https://example.org/living/meetings/summit/#change-1"
    );
    assert_eq!(
        corrections[1]["text"],
        "An earlier version gave the attendance as 27 delegations."
    );
}

#[test]
fn an_entity_feed_carries_its_own_changes() {
    let built = build_ok("living/changes", &[]);
    let feed = built.read("actors/ada/atom.xml");
    assert!(feed.contains("<title>Update: Ada</title>"), "{feed}");
    assert!(feed.contains("https://example.org/living/actors/ada/#change-1"));
    assert!(feed.contains("<summary>Two more countries joined.</summary>"));
}

#[test]
fn the_changes_page_lists_every_change_newest_first_in_pages_with_a_feed() {
    let built = build_ok("living/changes", &[]);
    let first = built.main("changes/index.html");
    let second = built.main("changes/page/2/index.html");
    // Four changes, two a page: 10th, 9th | 8th, 7th of January.
    assert!(first.contains("A follow-up meeting was announced."));
    assert!(first.contains("The venue is the presidential palace"));
    assert!(second.contains("Two more countries joined."));
    assert!(second.contains("An earlier version gave the attendance"));
    assert!(first.contains("href=\"../meetings/summit/index.html#change-3\""));
    assert!(second.contains("Page 2 of 2"));
    let feed = built.read("changes/atom.xml");
    assert_eq!(feed.matches("<entry>").count(), 4);
    assert!(feed.find("Update: Summit").unwrap() < feed.find("Correction: Summit").unwrap());
    assert!(feed.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.org/living/changes/atom.xml\"/>"));
}

#[test]
fn the_home_page_shows_the_latest_changes() {
    let built = build_ok("living/changes", &[]);
    let main = built.main("index.html");
    let latest = &main[main
        .find("Latest changes")
        .expect("a latest-changes section")..];
    assert!(
        latest.find("A follow-up meeting").unwrap() < latest.find("An earlier version").unwrap()
    );
    assert!(latest.contains("href=\"changes/index.html\""));
}

// ---------------------------------------------------------------- dates

#[test]
fn partial_and_approximate_dates_are_shown_as_written() {
    let built = build_ok("living/dates", &[]);
    let palace = built.main("meetings/palace-talks/index.html");
    assert!(
        palace.contains("<time datetime=\"2025-04\">c. April 2025</time>"),
        "{palace}"
    );
    assert!(!palace.contains("1 April"), "never padded to a day");
    let year = built.main("meetings/year-talks/index.html");
    assert!(year.contains("<time datetime=\"2024\">2024</time>"));
    let named = built.main("meetings/named-day/index.html");
    assert!(named.contains("6 April 2025 – 7 April 2025"));
    let tbd = built.main("meetings/future-talks/index.html");
    assert!(
        tbd.contains("<span class=\"tbd\">date to be announced</span>"),
        "{tbd}"
    );
    let ld = jsonld(&built.read("meetings/palace-talks/index.html"));
    assert_eq!(ld["@graph"][1]["startDate"], "2025-04");
}

#[test]
fn partial_dates_sort_by_their_first_day_then_title() {
    let built = build_ok("living/dates", &[]);
    let main = built.main("timeline/index.html");
    let at = |t: &str| {
        main.find(&format!(">{t}</a>"))
            .unwrap_or_else(|| panic!("{t} on the timeline"))
    };
    // 2024 < March 2025 < April 2025 (palace, spring: a tie, by title) < 6 April.
    assert!(at("Year talks") < at("Plan"));
    assert!(at("Plan") < at("Palace talks"));
    assert!(at("Palace talks") < at("Spring talks"));
    assert!(at("Spring talks") < at("Named day"));
    assert!(
        !main.contains(">Future talks</a>"),
        "a date to be announced is not on the timeline"
    );
    assert!(
        main.contains("<h2 id=\"m-2024\">2024</h2>"),
        "a year is not January"
    );
    // Each event says how precise its date is.
    assert!(
        main.contains("<time datetime=\"2025-04\">c. April 2025</time>")
            && main.contains("<time datetime=\"2025-04-06\">6 April 2025</time>"),
        "{main}"
    );
    // The meetings list: newest first.
    let list = built.main("meetings/index.html");
    let at = |t: &str| list.find(&format!(">{t}</a>")).unwrap();
    assert!(at("Named day") < at("Palace talks") && at("Spring talks") < at("Year talks"));
}

#[test]
fn timeline_json_keeps_year_and_month_precision() {
    let built = build_ok("living/dates", &[]);
    let json: Value = serde_json::from_str(&built.read("data/timeline.json")).unwrap();
    let events = json["events"].as_array().unwrap();
    let by_id = |id: &str| {
        events
            .iter()
            .find(|e| e["unique_id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(
        by_id("meetings-year-talks")["start_date"],
        serde_json::json!({"year": 2024})
    );
    assert_eq!(
        by_id("meetings-palace-talks")["start_date"],
        serde_json::json!({"year": 2025, "month": 4, "display_date": "c. April 2025"})
    );
    assert_eq!(
        by_id("meetings-named-day")["start_date"],
        serde_json::json!({"year": 2025, "month": 4, "day": 6})
    );
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["unique_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "meetings-year-talks",
            "proposals-plan",
            "meetings-palace-talks",
            "meetings-spring-talks",
            "meetings-named-day"
        ]
    );
}

// ---------------------------------------------------------------- facts, sources

#[test]
fn a_fact_says_as_of_when() {
    let built = build_ok("living/changes", &[]);
    let main = built.main("actors/ada/index.html");
    assert!(main.contains("35 countries"));
    assert!(
        main.contains("<span class=\"as-of\">(as of 6 January 2026)</span>"),
        "{main}"
    );
}

#[test]
fn a_preserved_source_shows_its_archive_quote_and_access_date() {
    let built = build_ok("living/changes", &[]);
    let source = built.main("sources/wire/index.html");
    assert!(source.contains("https://web.archive.org/web/2026/https://example.org/wire"));
    assert!(source.contains("<q>Thirty-five delegations attended.</q>"));
    assert!(source.contains("7 January 2026"));
    let summit = built.main("meetings/summit/index.html");
    assert!(
        summit.contains(
            "title=\"Wire report: “Thirty-five delegations attended.” (accessed 7 January 2026)\""
        ),
        "{summit}"
    );
    assert!(summit.contains("archived copy</a>, accessed 7 January 2026)"));
}

// ---------------------------------------------------------------- moved pages

#[test]
fn an_old_path_redirects_to_the_page_from_disk_and_under_a_sub_path() {
    let built = build_ok("living/moved", &[]);
    let old = built.read("actors/ada-lovelace/index.html");
    assert!(
        old.contains("<link rel=\"canonical\" href=\"https://example.org/living/actors/ada/\">")
    );
    // Relative, so it resolves from disk and under any sub-path.
    let refresh = "<meta http-equiv=\"refresh\" content=\"0; url=";
    let start = old.find(refresh).expect("a meta refresh") + refresh.len();
    let target = &old[start..start + old[start..].find('"').unwrap()];
    assert_eq!(target, "../../actors/ada/index.html");
    let on_disk = built.out().join("actors/ada-lovelace").join(target);
    assert!(on_disk.exists(), "{} resolves on disk", on_disk.display());
    assert!(built.out().join("people/ada/index.html").exists());
    assert_eq!(
        built.read("_redirects"),
        "/living/actors/ada-lovelace/ /living/actors/ada/ 301\n/living/people/ada/ /living/actors/ada/ 301\n"
    );
    assert!(
        !built.read("sitemap.xml").contains("ada-lovelace"),
        "a redirect is not indexed"
    );
}

// ---------------------------------------------------------------- drafts

#[test]
fn a_draft_built_with_drafts_says_so_in_a_banner() {
    let built = build_ok("build/basic", &["--drafts"]);
    let secret = built.main("pages/secret/index.html");
    assert!(
        secret.contains("<p class=\"draft-banner\" role=\"note\"><strong>Draft</strong>"),
        "{secret}"
    );
    assert!(
        !built
            .main("pages/about/index.html")
            .contains("draft-banner")
    );
}
