//! `serve`'s incremental rebuilds give exactly what a full build gives:
//! random sequences of edits are applied to a copy of a fixture site, and
//! after each one (when the site is free of errors) the in-memory output of
//! the incremental session is compared file by file with a fresh build.
//!
//! Two sites: the small fixture, where every page is near every other, and
//! a generated one whose relations form chains, so that an edit's reach
//! (two typed steps for figures, one for what a page lists) is tested
//! against pages just inside and just outside it. The generated site also
//! turns on the checks that read the whole site (staleness, feed limits).

mod common;
#[path = "common/edits.rs"]
mod edits;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use edits::{Edit, Site, edit};
use explainer::cmd::CompileOptions;
use explainer::engine::{Change, Engine as Session};
use proptest::prelude::*;

fn options() -> CompileOptions {
    CompileOptions::default()
}

/// The output as text, for readable diffs.
fn snapshot(session: &Session) -> BTreeMap<PathBuf, String> {
    session
        .output()
        .iter()
        .map(|(p, b)| (p.clone(), String::from_utf8_lossy(b).into_owned()))
        .collect()
}

/// Compares everything the engine kept alive holds with a fresh
/// `explainer build` of the same files, and its diagnostics with a fresh
/// run of the same pipeline.
fn assert_same(incremental: &Session, root: &Path, history: &[Vec<Edit>]) {
    let fresh = fresh_build(root);
    assert_same_files(incremental, &fresh, history, |_| true);
    let compiled = explainer::cmd::compile(root, &options()).expect("the site compiles");
    assert_eq!(
        incremental.diagnostics().render_human(false),
        compiled.diagnostics.render_human(false),
        "after {history:?}"
    );
}

/// What `explainer build` writes for the site at `root`, as text, without
/// the build's own manifest.
fn fresh_build(root: &Path) -> BTreeMap<PathBuf, String> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("public");
    common::build_into(root, &out);
    common::files(&out)
        .into_iter()
        .filter(|p| p != Path::new(explainer::output::MARKER))
        .map(|p| {
            let text = String::from_utf8_lossy(&std::fs::read(out.join(&p)).expect("readable"))
                .into_owned();
            (p, text)
        })
        .collect()
}

/// Compares the files `keep` selects of the engine and a build.
fn assert_same_files(
    incremental: &Session,
    fresh: &BTreeMap<PathBuf, String>,
    history: &[Vec<Edit>],
    keep: impl Fn(&Path) -> bool,
) {
    let (mut a, mut b) = (snapshot(incremental), fresh.clone());
    a.retain(|p, _| keep(p));
    b.retain(|p, _| keep(p));
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "after {history:?}\nonly incremental: {only_a:?}\nonly full: {only_b:?}"
    );
    for (path, text) in &a {
        let first = text
            .lines()
            .zip(b[path].lines())
            .find(|(x, y)| x != y)
            .map(|(x, y)| format!("incremental: {x}\nfull build:  {y}"));
        assert!(
            text == &b[path],
            "after {history:?}\n{} differs first at\n{}\n--- incremental\n{text}\n--- full\n{}",
            path.display(),
            first.unwrap_or_default(),
            b[path]
        );
    }
}

/// Applies each batch of edits at once, as the watcher reports a burst
/// of saves, comparing with a full build after each batch.
fn check_edits(site: &Site, batches: &[Vec<Edit>]) {
    // As `serve` starts: the pages rendered, the feeds and exports still
    // waiting when the first edit comes.
    let mut session = Session::start(&site.root, options());
    session.render_next(&[], usize::MAX);
    let mut history = Vec::new();
    for batch in batches {
        history.push(batch.clone());
        let mut changes: Vec<Change> = batch.iter().filter_map(|e| site.apply(e)).collect();
        if changes.is_empty() {
            continue;
        }
        changes.sort();
        changes.dedup();
        // As `serve` does: the pages, then (once they are served) the rest.
        session.update(&changes, &[]);
        let pages_ok = !session.diagnostics().has_errors();
        let fresh = pages_ok.then(|| fresh_build(&site.root));
        if let Some(fresh) = &fresh {
            let is_page = |p: &Path| p.extension().is_some_and(|e| e == "html");
            assert_same_files(&session, fresh, &history, is_page);
        }
        session.finish();
        if !session.diagnostics().has_errors() {
            assert_same(&session, &site.root, &history);
        }
    }
}

