//! Languages (issue #18): translation files beside their originals. One
//! fixture site per behaviour under `tests/sites/lang-*`; the bad-input
//! fixtures assert the message, `file:line:col` and the exit code, as
//! `tests/error_messages.rs` does.

mod common;

use std::path::{Path, PathBuf};

use explainer::cmd::CompileOptions;
use explainer::diag::{Diagnostic, Severity};
use explainer::engine::{Change, Engine};

/// A fixture site under `tests/sites/`.
fn site(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sites")
        .join(name)
}

/// `explainer check` on a site: exit code and what it printed.
fn check(root: &Path) -> (Option<i32>, String) {
    let out = common::explainer(root, &["check", "--root", root.to_str().unwrap()]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts that `stderr` holds a diagnostic whose first two lines are
/// `lines` (message and location).
fn assert_diagnostic(stderr: &str, lines: [&str; 2]) {
    let all: Vec<&str> = stderr.lines().collect();
    let found = all.windows(2).any(|w| w == &lines[..]);
    assert!(found, "expected\n{}\n{}\nin:\n{stderr}", lines[0], lines[1]);
}

/// The errors and warnings of one code, as `message @ file:line:col`.
fn located(stderr: &str, code: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].ends_with(&format!("[{code}]")))
        .map(|w| format!("{} @ {}", w[0], w[1].trim_start_matches("  --> ")))
        .collect()
}

#[test]
fn a_site_with_translations_checks_clean() {
    let (code, stderr) = check(&site("lang-ok"));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("[translation-"), "{stderr}");
    assert!(stderr.contains("0 errors"), "{stderr}");
}

#[test]
fn a_typed_key_that_differs_contradicts_the_original() {
    let (code, stderr) = check(&site("lang-contradiction"));
    assert_eq!(code, Some(1), "{stderr}");
    assert_diagnostic(
        &stderr,
        [
            "error: `type` contradicts the original, content/actors/volodymyr-zelensky.md; remove it, typed data comes from the original [translation-contradicts]",
            "  --> content/actors/volodymyr-zelensky.uk.md:3:1",
        ],
    );
    assert!(stderr.contains("1 error"), "{stderr}");
}

#[test]
fn fact_sources_that_differ_contradict_the_original() {
    let (code, stderr) = check(&site("lang-item-contradiction"));
    assert_eq!(code, Some(1), "{stderr}");
    assert_diagnostic(
        &stderr,
        [
            "error: `sources` in this item of `key_facts` contradicts the original, content/actors/volodymyr-zelensky.md; remove it, typed data comes from the original [translation-contradicts]",
            "  --> content/actors/volodymyr-zelensky.uk.md:3:46",
        ],
    );
}

#[test]
fn a_list_of_another_length_is_an_error() {
    let (code, stderr) = check(&site("lang-length"));
    assert_eq!(code, Some(1), "{stderr}");
    assert_diagnostic(
        &stderr,
        [
            "error: `key_facts` has 1 item but the original has 2 items [translation-length]",
            "  --> content/actors/volodymyr-zelensky.uk.md:3:1",
        ],
    );
}

#[test]
fn a_translation_without_an_original_is_an_error() {
    let (code, stderr) = check(&site("lang-no-original"));
    assert_eq!(code, Some(1), "{stderr}");
    assert_diagnostic(
        &stderr,
        [
            "error: a translation of `actors/petro-poroshenko`, which does not exist [translation-no-original]",
            "  --> content/actors/petro-poroshenko.uk.md:1:1",
        ],
    );
    assert!(stderr.contains("write the original, content/actors/petro-poroshenko.md, first"));
}

#[test]
fn a_translation_into_a_language_the_site_lacks_is_an_error() {
    let (code, stderr) = check(&site("lang-unknown-language"));
    assert_eq!(code, Some(1), "{stderr}");
    assert_diagnostic(
        &stderr,
        [
            "error: `fr` is not one of the site's languages [translation-language]",
            "  --> content/actors/volodymyr-zelensky.fr.md:1:1",
        ],
    );
    assert!(stderr.contains("(languages: en, uk)"), "{stderr}");
}

