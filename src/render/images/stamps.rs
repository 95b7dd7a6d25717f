//! RENDER: the stamps of the image cache — for each source file hashed
//! once it had settled, its length, modification time, the settings' print
//! and its content hash, kept on disk beside the cache entries, so the
//! next build finds an unchanged picture's entry without reading the
//! picture: a cached rebuild of 1,000 photographs otherwise reads a
//! gigabyte to learn that nothing changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::config::ImageConfig;

/// The file under the cache folder that records, one line per source file
/// hashed, its length, modification time, the settings' print, its content
/// hash and its path. Appended to; a later line for a path wins.
const STAMPS: &str = "stamps";
/// How long before it was hashed a file must have been last modified for
/// its stamp to be recorded. A file written again within the file system's
/// timestamp granularity keeps its time; one that has not changed for this
/// long is past that (git's "racily clean" index entries, the same idea).
const SETTLED: Duration = Duration::from_secs(2);

/// Nanoseconds since 1970 of a file time, as the stamps file keeps it.
pub(super) fn nanos(time: SystemTime) -> Option<u128> {
    time.duration_since(UNIX_EPOCH).ok().map(|d| d.as_nanos())
}

/// Whether the file was last modified [`SETTLED`] ago or more.
pub(super) fn settled(meta: &std::fs::Metadata) -> bool {
    meta.modified()
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age >= SETTLED)
}

/// A source file's length and modification time (ns), as last hashed.
type Stamp = (u64, u128);

/// The stamps of one cache folder: path to stamp, settings' print, hash.
type Stamps = HashMap<PathBuf, (Stamp, u64, String)>;

/// The stamps file of `config`'s cache folder, read once per process.
fn stamps(config: &ImageConfig) -> Arc<Mutex<Stamps>> {
    static BY_CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Mutex<Stamps>>>>> = OnceLock::new();
    let by_cache = BY_CACHE.get_or_init(Default::default);
    let mut by_cache = match by_cache.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    let cache = config.cache();
    let loaded = by_cache
        .entry(cache.clone())
        .or_insert_with(|| Arc::new(Mutex::new(read_stamps(&cache.join(STAMPS)))));
    Arc::clone(loaded)
}

/// The lines of a stamps file: `len time print hash path`. A line that
/// does not read so (a write cut short) is left out.
fn read_stamps(file: &Path) -> Stamps {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let line = |l: &str| {
        let mut parts = l.splitn(5, ' ');
        let len = parts.next()?.parse().ok()?;
        let time = parts.next()?.parse().ok()?;
        let print = u64::from_str_radix(parts.next()?, 16).ok()?;
        let hash = parts.next().filter(|h| h.len() == 32)?.to_owned();
        let path = PathBuf::from(parts.next().filter(|p| !p.is_empty())?);
        Some((path, ((len, time), print, hash)))
    };
    text.lines().filter_map(line).collect()
}

/// The content hash recorded for `path` if its length, time and the
/// settings are still those it was hashed with.
pub(super) fn stamped_hash(path: &Path, stamp: Stamp, config: &ImageConfig) -> Option<String> {
    let stamps = stamps(config);
    let stamps = stamps.lock().ok()?;
    let (was, print, hash) = stamps.get(path)?;
    (*was == stamp && *print == config.print()).then(|| hash.clone())
}

/// Adds a line to the stamps file (and to this process's copy). Failing to
/// write it costs the next build a read of the file, nothing more.
pub(super) fn record_stamp(path: &Path, stamp: Stamp, hash: &str, config: &ImageConfig) {
    let Some(text) = path.to_str().filter(|p| !p.contains('\n')) else {
        return;
    };
    let print = config.print();
    let line = format!("{} {} {print:016x} {hash} {text}\n", stamp.0, stamp.1);
    if let Ok(mut stamps) = stamps(config).lock() {
        stamps.insert(path.to_path_buf(), (stamp, print, hash.to_owned()));
    }
    let _ = std::fs::create_dir_all(config.cache());
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(config.cache().join(STAMPS));
    // One write per line: appends from two threads do not interleave.
    let _ = file.and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
}

#[cfg(test)]
mod tests {
    use super::super::process::{from_entry, process};
    use super::*;

    fn png(dir: &Path, name: &str, shade: u8) -> PathBuf {
        let path = dir.join(name);
        image::RgbImage::from_pixel(40, 30, image::Rgb([shade, 90, 120]))
            .save(&path)
            .unwrap();
        path
    }

    #[test]
    fn settled_files_are_stamped_so_the_next_build_need_not_read_them() {
        let dir = tempfile::tempdir().unwrap();
        let config = ImageConfig {
            site_root: dir.path().to_path_buf(),
            ..ImageConfig::default()
        };
        let old = png(dir.path(), "old.png", 10);
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
        let new = png(dir.path(), "new.png", 20);
        let made = process(&old, &config).unwrap();
        process(&new, &config).unwrap();

        // What the next process reads: the settled file only.
        let on_disk = read_stamps(&config.cache().join(STAMPS));
        assert_eq!(on_disk.len(), 1, "{on_disk:?}");
        let ((len, time), print, hash) = &on_disk[&old];
        assert_eq!(*len, std::fs::metadata(&old).unwrap().len());
        assert_eq!(Some(*time), nanos(an_hour_ago));
        assert_eq!(*print, config.print());
        assert_eq!(from_entry(&old, hash, &config).as_ref(), Some(&*made));

        // A stamp answers only for the length and time it was taken at.
        assert_eq!(
            stamped_hash(&old, (*len, *time), &config),
            Some(hash.clone())
        );
        assert_eq!(stamped_hash(&old, (*len + 1, *time), &config), None);
        assert_eq!(stamped_hash(&old, (*len, *time + 1), &config), None);
    }
}
