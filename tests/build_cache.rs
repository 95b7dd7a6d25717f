//! The build cache across runs: a build that starts from the last one's
//! cache writes exactly what a build from nothing writes, after any
//! sequence of edits; a damaged, foreign or outdated cache, or an output
//! folder someone changed, falls back to a full build.

mod common;
#[path = "common/edits.rs"]
mod edits;

use std::path::{Path, PathBuf};
use std::process::Output;

use edits::{Edit, Site, edit};
use proptest::prelude::*;

/// `explainer build` of `root` into `root/public`, with the cache.
fn cached_build(root: &Path) -> Output {
    common::explainer(root, &["build", "--root", root.to_str().unwrap()])
}

/// A build from nothing into a fresh folder.
fn clean_build(root: &Path, out: &Path) -> Output {
    common::fresh_build(root, out)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every file of both folders, byte for byte, the manifest included.
fn assert_same_tree(cached: &Path, clean: &Path, history: &[Vec<Edit>]) {
    let (a, b) = (common::files(cached), common::files(clean));
    assert_eq!(a, b, "after {history:?}: different files");
    for rel in &a {
        let (x, y) = (
            std::fs::read(cached.join(rel)).unwrap(),
            std::fs::read(clean.join(rel)).unwrap(),
        );
        assert!(
            x == y,
            "after {history:?}: {} differs\n--- cached\n{}\n--- clean\n{}",
            rel.display(),
            String::from_utf8_lossy(&x),
            String::from_utf8_lossy(&y)
        );
    }
}

/// Applies each batch of edits, then builds with the cache and from
/// nothing, and compares: the same success, the same files.
fn check_edits(site: &Site, batches: &[Vec<Edit>]) {
    cached_build(&site.root);
    let scratch = tempfile::tempdir().unwrap();
    let mut history = Vec::new();
    for (n, batch) in batches.iter().enumerate() {
        history.push(batch.clone());
        for e in batch {
            site.apply(e);
        }
        compare(site, &scratch.path().join(format!("clean{n}")), &history);
    }
}

/// Builds with the cache and from nothing (into `clean_out`) and compares:
/// the same success, the same files.
fn compare(site: &Site, clean_out: &Path, history: &[Vec<Edit>]) {
    let cached = cached_build(&site.root);
    let clean = clean_build(&site.root, clean_out);
    assert_eq!(
        cached.status.code(),
        clean.status.code(),
        "after {history:?}\ncached: {}\nclean: {}",
        text(&cached),
        text(&clean)
    );
    if clean.status.success() {
        assert_same_tree(&site.root.join("public"), clean_out, history);
    }
}

/// The rendered Markdown kept in the cache is rendered again when a page
/// it links to without a label changes its title (the link shows it),
/// and kept when the page changes only its body. With autolinking on and
/// off: on, any title change renews the autolinker and with it every
/// page's Markdown; off, only the links say what to render again.
#[test]
fn kept_markdown_follows_the_title_of_a_page_it_links_to() {
    for autolink in [true, false] {
        title_through_a_link(autolink);
    }
}

fn title_through_a_link(autolink: bool) {
    let site = Site::new();
    let yaml = Path::new("site.yaml");
    site.write(yaml, &format!("{}autolink: {autolink}\n", site.read(yaml)));
    let scratch = tempfile::tempdir().unwrap();
    let rel = PathBuf::from("content/meetings/london-talks.md");
    site.write(
        &rel,
        &format!("{}\nSee [[ada-lovelace]].\n", site.read(&rel)),
    );
    // Text the autolinker links once it is her title.
    let other = PathBuf::from("content/sources/gazette-report.md");
    site.write(
        &other,
        &format!("{}\nCountess Ada spoke.\n", site.read(&other)),
    );
    compare(&site, &scratch.path().join("first"), &[]);
    let ada = PathBuf::from("content/actors/ada-lovelace.md");
    let retitled = site
        .read(&ada)
        .replace("title: \"Ada Lovelace\"", "title: \"Countess Ada\"");
    site.write(&ada, &retitled);
    compare(&site, &scratch.path().join("retitled"), &[]);
    let page = site.read(Path::new("public/meetings/london-talks/index.html"));
    assert!(
        page.contains("Countess Ada"),
        "the link shows the new title"
    );
    site.write(&ada, &format!("{}\nMore about her.\n", site.read(&ada)));
    compare(&site, &scratch.path().join("body"), &[]);
}

fn batches() -> impl Strategy<Value = Vec<Vec<Edit>>> {
    prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_cached_build_equals_a_clean_build(batches in batches()) {
        check_edits(&Site::new(), &batches);
    }

    #[test]
    fn a_cached_build_equals_a_clean_build_on_a_site_of_chains(batches in batches()) {
        check_edits(&Site::chains(), &batches);
    }
}

/// "(from the cache: N rendered, M written)" of a build's summary line.
fn from_cache(o: &Output) -> Option<(usize, usize)> {
    let line = String::from_utf8_lossy(&o.stdout).into_owned();
    let rest = line.split("(from the cache: ").nth(1)?;
    let mut numbers = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap());
    Some((numbers.next()?, numbers.next()?))
}

