//! Hostile and clumsy input end to end (issue 21): sites written on the fly
//! that used to crash, hang, take minutes or write broken files, each built
//! or checked by the real binary. Fixed-text error messages live in
//! `tests/error_messages.rs`; these are the cases too large or too dynamic
//! for a fixture on disk.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

/// Generous bound for work that used to take minutes: a debug build on a
/// shared machine finishes these in well under a second or two.
const SLOW: Duration = Duration::from_secs(30);

const ACTOR: &str =
    "---\ntitle: \"Steve Witkoff\"\nsummary: \"An envoy.\"\nrole: \"US envoy\"\n---\nAn envoy.\n";

/// Writes `files` (path relative to the site, text) into a fresh site.
fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::explainer(dir, args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn nested_list(levels: usize) -> String {
    format!("notes:\n{}x\n", "- ".repeat(levels))
}

#[test]
fn yaml_nested_100000_levels_deep_exits_1_with_its_position_in_build_and_check() {
    let front = format!(
        "---\ntitle: X\nsummary: s\nrole: r\n{}---\n",
        nested_list(100_000)
    );
    let dir = site(&[("content/actors/x.md", &front)]);
    let build = run(dir.path(), &["build", "--output", "out"]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    assert!(
        stderr(&build).contains("content/actors/x.md:6:255"),
        "{}",
        stderr(&build)
    );
    let check = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let printed = String::from_utf8_lossy(&check.stdout).into_owned() + &stderr(&check);
    assert!(
        printed.contains("YAML nested more than 128 levels deep"),
        "{printed}"
    );
    assert!(printed.contains("\"line\": 6"), "{printed}");
}

#[test]
fn site_yaml_nested_100000_levels_deep_exits_1_with_its_position() {
    let config = format!("title: T\nextra:\n  {}", nested_list(100_000));
    let dir = site(&[("site.yaml", &config), ("content/actors/x.md", ACTOR)]);
    let check = run(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("--> site.yaml:4:"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn an_alias_bomb_of_long_strings_is_an_error_not_a_gigabyte() {
    let long = "x".repeat(100_000);
    let refs = vec!["*a"; 1_000].join(", ");
    let front =
        format!("---\ntitle: X\nsummary: s\nrole: r\npad: &a \"{long}\"\nmany: [{refs}]\n---\n");
    let dir = site(&[("content/actors/x.md", &front)]);
    let build = run(dir.path(), &["build", "--output", "out"]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    assert!(stderr(&build).contains("aliases expand to more than 1 MiB of text"));
    assert!(stderr(&build).contains("content/actors/x.md:6:"));
}

#[test]
fn actor_titles_and_aliases_of_20_kb_autolink_in_linear_time() {
    let title = "Ab ".repeat(7_000);
    let alias = "a".repeat(20_000);
    let actor = format!(
        "---\ntitle: \"{}\"\nsummary: s\nrole: r\naliases: [\"{alias}\"]\n---\nBody.\n",
        title.trim()
    );
    let page = format!(
        "---\ntitle: P\nsummary: s\n---\n{title} and {alias}, [[x]].\n",
        title = title.trim()
    );
    let dir = site(&[
        ("content/actors/x.md", &actor),
        ("content/pages/p.md", &page),
    ]);
    let started = Instant::now();
    let build = run(dir.path(), &["build", "--output", "out"]);
    assert!(build.status.success(), "{}", stderr(&build));
    assert!(started.elapsed() < SLOW, "took {:?}", started.elapsed());
}

#[test]
fn a_hundred_thousand_warnings_in_one_file_are_reported_quickly() {
    // One control character in each of 100,000 aliases: a warning each.
    let mut yaml = String::from("title: X\nsummary: s\nrole: r\naliases:\n");
    for i in 0..100_000 {
        yaml.push_str(&format!("  - \"{}\u{b}\"\n", i % 10));
    }
    let dir = site(&[("content/actors/x.yaml", &yaml)]);
    let started = Instant::now();
    let check = run(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(
        stderr(&check).ends_with("0 errors, 100001 warnings\n"),
        "{}",
        &stderr(&check)[stderr(&check).len().saturating_sub(300)..]
    );
    assert!(
        stderr(&check).contains("content/actors/x.yaml:100004:7"),
        "the last one is located too"
    );
    assert!(started.elapsed() < SLOW, "took {:?}", started.elapsed());
}

#[test]
fn control_characters_never_reach_the_feed_or_the_sitemap() {
    let actor = "---\ntitle: \"Steve\u{b} \u{c}Witkoff\u{8}\u{1b}\"\nsummary: \"An \u{1}envoy\"\nrole: \"US envoy\"\ntags: [\"talks\u{7}\"]\n---\nAn \u{1b}[31menvoy.\u{b}\n";
    let dir = site(&[
        (
            "site.yaml",
            "title: \"Peace \u{b}talks\"\nbase_url: \"https://example.org\"\n",
        ),
        ("content/actors/steve-witkoff.md", actor),
    ]);
    let build = run(dir.path(), &["build", "--output", "out"]);
    assert!(build.status.success(), "{}", stderr(&build));
    for file in ["atom.xml", "sitemap.xml", "actors/steve-witkoff/atom.xml"] {
        let path = dir.path().join("out").join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{file} is not well-formed XML: {e}\n{text}"));
        assert!(!text.chars().any(|c| c.is_control() && !c.is_whitespace()));
    }
    let page =
        std::fs::read_to_string(dir.path().join("out/actors/steve-witkoff/index.html")).unwrap();
    assert!(page.contains("Steve Witkoff"), "stripped, not replaced");
    assert!(!page.contains('\u{1b}'));
}

#[test]
fn tags_without_letters_get_pages_of_their_own() {
    let actor = "---\ntitle: \"Steve Witkoff\"\nsummary: \"An envoy.\"\nrole: \"US envoy\"\ntags: [\"!!!\", \"???\", \"tag\"]\n---\nAn envoy.\n";
    let dir = site(&[("content/actors/steve-witkoff.md", actor)]);
    let build = run(dir.path(), &["build", "--output", "out"]);
    assert!(build.status.success(), "{}", stderr(&build));
    let tags: Vec<String> = std::fs::read_dir(dir.path().join("out/tags"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(tags.len(), 3, "{tags:?}");
    assert!(tags.contains(&"tag".to_owned()));
    assert!(
        tags.contains(&"tag--bbe43c17ca866be2".to_owned()),
        "{tags:?}"
    );
}

#[test]
fn an_image_with_a_script_url_loses_its_src() {
    let page = "---\ntitle: P\nsummary: s\n---\n![a](javascript:alert(1)) ![b]( JaVaScRiPt:alert(1)) ![c](data:text/html,x)\n";
    let dir = site(&[("content/pages/p.md", page)]);
    let build = run(dir.path(), &["build", "--output", "out"]);
    assert!(build.status.success(), "{}", stderr(&build));
    let html = std::fs::read_to_string(dir.path().join("out/pages/p/index.html")).unwrap();
    assert!(!html.to_lowercase().contains("javascript:"), "{html}");
    assert!(!html.contains("data:text"), "{html}");
    assert_eq!(html.matches("<img src=\"#\"").count(), 3, "{html}");
    assert!(stderr(&build).contains("[unsafe-url]"));
}

#[cfg(unix)]
#[test]
fn a_symlinked_template_inside_the_site_is_used_and_one_outside_is_not() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("page.html"), "OUTSIDE").unwrap();
    let dir = site(&[
        (
            "content/pages/p.md",
            "---\ntitle: P\nsummary: s\n---\nBody\n",
        ),
        ("shared/page.html", "<p>FROM-SYMLINK</p>"),
    ]);
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::os::unix::fs::symlink("../shared/page.html", templates.join("page.html")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("page.html"), templates.join("404.html"))
        .unwrap();
    let build = run(dir.path(), &["build", "--output", "out"]);
    assert!(build.status.success(), "{}", stderr(&build));
    let html = std::fs::read_to_string(dir.path().join("out/pages/p/index.html")).unwrap();
    assert!(html.contains("FROM-SYMLINK"), "{html}");
    let not_found = std::fs::read_to_string(dir.path().join("out/404.html")).unwrap_or_default();
    assert!(!not_found.contains("OUTSIDE"));
}
