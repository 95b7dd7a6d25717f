//! The authoring commands as a writer meets them: `init` makes a site that
//! checks and builds clean, `new` names files after titles and never
//! overwrites, and the global flags (`--quiet`, `--verbose`, `--color`,
//! `--version`, `completions`) behave as documented in docs/cli.md.

mod common;

use std::path::Path;

use common::{explainer, files, fixture};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `explainer init <tmp>/site`, asserting success; returns the temp dir.
fn init_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = explainer(dir.path(), &["init", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

#[test]
fn init_makes_a_site_that_checks_with_no_warnings_and_builds_silently() {
    let dir = init_site();
    let site = dir.path().join("site");
    let check = explainer(&site, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert_eq!(stderr(&check), "0 errors, 0 warnings\n");
    let build = explainer(&site, &["build"]);
    assert!(build.status.success(), "{}", stderr(&build));
    assert_eq!(stderr(&build), "");
    assert!(stdout(&build).starts_with("Built "), "{}", stdout(&build));
    for page in [
        "index.html",
        "actors/maria-kovalenko/index.html",
        "meetings/first-round-geneva/index.html",
        "proposals/river-treaty-draft/index.html",
        "sources/example-wire-talks-open/index.html",
        "pages/about/index.html",
    ] {
        assert!(site.join("public").join(page).is_file(), "missing {page}");
    }
}

#[test]
fn init_uses_the_built_in_theme_and_says_what_to_do_next() {
    let dir = init_site();
    let site = dir.path().join("site");
    assert!(
        !site.join("themes").exists(),
        "the theme is referenced, not copied"
    );
    let yaml = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    assert!(yaml.contains("theme: default"));
    let again = explainer(dir.path(), &["init", "other"]);
    let text = stdout(&again);
    assert!(
        text.contains("cd other") && text.contains("explainer build"),
        "{text}"
    );
}

#[test]
fn init_refuses_a_non_empty_folder_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = explainer(dir.path(), &["init", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        files(dir.path()),
        vec![Path::new("notes.txt").to_path_buf()]
    );
}

#[test]
fn init_with_force_adds_files_but_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), "title: \"Mine\"\n").unwrap();
    let out = explainer(dir.path(), &["init", ".", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("site.yaml")).unwrap(),
        "title: \"Mine\"\n"
    );
    assert!(
        stderr(&out).contains("skipped site.yaml"),
        "{}",
        stderr(&out)
    );
    assert!(
        dir.path()
            .join("content/actors/maria-kovalenko.md")
            .is_file()
    );
}

