//! `serve`'s incremental rebuilds give exactly what a full build gives:
//! random sequences of edits are applied to a copy of a fixture site, and
//! after each one (when the site is free of errors) the in-memory output of
//! the incremental session is compared file by file with a fresh build.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use explainer::cmd::CompileOptions;
use explainer::serve::rebuild::{Change, Session};
use proptest::prelude::*;

/// One edit a writer might make.
#[derive(Debug, Clone)]
enum Edit {
    AppendBody(usize, String),
    SetTitle(usize, String),
    SetSummary(usize, String),
    AddRef(usize, usize),
    AddTag(usize, String),
    /// Adds an actor to a proposal's supporters or a meeting's
    /// participants: a typed relation, which maps and stance matrices
    /// show two steps away.
    AddTyped(usize, usize),
    Break(usize),
    Restore(usize),
    Create(usize),
    Delete(usize),
    Template(u8),
    Static(u8),
    SiteTitle(String),
}

fn words() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Paris",
        "Kyiv talks",
        "Ada Lovelace",
        "Beta Land",
        "new text",
        "Alpha Coalition",
        "guarantees",
    ])
    .prop_map(str::to_owned)
}

fn edit() -> impl Strategy<Value = Edit> {
    let file = 0usize..20;
    prop_oneof![
        3 => (file.clone(), words()).prop_map(|(f, w)| Edit::AppendBody(f, w)),
        3 => (file.clone(), words()).prop_map(|(f, w)| Edit::SetTitle(f, w)),
        2 => (file.clone(), words()).prop_map(|(f, w)| Edit::SetSummary(f, w)),
        3 => (file.clone(), file.clone()).prop_map(|(f, t)| Edit::AddRef(f, t)),
        2 => (file.clone(), prop::sample::select(vec!["diplomacy", "energy", "Summits"]).prop_map(str::to_owned)).prop_map(|(f, t)| Edit::AddTag(f, t)),
        3 => (file.clone(), file.clone()).prop_map(|(f, t)| Edit::AddTyped(f, t)),
        1 => file.clone().prop_map(Edit::Break),
        2 => file.clone().prop_map(Edit::Restore),
        1 => file.clone().prop_map(Edit::Create),
        1 => file.clone().prop_map(Edit::Delete),
        1 => (0u8..3).prop_map(Edit::Template),
        1 => (0u8..3).prop_map(Edit::Static),
        1 => words().prop_map(Edit::SiteTitle),
    ]
}

/// A working copy of a fixture site and what its files held at the start.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
    originals: BTreeMap<PathBuf, String>,
}

impl Site {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let from = common::fixture("build/basic");
        let mut originals = BTreeMap::new();
        for rel in common::files(&from) {
            let to = root.join(&rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(from.join(&rel), &to).unwrap();
            if rel.starts_with("content") && rel.extension().is_some_and(|e| e == "md") {
                originals.insert(rel.clone(), std::fs::read_to_string(&to).unwrap());
            }
        }
        Site {
            _dir: dir,
            root,
            originals,
        }
    }

