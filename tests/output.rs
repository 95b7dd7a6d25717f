//! The output folder under races, crashes and mistakes: two builds at once,
//! a crash mid-swap, Ctrl-C, a mount point, hand-edited output, and
//! `--output` or `--force` pointed somewhere they must not write.
//!
//! Some scenarios use the debug binary's test hooks (see `src/output.rs`):
//! `EXPLAINER_TEST_CRASH_AFTER=first-rename` aborts between the two renames
//! of the swap, `EXPLAINER_TEST_PAUSE_BEFORE_SWAP_MS` holds a build with its
//! output locked and its temporary folder full.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{explainer, files, fixture};

/// A copy of `build/basic` in a temporary folder, and its output path.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_tree(&fixture("build/basic"), &site);
    (dir, site)
}

fn command(site: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_explainer"));
    command.current_dir(site).args(args).env("NO_COLOR", "1");
    command
}

/// A build from nothing (`--no-cache`): these tests stop it inside the
/// swap of a new output folder, which a build from the cache skips.
fn spawn(site: &Path, envs: &[(&str, &str)]) -> Child {
    command(site, &["build", "--no-cache"])
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Waits until `ready` holds, failing the test after 60 s.
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Names of the build's own leftovers (temporary and saved folders, lock) in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            ["explainer-tmp", "explainer-old", "explainer-lock"]
                .iter()
                .any(|k| n.contains(k))
        })
        .collect()
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn tmp_folder_is_full(site: &Path) -> bool {
    std::fs::read_dir(site).unwrap().flatten().any(|e| {
        e.file_name().to_string_lossy().contains("explainer-tmp")
            && e.path().join(".explainer-output").exists()
    })
}

#[test]
fn two_builds_into_one_output_at_once_take_turns_and_leave_it_whole() {
    let (_dir, site) = site();
    assert!(explainer(&site, &["build"]).status.success());
    let expected = files(&site.join("public"));
    std::fs::remove_dir_all(site.join("public")).unwrap();
    let first = spawn(&site, &[("EXPLAINER_TEST_PAUSE_BEFORE_SWAP_MS", "1500")]);
    wait_until("the first build fills its folder", || {
        tmp_folder_is_full(&site)
    });
    let second = spawn(&site, &[]).wait_with_output().unwrap();
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("waiting for another explainer build (PID "),
        "{}",
        stderr(&second)
    );
    assert_eq!(files(&site.join("public")), expected);
    assert_eq!(leftovers(&site), Vec::<String>::new());
}

