//! `explainer deploy` against a real S3-compatible server: moto's server
//! mode (PyPI `moto[server]`, which `.ci/run` installs), started by each
//! test on a free port of 127.0.0.1, and against a plain folder.
//!
//! The bucket is read back with `object_store`, the same library deploy
//! uses, but through its own client: bytes, Content-Type and
//! Cache-Control are what the server stored.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, ObjectStore, ObjectStoreExt};

const BUCKET: &str = "explainer-test";
const PREFIX: &str = "site";
const KEY: &str = "test-key";
const SECRET: &str = "test-secret-do-not-print";
/// How long moto may take to start answering.
const STARTUP: Duration = Duration::from_secs(30);

/// A moto server process, killed when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Starts moto; `None` (with a message) when it is not installed and
    /// this is not CI, where its absence fails the test.
    fn start() -> Option<Moto> {
        Moto::start_with(&[])
    }

    fn start_with(env: &[(&str, &str)]) -> Option<Moto> {
        let port = free_port();
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "moto_server is missing in CI ({e}); .ci/run installs it with pip install 'moto[server]'"
                );
                eprintln!(
                    "skipped: moto_server not found ({e}); pip install 'moto[server]' to run the deploy tests"
                );
                return None;
            }
        };
        let moto = Moto { child, port };
        moto.wait_until_up();
        Some(moto)
    }

    fn wait_until_up(&self) {
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < STARTUP,
                "moto did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client of the bucket, rooted at the bucket (not the prefix).
    fn client(&self) -> AmazonS3 {
        AmazonS3Builder::new()
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_access_key_id(KEY)
            .with_secret_access_key(SECRET)
            .build()
            .expect("a client")
    }

    fn create_bucket(&self) {
        let request = format!(
            "PUT /{BUCKET} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// What the bucket holds under the prefix: path → (bytes, content type,
/// cache control). The deploy manifest is left out.
fn bucket(moto: &Moto) -> BTreeMap<String, (Vec<u8>, String, String)> {
    let client = moto.client();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use futures_util::TryStreamExt;
        let prefix = ObjectPath::from(PREFIX);
        let listed: Vec<_> = client.list(Some(&prefix)).try_collect().await.unwrap();
        let mut out = BTreeMap::new();
        for meta in listed {
            let path = meta.location.to_string();
            let rel = path.strip_prefix(&format!("{PREFIX}/")).unwrap().to_owned();
            if rel.starts_with(".explainer-deploy/") {
                continue;
            }
            let got = client.get(&meta.location).await.unwrap();
            let attr = |a: &Attribute| {
                got.attributes
                    .get(a)
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            };
            let (ct, cc) = (
                attr(&Attribute::ContentType),
                attr(&Attribute::CacheControl),
            );
            out.insert(rel, (got.bytes().await.unwrap().to_vec(), ct, cc));
        }
        out
    })
}

/// A copy of the fixture site whose first target is `url`.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    fn new(url: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        common::copy_tree(&common::fixture("deploy/site"), &root);
        let site = Site { _dir: dir, root };
        site.set_target(url);
        site
    }

    fn for_moto(moto: &Moto) -> Site {
        Site::new(&s3_url(moto.port))
    }

    fn set_target(&self, url: &str) {
        let base = std::fs::read_to_string(common::fixture("deploy/site/site.yaml")).unwrap();
        let yaml = format!(
            "{base}deploy:\n  targets:\n    - {{name: production, url: \"{url}\"}}\n  cache_control:\n    - {{glob: \"files/**\", value: \"public, max-age=600\"}}\n"
        );
        std::fs::write(self.root.join("site.yaml"), yaml).unwrap();
    }

    fn out(&self) -> PathBuf {
        self.root.join("public")
    }

    fn build(&self) {
        let run = self.explainer(&["build", "--quiet"]);
        assert!(run.status.success(), "build: {}", stderr(&run));
    }

    fn explainer(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--root", self.root.to_str().unwrap()]);
        run_with_keys(&self.root, &all, KEY, SECRET)
    }

    fn deploy(&self, args: &[&str]) -> Output {
        let mut all = vec!["deploy"];
        all.extend_from_slice(args);
        self.explainer(&all)
    }

    fn deploy_ok(&self, args: &[&str]) -> Counts {
        let run = self.deploy(args);
        assert!(
            run.status.success(),
            "deploy {args:?} failed:\n{}",
            stderr(&run)
        );
        Counts::of(&stdout(&run))
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }

    /// The output folder's files and bytes, without the build's marker.
    fn output(&self) -> BTreeMap<String, Vec<u8>> {
        common::files(&self.out())
            .into_iter()
            .filter(|p| p != Path::new(explainer::output::MARKER))
            .map(|p| {
                let bytes = std::fs::read(self.out().join(&p)).unwrap();
                (p.to_string_lossy().replace('\\', "/"), bytes)
            })
            .collect()
    }
}