/// Each file's modification time in `dir`, by name.
fn times_of(dir: &Path) -> std::collections::BTreeMap<PathBuf, std::time::SystemTime> {
    common::files(dir)
        .into_iter()
        .map(|f| {
            let time = std::fs::metadata(dir.join(&f)).unwrap().modified().unwrap();
            (f, time)
        })
        .collect()
}

fn cache_file(root: &Path) -> PathBuf {
    root.join(".explainer-cache/build.bin")
}

#[test]
fn a_body_edit_renders_and_writes_few_files_and_leaves_the_rest_alone() {
    let site = Site::new();
    let first = cached_build(&site.root);
    assert!(first.status.success(), "{}", text(&first));
    assert_eq!(from_cache(&first), None, "the first build has no cache");
    assert!(cache_file(&site.root).is_file());
    let untouched = site.root.join("public/actors/ada-lovelace/index.html");
    let before = std::fs::metadata(&untouched).unwrap().modified().unwrap();

    let again = cached_build(&site.root);
    assert_eq!(from_cache(&again), Some((0, 0)), "{}", text(&again));

    let memo = site.root.join(".explainer-cache/markdown");
    let shards_before = times_of(&memo);
    let rel = PathBuf::from("content/meetings/london-talks.md");
    site.write(&rel, &format!("{}\nMore detail.\n", site.read(&rel)));
    let edited = cached_build(&site.root);
    let (rendered, written) = from_cache(&edited).expect("built from the cache");
    // The kept Markdown: the one file holding the meeting's, and the index.
    let shards_after = times_of(&memo);
    let rewritten: Vec<_> = shards_after
        .iter()
        .filter(|(f, t)| shards_before.get(*f) != Some(t))
        .map(|(f, _)| f)
        .collect();
    assert_eq!(rewritten.len(), 2, "{rewritten:?}");
    // The meeting's page, the pages listing it and its feed, in each of
    // the site's two languages (its Ukrainian page shows the original).
    assert!(rendered <= 8, "{}", text(&edited));
    assert!((1..=rendered).contains(&written), "{}", text(&edited));
    let page = std::fs::read_to_string(site.root.join("public/meetings/london-talks/index.html"));
    assert!(page.unwrap().contains("More detail."));
    let after = std::fs::metadata(&untouched).unwrap().modified().unwrap();
    assert_eq!(before, after, "an unchanged page is not written again");
}

#[test]
fn a_damaged_or_foreign_cache_gives_a_warning_and_a_full_build() {
    let site = Site::new();
    assert!(cached_build(&site.root).status.success());
    let cache = cache_file(&site.root);
    let bytes = std::fs::read(&cache).unwrap();
    std::fs::write(&cache, &bytes[..bytes.len() / 2]).unwrap();
    let rebuilt = cached_build(&site.root);
    assert!(rebuilt.status.success(), "{}", text(&rebuilt));
    let err = String::from_utf8_lossy(&rebuilt.stderr).into_owned();
    assert!(
        err.contains("warning: ignoring the build cache") && err.contains("building everything"),
        "{err}"
    );
    assert_eq!(from_cache(&rebuilt), None);

    // Another cache format: the same warning, naming it.
    let mut foreign = b"explainer build cache\n".to_vec();
    foreign.extend_from_slice(&999u32.to_le_bytes());
    foreign.extend_from_slice(&bytes[26..]);
    std::fs::write(&cache, foreign).unwrap();
    let rebuilt = cached_build(&site.root);
    let err = String::from_utf8_lossy(&rebuilt.stderr).into_owned();
    assert!(err.contains("cache format 999"), "{err}");
    let clean = tempfile::tempdir().unwrap();
    assert!(
        clean_build(&site.root, &clean.path().join("p"))
            .status
            .success()
    );
    assert_same_tree(&site.root.join("public"), &clean.path().join("p"), &[]);
    // The full build wrote a good cache again.
    assert_eq!(from_cache(&cached_build(&site.root)), Some((0, 0)));
}

