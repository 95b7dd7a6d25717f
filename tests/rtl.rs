//! Right-to-left sites: the fixture `tests/fixtures/rtl/persian/` (Persian,
//! `dir: rtl`, no translation file of its own) built, and the default
//! theme's stylesheet read, to show that pages say `dir="rtl"` and that the
//! theme lays them out with logical properties (`margin-inline-start`,
//! `border-inline-start`, `text-align: start`), which mirror with the
//! direction, instead of physical left and right, which do not.

mod common;

use std::path::Path;

/// Physical properties and values that do not mirror under `dir="rtl"`.
const PHYSICAL: &[&str] = &[
    "left:",
    "right:",
    "margin-left",
    "margin-right",
    "padding-left",
    "padding-right",
    "border-left",
    "border-right",
    "text-align: left",
    "text-align: right",
    "float: left",
    "float: right",
    "clear: left",
    "clear: right",
];

/// Every physical declaration in `css` whose rule has no comment before it
/// saying why it stays physical, as `line: declaration`.
fn unjustified_physical(css: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (start, rule) in rules(css) {
        let body = rule.split_once('{').map_or("", |(_, body)| body);
        for declaration in body.split([';', '{', '}']).map(str::trim) {
            let physical = PHYSICAL.iter().any(|p| {
                declaration.starts_with(p)
                    || (p.ends_with(':') && declaration.starts_with(&p.replace(':', " :")))
            });
            if physical && !rule.contains("*/") {
                let line = css[..start].lines().count() + 1;
                found.push(format!("{line}: {declaration}"));
            }
        }
    }
    found
}

/// The stylesheet cut into rules, each from the end of the one before
/// (so with the comments above it) to its closing brace, with its offset.
fn rules(css: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in css.char_indices() {
        if c == '}' {
            out.push((start, &css[start..=i]));
            start = i + 1;
        }
    }
    out
}

#[test]
fn a_right_to_left_site_marks_every_page_rtl() {
    let built = common::build_ok("rtl/persian", &[]);
    for page in [
        "index.html",
        "actors/envoy/index.html",
        "meetings/talks/index.html",
        "timeline/index.html",
        "404.html",
    ] {
        let html = built.read(page);
        assert!(
            html.contains("<html lang=\"fa\" dir=\"rtl\">"),
            "{page}: {}",
            &html[..200.min(html.len())]
        );
    }
}

#[test]
fn the_theme_stylesheet_has_no_physical_left_or_right() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/style.css");
    let css = std::fs::read_to_string(&path).expect("the theme has style.css");
    let found = unjustified_physical(&css);
    assert!(
        found.is_empty(),
        "{}: physical left/right that will not mirror under dir=\"rtl\"; use a logical \
         property, or say in a comment above the rule why it stays physical:\n{}",
        path.display(),
        found.join("\n")
    );
}

#[test]
fn the_built_stylesheet_of_a_right_to_left_site_has_no_physical_left_or_right() {
    let built = common::build_ok("rtl/persian", &[]);
    let index = built.read("index.html");
    let start = index
        .find("<noscript><link rel=\"stylesheet\" href=\"")
        .expect("a stylesheet link")
        + "<noscript><link rel=\"stylesheet\" href=\"".len();
    let href = &index[start..start + index[start..].find('"').expect("a closing quote")];
    let css = built.read(href.trim_start_matches("./"));
    assert!(
        css.contains("inline-start"),
        "{href} is the theme stylesheet"
    );
    assert_eq!(unjustified_physical(&css), Vec::<String>::new(), "{href}");
}

#[test]
fn figures_keep_their_left_to_right_geometry_on_a_right_to_left_page() {
    let built = common::build_ok("rtl/persian", &[]);
    // The envoy's page has a connections figure, drawn in physical
    // coordinates; the stylesheet pins figures to left-to-right.
    assert!(built.main("actors/envoy/index.html").contains("<svg"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/style.css");
    let css = std::fs::read_to_string(&path).expect("the theme has style.css");
    let viz = css
        .lines()
        .find(|l| l.starts_with(".viz {"))
        .expect("a .viz rule");
    assert!(viz.contains("direction: ltr"), "{viz}");
}

#[test]
fn the_check_finds_a_physical_property_and_accepts_a_justified_one() {
    let css =
        "/* why */\n.a { left: 50%; }\n.b { margin-left: 1rem; }\n.c { inset-inline-start: 0; }\n";
    assert_eq!(unjustified_physical(css), vec!["3: margin-left: 1rem"]);
}