/// A copy of a fixture in a temporary folder, to edit.
fn copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_tree(&site(name), dir.path());
    dir
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).expect("fixture file");
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replace(from, to)).expect("write");
}

const ZELENSKY: &str = "content/actors/volodymyr-zelensky.md";

#[test]
fn new_translate_writes_a_skeleton_that_checks_clean() {
    let dir = copy("lang-ok");
    let root = dir.path();
    let out = common::explainer(root, &["new", "--translate", "uk", "meetings/paris-summit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "content/meetings/paris-summit.uk.md\n"
    );
    let text = std::fs::read_to_string(root.join("content/meetings/paris-summit.uk.md")).unwrap();
    assert!(text.contains("\ntranslated_from: "), "{text}");
    assert!(text.contains("\ntitle: \"Paris summit\"\n"), "{text}");
    assert!(
        !text.contains("date:"),
        "typed data stays in the original:\n{text}"
    );
    let (code, stderr) = check(root);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("[translation-"), "{stderr}");
    let again = common::explainer(root, &["new", "--translate", "uk", "meetings/paris-summit"]);
    assert_eq!(again.status.code(), Some(2), "never overwrites");
}

#[test]
fn an_edit_to_the_original_warns_per_fact_until_marked_current() {
    let dir = copy("lang-ok");
    let root = dir.path();
    let rel = "content/actors/volodymyr-zelensky.uk.md";
    std::fs::remove_file(root.join(rel)).unwrap();
    let new = common::explainer(
        root,
        &["new", "--translate", "uk", "actors/volodymyr-zelensky"],
    );
    assert!(
        new.status.success(),
        "{}",
        String::from_utf8_lossy(&new.stderr)
    );
    edit(
        root,
        ZELENSKY,
        "Supports a ceasefire along",
        "Rejects a ceasefire along",
    );
    let (code, stderr) = check(root);
    assert_eq!(code, Some(0), "a warning, not an error:\n{stderr}");
    let drift = located(&stderr, "translation-drift");
    assert_eq!(drift.len(), 1, "{stderr}");
    assert!(
        drift[0].starts_with("warning: fact `Position on the ceasefire` (item 1 of `key_facts`) changed in the original since this translation"),
        "{}",
        drift[0]
    );
    assert!(drift[0].ends_with(&format!("@ {rel}:9:5")), "{}", drift[0]);
    assert!(
        stderr
            .contains("run `explainer translated uk actors/volodymyr-zelensky` to mark it current")
    );
    let marked = common::explainer(root, &["translated", "uk", "actors/volodymyr-zelensky"]);
    assert!(
        marked.status.success(),
        "{}",
        String::from_utf8_lossy(&marked.stderr)
    );
    let (_, stderr) = check(root);
    assert!(located(&stderr, "translation-drift").is_empty(), "{stderr}");
}

/// The engine `serve` keeps: its diagnostics after each change.
fn after(engine: &mut Engine, rel: &str) -> Vec<Diagnostic> {
    engine.apply(&[Change::Content(PathBuf::from(rel))]);
    engine.diagnostics().items().to_vec()
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.code)
        .collect()
}

