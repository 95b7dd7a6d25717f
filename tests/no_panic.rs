//! No input may panic: property tests over front matter splitting, YAML,
//! whole-file parsing, ref parsing and Markdown rendering, plus the
//! pathological inputs the issue names, built end to end.

mod common;

use std::path::Path;

use explainer::content::model::{Entity, Text};
use explainer::content::{front_matter, parse_file, yaml};
use explainer::diag::{Diagnostics, is_unprintable};
use explainer::render::links::{Linker, SitePath};
use explainer::render::markdown::{Autolinker, PageRender, Site};
use explainer::resolve::Index;
use proptest::prelude::*;

/// Strings made of the characters that matter to our parsers.
fn tricky() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "---",
        "---\n",
        "+++\n",
        "\n",
        "\r\n",
        ": ",
        "- ",
        "[[",
        "]]",
        "|",
        "\\",
        "\"",
        "'",
        "{",
        "}",
        "[",
        "]",
        "&a ",
        "*a",
        "!!str ",
        "#",
        "`",
        "```",
        "<",
        ">",
        "title",
        "date",
        "key_facts",
        "value",
        "2026-01-06",
        "é",
        "Зеленський",
        "\u{feff}",
        "\t",
        "    ",
        "x",
        "1",
        "label: ",
        "sources: [",
        "participants:",
        "tags: [",
        "aliases: [",
        "end_date: 2026-01-01\n",
        "\0",
        "\u{b}",
        "\u{c}",
        "\u{8}",
        "\u{1b}[31m",
        "\u{7f}",
        "\u{9b}",
        "\u{ffff}",
        "!!!",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// Cases for the properties over inputs of many kilobytes.
fn heavy_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn render_markdown(source: &str) -> String {
    render_with(&[], source)
}

/// Renders `source` as a page body on a site of `entities` (autolinking on).
fn render_with(entities: &[Entity], source: &str) -> String {
    let index = Index::new(entities, &[]);
    let autolinker = Autolinker::new(entities, true);
    let paths: Vec<SitePath> = entities
        .iter()
        .map(|e| SitePath::of(&[e.kind.dir(), &e.slug]))
        .collect();
    let site = Site {
        entities,
        index: &index,
        kinds: &[],
        autolinker: &autolinker,
        paths: &paths,
        images: &Default::default(),
        shortcodes: &Default::default(),
    };
    let linker = Linker::for_page(&SitePath::of(&["actors", "x"]), false);
    let mut page = PageRender::new(&site, &linker, Path::new("x.md"), None);
    let text = Text {
        source: source.to_owned(),
        start: 0,
        exact: true,
    };
    page.body(&text).html + &page.inline(&text).html
}

/// YAML nested `depth` levels deep, in one of the ways YAML nests.
fn nested() -> impl Strategy<Value = String> {
    let styles = prop::sample::select(vec!["block-seq", "block-map", "flow-seq", "flow-map"]);
    (1usize..1_000, styles).prop_map(|(depth, style)| match style {
        "block-seq" => format!("a:\n{}x\n", "- ".repeat(depth)),
        "block-map" => (0..depth.min(600))
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect(),
        "flow-seq" => format!("a: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
        _ => format!("a: {}x{}\n", "{b: ".repeat(depth), "}".repeat(depth)),
    })
}

/// An anchor on a long string or nested list, then many aliases to it, maybe
/// anchored again: the ways an alias bomb grows.
fn aliases() -> impl Strategy<Value = String> {
    (0usize..20_000, 0usize..400, 0usize..6, any::<bool>()).prop_map(
        |(len, refs, layers, nested)| {
            let value = if nested {
                format!("{}x{}", "[".repeat(len % 150), "]".repeat(len % 150))
            } else {
                format!("\"{}\"", "x".repeat(len))
            };
            let mut text = format!("title: T\na0: &a0 {value}\n");
            for layer in 1..=layers {
                let list = vec![format!("*a{}", layer - 1); refs.max(1)].join(", ");
                text.push_str(&format!("a{layer}: &a{layer} [{list}]\n"));
            }
            text
        },
    )
}

/// A title or alias of up to 20 KB, in words that repeat (the worst case
/// for a matcher's failure links).
fn long_name() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec!["Ab", "a", "Зе", "ab-", "A", " "]);
    (prop::collection::vec(words, 1..8), 0usize..20_000).prop_map(|(words, len)| {
        let unit = words.concat();
        let mut name = unit.repeat(len / unit.len().max(1) + 1);
        let cut = (0..=len.min(name.len()))
            .rev()
            .find(|&i| name.is_char_boundary(i))
            .unwrap_or(0);
        name.truncate(cut);
        name
    })
}

/// Every diagnostic of a file, rendered for a terminal.
fn rendered(text: &str, diags: Vec<explainer::diag::Diagnostic>) -> String {
    let mut all = Diagnostics::default();
    all.add_source(Path::new("content/actors/x.md"), text);
    all.extend(diags);
    all.render_human(false)
}