/// Up to seven bursts of one to three edits.
fn batches() -> impl Strategy<Value = Vec<Vec<Edit>>> {
    prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn incremental_rebuilds_equal_a_full_build(batches in batches()) {
        check_edits(&Site::new(), &batches);
    }

    #[test]
    fn incremental_rebuilds_equal_a_full_build_on_a_site_of_chains(batches in batches()) {
        check_edits(&Site::chains(), &batches);
    }
}

#[test]
fn a_body_edit_re_renders_few_pages() {
    let site = Site::new();
    let mut session = Session::new(&site.root, options());
    let rel = PathBuf::from("content/meetings/london-talks.md");
    site.write(&rel, &format!("{}\nMore detail.\n", site.read(&rel)));
    let outcome = session.apply(&[Change::Content(rel)]);
    assert!(!outcome.full);
    // The page, and outputs reading its rendered Markdown whose bytes do
    // not change: its share card and its embeddable fact card (which shows
    // the fact values, rendered with the body); in each of the fixture's
    // two languages, the Ukrainian page showing the original's body.
    assert!(
        outcome.rendered <= 8,
        "rendered {} pages for a body edit: {:?}",
        outcome.rendered,
        outcome.changed
    );
    assert!(
        outcome
            .changed
            .contains(Path::new("meetings/london-talks/index.html"))
    );
    assert!(
        !outcome
            .changed
            .contains(Path::new("actors/ada-lovelace/index.html")),
        "{:?}",
        outcome.changed
    );
}

#[test]
fn a_title_edit_updates_every_page_showing_the_title() {
    let site = Site::new();
    let mut session = Session::new(&site.root, options());
    let rel = PathBuf::from("content/actors/beta-land.yaml");
    let text = site
        .read(&rel)
        .replace("title: \"Beta Land\"", "title: \"Republic of Beta\"");
    site.write(&rel, &text);
    let outcome = session.apply(&[Change::Content(rel)]);
    assert!(!outcome.full);
    for page in [
        "actors/beta-land/index.html",
        "meetings/paris-summit/index.html",
        "proposals/peace-plan/index.html",
        "actors/alpha-coalition/index.html",
        // The list's second page (two per page): Beta Land was there, and
        // as "Republic of Beta" it is last.
        "actors/page/2/index.html",
    ] {
        assert!(
            outcome.changed.contains(Path::new(page)),
            "{page} not updated: {:?}",
            outcome.changed
        );
        let html = String::from_utf8_lossy(&session.output()[Path::new(page)]).into_owned();
        assert!(
            html.contains("Republic of Beta"),
            "{page} still shows the old title"
        );
    }
    assert_same(&session, &site.root, &[]);
}

/// A page kept while its file does not parse (the writer sees the last
/// good version) goes when the file is deleted: found by the property
/// test above in CI.
#[test]
fn a_broken_then_deleted_file_leaves_no_page() {
    let site = Site::new();
    let mut session = Session::new(&site.root, options());
    let rel = PathBuf::from("content/meetings/london-talks.md");
    let page = Path::new("meetings/london-talks/index.html");
    site.write(&rel, "---\ntitle: [unclosed\n---\nbroken\n");
    session.update(&[Change::Content(rel.clone())], &[]);
    session.finish();
    assert!(session.output().contains_key(page), "kept while broken");
    std::fs::remove_file(site.root.join(&rel)).expect("the file is there");
    let outcome = session.update(&[Change::Content(rel)], &[]);
    session.finish();
    assert!(outcome.changed.contains(page), "{:?}", outcome.changed);
    assert!(!session.output().contains_key(page));
    assert_same(&session, &site.root, &[]);
}