fn s3_url(port: u16) -> String {
    format!("s3://{BUCKET}/{PREFIX}?region=us-east-1&endpoint=http://127.0.0.1:{port}")
}

/// Runs explainer with the given credentials and no other AWS settings.
fn run_with_keys(cwd: &Path, args: &[&str], key: &str, secret: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_explainer"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    command
        .current_dir(cwd)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("NO_COLOR", "1")
        .output()
        .expect("explainer runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The numbers of the summary line.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    uploaded: usize,
    deleted: usize,
    unchanged: usize,
}

impl Counts {
    fn of(summary: &str) -> Counts {
        let number_before = |word: &str| -> usize {
            let at = summary
                .find(word)
                .unwrap_or_else(|| panic!("no {word:?} in {summary:?}"));
            summary[..at]
                .split_whitespace()
                .last()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no count before {word:?} in {summary:?}"))
        };
        let uploaded = summary
            .find(" uploaded")
            .map(|_| number_before(" uploaded"))
            .unwrap_or(0);
        Counts {
            uploaded,
            deleted: number_before(" deleted"),
            unchanged: number_before(" unchanged"),
        }
    }
}

/// Files whose bytes differ between two builds, or that only one has.
fn changed(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    after
        .iter()
        .filter(|(p, b)| before.get(*p) != Some(*b))
        .map(|(p, _)| p.clone())
        .collect()
}

fn assert_bucket_is_the_build(moto: &Moto, site: &Site) {
    let held: BTreeMap<String, Vec<u8>> = bucket(moto)
        .into_iter()
        .map(|(p, (bytes, _, _))| (p, bytes))
        .collect();
    let built = site.output();
    assert_eq!(
        held.keys().collect::<Vec<_>>(),
        built.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &built {
        assert!(held[path] == *bytes, "{path} differs in the bucket");
    }
}

/// A site deployed once to a fresh bucket.
fn deployed() -> Option<(Moto, Site)> {
    let moto = Moto::start()?;
    moto.create_bucket();
    let site = Site::for_moto(&moto);
    site.build();
    site.deploy_ok(&[]);
    Some((moto, site))
}

#[test]
fn the_first_deploy_uploads_every_file_and_a_second_uploads_nothing() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket();
    let site = Site::for_moto(&moto);
    site.build();
    let files = site.output().len();
    let first = site.deploy_ok(&[]);
    assert_eq!(first.uploaded, files);
    assert_bucket_is_the_build(&moto, &site);
    site.build();
    let second = site.deploy_ok(&[]);
    assert_eq!(
        second,
        Counts {
            uploaded: 0,
            deleted: 0,
            unchanged: files
        }
    );
}

#[test]
fn after_a_one_file_body_edit_only_the_files_whose_bytes_changed_are_uploaded() {
    let Some((moto, site)) = deployed() else {
        return;
    };
    let before = site.output();
    site.edit(
        "content/meetings/paris-summit.md",
        "ended with a declaration",
        "ended with a joint declaration",
    );
    site.build();
    let after = site.output();
    let expected = changed(&before, &after);
    assert!(
        !expected.is_empty() && expected.len() < after.len() / 2,
        "{expected:?}"
    );
    let plan = stdout(&site.deploy(&["--dry-run"]));
    let planned: Vec<String> = plan
        .lines()
        .filter(|l| l.starts_with("upload"))
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_owned))
        .collect();
    let mut sorted = planned.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "{plan}");
    let counts = site.deploy_ok(&[]);
    assert_eq!(counts.uploaded, expected.len());
    assert_bucket_is_the_build(&moto, &site);
}