proptest! {
    // 2,000 cases per property by default; PROPTEST_CASES=200000 for a long run.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn front_matter_split_never_panics(text in tricky()) {
        let _ = front_matter::split(&text);
    }

    #[test]
    fn yaml_parse_never_panics(text in tricky()) {
        let _ = yaml::parse(&text, 0, &text);
    }

    #[test]
    fn parsing_any_file_never_panics(text in tricky(), kind in prop::sample::select(vec!["actors", "meetings", "proposals", "sources", "pages"])) {
        let (_, diags) = parse_file(Path::new(&format!("content/{kind}/x.md")), &text);
        for d in diags {
            if let Some(span) = d.span {
                prop_assert!(span.start <= text.len() + 1, "span past the end: {span:?}");
            }
        }
    }

    #[test]
    fn markdown_rendering_never_panics(text in tricky()) {
        let _ = render_markdown(&text);
    }

    #[test]
    fn nul_and_control_characters_never_reach_a_value_or_the_terminal(text in tricky()) {
        let (entity, diags) = parse_file(Path::new("content/actors/x.md"), &text);
        if let Some(e) = entity {
            let texts = [&e.title, e.summary.as_deref().unwrap_or(""), &e.body.source];
            for t in texts.into_iter().chain(e.tags.iter().chain(&e.aliases).map(String::as_str)) {
                prop_assert!(!t.chars().any(is_unprintable), "{t:?}");
            }
        }
        let out = rendered(&text, diags);
        prop_assert!(!out.chars().any(|c| c != '\n' && is_unprintable(c)), "{out:?}");
    }
}

proptest! {
    // Inputs of many kilobytes: fewer cases by default, as many as
    // PROPTEST_CASES in a long run.
    #![proptest_config(ProptestConfig { cases: heavy_cases(), ..ProptestConfig::default() })]

    #[test]
    fn deep_nesting_is_an_error_past_the_limit_never_a_crash(yaml in nested()) {
        let depth = yaml.matches("- ").count() + yaml.matches('[').count() + yaml.matches("{b").count() + yaml.matches("k:").count();
        let result = yaml::parse(&yaml, 0, &yaml);
        if depth <= 100 {
            prop_assert!(result.is_ok(), "{depth} levels: {result:?}");
        } else if depth > 200 {
            prop_assert!(result.is_err(), "{depth} levels parsed");
        }
    }

    #[test]
    fn aliases_never_expand_past_the_budget(yaml in aliases()) {
        if let Ok(node) = yaml::parse(&yaml, 0, &yaml) {
            let json = explainer::content::parse::node_to_json(&node).to_string();
            prop_assert!(json.len() < 4 * (1 << 20) + 2 * yaml.len(), "{} bytes", json.len());
        }
    }

    #[test]
    fn long_titles_and_aliases_autolink_without_panicking(title in long_name(), alias in long_name()) {
        let file = format!("---\ntitle: {title:?}\naliases: [{alias:?}]\n---\n");
        let (entity, _) = parse_file(Path::new("content/actors/x.md"), &file);
        if let Some(entity) = entity {
            let html = render_with(&[entity], &format!("{title} and {alias}, [[x]]"));
            prop_assert!(!html.is_empty());
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,200}") {
        let _ = front_matter::split(&text);
        let _ = yaml::parse(&text, 0, &text);
        let _ = parse_file(Path::new("content/actors/x.md"), &text);
        let _ = render_markdown(&text);
    }
}

/// Writes a one-actor site whose body or title is `content`, and builds it.
fn build_site_with(file: &str, content: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    common::explainer(dir.path(), &["build", "--output", "out"])
}

#[test]
fn pathological_markdown_renders_in_bounded_time() {
    let body = "[a](<b".repeat(50_000);
    let out = build_site_with(
        "content/actors/x.md",
        &format!("---\ntitle: X\nsummary: s\n---\n{body}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_empty_file_is_reported_not_crashed_on() {
    let out = build_site_with("content/actors/empty.md", "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing `title`"));
}

#[test]
fn a_five_megabyte_body_builds() {
    let paragraph = "Diplomats met again in Paris to discuss guarantees. ".repeat(20) + "\n\n";
    let body = paragraph.repeat(5 * 1024 * 1024 / paragraph.len() + 1);
    let out = build_site_with(
        "content/actors/x.md",
        &format!("---\ntitle: X\nsummary: s\n---\n{body}"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ten_thousand_refs_on_one_page_build() {
    let dir = tempfile::tempdir().unwrap();
    let actors = dir.path().join("content/actors");
    std::fs::create_dir_all(&actors).unwrap();
    std::fs::write(
        actors.join("y.md"),
        "---\ntitle: Y\nsummary: s\n---\nLinked from [[x]].\n",
    )
    .unwrap();
    let refs = "[[y]] [[y|why]] [[actors/y]]\n".repeat(3_334);
    std::fs::write(
        actors.join("x.md"),
        format!("---\ntitle: X\nsummary: s\n---\n{refs}"),
    )
    .unwrap();
    let out = common::explainer(dir.path(), &["build", "--output", "out"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("out/actors/x/index.html")).unwrap();
    assert!(html.matches("href=\"../../actors/y/index.html\"").count() >= 10_000);
}

#[test]
fn deeply_nested_lists_and_a_huge_title_build() {
    let nested: String = (0..500)
        .map(|depth| format!("{}- level {depth}\n", "  ".repeat(depth)))
        .collect();
    let title = "T".repeat(10_000);
    let out = build_site_with(
        "content/actors/x.md",
        &format!("---\ntitle: \"{title}\"\nsummary: s\n---\n{nested}"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_crash() {
    let deep = format!(
        "---\ntitle: X\nextra_thing: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let out = build_site_with("content/actors/x.md", &deep);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nested more than") || stderr.contains("recursion limit exceeded"),
        "{stderr}"
    );
}

#[test]
fn a_yaml_alias_bomb_is_an_error_not_a_crash() {
    let mut yaml = String::from("---\ntitle: X\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for name in "bcdefghij".chars() {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    yaml.push_str("---\n");
    let out = build_site_with("content/actors/x.md", &yaml);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("aliases expand to too many values"));
}
