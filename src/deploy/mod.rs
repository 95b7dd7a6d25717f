//! DEPLOY: the output folder → a bucket or folder named in `site.yaml`,
//! uploading only what changed (`explainer deploy`).
//!
//! [`prepare`] lists the target, reads its manifest ([`manifest`]), scans
//! the output ([`local`]) and compares ([`plan`]); it changes nothing, so a
//! dry run stops there. [`execute`] uploads by phase — assets, pages,
//! indexes — writing the manifest after each, then deletes. Every step is
//! safe to repeat: a deploy cut off anywhere is finished by running it
//! again, which uploads what is still missing or stale.

pub mod headers;
pub mod local;
pub mod manifest;
pub mod plan;
pub mod target;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload};

use crate::cmd::{Failure, say};
use crate::config::{CacheRule, DeployTarget};
use manifest::Manifest;
use plan::{Phase, Plan, Remote};
use target::{Scheme, Target};

/// Requests in flight at once: enough to hide the round trip to a distant
/// store, few enough not to be throttled.
const CONCURRENCY: usize = 16;

/// What the command line asks of a deploy.
#[derive(Debug, Clone)]
pub struct Options {
    pub dry_run: bool,
    pub max_deletes: usize,
    pub force: bool,
    /// Draw a progress line on stderr (a terminal, not `--quiet`).
    pub progress: bool,
}

/// A deploy worked out and not yet carried out.
pub struct Prepared {
    /// The output folder the plan was made from.
    out: std::path::PathBuf,
    pub target: Target,
    pub plan: Plan,
    manifest: Manifest,
    runtime: tokio::runtime::Runtime,
    /// Why the target's manifest was not used, for a warning.
    pub manifest_note: Option<String>,
}

/// What a deploy did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub uploaded: usize,
    pub bytes: u64,
    pub deleted: usize,
    pub unchanged: usize,
}

/// Scans the output, lists the target and works out the plan. Refuses a
/// plan that deletes more than `max_deletes` objects without `force`.
pub fn prepare(
    out: &Path,
    target: &DeployTarget,
    rules: &[CacheRule],
    options: &Options,
) -> Result<Prepared, Failure> {
    let rules = headers::CacheRules::new(rules).map_err(Failure)?;
    let local = local::scan(out, &rules)?;
    let target = target::open(target, !options.dry_run)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the network runtime: {e}")))?;
    let (remote, manifest, manifest_note) = runtime.block_on(read_target(&target))?;
    let plan = plan::make(local, &remote, &manifest);
    if plan.deletes.len() > options.max_deletes && !options.force {
        return Err(Failure(format!(
            "refusing to delete {} objects from {} (more than --max-deletes {}); nothing was changed. \
             Check that the output folder holds the whole site, then pass --force or a larger --max-deletes",
            plan.deletes.len(),
            target.describe(),
            options.max_deletes
        )));
    }
    Ok(Prepared {
        out: out.to_path_buf(),
        target,
        plan,
        manifest,
        runtime,
        manifest_note,
    })
}

/// Every object under the target (without the manifest), and the manifest.
async fn read_target(
    target: &Target,
) -> Result<(BTreeMap<String, Remote>, Manifest, Option<String>), Failure> {
    let listed: Vec<object_store::ObjectMeta> = target
        .store
        .list(None)
        .try_collect()
        .await
        .map_err(|e| first_contact(target, &e))?;
    let mut remote = BTreeMap::new();
    let mut shards = Vec::new();
    for meta in listed {
        let path = meta.location.to_string();
        if manifest::is_shard(&path) {
            shards.push(path);
        } else {
            let there = Remote {
                size: meta.size,
                e_tag: meta.e_tag,
            };
            remote.insert(path, there);
        }
    }
    let (manifest, note) = read_manifest(target, &shards).await?;
    Ok((remote, manifest, note))
}

