//! DEPLOY: what to upload and delete, and in which order — a pure function
//! of the local files, the target's listing and its manifest.
//!
//! The order keeps a reader from seeing a page that points at a missing
//! file: assets (styles, scripts, images) first, then pages, then the files
//! that point at pages (sitemap, feeds, search index, exports), deletes
//! last.

use std::collections::BTreeMap;

use super::local::LocalFile;
use super::manifest::{Manifest, bare_etag};
use crate::render::{entity_feeds, exports, search_index};

/// What the target holds at a path, as its listing says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub size: u64,
    pub e_tag: Option<String>,
}

/// Upload phases, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Assets,
    Pages,
    Indexes,
}

impl Phase {
    pub fn of(path: &str) -> Phase {
        let name = path.rsplit('/').next().unwrap_or(path);
        let top_level_index = ["sitemap.xml", "robots.txt", "atom.xml", search_index::FILE];
        if top_level_index.contains(&path)
            || [exports::ENTITIES_FILE, exports::TIMELINE_FILE].contains(&path)
            || name == entity_feeds::FILE
        {
            Phase::Indexes
        } else if name.ends_with(".html") {
            Phase::Pages
        } else {
            Phase::Assets
        }
    }
}

/// Why a file is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    New,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub file: LocalFile,
    pub phase: Phase,
    pub reason: Reason,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// In the order to upload them: by phase, then by path.
    pub uploads: Vec<Upload>,
    /// Paths the build no longer has, to delete after every upload.
    pub deletes: Vec<String>,
    /// Files the target already holds as they are.
    pub unchanged: Vec<LocalFile>,
}

impl Plan {
    pub fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.file.size).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.uploads.is_empty() && self.deletes.is_empty()
    }
}

/// Compares the build with the target. `remote` holds every object under
/// the target's prefix except the manifest.
pub fn make(local: Vec<LocalFile>, remote: &BTreeMap<String, Remote>, manifest: &Manifest) -> Plan {
    let mut plan = Plan::default();
    for file in local {
        match remote.get(&file.path) {
            None => plan.uploads.push(upload(file, Reason::New)),
            Some(there) if holds(there, manifest, &file) => plan.unchanged.push(file),
            Some(_) => plan.uploads.push(upload(file, Reason::Changed)),
        }
    }
    plan.uploads
        .sort_by(|a, b| (a.phase, &a.file.path).cmp(&(b.phase, &b.file.path)));
    let wanted: std::collections::BTreeSet<&str> = plan
        .uploads
        .iter()
        .map(|u| u.file.path.as_str())
        .chain(plan.unchanged.iter().map(|f| f.path.as_str()))
        .collect();
    plan.deletes = remote
        .keys()
        .filter(|p| !wanted.contains(p.as_str()))
        .cloned()
        .collect();
    plan
}

fn upload(file: LocalFile, reason: Reason) -> Upload {
    Upload {
        phase: Phase::of(&file.path),
        file,
        reason,
    }
}

/// Whether the object the target lists is, by the manifest, these bytes
/// with these headers.
fn holds(there: &Remote, manifest: &Manifest, file: &LocalFile) -> bool {
    let Some(entry) = manifest.files.get(&file.path) else {
        return false;
    };
    let same_object = match (&entry.e_tag, &there.e_tag) {
        (Some(a), Some(b)) => bare_etag(a) == bare_etag(b),
        _ => true,
    };
    same_object
        && there.size == file.size
        && entry.size == file.size
        && entry.sha256 == file.sha256
        && entry.content_type == file.content_type
        && entry.cache_control == file.cache_control
}

#[cfg(test)]
mod tests {
    use super::super::manifest::Entry;
    use super::*;

    fn file(path: &str, body: &str) -> LocalFile {
        LocalFile {
            path: path.into(),
            size: body.len() as u64,
            sha256: super::super::local::sha256_hex(body.as_bytes()),
            content_type: "text/html".into(),
            cache_control: "no-cache".into(),
        }
    }

    /// A target that holds `files` as a previous deploy uploaded them.
    fn deployed(files: &[LocalFile]) -> (BTreeMap<String, Remote>, Manifest) {
        let mut manifest = Manifest::new();
        let mut remote = BTreeMap::new();
        for (i, f) in files.iter().enumerate() {
            let e_tag = Some(format!("\"tag{i}\""));
            remote.insert(
                f.path.clone(),
                Remote {
                    size: f.size,
                    e_tag: e_tag.clone(),
                },
            );
            manifest.files.insert(
                f.path.clone(),
                Entry {
                    sha256: f.sha256.clone(),
                    size: f.size,
                    content_type: f.content_type.clone(),
                    cache_control: f.cache_control.clone(),
                    e_tag,
                },
            );
        }
        (remote, manifest)
    }

    fn paths(plan: &Plan) -> Vec<&str> {
        plan.uploads.iter().map(|u| u.file.path.as_str()).collect()
    }

    #[test]
    fn an_empty_target_gets_everything_assets_then_pages_then_indexes() {
        let local = vec![
            file("actors/x/index.html", "a"),
            file("sitemap.xml", "s"),
            file("index.html", "h"),
            file("style.3f2a9c1b.css", "c"),
            file("search-index.js", "i"),
            file("actors/x/atom.xml", "f"),
        ];
        let plan = make(local, &BTreeMap::new(), &Manifest::new());
        assert_eq!(
            paths(&plan),
            [
                "style.3f2a9c1b.css",
                "actors/x/index.html",
                "index.html",
                "actors/x/atom.xml",
                "search-index.js",
                "sitemap.xml"
            ]
        );
        assert!(plan.uploads.iter().all(|u| u.reason == Reason::New));
    }

    #[test]
    fn an_unchanged_build_uploads_nothing() {
        let local = vec![file("index.html", "h"), file("a/index.html", "a")];
        let (remote, manifest) = deployed(&local);
        let plan = make(local, &remote, &manifest);
        assert!(plan.is_empty(), "{plan:?}");
        assert_eq!(plan.unchanged.len(), 2);
    }

    #[test]
    fn a_changed_body_or_header_is_uploaded_again() {
        let old = vec![file("index.html", "h"), file("a/index.html", "a")];
        let (remote, manifest) = deployed(&old);
        let mut new = vec![file("index.html", "h"), file("a/index.html", "b")];
        new[0].cache_control = "no-store".into();
        let plan = make(new, &remote, &manifest);
        assert_eq!(paths(&plan), ["a/index.html", "index.html"]);
        assert!(plan.uploads.iter().all(|u| u.reason == Reason::Changed));
    }

    #[test]
    fn an_object_changed_behind_the_manifests_back_is_uploaded_again() {
        let local = vec![file("index.html", "h")];
        let (mut remote, manifest) = deployed(&local);
        remote.get_mut("index.html").unwrap().e_tag = Some("\"other\"".into());
        assert_eq!(paths(&make(local, &remote, &manifest)), ["index.html"]);
    }

    #[test]
    fn a_file_without_a_manifest_entry_is_uploaded() {
        let local = vec![file("index.html", "h")];
        let (remote, _) = deployed(&local);
        assert_eq!(
            paths(&make(local, &remote, &Manifest::new())),
            ["index.html"]
        );
    }

    #[test]
    fn objects_the_build_no_longer_has_are_deleted() {
        let old = vec![file("index.html", "h"), file("gone/index.html", "g")];
        let (remote, manifest) = deployed(&old);
        let plan = make(vec![file("index.html", "h")], &remote, &manifest);
        assert_eq!(plan.deletes, ["gone/index.html"]);
        assert!(plan.uploads.is_empty());
    }
}