#[test]
fn a_deleted_pages_objects_are_deleted() {
    let Some((moto, site)) = deployed() else {
        return;
    };
    std::fs::remove_file(site.root.join("content/actors/carl-gauss.md")).unwrap();
    site.build();
    let counts = site.deploy_ok(&[]);
    assert!(counts.deleted >= 1, "{counts:?}");
    let held = bucket(&moto);
    assert!(!held.contains_key("actors/carl-gauss/index.html"));
    assert_bucket_is_the_build(&moto, &site);
}

#[test]
fn more_deletes_than_max_deletes_are_refused_without_force() {
    let Some((moto, site)) = deployed() else {
        return;
    };
    let held_before = bucket(&moto);
    std::fs::remove_file(site.root.join("content/actors/carl-gauss.md")).unwrap();
    site.build();
    let refused = site.deploy(&["--max-deletes", "0"]);
    assert_eq!(refused.status.code(), Some(2));
    let message = stderr(&refused);
    assert!(
        message.contains("refusing to delete") && message.contains("--force"),
        "{message}"
    );
    assert_eq!(
        bucket(&moto),
        held_before,
        "a refused deploy changed the bucket"
    );
    let forced = site.deploy_ok(&["--max-deletes", "0", "--force"]);
    assert!(forced.deleted >= 1);
}

#[test]
fn a_dry_run_prints_the_plan_and_changes_nothing() {
    let Some((moto, site)) = deployed() else {
        return;
    };
    let held_before = bucket(&moto);
    site.edit(
        "content/actors/beta-land.md",
        "hosted the talks",
        "hosted the first talks",
    );
    std::fs::remove_file(site.root.join("content/actors/carl-gauss.md")).unwrap();
    site.build();
    let run = site.deploy(&["--dry-run"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let plan = stdout(&run);
    assert!(
        plan.contains("upload  changed  actors/beta-land/index.html"),
        "{plan}"
    );
    assert!(
        plan.contains("delete           actors/carl-gauss/index.html"),
        "{plan}"
    );
    assert!(plan.contains("nothing was changed"), "{plan}");
    assert_eq!(bucket(&moto), held_before);
}

#[test]
fn objects_carry_their_content_type_and_cache_control() {
    let Some((moto, _site)) = deployed() else {
        return;
    };
    let held = bucket(&moto);
    let headers = |p: &str| (held[p].1.as_str(), held[p].2.as_str());
    let revalidate = "public, max-age=0, must-revalidate";
    assert_eq!(
        headers("actors/ada-lovelace/index.html"),
        ("text/html; charset=utf-8", revalidate)
    );
    assert_eq!(headers("sitemap.xml"), ("application/xml", revalidate));
    assert_eq!(
        headers("files/note.txt"),
        ("text/plain; charset=utf-8", "public, max-age=600")
    );
    let css = held
        .keys()
        .find(|p| p.ends_with(".css"))
        .expect("a stylesheet");
    assert_eq!(headers(css).0, "text/css; charset=utf-8");
}

/// A TCP proxy in front of moto that passes `budget` bytes of requests
/// and then stops: open connections are cut and new ones refused, as when
/// the host goes away half-way through a deploy.
struct CutProxy {
    port: u16,
    stopped: Arc<AtomicBool>,
}

impl CutProxy {
    fn start(upstream: u16, budget: u64) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stopped = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let flag = Arc::clone(&stopped);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if flag.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                open.lock().unwrap().push(client.try_clone().unwrap());
                open.lock().unwrap().push(server.try_clone().unwrap());
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (flag, sent, open) = (Arc::clone(&flag), Arc::clone(&sent), Arc::clone(&open));
                std::thread::spawn(move || pipe(client, server, Some((sent, budget, flag, open))));
                std::thread::spawn(move || pipe(s2, c2, None));
            }
        });
        CutProxy { port, stopped }
    }
}

