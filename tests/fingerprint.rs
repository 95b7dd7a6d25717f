//! Stylesheets and scripts are published under a name carrying a hash of
//! their bytes and linked with Subresource Integrity: the name and the
//! integrity value are checked here against hashes the test computes from
//! the written files, in `build` and in `serve`'s engine, before and after
//! a stylesheet changes. (Whether a browser loads them, over HTTP and from
//! file://, is `tests/browser/run.mjs`.)

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_lc_rs::digest;
use base64::Engine as _;
use common::{build_into, check, copy_tree, files, fixture, published, stylesheet_href};
use explainer::cmd::CompileOptions;
use explainer::deploy::headers::{CacheRules, IMMUTABLE, REVALIDATE};
use explainer::engine::{Change, Engine};

fn sha384(bytes: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA384, bytes).as_ref().to_vec()
}

/// What `integrity="…"` must say for these bytes.
fn integrity_of(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(sha384(bytes))
    )
}

/// The 16 hex digits a published name carries for these bytes.
fn name_hash(bytes: &[u8]) -> String {
    sha384(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A copy of the basic fixture in a temporary folder, to edit.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("build/basic"), &root);
    (dir, root)
}

/// Builds `root` into a fresh `out` beside it.
fn build(root: &Path, name: &str) -> PathBuf {
    let out = root.parent().unwrap().join(name);
    build_into(root, &out);
    out
}

/// The `integrity` value a loader script writes after `href="<file>"`.
fn integrity_after(html: &str, file: &str) -> String {
    let at = html
        .find(&format!("{file}\""))
        .unwrap_or_else(|| panic!("no link to {file}"));
    let rest = &html[at..];
    let start = rest.find("integrity=\"").expect("an integrity value") + 11;
    let end = start + rest[start..].find('"').unwrap();
    rest[start..end].to_owned()
}

/// Every HTML page of an output folder, by path, with its text.
fn pages(out: &Path) -> BTreeMap<PathBuf, String> {
    files(out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
        .map(|f| (f.clone(), std::fs::read_to_string(out.join(&f)).unwrap()))
        .collect()
}

/// Asserts every page but the redirects links `css`, by a relative path.
fn every_page_links(pages: &BTreeMap<PathBuf, String>, css: &str) {
    let mut linking = 0;
    for (path, html) in pages {
        if html.contains("http-equiv=\"refresh\"") {
            continue;
        }
        let href =
            stylesheet_href(html).unwrap_or_else(|| panic!("{}: no stylesheet", path.display()));
        let depth = path.components().count() - 1;
        let expected = if path == Path::new("404.html") {
            format!("/fixture/{css}")
        } else {
            format!("{}{css}", "../".repeat(depth))
        };
        assert_eq!(href, expected, "{}", path.display());
        linking += 1;
    }
    assert!(linking > 10, "only {linking} pages link the stylesheet");
}

#[test]
fn published_names_carry_the_hash_of_the_written_bytes() {
    let (_dir, root) = site();
    let out = build(&root, "out");
    for rel in ["style.css", "search.js"] {
        let name = published(&out, rel);
        let bytes = std::fs::read(out.join(&name)).unwrap();
        let (stem, ext) = rel.rsplit_once('.').unwrap();
        assert_eq!(name, format!("{stem}.{}.{ext}", name_hash(&bytes)));
        assert!(
            !out.join(rel).exists(),
            "{rel} is also written under its plain name"
        );
    }
    assert!(
        out.join("favicon.svg").is_file(),
        "other static files keep their names"
    );
}

#[test]
fn integrity_is_the_base64_sha384_of_the_written_file() {
    let (_dir, root) = site();
    let out = build(&root, "out");
    let css = published(&out, "style.css");
    let js = published(&out, "search.js");
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    let search = std::fs::read_to_string(out.join("search/index.html")).unwrap();
    assert_eq!(
        integrity_after(&home, &css),
        integrity_of(&std::fs::read(out.join(&css)).unwrap())
    );
    assert_eq!(
        integrity_after(&search, &js),
        integrity_of(&std::fs::read(out.join(&js)).unwrap())
    );
    every_page_links(&pages(&out), &css);
}

#[test]
fn a_site_stylesheet_is_published_from_its_own_bytes_and_a_change_renames_it_everywhere() {
    let (_dir, root) = site();
    let theme_css = published(&build(&root, "first"), "style.css");
    std::fs::write(root.join("static/style.css"), "body { color: #222 }\n").unwrap();
    let out = build(&root, "second");
    let css = published(&out, "style.css");
    assert_ne!(css, theme_css);
    assert_eq!(
        std::fs::read(out.join(&css)).unwrap(),
        b"body { color: #222 }\n"
    );
    assert_eq!(
        css,
        format!("style.{}.css", name_hash(b"body { color: #222 }\n"))
    );
    every_page_links(&pages(&out), &css);

    // A rebuild into the same folder leaves no old name behind.
    std::fs::write(root.join("static/style.css"), "body { color: #333 }\n").unwrap();
    build_into(&root, &out);
    let renamed = published(&out, "style.css");
    assert_ne!(renamed, css);
    assert!(!out.join(&css).exists(), "{css} left behind");
    let stylesheets = files(&out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "css"))
        .count();
    assert_eq!(stylesheets, 1);
    every_page_links(&pages(&out), &renamed);
}

