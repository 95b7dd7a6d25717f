//! `git_dates: true`: a page's `updated` defaults to the day of the last
//! commit that touched its file. Each test makes a repository in a
//! temporary folder with the `git` command line, at fixed dates; explainer
//! itself reads it with a library.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_tree, explainer, fixture};
use serde_json::Value;

/// Runs `git` in `dir`, with a fixed identity and the dates given.
fn git(dir: &Path, date: &str, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .status();
    match status {
        Ok(s) => assert!(s.success(), "git {args:?} failed in {}", dir.display()),
        Err(e) => panic!("these tests need the `git` command (apt-get install git): {e}"),
    }
}

/// The fixture `git_dates/pages` in `<repo>/site/`, committed twice: every
/// file but `dan.md` on 4 March 2025, then `ada.md` and `cyd.md` changed
/// at 01:30 on 7 January 2026 in UTC+2 (still 6 January in UTC).
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let site = repo.path().join("site");
    copy_tree(&fixture("git_dates/pages"), &site);
    let dan = site.join("content/actors/dan.md");
    let dan_text = std::fs::read_to_string(&dan).unwrap();
    std::fs::remove_file(&dan).unwrap();
    git(repo.path(), "2025-03-04T10:00:00+00:00", &["init", "-q"]);
    git(repo.path(), "2025-03-04T10:00:00+00:00", &["add", "."]);
    git(
        repo.path(),
        "2025-03-04T10:00:00+00:00",
        &["commit", "-q", "-m", "first"],
    );
    for file in ["ada.md", "cyd.md"] {
        let path = site.join("content/actors").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("First text.", "Second text.")).unwrap();
    }
    let second = "2026-01-07T01:30:00+02:00";
    git(repo.path(), second, &["commit", "-q", "-a", "-m", "second"]);
    std::fs::write(&dan, dan_text).unwrap();
    repo
}