#[test]
fn the_kept_engine_follows_edits_to_translations_and_originals() {
    let dir = copy("lang-ok");
    let root = dir.path();
    let mut engine = Engine::new(root, CompileOptions::default());
    assert!(codes(engine.diagnostics().items()).is_empty());
    // An edit to a translation file.
    let uk = "content/actors/volodymyr-zelensky.uk.md";
    edit(root, uk, "type: person", "type: country");
    assert_eq!(codes(&after(&mut engine, uk)), ["translation-contradicts"]);
    edit(root, uk, "type: country", "type: person");
    assert!(codes(&after(&mut engine, uk)).is_empty());
    // An edit to the original that its translation now contradicts.
    edit(root, ZELENSKY, "type: person", "type: group");
    assert_eq!(
        codes(&after(&mut engine, ZELENSKY)),
        ["translation-contradicts"]
    );
    edit(root, ZELENSKY, "type: group", "type: person");
    assert!(codes(&after(&mut engine, ZELENSKY)).is_empty());
    // A new translation file, then its removal.
    let new = "content/meetings/paris-summit.uk.md";
    std::fs::write(root.join(new), "---\ndate: 2026-01-07\n---\n").unwrap();
    assert_eq!(codes(&after(&mut engine, new)), ["translation-contradicts"]);
    let fresh = Engine::new(root, CompileOptions::default());
    assert_eq!(engine.diagnostics().items(), fresh.diagnostics().items());
    assert_eq!(engine.output(), fresh.output());
    std::fs::remove_file(root.join(new)).unwrap();
    assert!(codes(&after(&mut engine, new)).is_empty());
}

#[test]
fn a_ref_in_translated_text_that_finds_no_page_is_an_error() {
    let (code, stderr) = check(&site("lang-bad-ref"));
    assert_eq!(code, Some(1), "{stderr}");
    assert_diagnostic(
        &stderr,
        [
            "error: `paris-sumit` does not match any page [ref-not-found]",
            "  --> content/actors/volodymyr-zelensky.uk.md:5:24",
        ],
    );
    assert!(stderr.contains("1 error"), "{stderr}");
}

/// `explainer serve` over HTTP on a copy of a fixture, as in
/// `tests/serve.rs`: killed when dropped.
struct Served {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(name: &str) -> Served {
        let dir = copy(name);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_explainer"))
            .args(["serve", "--root", dir.path().to_str().unwrap()])
            .args(["--port", &port.to_string()])
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve starts");
        let served = Served { child, port, dir };
        served.wait_for(|body| body.contains("<html"));
        served
    }

    /// The body of `/`, or nothing while the server is not answering.
    fn home(&self) -> Option<String> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        let host = format!("127.0.0.1:{}", self.port);
        write!(
            stream,
            "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).ok()?;
        Some(String::from_utf8_lossy(&raw).into_owned())
    }

    /// Polls `/` until `ok` holds; fails after ten seconds.
    fn wait_for(&self, ok: impl Fn(&str) -> bool) -> String {
        let started = std::time::Instant::now();
        loop {
            if let Some(body) = self.home().filter(|b| ok(b)) {
                return body;
            }
            let late = started.elapsed() > std::time::Duration::from_secs(10);
            assert!(!late, "gave up waiting; last answer:\n{:?}", self.home());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Waits for the error overlay naming `file`, then for it to go once
    /// `undo` ran.
    fn overlay_until(&self, file: &str, undo: impl FnOnce(&Path)) {
        let page = self.wait_for(|b| b.contains("explainer-overlay"));
        assert!(page.contains(file), "the overlay names {file}:\n{page}");
        undo(self.dir.path());
        self.wait_for(|b| b.contains("<html") && !b.contains("explainer-overlay"));
    }
}

#[test]
fn serve_shows_and_clears_errors_of_new_translations_and_edits_to_either_file() {
    let served = Served::start("lang-ok");
    let root = served.dir.path().to_path_buf();
    // A new translation file.
    let new = "content/meetings/paris-summit.uk.md";
    std::fs::write(root.join(new), "---\ndate: 2026-01-07\n---\n").unwrap();
    served.overlay_until(new, |root| {
        std::fs::write(root.join(new), "---\ntitle: \"Паризький саміт\"\n---\n").unwrap()
    });
    // An edit to an original that its translation now contradicts.
    edit(&root, ZELENSKY, "type: person", "type: group");
    served.overlay_until("content/actors/volodymyr-zelensky.uk.md", |root| {
        edit(root, ZELENSKY, "type: group", "type: person")
    });
    // An edit to a translation file.
    let uk = "content/actors/volodymyr-zelensky.uk.md";
    edit(&root, uk, "type: person", "type: country");
    served.overlay_until(uk, |root| edit(root, uk, "type: country", "type: person"));
}