/// The HTML pages of an engine's output, by path.
fn engine_pages(output: &BTreeMap<PathBuf, Arc<[u8]>>) -> BTreeMap<PathBuf, String> {
    output
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
        .map(|(p, b)| (p.clone(), String::from_utf8(b.to_vec()).unwrap()))
        .collect()
}

#[test]
fn serve_renames_a_changed_stylesheet_on_every_page_as_a_build_does() {
    let (_dir, root) = site();
    let mut engine = Engine::new(&root, CompileOptions::default());
    let before = published_in(&engine.output(), "style.");
    std::fs::write(root.join("static/style.css"), "body { color: #444 }\n").unwrap();
    let outcome = engine.apply(&[Change::Static("style.css".into())]);
    let after = published_in(&engine.output(), "style.");
    assert_ne!(before, after);
    assert!(
        !engine.output().contains_key(Path::new(&before)),
        "{before} left in serve"
    );
    assert!(outcome.changed.contains(Path::new("index.html")));
    every_page_links(&engine_pages(&engine.output()), &after);
    let built = build(&root, "out");
    assert_eq!(published(&built, "style.css"), after);
}

/// The one output file named `<prefix>….css`.
fn published_in(output: &BTreeMap<PathBuf, Arc<[u8]>>, prefix: &str) -> String {
    let found: Vec<String> = output
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p.starts_with(prefix) && p.ends_with(".css"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

#[test]
fn deploy_keeps_published_assets_for_a_year_and_revalidates_pages() {
    let (_dir, root) = site();
    let out = build(&root, "out");
    let rules = CacheRules::new(&[]).unwrap();
    for rel in ["style.css", "search.js"] {
        assert_eq!(rules.cache_control(&published(&out, rel)), IMMUTABLE);
    }
    for page in [
        "index.html",
        "search/index.html",
        "favicon.svg",
        "search-index.js",
    ] {
        assert_eq!(rules.cache_control(page), REVALIDATE, "{page}");
    }
}

#[test]
fn asking_for_a_file_static_does_not_have_names_the_template_and_position() {
    let report = check("fingerprint/missing-asset", &[]);
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert_eq!(report.status.code(), Some(1), "{stderr}");
    let block: Vec<&str> = stderr.split("\n\n").next().unwrap().lines().collect();
    assert_eq!(
        block,
        [
            "error: template error: asset(path=\"logo.svg\"): there is no `logo.svg` in the site's static/ folder or the theme's [template]",
            "  --> templates/actor.html:4:15",
            "  |",
            "4 | {% set logo = asset(path=\"logo.svg\") %}",
            "  |               ^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: asset() finds files in the site's static/ folder, then the theme's: add the file there, or correct the path (relative to static/)",
            "  = hint: fix `actor.html`; the variables each template sees are listed in docs/templates.md",
        ]
    );
}