#[test]
fn a_crash_between_the_renames_then_a_failing_build_keeps_the_output() {
    let (_dir, site) = site();
    assert!(explainer(&site, &["build"]).status.success());
    let before = snapshot(&site.join("public"));
    let crashed = command(&site, &["build", "--no-cache"])
        .env("EXPLAINER_TEST_CRASH_AFTER", "first-rename")
        .output()
        .unwrap();
    assert!(!crashed.status.success());
    assert!(!site.join("public").exists(), "the hook aborts mid-swap");
    std::fs::write(
        site.join("content/actors/broken.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .unwrap();
    let failed = explainer(&site, &["build"]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("restored the output"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(snapshot(&site.join("public")), before);
    assert_eq!(leftovers(&site), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_build_removes_its_temporary_folder_and_exits_130() {
    let (_dir, site) = site();
    assert!(explainer(&site, &["build"]).status.success());
    let before = snapshot(&site.join("public"));
    let build = spawn(&site, &[("EXPLAINER_TEST_PAUSE_BEFORE_SWAP_MS", "30000")]);
    wait_until("the build fills its folder", || tmp_folder_is_full(&site));
    let killed = Command::new("kill")
        .args(["-INT", &build.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let interrupted = build.wait_with_output().unwrap();
    assert_eq!(
        interrupted.status.code(),
        Some(130),
        "{}",
        stderr(&interrupted)
    );
    assert_eq!(leftovers(&site), Vec::<String>::new());
    assert_eq!(snapshot(&site.join("public")), before);
}

#[test]
fn an_output_naming_a_file_is_refused_with_exit_2() {
    let (dir, site) = site();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    for force in [false, true] {
        let mut args = vec!["build", "--output", file.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        let refused = explainer(&site, &args);
        assert_eq!(refused.status.code(), Some(2));
        assert!(
            stderr(&refused).contains("it is a file, not a folder"),
            "{}",
            stderr(&refused)
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

#[cfg(unix)]
#[test]
fn a_symlink_cannot_lead_the_output_into_content() {
    let (dir, site) = site();
    std::os::unix::fs::symlink(site.join("content"), dir.path().join("link")).unwrap();
    let before = snapshot(&site.join("content"));
    let refused = explainer(&site, &["build", "--output", "../link/public"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("`content/`"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(snapshot(&site.join("content")), before);
}

#[test]
fn force_does_not_empty_the_home_folder_the_working_folder_or_a_git_repository() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture("build/basic");
    let home = dir.path().join("home");
    let work = dir.path().join("work/project");
    let repo = dir.path().join("repo");
    for (folder, file) in [
        (&home, "notes.txt"),
        (&work, "draft.md"),
        (&repo, ".git/HEAD"),
    ] {
        std::fs::create_dir_all(folder.join(file).parent().unwrap()).unwrap();
        std::fs::write(folder.join(file), "mine").unwrap();
    }
    for target in [&home, &dir.path().join("work"), &work, &repo] {
        let refused = command(&work, &["build", "--force", "--root"])
            .arg(&root)
            .arg("--output")
            .arg(target)
            .env("HOME", &home)
            .output()
            .unwrap();
        assert_eq!(refused.status.code(), Some(2), "{}", target.display());
        assert!(
            stderr(&refused).contains("--force does not apply"),
            "{}",
            stderr(&refused)
        );
    }
    assert!(home.join("notes.txt").exists() && work.join("draft.md").exists());
    assert!(repo.join(".git/HEAD").exists());
}

#[test]
fn a_rebuild_rewrites_edited_and_truncated_output_files() {
    let (_dir, site) = site();
    assert!(explainer(&site, &["build"]).status.success());
    let out = site.join("public");
    let before = snapshot(&out);
    let page = out.join("index.html");
    let edited = std::fs::read_to_string(&page)
        .unwrap()
        .replace("<main", "<main hacked");
    std::fs::write(&page, edited).unwrap();
    let css = out.join(common::published(&out, "style.css"));
    let len = std::fs::metadata(&css).unwrap().len();
    std::fs::File::options()
        .write(true)
        .open(&css)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    assert!(explainer(&site, &["build"]).status.success());
    assert_eq!(snapshot(&out), before);
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_in_the_output_is_replaced_by_a_file() {
    let (dir, site) = site();
    assert!(explainer(&site, &["build"]).status.success());
    let page = site.join("public/index.html");
    let planted = dir.path().join("planted.html");
    std::fs::copy(&page, &planted).unwrap();
    std::fs::remove_file(&page).unwrap();
    std::os::unix::fs::symlink(&planted, &page).unwrap();
    assert!(explainer(&site, &["build"]).status.success());
    let meta = std::fs::symlink_metadata(&page).unwrap();
    assert!(meta.is_file(), "the planted symlink was kept");
}

#[cfg(unix)]
#[test]
fn an_unreadable_entry_in_static_fails_the_build_naming_it() {
    let (_dir, site) = site();
    std::fs::create_dir_all(site.join("static/img")).unwrap();
    let socket = site.join("static/img/live.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let failed = explainer(&site, &["build"]);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("static/img/live.sock: not a regular file"),
        "{}",
        stderr(&failed)
    );
    assert!(!site.join("public").exists(), "no smaller site was written");
    std::fs::remove_file(&socket).unwrap();
    std::os::unix::fs::symlink(site.join("static/gone.png"), site.join("static/logo.png")).unwrap();
    let failed = explainer(&site, &["build"]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(
        stderr(&failed).contains("static/logo.png: a broken symlink"),
        "{}",
        stderr(&failed)
    );
}

#[cfg(unix)]
#[test]
fn the_output_folder_keeps_its_permissions_across_builds() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, site) = site();
    assert!(explainer(&site, &["build"]).status.success());
    let out = site.join("public");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o750)).unwrap();
    assert!(explainer(&site, &["build"]).status.success());
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o750);
}

/// Unmounts a test's tmpfs however the test ends.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_output_that_is_a_mount_point_is_written_inside_it() {
    let (_dir, site) = site();
    let out = site.join("public");
    std::fs::create_dir_all(&out).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "explainer-test", out.to_str().unwrap()])
        .stderr(Stdio::null())
        .status();
    if !mounted.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
        return;
    }
    let _mount = Mount(out.clone());
    for _ in 0..2 {
        let built = explainer(&site, &["build"]);
        assert!(built.status.success(), "{}", stderr(&built));
    }
    assert!(out.join("index.html").exists() && out.join(".explainer-output").exists());
    assert_eq!(leftovers(&out), Vec::<String>::new());
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        mounts.contains(out.to_str().unwrap()),
        "still a mount point"
    );
}