/// `serve` answers before it has rendered every page: a file broken by a
/// save that comes first still keeps its last good page, rendered from
/// the site as it stood (found by `tests/serve.rs` in CI, on a slow
/// machine).
#[test]
fn a_file_broken_before_its_page_was_rendered_keeps_a_last_good_page() {
    let site = Site::new();
    let mut session = Session::start(&site.root, options());
    let rel = PathBuf::from("content/meetings/london-talks.md");
    let page = Path::new("meetings/london-talks/index.html");
    assert!(!session.output().contains_key(page), "not rendered yet");
    site.write(&rel, "---\ntitle: [unclosed\n---\nbroken\n");
    session.update(&[Change::Content(rel)], &[]);
    session.finish();
    let html = String::from_utf8_lossy(&session.output()[page]).into_owned();
    assert!(html.contains("London talks"), "the last good page: {html}");
}

/// Feeds left waiting (as `serve` leaves them until the folder is quiet)
/// name their entities by index; a file added before they are rendered
/// moves the indices, and each feed must still go to its own page.
#[test]
fn files_left_waiting_follow_their_pages_when_indices_move() {
    let site = Site::new();
    let mut session = Session::start(&site.root, options());
    session.render_next(&[], usize::MAX);
    assert!(session.has_waiting(), "the feeds wait");
    // First in id order: every other entity's index moves by one.
    let rel = PathBuf::from("content/actors/aaron-first.md");
    site.write(
        &rel,
        "---\ntitle: \"Aaron First\"\nsummary: \"New.\"\ntype: person\n---\nMet [[ada-lovelace]].\n",
    );
    session.update(&[Change::Content(rel)], &[]);
    session.finish();
    assert_same(&session, &site.root, &[]);
}

/// A save during the first render (or a long one): `serve` plans it
/// before the pages left from before are rendered, which stay in line,
/// by path, however the new file moves the indices.
#[test]
fn pages_left_pending_are_rendered_after_a_change_that_moves_indices() {
    let site = Site::new();
    let mut session = Session::start(&site.root, options());
    session.render_next(&[], 5);
    assert!(session.has_pending(), "pages left to render");
    let rel = PathBuf::from("content/actors/aaron-first.md");
    site.write(
        &rel,
        "---\ntitle: \"Aaron First\"\nsummary: \"New.\"\ntype: person\n---\nMet [[ada-lovelace]].\n",
    );
    session.plan(&[Change::Content(rel)]);
    session.render_next(&[], 3);
    // And a file gone, before those are rendered either.
    let rel = PathBuf::from("content/pages/about.md");
    std::fs::remove_file(site.root.join(&rel)).expect("the file is there");
    session.plan(&[Change::Content(rel)]);
    session.render_next(&[], 3);
    let rel = PathBuf::from("content/meetings/paris-summit.md");
    let text = std::fs::read_to_string(site.root.join(&rel)).expect("the file is there");
    site.write(&rel, &format!("{text}\nA sentence added later.\n"));
    session.update(&[Change::Content(rel)], &[]);
    session.finish();
    assert_same(&session, &site.root, &[]);
}

/// A file that comes and goes is taken in without walking `content/`
/// again (`engine/content/rewalk.rs`): one outside the kinds must still
/// give the walk's warning, and lose it when deleted, as a fresh run does.
#[test]
fn a_file_outside_the_kinds_warns_until_it_is_deleted() {
    let site = Site::new();
    let mut session = Session::new(&site.root, options());
    let rel = PathBuf::from("content/notes/ideas.md");
    let warned = |s: &Session| {
        s.diagnostics()
            .items()
            .iter()
            .any(|d| d.file == rel && d.code == "not-content")
    };
    site.write(&rel, "---\ntitle: \"Ideas\"\n---\nNot a page.\n");
    session.update(&[Change::Content(rel.clone())], &[]);
    session.finish();
    assert!(warned(&session), "{:?}", session.diagnostics().items());
    assert_same(&session, &site.root, &[]);
    std::fs::remove_file(site.root.join(&rel)).expect("the file is there");
    session.update(&[Change::Content(rel.clone())], &[]);
    session.finish();
    assert!(!warned(&session), "{:?}", session.diagnostics().items());
    assert_same(&session, &site.root, &[]);
}
