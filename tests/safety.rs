//! Hostile content builds, and nothing in it becomes script in the output.
//! Also: a failed build leaves the previous output as it was, and unsafe
//! output folders are refused with nothing deleted.

mod common;

use std::path::Path;

use common::{build, build_ok, explainer, files, fixture};
use scraper::{Html, Selector};

/// Scripts the default theme itself puts on pages.
fn is_theme_script(el: &scraper::ElementRef<'_>) -> bool {
    let v = el.value();
    match (v.attr("type"), v.attr("src")) {
        (Some("application/ld+json"), None) => true,
        // The search page's words, JSON built from the translation files.
        (Some("application/json"), None) => v.attr("id") == Some("search-words"),
        (None, Some(src)) => src.ends_with("search.js") || src.ends_with("search-index.js"),
        (None, None) => {
            let text = el.text().collect::<String>();
            // The embeddable card's height message (embed.html).
            is_asset_loader(&text)
                || text
                    .trim_start()
                    .starts_with("/* Tells the page around the iframe")
        }
        _ => false,
    }
}

/// The theme's inline loaders of its stylesheet and search script, which
/// add `integrity` where the browser can check it (not from file://).
fn is_asset_loader(text: &str) -> bool {
    ["<link rel=\"stylesheet\" href=\"", "<script src=\""]
        .iter()
        .any(|tag| text.starts_with(&format!("document.write('{tag}")))
        && text.contains("location.protocol === \"file:\"")
}

#[test]
fn hostile_content_builds_without_injecting_script() {
    let built = build_ok("safety/hostile", &[]);
    let out = built.out();
    let scripts = Selector::parse("script").unwrap();
    let everything = Selector::parse("*").unwrap();
    let mut pages = 0;
    for file in files(&out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
    {
        pages += 1;
        let html = Html::parse_document(&std::fs::read_to_string(out.join(&file)).unwrap());
        for script in html.select(&scripts) {
            assert!(
                is_theme_script(&script),
                "{}: foreign script {}",
                file.display(),
                script.html()
            );
        }
        for el in html.select(&everything) {
            for (name, value) in el.value().attrs() {
                assert!(
                    !name.starts_with("on"),
                    "{}: event handler {name}={value}",
                    file.display()
                );
                let lower = value.to_ascii_lowercase();
                if matches!(name, "href" | "src" | "action") {
                    assert!(
                        !lower.trim().starts_with("javascript:"),
                        "{}: {name}={value}",
                        file.display()
                    );
                }
            }
        }
    }
    assert!(pages > 10);
}

#[test]
fn json_ld_cannot_be_closed_by_content_and_still_parses() {
    let built = build_ok("safety/hostile", &[]);
    let html = built.read("actors/mallory/index.html");
    let doc = Html::parse_document(&html);
    let ld = Selector::parse("script[type=\"application/ld+json\"]").unwrap();
    let block = doc.select(&ld).next().expect("a JSON-LD block");
    let json: serde_json::Value =
        serde_json::from_str(&block.inner_html()).expect("JSON-LD parses");
    assert_eq!(
        json["@graph"][0]["name"],
        "</title><script>alert('title')</script>"
    );
}

#[test]
fn template_syntax_in_content_stays_text() {
    let built = build_ok("safety/hostile", &[]);
    let main = built.main("actors/mallory/index.html");
    assert!(main.contains("{{ site.title }} {% if true %}x{% endif %}"));
    assert!(main.contains("{{ site.title }} and {% raw %}"));
}

#[test]
fn a_script_link_in_content_is_removed_with_a_warning() {
    let built = build_ok("safety/hostile", &[]);
    let stderr = built.stderr();
    assert!(
        stderr.contains(
            "warning: link to a script URL `javascript:alert('body')` was removed [unsafe-url]"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/actors/mallory.md:19:3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/sources/evil-source.md:5:6"),
        "{stderr}"
    );
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|f| {
            (
                f.display().to_string(),
                std::fs::read(dir.join(&f)).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_tree(&fixture("build/basic"), &site);
    assert!(explainer(&site, &["build"]).status.success());
    let before = snapshot(&site.join("public"));
    std::fs::write(
        site.join("content/actors/broken.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .unwrap();
    let failed = explainer(&site, &["build"]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(snapshot(&site.join("public")), before);
    let leftovers: Vec<_> = std::fs::read_dir(&site)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("explainer-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary folders left behind");
}

#[test]
fn unsafe_output_folders_are_refused_with_exit_2_and_nothing_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_tree(&fixture("build/basic"), &site);
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let before_site = snapshot(&site);
    let before_parent = snapshot(dir.path());
    let foreign = dir.path().join("thesis");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("chapter1.md"), "my thesis").unwrap();
    for output in [
        ".",
        "content",
        "templates",
        "themes/default",
        "static",
        "..",
        "/",
        "../thesis",
    ] {
        let result = explainer(&site, &["build", "--output", output]);
        assert_eq!(
            result.status.code(),
            Some(2),
            "--output {output} should be refused"
        );
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(foreign.join("chapter1.md")).unwrap(),
        "my thesis"
    );
    assert_eq!(snapshot(&site), before_site);
    let mut after_parent = snapshot(dir.path());
    after_parent.retain(|(p, _)| !p.starts_with("thesis"));
    assert_eq!(after_parent, before_parent);
}

#[test]
fn a_foreign_folder_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "x").unwrap();
    let root = fixture("build/basic");
    let args = [
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    assert_eq!(explainer(dir.path(), &args).status.code(), Some(2));
    assert!(out.join("keep.txt").exists());
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(explainer(dir.path(), &forced).status.success());
    assert!(out.join("index.html").exists() && out.join(".explainer-output").exists());
    assert!(
        explainer(dir.path(), &args).status.success(),
        "our own output is replaced without --force"
    );
}

#[test]
fn stale_temporary_folders_are_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".out.explainer-tmp-99999");
    std::fs::create_dir_all(&stale).unwrap();
    let built = build("build/basic", &[]);
    assert!(built.output.status.success());
    let out_parent = built.dir.path();
    std::fs::create_dir_all(out_parent.join(".out.explainer-tmp-12345")).unwrap();
    let again = explainer(
        out_parent,
        &[
            "build",
            "--root",
            fixture("build/basic").to_str().unwrap(),
            "--output",
            "out",
        ],
    );
    assert!(again.status.success());
    assert!(!out_parent.join(".out.explainer-tmp-12345").exists());
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("content/actors")).unwrap();
    std::fs::write(
        dir.path().join("secret.md"),
        "---\ntitle: Secret\nsummary: s\n---\nPrivate notes.\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("secret.md"),
        site.join("content/actors/secret.md"),
    )
    .unwrap();
    std::fs::write(
        site.join("content/actors/a.md"),
        "---\ntitle: A\nsummary: s\n---\nText.\n",
    )
    .unwrap();
    let out = explainer(&site, &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: symlink points outside the site; not followed [symlink-outside]"),
        "{stderr}"
    );
    assert!(!site.join("public/actors/secret").exists());
}
