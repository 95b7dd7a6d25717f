//! Random edits a writer might make to a copy of a fixture site, shared
//! by the property tests of `serve`'s engine (`tests/incremental.rs`) and
//! of the build cache (`tests/build_cache.rs`). Include with
//! `#[path = "common/edits.rs"] mod edits;` beside `mod common;`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use explainer::engine::Change;
use proptest::prelude::*;

use super::common;

/// One edit a writer might make.
#[derive(Debug, Clone)]
pub enum Edit {
    AppendBody(usize, String),
    SetTitle(usize, String),
    SetSummary(usize, String),
    AddRef(usize, usize),
    AddTag(usize, String),
    /// Adds an actor to a proposal's supporters or a meeting's
    /// participants: a typed relation, which maps and stance matrices
    /// show two steps away.
    AddTyped(usize, usize),
    /// Removes a flow list of typed refs or citations (`supporters: [..]`).
    RemoveTyped(usize),
    /// Adds a source to a page's `sources`.
    AddSource(usize, usize),
    /// Adds a key fact citing a source, naming another page.
    AddFact(usize, usize, usize),
    /// Sets a date, as a day, a month or an approximate day.
    SetDate(usize, u8),
    SetUpdated(usize, u8),
    /// Adds an entry to a page's changes log.
    AddChange(usize, u8),
    SetStatus(usize, u8),
    AddAlias(usize, String),
    AddQuestion(usize, String),
    SetAffiliation(usize, usize),
    SetActorType(usize, u8),
    Break(usize),
    Restore(usize),
    Create(usize),
    Delete(usize),
    /// Links a page from the home page's text.
    HomeRef(usize),
    /// Writes a Ukrainian translation beside a page: a title and a body
    /// with a ref, and (by the number) a typed key it may contradict or a
    /// list of another length than the original's.
    Translate(usize, u8),
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

pub fn edit() -> impl Strategy<Value = Edit> {
    let file = 0usize..40;
    prop_oneof![
        3 => (file.clone(), words()).prop_map(|(f, w)| Edit::AppendBody(f, w)),
        3 => (file.clone(), words()).prop_map(|(f, w)| Edit::SetTitle(f, w)),
        2 => (file.clone(), words()).prop_map(|(f, w)| Edit::SetSummary(f, w)),
        3 => (file.clone(), file.clone()).prop_map(|(f, t)| Edit::AddRef(f, t)),
        2 => (file.clone(), prop::sample::select(vec!["diplomacy", "energy", "Summits"]).prop_map(str::to_owned)).prop_map(|(f, t)| Edit::AddTag(f, t)),
        3 => (file.clone(), file.clone()).prop_map(|(f, t)| Edit::AddTyped(f, t)),
        2 => file.clone().prop_map(Edit::RemoveTyped),
        2 => (file.clone(), file.clone()).prop_map(|(f, t)| Edit::AddSource(f, t)),
        2 => (file.clone(), file.clone(), file.clone()).prop_map(|(f, s, t)| Edit::AddFact(f, s, t)),
        2 => (file.clone(), 1u8..28).prop_map(|(f, d)| Edit::SetDate(f, d)),
        1 => (file.clone(), 1u8..28).prop_map(|(f, d)| Edit::SetUpdated(f, d)),
        1 => (file.clone(), 1u8..28).prop_map(|(f, d)| Edit::AddChange(f, d)),
        1 => (file.clone(), 0u8..4).prop_map(|(f, n)| Edit::SetStatus(f, n)),
        1 => (file.clone(), words()).prop_map(|(f, w)| Edit::AddAlias(f, w)),
        1 => (file.clone(), words()).prop_map(|(f, w)| Edit::AddQuestion(f, w)),
        1 => (file.clone(), file.clone()).prop_map(|(f, t)| Edit::SetAffiliation(f, t)),
        1 => (file.clone(), 0u8..2).prop_map(|(f, n)| Edit::SetActorType(f, n)),
        1 => file.clone().prop_map(Edit::Break),
        2 => file.clone().prop_map(Edit::Restore),
        1 => file.clone().prop_map(Edit::Create),
        1 => file.clone().prop_map(Edit::Delete),
        1 => file.clone().prop_map(Edit::HomeRef),
        2 => (file.clone(), 0u8..3).prop_map(|(f, n)| Edit::Translate(f, n)),
        1 => (0u8..3).prop_map(Edit::Template),
        1 => (0u8..5).prop_map(Edit::Static),
        1 => words().prop_map(Edit::SiteTitle),
    ]
}

/// A working copy of a fixture site and what its files held at the start.
pub struct Site {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    originals: BTreeMap<PathBuf, String>,
}

impl Site {
    /// A copy of the `build/basic` fixture.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        common::copy_tree(&common::fixture("build/basic"), &root);
        // Lists of two per page: edits move entries across pages.
        let yaml = root.join("site.yaml");
        let text = std::fs::read_to_string(&yaml).unwrap();
        // Two languages: translations are checked against their originals.
        std::fs::write(
            &yaml,
            format!(
                "{}\npaginate_by: 2\nlanguages:\n  - {{code: en, name: English}}\n  - {{code: uk, name: Українська}}\n",
                text.trim_end()
            ),
        )
        .unwrap();
        Self::with(dir, root)
    }