    /// Content `.md` files present now, in a stable order.
    fn content_files(&self) -> Vec<PathBuf> {
        common::files(&self.root.join("content"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
            .map(|p| Path::new("content").join(p))
            .collect()
    }

    fn pick(&self, n: usize) -> Option<PathBuf> {
        let files = self.content_files();
        (!files.is_empty()).then(|| files[n % files.len()].clone())
    }

    fn slug(path: &Path) -> String {
        path.file_stem().unwrap().to_string_lossy().into_owned()
    }

    fn read(&self, rel: &Path) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_default()
    }

    fn write(&self, rel: &Path, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Replaces the front matter line starting with `key:`, or adds it.
    fn set_key(&self, rel: &Path, key: &str, value: &str) {
        let text = self.read(rel);
        if !text.starts_with("---\n") {
            return;
        }
        let line = format!("{key}: \"{value}\"");
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        match lines.iter().position(|l| l.starts_with(&format!("{key}:"))) {
            Some(i) => lines[i] = line,
            None => lines.insert(1, line),
        }
        self.write(rel, &(lines.join("\n") + "\n"));
    }

    /// Applies an edit on disk and returns the change the watcher would report.
    fn apply(&self, edit: &Edit) -> Option<Change> {
        let content = |rel: PathBuf| Some(Change::Content(rel));
        match edit {
            Edit::AppendBody(f, w) => {
                let rel = self.pick(*f)?;
                self.write(
                    &rel,
                    &format!("{}\n{w} was mentioned again.\n", self.read(&rel)),
                );
                content(rel)
            }
            Edit::SetTitle(f, w) => {
                let rel = self.pick(*f)?;
                self.set_key(&rel, "title", w);
                content(rel)
            }
            Edit::SetSummary(f, w) => {
                let rel = self.pick(*f)?;
                self.set_key(&rel, "summary", &format!("About {w}."));
                content(rel)
            }
            Edit::AddRef(f, t) => {
                let rel = self.pick(*f)?;
                let target = Self::slug(&self.pick(*t)?);
                self.write(&rel, &format!("{}\nSee [[{target}]].\n", self.read(&rel)));
                content(rel)
            }
            Edit::AddTag(f, tag) => {
                let rel = self.pick(*f)?;
                let text = self.read(&rel);
                let text = if text.contains("\ntags: [") {
                    text.replacen("\ntags: [", &format!("\ntags: [{tag}, "), 1)
                } else {
                    text.replacen("---\n", &format!("---\ntags: [{tag}]\n"), 1)
                };
                self.write(&rel, &text);
                content(rel)
            }
            Edit::AddTyped(f, t) => {
                let rel = self.pick(*f)?;
                let actor = self.pick(*t).filter(|p| p.starts_with("content/actors"))?;
                let slug = Self::slug(&actor);
                let text = self.read(&rel);
                let text = if rel.starts_with("content/proposals") {
                    if text.contains("\nsupporters: [") {
                        text.replacen("\nsupporters: [", &format!("\nsupporters: [{slug}, "), 1)
                    } else {
                        text.replacen("---\n", &format!("---\nsupporters: [{slug}]\n"), 1)
                    }
                } else if rel.starts_with("content/meetings") && text.contains("\nparticipants:\n")
                {
                    text.replacen(
                        "\nparticipants:\n",
                        &format!("\nparticipants:\n  - {slug}\n"),
                        1,
                    )
                } else {
                    return None;
                };
                self.write(&rel, &text);
                content(rel)
            }
            Edit::Break(f) => {
                let rel = self.pick(*f)?;
                self.write(&rel, "---\ntitle: [unclosed\n---\nbroken\n");
                content(rel)
            }
            Edit::Restore(f) => {
                let (rel, text) = self.originals.iter().nth(f % self.originals.len())?;
                self.write(rel, text);
                content(rel.clone())
            }
            Edit::Create(n) => {
                let rel = PathBuf::from(format!("content/actors/new-actor-{n}.md"));
                let target = self
                    .pick(*n)
                    .map(|p| Self::slug(&p))
                    .unwrap_or_else(|| "ada-lovelace".into());
                self.write(&rel, &format!("---\ntitle: \"New actor {n}\"\nsummary: \"New.\"\ntype: person\n---\nWorks with [[{target}]].\n"));
                content(rel)
            }
            Edit::Delete(f) => {
                let rel = self.pick(*f)?;
                std::fs::remove_file(self.root.join(&rel)).ok()?;
                content(rel)
            }
            Edit::Template(n) => {
                let rel = Path::new("templates/partials/sources.html");
                match n {
                    0 => {
                        let _ = std::fs::remove_file(self.root.join(rel));
                    }
                    _ => self.write(
                        rel,
                        &format!("<p class=\"v{n}\">{{{{ page.sources | length }}}} sources</p>"),
                    ),
                }
                Some(Change::Template)
            }
            Edit::Static(n) => {
                let rel = PathBuf::from(format!("files/extra-{}.txt", n % 2));
                if *n == 2 {
                    let _ = std::fs::remove_file(self.root.join("static").join(&rel));
                } else {
                    self.write(&Path::new("static").join(&rel), &format!("static {n}"));
                }
                Some(Change::Static(rel))
            }
            Edit::SiteTitle(w) => {
                let text = self.read(Path::new("site.yaml"));
                let text = text
                    .lines()
                    .map(|l| {
                        if l.starts_with("title:") {
                            format!("title: \"{w}\"")
                        } else {
                            l.to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                self.write(Path::new("site.yaml"), &(text + "\n"));
                Some(Change::Everything)
            }
        }
    }
}

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

fn assert_same(incremental: &Session, root: &Path, history: &[Edit]) {
    let fresh = Session::new(root, options());
    let (a, b) = (snapshot(incremental), snapshot(&fresh));
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "after {history:?}\nonly incremental: {only_a:?}\nonly full: {only_b:?}"
    );
    for (path, text) in &a {
        assert!(
            text == &b[path],
            "after {history:?}\n{} differs:\n--- incremental\n{text}\n--- full\n{}",
            path.display(),
            b[path]
        );
    }
    assert_eq!(
        incremental.diagnostics().render_human(false),
        fresh.diagnostics().render_human(false),
        "after {history:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn incremental_rebuilds_equal_a_full_build(edits in prop::collection::vec(edit(), 1..8)) {
        let site = Site::new();
        let mut session = Session::new(&site.root, options());
        let mut history = Vec::new();
        for e in &edits {
            history.push(e.clone());
            let Some(change) = site.apply(e) else { continue };
            session.apply(&[change]);
            if !session.diagnostics().has_errors() {
                assert_same(&session, &site.root, &history);
            }
        }
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
    assert!(
        outcome.rendered <= 3,
        "rendered {} pages for a body edit",
        outcome.rendered
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
        "actors/index.html",
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