#[test]
fn an_output_changed_by_hand_is_written_anew() {
    let site = Site::new();
    assert!(cached_build(&site.root).status.success());
    let page = site.root.join("public/actors/ada-lovelace/index.html");
    std::fs::write(&page, "edited by hand").unwrap();
    let rebuilt = cached_build(&site.root);
    assert_eq!(from_cache(&rebuilt), None, "{}", text(&rebuilt));
    assert!(std::fs::read_to_string(&page).unwrap().contains("<html"));
}

#[test]
fn a_configuration_change_is_a_full_build_without_a_warning() {
    let site = Site::new();
    assert!(cached_build(&site.root).status.success());
    let yaml = site.root.join("site.yaml");
    let text_before = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{text_before}\nfeed_limit: 3\n")).unwrap();
    let rebuilt = cached_build(&site.root);
    assert!(rebuilt.status.success(), "{}", text(&rebuilt));
    assert_eq!(from_cache(&rebuilt), None);
    assert!(!String::from_utf8_lossy(&rebuilt.stderr).contains("build cache"));
}

#[test]
fn no_cache_writes_none_and_clean_removes_cache_and_output_only() {
    let site = Site::new();
    let out = site.root.join("public");
    assert!(clean_build(&site.root, &out).status.success());
    assert!(
        !cache_file(&site.root).exists(),
        "--no-cache writes no cache"
    );
    assert!(cached_build(&site.root).status.success());
    assert!(cache_file(&site.root).exists());
    let cleaned = common::explainer(
        &site.root,
        &["clean", "--root", site.root.to_str().unwrap()],
    );
    assert!(cleaned.status.success(), "{}", text(&cleaned));
    assert!(!cache_file(&site.root).exists());
    // Every language's record and kept Markdown, the pictures: the whole
    // cache folder.
    let left = common::files(&site.root.join(".explainer-cache"));
    assert!(left.is_empty(), "left in the cache: {left:?}");
    assert!(!out.exists());
    assert!(site.root.join("content").is_dir());
    assert!(text(&cleaned).contains("Removed"), "{}", text(&cleaned));

    // A folder a build did not make is left alone, with a warning.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "keep").unwrap();
    let cleaned = common::explainer(
        &site.root,
        &["clean", "--root", site.root.to_str().unwrap()],
    );
    assert!(cleaned.status.success());
    assert!(out.join("mine.txt").is_file());
    assert!(text(&cleaned).contains("not written by explainer"));
}

#[test]
fn a_build_with_errors_leaves_output_and_cache_as_they_were() {
    let site = Site::new();
    assert!(cached_build(&site.root).status.success());
    let cache_before = std::fs::read(cache_file(&site.root)).unwrap();
    let rel = PathBuf::from("content/meetings/london-talks.md");
    let good = site.read(&rel);
    site.write(
        &rel,
        &good.replacen("---\n", "---\nparticipants: [nobody-at-all]\n", 1),
    );
    let failed = cached_build(&site.root);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert_eq!(std::fs::read(cache_file(&site.root)).unwrap(), cache_before);
    site.write(&rel, &good);
    let fixed = cached_build(&site.root);
    assert_eq!(from_cache(&fixed), Some((0, 0)), "{}", text(&fixed));
}

#[test]
fn new_times_on_the_same_bytes_keep_the_cache_new_bytes_do_not() {
    let site = Site::new();
    let note = site.root.join("static/note.txt");
    std::fs::create_dir_all(note.parent().unwrap()).unwrap();
    std::fs::write(&note, "first").unwrap();
    assert!(cached_build(&site.root).status.success());
    // As after a fresh checkout: every site file gets a new time.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    for rel in common::files(&site.root) {
        if !rel.starts_with("public") && !rel.starts_with(".explainer-cache") {
            let file = std::fs::File::options()
                .append(true)
                .open(site.root.join(rel))
                .unwrap();
            file.set_modified(later).unwrap();
        }
    }
    let again = cached_build(&site.root);
    assert_eq!(from_cache(&again), Some((0, 0)), "{}", text(&again));
    // A static file's bytes are not behind any recorded read: a full build.
    std::fs::write(&note, "second").unwrap();
    let rebuilt = cached_build(&site.root);
    assert_eq!(from_cache(&rebuilt), None, "{}", text(&rebuilt));
    assert_eq!(
        std::fs::read_to_string(site.root.join("public/note.txt")).unwrap(),
        "second"
    );
}
