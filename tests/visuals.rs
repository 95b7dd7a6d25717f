//! What `explainer build` adds beyond pages of text: the inline SVG
//! timelines and relation maps (well-formed XML, titled and described, one
//! link per event, deterministic, bounded), the stance matrix (an HTML
//! table with header scopes, each stance linking a source), each actor's
//! and proposal's own Atom feed, and the data exports `data/entities.json`
//! (every entity, every relation at both ends) and `data/timeline.json`
//! (TimelineJS3's format).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{build_ok, files};
use scraper::{Html, Selector};
use serde_json::Value;

/// Every top-level `<svg class="viz …">` figure of a page, as text.
fn figures(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"viz ") {
        let end = rest[start..].find("</svg>").expect("figure is closed") + start + "</svg>".len();
        out.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    out
}

/// The figure whose class list holds `class`.
fn figure(html: &str, class: &str) -> String {
    figures(html)
        .into_iter()
        .find(|f| f.contains(&format!("class=\"viz {class}\"")))
        .unwrap_or_else(|| panic!("no {class} figure in the page"))
}

/// `href`s of the `<a>` elements of a well-formed SVG, in order.
fn svg_links(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("SVG is not well-formed: {e}\n{svg}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|n| n.attribute("href").map(str::to_owned))
        .collect()
}

/// Checks the figure names and describes itself, as screen readers need.
fn assert_titled(svg: &str, title: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let labelled: Vec<&str> = root
        .attribute("aria-labelledby")
        .expect("aria-labelledby")
        .split(' ')
        .collect();
    let by_id = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no element #{id}"))
    };
    let name = by_id(labelled[0]);
    assert!(name.has_tag_name("title"));
    assert_eq!(name.text(), Some(title));
    let desc = by_id(labelled[1]);
    assert!(desc.has_tag_name("desc") && desc.text().is_some_and(|t| t.len() > 40));
    let fluid = root
        .attribute("class")
        .is_some_and(|c| c.contains("viz-fluid"));
    assert!(
        fluid && root.attribute("width") == Some("100%") || root.attribute("viewBox").is_some(),
        "the figure fits its column"
    );
}

#[test]
fn the_timeline_is_one_list_with_a_mark_per_meeting_and_dated_proposal() {
    let built = build_ok("build/basic", &[]);
    let main = built.main("timeline/index.html");
    // One element: the styled list is the chart; there is no second,
    // drawn copy of it.
    assert!(figures(&main).is_empty(), "{main}");
    let doc = Html::parse_fragment(&main);
    let items = Selector::parse(".tl .timeline-item").unwrap();
    let links: Vec<String> = doc
        .select(&items)
        .filter_map(|li| li.select(&Selector::parse(".tl-head a").unwrap()).next())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(
        links,
        [
            "../proposals/peace-plan/index.html",
            "../meetings/paris-summit/index.html",
            "../meetings/london-talks/index.html",
        ],
        "one item per event, in date order"
    );
    // A mark's shape and colour come from the item's kind and status.
    assert!(
        main.contains("timeline-item item-meeting tl-scheduled"),
        "{main}"
    );
    assert!(
        main.contains("timeline-item item-proposal tl-under-negotiation"),
        "{main}"
    );
}

#[test]
fn entity_pages_draw_one_figure_their_connections() {
    let built = build_ok("build/basic", &[]);
    for page in [
        "actors/ada-lovelace/index.html",
        "proposals/peace-plan/index.html",
        "meetings/paris-summit/index.html",
    ] {
        let main = built.main(page);
        let found = figures(&main);
        assert_eq!(found.len(), 1, "{page}: {} figures", found.len());
        assert!(
            found[0].contains("class=\"viz viz-fluid viz-map\""),
            "{page}"
        );
        let connections = &main[main.find("id=\"relations-title\"").expect(page)..];
        assert!(
            connections.contains(&found[0]),
            "{page}: the figure is in Connections"
        );
    }
    assert!(figures(&built.read("sources/wire-report/index.html")).is_empty());
}