#[test]
fn new_names_the_file_after_the_title_and_prints_its_path() {
    let dir = init_site();
    let site = dir.path().join("site");
    let out = explainer(&site, &["new", "actor", "Володимир Зеленський"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "content/actors/volodymyr-zelenskyi.md\n");
    let text = std::fs::read_to_string(site.join("content/actors/volodymyr-zelenskyi.md")).unwrap();
    assert!(
        text.starts_with("---\ntitle: \"Володимир Зеленський\"\n"),
        "{text}"
    );
    let page = explainer(
        dir.path(),
        &["new", "page", "Méthodologie", "--root", "site"],
    );
    assert_eq!(stdout(&page), "site/content/pages/methodologie.md\n");
}

#[test]
fn a_new_file_of_every_kind_checks_without_errors() {
    let dir = init_site();
    let site = dir.path().join("site");
    for (kind, title) in [
        ("actor", "Émile Zola"),
        ("meeting", "Second round in Kraków"),
        ("proposal", "Łódź compromise"),
        ("source", "Reuters: \"talks resume\""),
        ("page", "Methodology"),
    ] {
        let out = explainer(&site, &["new", kind, title]);
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
    }
    let check = explainer(&site, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(stderr(&check).contains("0 errors, "), "{}", stderr(&check));
}

#[test]
fn new_refuses_to_overwrite_an_existing_file() {
    let dir = init_site();
    let site = dir.path().join("site");
    let out = explainer(&site, &["new", "actor", "Maria Kovalenko"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    let kept = std::fs::read_to_string(site.join("content/actors/maria-kovalenko.md")).unwrap();
    assert!(kept.contains("Chief negotiator"), "the file was changed");
    // A `.yaml` file with the slug is the same page.
    std::fs::write(site.join("content/sources/wire.yaml"), "title: Wire\n").unwrap();
    let yaml = explainer(&site, &["new", "source", "Wire"]);
    assert_eq!(yaml.status.code(), Some(2), "{}", stderr(&yaml));
    assert!(!site.join("content/sources/wire.md").exists());
}

#[test]
fn new_takes_a_slug_for_titles_it_cannot_transliterate() {
    let dir = init_site();
    let site = dir.path().join("site");
    let out = explainer(&site, &["new", "actor", "習近平"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--slug"), "{}", stderr(&out));
    let out = explainer(&site, &["new", "actor", "習近平", "--slug", "xi-jinping"]);
    assert_eq!(
        stdout(&out),
        "content/actors/xi-jinping.md\n",
        "{}",
        stderr(&out)
    );
    let bad = explainer(&site, &["new", "actor", "Xi", "--slug", "Xi Jinping"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_site_archetype_replaces_the_built_in_one() {
    let dir = init_site();
    let site = dir.path().join("site");
    std::fs::create_dir(site.join("archetypes")).unwrap();
    std::fs::write(
        site.join("archetypes/actor.md"),
        "---\ntitle: \"{{title}}\"\nsummary: \"New {{ kind }} {{slug}}\"\nupdated: {{date}}\n---\nHouse style.\n",
    )
    .unwrap();
    let out = explainer(&site, &["new", "actor", "Ada \"the envoy\" Lovelace"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text =
        std::fs::read_to_string(site.join("content/actors/ada-the-envoy-lovelace.md")).unwrap();
    let (head, date) = text.split_once("updated: ").unwrap();
    assert_eq!(
        head,
        "---\ntitle: \"Ada \\\"the envoy\\\" Lovelace\"\nsummary: \"New actor ada-the-envoy-lovelace\"\n"
    );
    assert_eq!(&date[10..], "\n---\nHouse style.\n");
    assert!(
        date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-',
        "{date}"
    );
    // Other kinds still use the built-in archetype.
    let meeting = explainer(&site, &["new", "meeting", "Talks"]);
    let text = std::fs::read_to_string(site.join("content/meetings/talks.md")).unwrap();
    assert!(
        meeting.status.success() && text.contains("# format: in-person"),
        "{text}"
    );
}

#[test]
fn an_unknown_placeholder_in_an_archetype_is_refused() {
    let dir = init_site();
    let site = dir.path().join("site");
    std::fs::create_dir(site.join("archetypes")).unwrap();
    std::fs::write(
        site.join("archetypes/page.md"),
        "---\ntitle: \"{{name}}\"\n---\n",
    )
    .unwrap();
    let out = explainer(&site, &["new", "page", "About us"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("archetypes/page.md"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("{{name}}"), "{}", stderr(&out));
    assert!(!site.join("content/pages/about-us.md").exists());
}

#[test]
fn new_outside_a_site_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = explainer(dir.path(), &["new", "actor", "Ada"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("explainer init"), "{}", stderr(&out));
    assert!(files(dir.path()).is_empty());
}

#[test]
fn quiet_build_prints_nothing_and_verbose_prints_each_stage() {
    let root = fixture("build/basic");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let base = [
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    let quiet = explainer(dir.path(), &[&base[..], &["--quiet"]].concat());
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert_eq!(stdout(&quiet), "");
    assert_eq!(stderr(&quiet), "", "warnings are hidden too");
    let verbose = explainer(dir.path(), &[&base[..], &["--verbose"]].concat());
    let text = stderr(&verbose);
    for stage in ["load", "resolve", "render", "write"] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(stage) && l.ends_with(" ms")),
            "no {stage} timing in:\n{text}"
        );
    }
    let both = explainer(dir.path(), &[&base[..], &["-q", "-v"]].concat());
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn quiet_check_still_reports_errors() {
    let dir = init_site();
    let site = dir.path().join("site");
    let file = site.join("content/meetings/first-round-geneva.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("date: 2026-01-14", "date: 2026-02-30")).unwrap();
    let out = explainer(&site, &["check", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a valid date"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn color_is_a_global_flag_and_never_means_never() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    assert!(explainer(dir.path(), &["init", "site"]).status.success());
    std::fs::write(
        site.join("content/pages/lonely.md"),
        "---\ntitle: Lonely\n---\n",
    )
    .unwrap();
    let always = explainer(&site, &["--color", "always", "check"]);
    assert!(stderr(&always).contains("\x1b["), "{}", stderr(&always));
    let always_after = explainer(&site, &["check", "--color=always"]);
    assert!(stderr(&always_after).contains("\x1b["));
    let never = explainer(&site, &["check", "--color", "never"]);
    assert!(!stderr(&never).contains('\x1b'));
    // The test helper sets NO_COLOR, and stderr is a pipe: `auto` is plain.
    let auto = explainer(&site, &["check"]);
    assert!(!stderr(&auto).contains('\x1b'));
}

#[test]
fn version_and_completions_are_printed() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let version = explainer(here, &["--version"]);
    assert_eq!(
        stdout(&version),
        format!("explainer {}\n", env!("CARGO_PKG_VERSION"))
    );
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef explainer"),
        ("fish", "complete -c explainer"),
    ] {
        let out = explainer(here, &["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("init") && script.contains("new"), "{shell}");
    }
}

#[test]
fn every_command_has_examples_in_its_help() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for command in ["build", "check", "init", "new", "completions"] {
        let out = explainer(here, &[command, "--help"]);
        assert!(
            stdout(&out).contains("Examples:\n  explainer "),
            "{command} --help:\n{}",
            stdout(&out)
        );
    }
}

#[test]
fn completions_into_a_closed_pipe_end_quietly_with_exit_0() {
    // `explainer completions zsh | head -1`: the reader is gone before
    // the script is written.
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_explainer"))
        .current_dir(here)
        .args(["completions", "zsh"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_under_stdout_or_stderr_is_never_a_panic() {
    let full = || {
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::process::Command::new(env!("CARGO_BIN_EXE_explainer"))
        .current_dir(here)
        .args(["completions", "bash"])
        .stdout(full())
        .output()
        .unwrap();
    assert_eq!(
        script.status.code(),
        Some(2),
        "a cut-off script is an error"
    );
    assert!(
        stderr(&script).contains("cannot write to standard output"),
        "{}",
        stderr(&script)
    );
    let dir = tempfile::tempdir().unwrap();
    let root = fixture("build/basic");
    // This fixture has warnings: the report goes to a full stderr.
    let build = std::process::Command::new(env!("CARGO_BIN_EXE_explainer"))
        .current_dir(dir.path())
        .arg("build")
        .arg("--root")
        .arg(&root)
        .args(["--output", "out"])
        .stdout(full())
        .stderr(full())
        .status()
        .unwrap();
    assert_eq!(build.code(), Some(0));
}

#[test]
fn getting_started_shows_the_summary_the_starter_site_builds_with() {
    let dir = init_site();
    let build = explainer(&dir.path().join("site"), &["build"]);
    let printed = stdout(&build);
    let counts = printed.split(" into ").next().unwrap();
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/getting-started.md"),
    )
    .unwrap();
    assert!(
        guide.contains(&format!("{counts} into ./public")),
        "docs/getting-started.md should show `{counts}`"
    );
}

#[test]
fn the_starter_site_yaml_names_every_key_and_its_menu_includes_the_map() {
    let dir = init_site();
    let site = dir.path().join("site");
    let yaml = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    for key in explainer::config::KEYS {
        assert!(
            yaml.contains(&format!("{key}:")),
            "site.yaml does not name `{key}`"
        );
    }
    assert!(yaml.contains("Timeline, Map and Questions"));
    assert!(explainer(&site, &["build"]).status.success());
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(
        home.contains(r#"href="map/index.html""#),
        "no Map in the menu"
    );
}