    /// The generated site of chains ([`chain_site`]).
    pub fn chains() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        for (rel, text) in chain_site() {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self::with(dir, root)
    }

    fn with(dir: tempfile::TempDir, root: PathBuf) -> Self {
        let originals = common::files(&root)
            .into_iter()
            .filter(|rel| rel.starts_with("content") && rel.extension().is_some_and(|e| e == "md"))
            .map(|rel| {
                let text = std::fs::read_to_string(root.join(&rel)).unwrap();
                (rel, text)
            })
            .collect();
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

    pub fn read(&self, rel: &Path) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_default()
    }

    pub fn write(&self, rel: &Path, text: &str) {
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

    /// Adds `item` to the flow list `key: [..]` of the front matter, or
    /// adds the list.
    fn add_to_list(&self, rel: &Path, key: &str, item: &str) -> bool {
        let text = self.read(rel);
        if !text.starts_with("---\n") {
            return false;
        }
        let text = if text.contains(&format!("\n{key}: [")) {
            text.replacen(&format!("\n{key}: ["), &format!("\n{key}: [{item}, "), 1)
        } else if text.contains(&format!("\n{key}:")) {
            return false;
        } else {
            text.replacen("---\n", &format!("---\n{key}: [{item}]\n"), 1)
        };
        self.write(rel, &text);
        true
    }

    /// Adds `lines` as the first item of the block list `key:`, or adds
    /// the list.
    fn add_to_block(&self, rel: &Path, key: &str, lines: &str) -> bool {
        let text = self.read(rel);
        if !text.starts_with("---\n") {
            return false;
        }
        let text = if text.contains(&format!("\n{key}:\n")) {
            text.replacen(&format!("\n{key}:\n"), &format!("\n{key}:\n{lines}"), 1)
        } else if text.contains(&format!("\n{key}:")) {
            return false;
        } else {
            text.replacen("---\n", &format!("---\n{key}:\n{lines}"), 1)
        };
        self.write(rel, &text);
        true
    }

    fn pick_in(&self, n: usize, dir: &str) -> Option<PathBuf> {
        let files: Vec<PathBuf> = self
            .content_files()
            .into_iter()
            .filter(|p| p.starts_with(Path::new("content").join(dir)))
            .collect();
        (!files.is_empty()).then(|| files[n % files.len()].clone())
    }

    /// Applies an edit on disk and returns the change the watcher would report.
    pub fn apply(&self, edit: &Edit) -> Option<Change> {
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
            Edit::RemoveTyped(f) => {
                let rel = self.pick(*f)?;
                let text = self.read(&rel);
                let key = [
                    "supporters",
                    "opponents",
                    "proposed_by",
                    "participants",
                    "members",
                    "proposals",
                    "sources",
                ]
                .into_iter()
                .find(|k| text.contains(&format!("\n{k}: [")))?;
                self.write(
                    &rel,
                    &text.replacen(&format!("\n{key}: ["), &format!("\n{key}: [] #["), 1),
                );
                content(rel)
            }
            Edit::AddSource(f, t) => {
                let rel = self.pick(*f)?;
                let source = Self::slug(&self.pick_in(*t, "sources")?);
                self.add_to_list(&rel, "sources", &source).then_some(())?;
                content(rel)
            }
            Edit::AddFact(f, s, t) => {
                let rel = self.pick(*f)?;
                let source = Self::slug(&self.pick_in(*s, "sources")?);
                let named = Self::slug(&self.pick(*t)?);
                let fact = format!(
                    "  - label: \"Status\"\n    value: \"Agreed with [[{named}]]\"\n    sources: [{source}]\n"
                );
                self.add_to_block(&rel, "key_facts", &fact).then_some(())?;
                content(rel)
            }
            Edit::SetDate(f, day) => {
                let rel = self.pick(*f)?;
                if rel.starts_with("content/actors") || rel.starts_with("content/pages") {
                    return None;
                }
                let date = match day % 3 {
                    0 => "2025-02".to_owned(),
                    1 => format!("~2025-02-{day:02}"),
                    _ => format!("2025-02-{day:02}"),
                };
                self.set_key(&rel, "date", &date);
                content(rel)
            }
            Edit::AddChange(f, day) => {
                let rel = self.pick(*f)?;
                let kind = ["correction", "clarification", "update"][*day as usize % 3];
                let entry = format!(
                    "  - {{date: 2025-03-{day:02}, kind: {kind}, text: \"Changed on day {day}.\"}}\n"
                );
                self.add_to_block(&rel, "changes", &entry).then_some(())?;
                content(rel)
            }
            Edit::SetUpdated(f, day) => {
                let rel = self.pick(*f)?;
                self.set_key(&rel, "updated", &format!("2025-03-{day:02}"));
                content(rel)
            }
            Edit::SetStatus(f, n) => {
                let rel = self.pick(*f)?;
                let statuses: &[&str] = if rel.starts_with("content/meetings") {
                    &["held", "scheduled", "cancelled", "postponed"]
                } else if rel.starts_with("content/proposals") {
                    &["agreed", "stalled", "under-negotiation", "signed"]
                } else {
                    return None;
                };
                self.set_key(&rel, "status", statuses[*n as usize % statuses.len()]);
                content(rel)
            }
            Edit::AddAlias(f, w) => {
                let rel = self.pick(*f)?;
                self.add_to_list(&rel, "aliases", &format!("\"{w}\""))
                    .then_some(())?;
                content(rel)
            }
            Edit::AddQuestion(f, w) => {
                let rel = self.pick(*f)?;
                let question = format!(
                    "  - question: \"What about {w}?\"\n    answer: \"See [[{}]].\"\n",
                    Self::slug(&rel)
                );
                self.add_to_block(&rel, "reader_questions", &question)
                    .then_some(())?;
                content(rel)
            }
            Edit::SetAffiliation(f, t) => {
                let rel = self.pick_in(*f, "actors")?;
                let target = Self::slug(&self.pick_in(*t, "actors")?);
                self.set_key(&rel, "affiliation", &target);
                content(rel)
            }
            Edit::SetActorType(f, n) => {
                let rel = self.pick_in(*f, "actors")?;
                self.set_key(&rel, "type", ["country", "person"][*n as usize % 2]);
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
            Edit::Translate(f, n) => {
                let rel = self.pick(*f).filter(|p| !Self::slug(p).contains('.'))?;
                let stem = Self::slug(&rel);
                let typed = match n {
                    0 => "",
                    1 => "type: group\n",
                    _ => "key_facts:\n  - {label: \"Факт\"}\n",
                };
                let uk = rel.with_file_name(format!("{stem}.uk.md"));
                self.write(
                    &uk,
                    &format!(
                        "---\ntitle: \"Переклад {stem}\"\n{typed}---\nТекст про [[{stem}]].\n"
                    ),
                );
                content(uk)
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
            // A stylesheet of the site's own replaces the theme's and is
            // published under a new name every page links.
            Edit::Static(n @ 3..) => {
                let rel = PathBuf::from("style.css");
                if *n == 4 {
                    let _ = std::fs::remove_file(self.root.join("static").join(&rel));
                } else {
                    self.write(&Path::new("static").join(&rel), "body { color: #111 }\n");
                }
                Some(Change::Static(rel))
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
            Edit::HomeRef(t) => {
                let rel = PathBuf::from("content/_index.md");
                let target = Self::slug(&self.pick(*t)?);
                self.write(&rel, &format!("{}\nAlso [[{target}]].\n", self.read(&rel)));
                content(rel)
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

/// A site whose relations form chains: actor `a{n}` and `a{n+1}` meet at
/// meeting `m{n}`, which discusses proposal `p{n/3}`; each proposal is
/// backed by one actor and opposed by another, three apart, and cites
/// source `s{n}` in a key fact. Pages four steps apart share nothing, so
/// an edit that reaches too far or not far enough shows. Staleness lint,
/// autolinking, a short feed and lists of two per page are on.
pub fn chain_site() -> Vec<(String, String)> {
    const ACTORS: usize = 10;
    const PROPOSALS: usize = 3;
    let mut files = vec![(
        "site.yaml".to_owned(),
        "title: \"Chains\"\nbase_url: \"https://example.org/\"\nautolink: true\nfeed_limit: 3\npaginate_by: 2\nstale_after_days: 20\nmenu:\n  - {title: \"A zero\", url: \"/actors/a0/\"}\nextra:\n  story_status: active\n".to_owned(),
    )];
    let names = [
        "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine",
    ];
    for (n, name) in names.iter().enumerate().take(ACTORS) {
        let affiliation = if n % 4 == 1 && n + 1 < ACTORS {
            format!("affiliation: a{}\n", n + 1)
        } else {
            String::new()
        };
        files.push((
            format!("content/actors/a{n}.md"),
            format!(
                "---\ntitle: \"Actor {name}\"\nsummary: \"Actor {n}.\"\ntype: person\nrole: \"Envoy\"\n{affiliation}---\nActor {name} works near Actor {}.\n",
                names[(n + 2) % ACTORS]
            ),
        ));
    }
    for n in 0..ACTORS - 1 {
        files.push((
            format!("content/meetings/m{n}.md"),
            format!(
                "---\ntitle: \"Meeting {n}\"\nsummary: \"Round {n}.\"\ndate: 2025-01-{:02}\nhost: a{n}\nparticipants: [a{n}, a{}]\nproposals: [p{}]\nstatus: held\n---\nThey met.\n",
                n + 1,
                n + 1,
                n / 3
            ),
        ));
    }
    for n in 0..PROPOSALS {
        files.push((
            format!("content/proposals/p{n}.md"),
            format!(
                "---\ntitle: \"Plan {n}\"\nsummary: \"Plan {n}.\"\nstatus: under-negotiation\ndate: 2025-01-{:02}\nsupporters: [a{}]\nopponents: [a{}]\nkey_facts:\n  - label: \"Backed by Actor {}\"\n    value: \"Yes\"\n    sources: [s{n}]\nreader_questions:\n  - question: \"Will it pass?\"\n---\nA plan.\n",
                n + 10,
                3 * n,
                3 * n + 3,
                names[3 * n]
            ),
        ));
        files.push((
            format!("content/sources/s{n}.md"),
            format!("---\ntitle: \"Report {n}\"\npublisher: \"Wire\"\ndate: 2024-12-{:02}\n---\nA report.\n", n + 1),
        ));
    }
    files
}