/// The manifest's shards, merged. A shard that cannot be used is left
/// out (its files are uploaded again) and named in the note.
async fn read_manifest(
    target: &Target,
    shards: &[String],
) -> Result<(Manifest, Option<String>), Failure> {
    let reads = futures_util::stream::iter(shards.iter().map(|shard| async move {
        let got = target.store.get(&ObjectPath::from(shard.as_str())).await;
        let bytes = match got {
            Ok(got) => got.bytes().await,
            Err(e) => Err(e),
        };
        (shard, bytes)
    }))
    .buffer_unordered(CONCURRENCY)
    .collect::<Vec<_>>()
    .await;
    let mut manifest = Manifest::new();
    let mut note = None;
    for (shard, bytes) in reads {
        let bytes = match bytes {
            Ok(b) => b,
            Err(object_store::Error::NotFound { .. }) => continue,
            Err(e) => return Err(failed(target, "read", shard, &e)),
        };
        match Manifest::parse(&bytes) {
            Ok(part) => manifest.files.extend(part.files),
            Err(why) => note = Some(format!("{shard}: {why}")),
        }
    }
    Ok((manifest, note))
}

/// The first request's failure, worded for what usually causes it: a
/// wrong bucket name or credentials.
fn first_contact(target: &Target, e: &object_store::Error) -> Failure {
    let text = e.to_string();
    let cause = if matches!(e, object_store::Error::NotFound { .. })
        || text.contains("NoSuchBucket")
        || text.contains("ContainerNotFound")
    {
        "the bucket does not exist; check the bucket name in the target URL".to_owned()
    } else if matches!(
        e,
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. }
    ) || [
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "403",
        "401",
    ]
    .iter()
    .any(|s| text.contains(s))
    {
        credentials_hint(target.scheme)
    } else {
        format!("{e}")
    };
    Failure(format!(
        "cannot list deploy target {}: {cause}",
        target.describe()
    ))
}

fn credentials_hint(scheme: Scheme) -> String {
    let how = match scheme {
        Scheme::S3 => {
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE)"
        }
        Scheme::Gcs => "GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth application-default login`",
        Scheme::Azure => "AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY or a SAS token",
        Scheme::Folder => "the folder's permissions",
    };
    format!("access denied: the credentials were refused or may not use this bucket; check {how}")
}

/// A request about one object that failed, naming both.
fn failed(target: &Target, what: &str, path: &str, e: &object_store::Error) -> Failure {
    Failure(format!(
        "cannot {what} {path} on deploy target {}: {e}",
        target.describe()
    ))
}

/// Uploads and deletes as planned. On a failure, what was uploaded so far
/// is recorded in the manifest (when the target still answers), so a
/// re-run does not send it again.
pub fn execute(prepared: Prepared, options: &Options) -> Result<Summary, Failure> {
    let Prepared {
        out,
        target,
        plan,
        mut manifest,
        runtime,
        ..
    } = prepared;
    let mut summary = Summary {
        unchanged: plan.unchanged.len(),
        ..Summary::default()
    };
    let keep: std::collections::BTreeSet<&str> =
        plan.unchanged.iter().map(|f| f.path.as_str()).collect();
    let mut dirty = std::collections::BTreeSet::new();
    manifest.files.retain(|path, _| {
        let kept = keep.contains(path.as_str());
        if !kept {
            dirty.insert(manifest::shard_of(path));
        }
        kept
    });
    let mut progress = Progress::new(options.progress, plan.uploads.len() + plan.deletes.len());
    runtime.block_on(async {
        for phase in [Phase::Assets, Phase::Pages, Phase::Indexes] {
            let uploads: Vec<&plan::Upload> =
                plan.uploads.iter().filter(|u| u.phase == phase).collect();
            if uploads.is_empty() {
                continue;
            }
            for u in &uploads {
                dirty.insert(manifest::shard_of(&u.file.path));
            }
            let result = upload_all(
                &target,
                &out,
                &uploads,
                &mut manifest,
                &mut summary,
                &mut progress,
            )
            .await;
            let saved = save_manifest(&target, &manifest, &std::mem::take(&mut dirty)).await;
            result?;
            saved?;
        }
        save_manifest(&target, &manifest, &dirty).await?;
        delete_all(&target, &plan.deletes, &mut summary, &mut progress).await?;
        progress.clear();
        Ok(summary)
    })
}