#[test]
fn relation_maps_link_every_neighbour_but_not_the_page_itself() {
    let built = build_ok("build/basic", &[]);
    let html = built.read("meetings/paris-summit/index.html");
    let svg = figure(&html, "viz-fluid viz-map");
    assert_titled(&svg, "Connections of Paris summit");
    let links: BTreeSet<String> = svg_links(&svg).into_iter().collect();
    let expected: BTreeSet<String> = [
        "../../actors/ada-lovelace/index.html",
        "../../actors/alpha-coalition/index.html",
        "../../actors/beta-land/index.html",
        "../../proposals/peace-plan/index.html",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(links, expected, "direct neighbours only");
    assert!(
        svg.contains("mp-meeting mp-current"),
        "the page's own node is marked"
    );
    // Each box says how it is related; each branch is drawn as its relation.
    assert!(svg.contains("<title>Beta Land (host)</title>"), "{svg}");
    assert!(svg.contains(">participant</text>"), "{svg}");
    assert!(svg.contains("mp-edge mp-hosted"));
    assert!(svg.contains("mp-edge mp-discussed"));
    assert!(svg.contains("mp-edge mp-spine"));
}

#[test]
fn the_site_map_is_byte_identical_across_builds_and_lists_its_relations_in_text() {
    let first = build_ok("build/basic", &[]);
    let second = build_ok("build/basic", &[]);
    let a = first.read("map/index.html");
    assert_eq!(a, second.read("map/index.html"));
    let svg = figure(&a, "viz-fluid viz-map viz-map-site");
    assert_titled(&svg, "Relation map of Fixture explainer");
    assert_eq!(svg_links(&svg).len(), 6, "3 actors, 2 meetings, 1 proposal");
    let main = first.main("map/index.html");
    assert!(
        main.contains("attended <a href=\"../meetings/paris-summit/index.html\">Paris summit</a>"),
        "{main}"
    );
    assert!(
        first.read("index.html").contains("href=\"map/index.html\""),
        "the menu links the map"
    );
}

#[test]
fn the_stance_matrix_is_a_table_with_header_scopes_and_sourced_cells() {
    let built = build_ok("build/basic", &[]);
    for page in ["proposals/index.html", "proposals/peace-plan/index.html"] {
        let html = Html::parse_document(&built.read(page));
        let table = Selector::parse("table.stance-matrix").unwrap();
        let table = html
            .select(&table)
            .next()
            .unwrap_or_else(|| panic!("{page}: no stance matrix"));
        let cols = Selector::parse("thead th[scope=col]").unwrap();
        let rows = Selector::parse("tbody th[scope=row]").unwrap();
        let cells = Selector::parse("tbody tr").unwrap();
        assert_eq!(
            table.select(&cols).count(),
            2,
            "{page}: corner and one proposal"
        );
        let actors: Vec<String> = table
            .select(&rows)
            .map(|th| th.text().collect::<String>())
            .collect();
        assert_eq!(
            actors,
            ["Ada Lovelace", "Alpha Coalition", "Beta Land"],
            "{page}"
        );
        let words: Vec<String> = table
            .select(&cells)
            .map(|tr| {
                let td = tr.select(&Selector::parse("td").unwrap()).next().unwrap();
                td.text().collect::<String>().trim().to_owned()
            })
            .collect();
        assert_eq!(words, ["★ Proposed", "✓ Supports", "✗ Opposes"], "{page}");
        // Each stance links the proposal's source (it has no fact naming them).
        let source = Selector::parse("td a").unwrap();
        for a in table.select(&source) {
            assert!(
                a.value()
                    .attr("href")
                    .unwrap()
                    .ends_with("sources/gazette-report/index.html")
            );
        }
    }
    assert!(!built.read("actors/index.html").contains("stance-matrix"));
}

#[test]
fn actors_and_proposals_have_a_feed_of_their_own_linked_from_their_page() {
    let built = build_ok("build/basic", &[]);
    let page = built.read("actors/ada-lovelace/index.html");
    assert!(page.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Ada Lovelace · Fixture explainer\" href=\"atom.xml\">"
    ));
    let text = built.read("actors/ada-lovelace/atom.xml");
    let doc = roxmltree::Document::parse(&text).expect("the feed is well-formed XML");
    let feed = doc.root_element();
    let child_text = |name: &str| {
        feed.children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(child_text("title"), "Ada Lovelace · Fixture explainer");
    assert_eq!(
        child_text("id"),
        "https://example.org/fixture/actors/ada-lovelace/"
    );
    let entries: Vec<String> = feed
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            e.children()
                .find(|n| n.has_tag_name("title"))
                .and_then(|n| n.text())
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        entries,
        ["London talks", "Paris summit", "Peace plan"],
        "newest first"
    );
    assert!(built.out().join("proposals/peace-plan/atom.xml").is_file());
    assert!(!built.out().join("meetings/paris-summit/atom.xml").exists());
    assert!(!built.out().join("sources/wire-report/atom.xml").exists());
}

