//! No input may panic: property tests over front matter splitting, YAML,
//! whole-file parsing, ref parsing and Markdown rendering, plus the
//! pathological inputs the issue names, built end to end.

mod common;

use std::path::Path;

use explainer::content::model::Text;
use explainer::content::{front_matter, parse_file, yaml};
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
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn render_markdown(source: &str) -> String {
    let index = Index::new(&[], &[]);
    let autolinker = Autolinker::new(&[], true);
    let site = Site {
        entities: &[],
        index: &index,
        kinds: &[],
        autolinker: &autolinker,
        paths: &[],
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