async fn upload_all(
    target: &Target,
    out: &Path,
    uploads: &[&plan::Upload],
    manifest: &mut Manifest,
    summary: &mut Summary,
    progress: &mut Progress,
) -> Result<(), Failure> {
    let mut done = futures_util::stream::iter(uploads.iter().map(|u| upload_one(target, out, u)))
        .buffer_unordered(CONCURRENCY);
    while let Some(result) = done.next().await {
        let (upload, e_tag) = result?;
        let file = &upload.file;
        manifest.files.insert(
            file.path.clone(),
            manifest::Entry {
                sha256: file.sha256.clone(),
                size: file.size,
                content_type: file.content_type.clone(),
                cache_control: file.cache_control.clone(),
                e_tag,
            },
        );
        summary.uploaded += 1;
        summary.bytes += file.size;
        progress.tick("uploading", summary.bytes);
    }
    Ok(())
}

async fn upload_one<'a>(
    target: &Target,
    out: &Path,
    upload: &'a plan::Upload,
) -> Result<(&'a plan::Upload, Option<String>), Failure> {
    let file = &upload.file;
    let bytes = read_output(out, &file.path)?;
    let mut attributes = Attributes::new();
    // A plain folder keeps bytes only; its web server decides the headers.
    if target.scheme != Scheme::Folder {
        attributes.insert(Attribute::ContentType, file.content_type.clone().into());
        attributes.insert(Attribute::CacheControl, file.cache_control.clone().into());
    }
    let options = PutOptions {
        attributes,
        ..PutOptions::default()
    };
    let put = target
        .store
        .put_opts(
            &ObjectPath::from(file.path.as_str()),
            PutPayload::from(bytes),
            options,
        )
        .await
        .map_err(|e| failed(target, "upload", &file.path, &e))?;
    Ok((upload, put.e_tag))
}

/// Writes the manifest's `shards` (the others did not change).
async fn save_manifest(
    target: &Target,
    manifest: &Manifest,
    shards: &std::collections::BTreeSet<String>,
) -> Result<(), Failure> {
    let writes = futures_util::stream::iter(shards.iter().map(|shard| async move {
        let mut attributes = Attributes::new();
        if target.scheme != Scheme::Folder {
            attributes.insert(Attribute::ContentType, "application/json".into());
            attributes.insert(Attribute::CacheControl, "no-store".into());
        }
        let options = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        let payload = PutPayload::from(manifest.shard_bytes(shard));
        target
            .store
            .put_opts(&ObjectPath::from(shard.as_str()), payload, options)
            .await
            .map(|_| ())
            .map_err(|e| failed(target, "upload", shard, &e))
    }))
    .buffer_unordered(CONCURRENCY);
    writes.collect::<Vec<_>>().await.into_iter().collect()
}

async fn delete_all(
    target: &Target,
    deletes: &[String],
    summary: &mut Summary,
    progress: &mut Progress,
) -> Result<(), Failure> {
    let mut done = futures_util::stream::iter(deletes.iter().map(|path| async move {
        match target.store.delete(&ObjectPath::from(path.as_str())).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failed(target, "delete", path, &e)),
        }
    }))
    .buffer_unordered(CONCURRENCY);
    while let Some(result) = done.next().await {
        result?;
        summary.deleted += 1;
        progress.tick("deleting", summary.bytes);
    }
    Ok(())
}

/// Reads one output file at upload time (the scan keeps only its hash, so
/// memory stays small whatever the site's size).
fn read_output(out: &Path, rel: &str) -> Result<Vec<u8>, Failure> {
    let path = out.join(rel);
    std::fs::read(&path).map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}

/// A one-line progress count on a terminal.
struct Progress {
    shown: bool,
    total: usize,
    done: usize,
}

impl Progress {
    fn new(wanted: bool, total: usize) -> Self {
        Progress {
            shown: wanted && std::io::stderr().is_terminal() && total > 0,
            total,
            done: 0,
        }
    }

    fn tick(&mut self, what: &str, bytes: u64) {
        self.done += 1;
        if self.shown {
            say::err(&format!(
                "\r\x1b[2K  {what} {}/{} ({})",
                self.done,
                self.total,
                human_bytes(bytes)
            ));
        }
    }

    fn clear(&self) {
        if self.shown {
            say::err("\r\x1b[2K");
        }
    }
}

/// `1234567` → `1.2 MB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    #[test]
    fn byte_counts_read_as_people_write_them() {
        assert_eq!(super::human_bytes(999), "999 B");
        assert_eq!(super::human_bytes(1234), "1.2 kB");
        assert_eq!(super::human_bytes(5_300_000), "5.3 MB");
    }
}