fn json(built: &common::Built, rel: &str) -> Value {
    serde_json::from_str(&built.read(rel)).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other["id"]
                .as_str()
                .or(other["actor"].as_str())
                .unwrap()
                .to_owned(),
        })
        .collect()
}

#[test]
fn entities_json_has_every_entity_and_every_relation_at_both_ends() {
    let built = build_ok("build/basic", &[]);
    let data = json(&built, "data/entities.json");
    assert_eq!(data["format"], "explainer-entities");
    assert_eq!(data["version"], 1);
    let list = data["entities"].as_array().unwrap();
    let by_id: BTreeMap<String, &Value> = list
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_owned(), e))
        .collect();
    // Every published content file is there (drafts are not).
    let expected: BTreeSet<String> = files(&common::fixture("build/basic/content"))
        .iter()
        .filter(|p| !p.ends_with("_index.md"))
        .map(|p| p.with_extension("").to_string_lossy().replace('\\', "/"))
        .filter(|id| id != "pages/secret")
        .collect();
    assert_eq!(by_id.keys().cloned().collect::<BTreeSet<_>>(), expected);
    for e in list {
        let url = e["url"].as_str().unwrap();
        assert!(url.starts_with("https://example.org/fixture/") && url.ends_with('/'));
        assert!(built.out().join(e["path"].as_str().unwrap()).is_file());
    }
    // (forward key in `data` or top level, backward key in `relations`)
    let pairs: &[(&str, &str)] = &[
        ("data.participants", "attended"),
        ("data.host", "hosted"),
        ("data.proposals", "discussed_in"),
        ("data.proposed_by", "proposed"),
        ("data.supporters", "supports"),
        ("data.opponents", "opposes"),
        ("data.members", "member_of"),
        ("data.affiliation", "affiliates"),
        ("sources", "cited_by_pages"),
        ("facts.sources", "cited_by_facts"),
        ("mentions", "mentioned_by"),
    ];
    let forward = |e: &Value, key: &str| -> Vec<String> {
        match key.split_once('.') {
            Some(("facts", _)) => e["facts"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|f| ids(&f["sources"]))
                .collect(),
            Some((_, k)) => match &e["data"][k] {
                Value::Null => Vec::new(),
                Value::String(s) => vec![s.clone()],
                list => ids(list),
            },
            None => ids(&e[key]),
        }
    };
    let mut checked = 0;
    for (id, e) in &by_id {
        for (fwd, back) in pairs {
            for target in forward(e, fwd) {
                let other = by_id[&target];
                assert!(
                    ids(&other["relations"][back]).contains(id),
                    "{id} → {target} ({fwd}) is missing from {target}'s {back}"
                );
                checked += 1;
            }
            for source in ids(&e["relations"][back]) {
                assert!(
                    forward(by_id[&source], fwd).contains(id),
                    "{id}'s {back} names {source}, whose {fwd} does not name {id}"
                );
            }
        }
    }
    assert!(checked > 15, "only {checked} relations checked");
    let ada = by_id["actors/ada-lovelace"];
    assert_eq!(ada["facts"][2]["disputed"], true);
    assert_eq!(ada["data"]["role"], "Special envoy");
}

