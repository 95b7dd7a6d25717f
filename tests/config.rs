//! `site.yaml` that is there but unusable: an error at `site.yaml:line:col`
//! and exit 1, never the defaults (which would publish canonical and feed
//! URLs on localhost). Fixtures under `tests/fixtures/config/<case>/`.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{build, check, fixture};

/// `check` and `build` of fixture `config/<case>` both fail with exit 1 and
/// print `expected`; the build writes nothing.
fn fails_with(case: &str, expected: &[&str]) {
    let name = format!("config/{case}");
    let checked = check(&name, &[]);
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert_eq!(checked.status.code(), Some(1), "{stderr}");
    for text in expected {
        assert!(stderr.contains(text), "missing {text:?} in:\n{stderr}");
    }
    let built = build(&name, &[]);
    assert_eq!(built.output.status.code(), Some(1), "{}", built.stderr());
    assert!(
        !built.out().exists(),
        "a build with a bad site.yaml wrote output"
    );
}

#[test]
fn a_site_yaml_that_is_not_utf8_is_an_error_at_the_first_bad_byte() {
    fails_with(
        "not-utf8",
        &[
            "error: site.yaml is not UTF-8 text [not-utf8]",
            "--> site.yaml:1:12",
        ],
    );
}

#[test]
fn a_site_yaml_that_is_a_list_is_an_error_at_the_list() {
    fails_with(
        "list",
        &[
            "error: site.yaml must be a mapping of keys, found a list [wrong-type]",
            "--> site.yaml:2:1",
        ],
    );
}

#[test]
fn a_site_yaml_that_is_a_folder_is_an_error() {
    fails_with(
        "folder",
        &["error: site.yaml is a folder, not a file [config-unreadable]"],
    );
}

#[cfg(unix)]
#[test]
fn a_site_yaml_that_is_a_fifo_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_tree(&fixture("config/list/content"), &site.join("content"));
    let made = Command::new("mkfifo").arg(site.join("site.yaml")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let mut run = Command::new(env!("CARGO_BIN_EXE_explainer"))
        .current_dir(&site)
        .args(["build"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = run.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = run.kill();
            panic!("explainer build waited on a FIFO site.yaml");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut run.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("site.yaml is not a regular file (a FIFO, socket or device)"),
        "{stderr}"
    );
}