type Meter = (
    Arc<AtomicU64>,
    u64,
    Arc<AtomicBool>,
    Arc<Mutex<Vec<TcpStream>>>,
);

/// Copies `from` to `to`; with a meter, counts the bytes and cuts every
/// connection once the budget is spent.
fn pipe(mut from: TcpStream, mut to: TcpStream, meter: Option<Meter>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some((sent, budget, stopped, open)) = &meter
            && (stopped.load(Ordering::SeqCst)
                || sent.fetch_add(n as u64, Ordering::SeqCst) + n as u64 > *budget)
        {
            stopped.store(true, Ordering::SeqCst);
            for s in open.lock().unwrap().iter() {
                let _ = s.shutdown(Shutdown::Both);
            }
            break;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[test]
fn a_deploy_cut_off_half_way_is_finished_by_running_it_again() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket();
    let site = Site::for_moto(&moto);
    site.build();
    let total: u64 = site.output().values().map(|b| b.len() as u64).sum();
    let proxy = CutProxy::start(moto.port, total / 2);
    site.set_target(&s3_url(proxy.port));
    let cut = site.deploy(&[]);
    assert!(proxy.stopped.load(Ordering::SeqCst), "the proxy never cut");
    assert_eq!(cut.status.code(), Some(2), "{}", stderr(&cut));
    let message = stderr(&cut);
    assert!(
        message.contains("on deploy target `production`"),
        "{message}"
    );
    let partial = bucket(&moto).len();
    assert!(
        partial < site.output().len(),
        "everything arrived: {partial}"
    );
    site.set_target(&s3_url(moto.port));
    site.deploy_ok(&[]);
    assert_bucket_is_the_build(&moto, &site);
    assert_eq!(site.deploy_ok(&[]).uploaded, 0);
}

#[test]
fn a_wrong_credential_exits_2_with_a_clear_message_and_no_secret() {
    let Some(moto) = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]) else {
        return;
    };
    let site = Site::for_moto(&moto);
    site.build();
    let secret = "wrong-secret-never-printed";
    let mut args = vec!["deploy", "--root", site.root.to_str().unwrap()];
    args.push("--quiet");
    let run = run_with_keys(&site.root, &args, "AKIAWRONGWRONG", secret);
    assert_eq!(run.status.code(), Some(2));
    let message = stderr(&run);
    assert!(
        message.contains("access denied") && message.contains("AWS_ACCESS_KEY_ID"),
        "{message}"
    );
    assert!(
        message.contains("`production` (s3://explainer-test/site)"),
        "{message}"
    );
    assert!(!message.contains(secret), "{message}");
}

#[test]
fn an_unknown_bucket_exits_2_with_a_clear_message() {
    let Some(moto) = Moto::start() else { return };
    let site = Site::for_moto(&moto);
    site.build();
    let run = site.deploy(&[]);
    assert_eq!(run.status.code(), Some(2));
    let message = stderr(&run);
    assert!(message.contains("the bucket does not exist"), "{message}");
}

#[test]
fn a_folder_target_receives_the_site_and_only_changes_later() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("www");
    let site = Site::new(&format!("file://{}", target.display()));
    site.build();
    let files = site.output().len();
    assert_eq!(site.deploy_ok(&[]).uploaded, files);
    for (path, bytes) in site.output() {
        assert!(
            std::fs::read(target.join(&path)).unwrap() == bytes,
            "{path}"
        );
    }
    assert_eq!(site.deploy_ok(&[]).uploaded, 0);
    std::fs::remove_file(site.root.join("content/actors/carl-gauss.md")).unwrap();
    site.build();
    assert!(site.deploy_ok(&[]).deleted >= 1);
    assert!(!target.join("actors/carl-gauss/index.html").exists());
}

#[test]
fn deploy_without_a_build_says_to_build_first() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::new(&format!("file://{}", dir.path().join("www").display()));
    let run = site.deploy(&[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("run `explainer build` first"),
        "{}",
        stderr(&run)
    );
    let built = site.deploy(&["--build"]);
    assert!(built.status.success(), "{}", stderr(&built));
}