/// Builds the site at `root` into `<root>/../out`; returns stderr.
fn build(root: &Path) -> String {
    let out = root.parent().unwrap().join("out");
    let result = explainer(
        root,
        &["build", "--root", ".", "--output", out.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "{stderr}");
    stderr
}

fn read(root: &Path, rel: &str) -> String {
    let path = root.parent().unwrap().join("out").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `dateModified` in a page's JSON-LD.
fn date_modified(html: &str) -> Value {
    let start = html.find("application/ld+json\">").expect("JSON-LD") + 21;
    let end = start + html[start..].find("</script>").unwrap();
    let ld: Value = serde_json::from_str(&html[start..end]).expect("JSON-LD parses");
    ld["@graph"][0]["dateModified"].clone()
}

/// The `<lastmod>` of `loc` in the sitemap.
fn lastmod(sitemap: &str, loc: &str) -> Option<String> {
    let at = sitemap.find(&format!("<loc>{loc}</loc>"))?;
    let entry = &sitemap[at..sitemap[at..].find("</url>")? + at];
    let start = entry.find("<lastmod>")? + 9;
    Some(entry[start..start + entry[start..].find("</lastmod>")?].to_owned())
}

#[test]
fn pages_take_the_day_of_the_last_commit_that_touched_their_file() {
    let repo = repository();
    let site = repo.path().join("site");
    build(&site);
    let ada = read(&site, "actors/ada/index.html");
    // The author's day, in the author's time zone.
    assert_eq!(date_modified(&ada), "2026-01-07");
    assert!(
        ada.contains("<time datetime=\"2026-01-07\">7 January 2026</time>"),
        "the page shows the day"
    );
    let bob = read(&site, "actors/bob/index.html");
    assert_eq!(date_modified(&bob), "2025-03-04");
    let sitemap = read(&site, "sitemap.xml");
    let base = "https://example.org/dates";
    assert_eq!(
        lastmod(&sitemap, &format!("{base}/actors/ada/")).as_deref(),
        Some("2026-01-07")
    );
    assert_eq!(
        lastmod(&sitemap, &format!("{base}/actors/bob/")).as_deref(),
        Some("2025-03-04")
    );
}

#[test]
fn an_explicit_updated_wins_and_an_uncommitted_file_has_no_date() {
    let repo = repository();
    let site = repo.path().join("site");
    build(&site);
    let cyd = read(&site, "actors/cyd/index.html");
    assert_eq!(
        date_modified(&cyd),
        "2024-12-01",
        "written, though committed later"
    );
    let dan = read(&site, "actors/dan/index.html");
    assert_eq!(date_modified(&dan), Value::Null);
    assert!(!dan.contains("Last updated"));
    let sitemap = read(&site, "sitemap.xml");
    assert_eq!(
        lastmod(&sitemap, "https://example.org/dates/actors/dan/"),
        None
    );
}

#[test]
fn without_git_dates_git_is_not_read() {
    let repo = repository();
    let site = repo.path().join("site");
    let config = site.join("site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("git_dates: true", "git_dates: false")).unwrap();
    build(&site);
    assert_eq!(
        date_modified(&read(&site, "actors/ada/index.html")),
        Value::Null
    );
}

#[test]
fn outside_a_repository_it_warns_once_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_tree(&fixture("git_dates/not-a-repo"), &site);
    let stderr = build(&site);
    let expected = "warning: `git_dates` is on, but the site is not in a git repository: pages without `updated` have no date [git-dates-no-repository]
  --> site.yaml:3:12
  |
3 | git_dates: true
  |            ^^^^
  = hint: commit the site to git (`git init`, `git add .`, `git commit`), or remove `git_dates`
";
    assert!(stderr.contains(expected), "{stderr}");
    assert_eq!(stderr.matches("[git-dates-no-repository]").count(), 1);
}

/// `check` on a site whose repository cannot be read: exit 1, one error
/// at `git_dates`.
fn check_unreadable(site: &Path) -> String {
    let out = explainer(site, &["check", "--root", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("[git-unreadable]").count(), 1, "{stderr}");
    stderr
}

const UNREADABLE_HINT: &str = "  --> site.yaml:3:12
  |
3 | git_dates: true
  |            ^^^^
  = hint: see what git says with `git status` and `git fsck`; or set `git_dates: false` to date pages by `updated` only
";

#[test]
fn a_git_file_pointing_nowhere_is_an_error_at_git_dates() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_tree(&fixture("git_dates/unreadable-repo"), &site);
    std::fs::rename(site.join("dot-git"), site.join(".git")).unwrap();
    let stderr = check_unreadable(&site);
    let git = site.canonicalize().unwrap().join(".git");
    let first = format!(
        "error: `git_dates` is on, but the git repository at {} cannot be read: ",
        git.display()
    );
    let at = stderr.find(&first).unwrap_or_else(|| panic!("{stderr}"));
    let rest = &stderr[at..];
    let line_end = rest.find('\n').unwrap();
    assert!(rest[..line_end].ends_with("[git-unreadable]"));
    assert!(rest[line_end + 1..].starts_with(UNREADABLE_HINT), "{rest}");
}

#[test]
fn a_repository_with_its_objects_lost_is_an_error_at_git_dates() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_tree(&fixture("git_dates/unreadable-repo"), &site);
    std::fs::remove_file(site.join("dot-git")).unwrap();
    git(&site, "2025-03-04T10:00:00+00:00", &["init", "-q"]);
    git(&site, "2025-03-04T10:00:00+00:00", &["add", "."]);
    git(
        &site,
        "2025-03-04T10:00:00+00:00",
        &["commit", "-q", "-m", "first"],
    );
    std::fs::remove_dir_all(site.join(".git/objects")).unwrap();
    std::fs::create_dir(site.join(".git/objects")).unwrap();
    let stderr = check_unreadable(&site);
    let git = site.canonicalize().unwrap().join(".git");
    assert!(
        stderr.contains(&format!(
            "error: `git_dates` is on, but the git repository at {} cannot be read: ",
            git.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains(UNREADABLE_HINT), "{stderr}");
}

#[test]
fn a_shallow_clone_is_warned_about_and_dated_by_its_oldest_commit() {
    let repo = repository();
    let clone = tempfile::tempdir().unwrap();
    let from = format!("file://{}", repo.path().display());
    git(
        clone.path(),
        "2026-02-01T00:00:00+00:00",
        &["clone", "-q", "--depth", "1", &from, "shallow"],
    );
    let site = clone.path().join("shallow/site");
    // Never committed, so not cloned; the home page links it.
    std::fs::copy(
        fixture("git_dates/pages/content/actors/dan.md"),
        site.join("content/actors/dan.md"),
    )
    .unwrap();
    let stderr = build(&site);
    let expected = "warning: `git_dates` is on, but the repository is a shallow clone: a file not changed in the history it has gets the date of its oldest commit [git-dates-shallow]
  --> site.yaml:3:12
  |
3 | git_dates: true
  |            ^^^^
  = hint: fetch the whole history: `git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout
";
    assert!(stderr.contains(expected), "{stderr}");
    // Bob's file last changed in the commit the clone lacks.
    assert_eq!(
        date_modified(&read(&site, "actors/bob/index.html")),
        "2026-01-07"
    );
}

#[test]
fn git_dates_must_be_true_or_false() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_tree(&fixture("git_dates/not-a-repo"), &site);
    let config = site.join("site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("git_dates: true", "git_dates: \"yes\""),
    )
    .unwrap();
    let out = explainer(&site, &["check", "--root", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error: `git_dates` must be true or false, found a string [wrong-type]\n  --> site.yaml:3:12"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("[git-dates-no-repository]"),
        "off when not true"
    );
}