#[test]
fn timeline_json_is_in_the_timelinejs3_format() {
    let built = build_ok("build/basic", &[]);
    let data = json(&built, "data/timeline.json");
    assert!(
        data["title"]["text"]["headline"]
            .as_str()
            .is_some_and(|h| h == "Fixture explainer")
    );
    let events = data["events"].as_array().unwrap();
    assert_eq!(events.len(), 3, "two meetings and one dated proposal");
    let mut previous = (0, 0, 0);
    let mut unique = BTreeSet::new();
    for e in events {
        let d = &e["start_date"];
        let date = (
            d["year"].as_i64().unwrap(),
            d["month"].as_i64().unwrap(),
            d["day"].as_i64().unwrap(),
        );
        assert!(date >= previous, "events in date order");
        previous = date;
        assert!(
            e["text"]["headline"]
                .as_str()
                .is_some_and(|h| !h.is_empty())
        );
        assert!(
            e["text"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("<a href=\"https://example.org/fixture/"))
        );
        assert!(["Meetings", "Proposals"].contains(&e["group"].as_str().unwrap()));
        assert!(unique.insert(e["unique_id"].as_str().unwrap().to_owned()));
    }
    assert_eq!(events[0]["text"]["headline"], "Peace plan");
    assert_eq!(events[0]["start_date"]["year"], 2025);
}

#[test]
fn every_figure_of_the_example_site_is_well_formed_bounded_and_linked() {
    let (_dir, out) = common::build_example();
    let mut seen = 0;
    for page in files(&out)
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
    {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        for svg in figures(&html) {
            seen += 1;
            let nodes = svg.matches("class=\"mp-node").count();
            // At most 15 boxes on an entity's figure, 20 on the site map
            // (`map/` at the root and in every language's folder).
            let cap = if page.ends_with("map/index.html") {
                20
            } else {
                15
            };
            assert!(nodes <= cap, "{}: {nodes} nodes", page.display());
            for link in svg_links(&svg) {
                let target = out.join(page.parent().unwrap()).join(&link);
                assert!(target.is_file(), "{}: {link}", page.display());
            }
        }
    }
    assert!(seen > 50, "only {seen} figures");
    // Every actor, meeting and proposal with a typed relation has a map.
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("data/entities.json")).unwrap())
            .unwrap();
    let typed = [
        "attended",
        "hosted",
        "proposed",
        "supports",
        "opposes",
        "member_of",
        "affiliates",
        "discussed_in",
    ];
    for e in data["entities"].as_array().unwrap() {
        if !["actor", "meeting", "proposal"].contains(&e["kind"].as_str().unwrap()) {
            continue;
        }
        let related = typed.iter().any(|k| !ids(&e["relations"][k]).is_empty())
            || e["data"].as_object().unwrap().iter().any(|(k, v)| {
                [
                    "affiliation",
                    "members",
                    "host",
                    "participants",
                    "proposals",
                    "proposed_by",
                    "supporters",
                    "opponents",
                ]
                .contains(&k.as_str())
                    && !v.is_null()
                    && v.as_array().is_none_or(|a| !a.is_empty())
            });
        let html = std::fs::read_to_string(out.join(e["path"].as_str().unwrap())).unwrap();
        assert_eq!(
            html.contains("class=\"viz viz-fluid viz-map\""),
            related,
            "{}",
            e["id"]
        );
    }
}
