//! ENGINE: an output file's bytes as `serve` holds them between changes.
//!
//! `serve` keeps every output of the site in memory, so that a request is
//! answered without touching the disk and a change is compared with what
//! was served. On the generated 10,000-entity site that is 760 MB, 546 MB
//! of it text (pages, feeds, exports) that zstd's fastest level packs about
//! four times smaller (measured on 300 of those files: 4.15×; LZ4 3.0×).
//! Pictures (share cards, processed photographs) are compressed already
//! and are kept as they are. A page is unpacked when it is served, which
//! costs tens of microseconds; it is packed once when it is rendered.
//!
//! Packing is deterministic (same bytes in, same bytes out), so two blobs
//! are equal exactly when their files are: a re-rendered page is compared
//! with the served one without unpacking either.

use std::borrow::Cow;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// zstd's level: the fastest of the regular levels; level 3 packs 3%
/// smaller at half the speed.
const LEVEL: i32 = 1;

// One zstd context per thread: making one per call (a megabyte to clear
// for the packer) took longer than packing a page or an entity.
thread_local! {
    static PACKER: RefCell<Option<zstd::bulk::Compressor<'static>>> =
        RefCell::new(zstd::bulk::Compressor::new(LEVEL).ok());
    static UNPACKER: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        RefCell::new(zstd::bulk::Decompressor::new().ok());
}

/// `bytes` as one zstd frame at [`LEVEL`], with this thread's context.
pub fn pack(bytes: &[u8]) -> Option<Vec<u8>> {
    PACKER.with_borrow_mut(|p| p.as_mut()?.compress(bytes).ok())
}

/// The `len` bytes a frame made by [`pack`] holds.
pub fn unpack(frame: &[u8], len: usize) -> Option<Vec<u8>> {
    UNPACKER.with_borrow_mut(|u| u.as_mut()?.decompress(frame, len).ok())
}

/// Files smaller than this are kept as they are: a frame's header would
/// eat what packing saves.
const SMALLEST: usize = 256;

/// One output file's bytes, packed when it is text.
#[derive(Clone, Eq)]
pub struct Blob(Arc<Inner>);

impl PartialEq for Blob {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

#[derive(PartialEq, Eq)]
struct Inner {
    /// The file's size, unpacked.
    len: usize,
    /// Whether `data` is a zstd frame (else the file's bytes).
    packed: bool,
    data: Box<[u8]>,
    /// A cache file holding the bytes, read when the file is served;
    /// `data` is then empty and `print` tells the bytes apart.
    backing: Option<PathBuf>,
    print: u128,
}

impl Blob {
    /// Keeps `bytes`, the file at `path`: packed unless it is a picture or
    /// font (compressed already) or too small to gain.
    pub fn new(path: &Path, bytes: Vec<u8>) -> Self {
        let len = bytes.len();
        let packed = (len >= SMALLEST && !compressed_already(path))
            .then(|| pack(&bytes))
            .flatten()
            .filter(|p| p.len() < len);
        let inner = match packed {
            Some(data) => Inner {
                len,
                packed: true,
                data: data.into_boxed_slice(),
                backing: None,
                print: 0,
            },
            None => Inner {
                len,
                packed: false,
                data: bytes.into_boxed_slice(),
                backing: None,
                print: 0,
            },
        };
        Blob(Arc::new(inner))
    }

    /// A file whose bytes are also in `file`, a file of the site's cache
    /// (a share card, a processed picture): only its size and a print of
    /// its bytes are kept, and the file is read when it is served. A
    /// photograph's four widths in two formats would otherwise stay in
    /// memory for as long as `serve` runs.
    pub fn backed(file: PathBuf, bytes: &[u8]) -> Self {
        Blob(Arc::new(Inner {
            len: bytes.len(),
            packed: false,
            data: Box::default(),
            backing: Some(file),
            print: xxhash_rust::xxh3::xxh3_128(bytes),
        }))
    }

    /// The file's bytes. A cache file that went away since (an `explainer
    /// clean` while serving) gives no bytes rather than other ones.
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        if let Some(file) = &self.0.backing {
            let bytes = std::fs::read(file).unwrap_or_default();
            let same = xxhash_rust::xxh3::xxh3_128(&bytes) == self.0.print;
            return Cow::Owned(if same { bytes } else { Vec::new() });
        }
        if !self.0.packed {
            return Cow::Borrowed(&self.0.data);
        }
        // A frame this module packed always unpacks to its `len` bytes;
        // should it not, an empty file is served rather than a panic.
        Cow::Owned(unpack(&self.0.data, self.0.len).unwrap_or_default())
    }

    /// The file's size, unpacked.
    pub fn len(&self) -> usize {
        self.0.len
    }

    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// The bytes held in memory for this file.
    pub fn held(&self) -> usize {
        self.0.data.len()
    }

    /// Whether `bytes` are this file's bytes: a backed file by its print,
    /// a packed one unpacked (cheaper than packing `bytes` to compare).
    pub fn same_as(&self, bytes: &[u8]) -> bool {
        if self.0.backing.is_some() {
            return self.0.len == bytes.len() && xxhash_rust::xxh3::xxh3_128(bytes) == self.0.print;
        }
        self.0.len == bytes.len() && *self.bytes() == *bytes
    }
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blob({} bytes, {} held)", self.len(), self.held())
    }
}

/// File types whose bytes are compressed by their own format.
fn compressed_already(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(
        ext.as_str(),
        "png" | "jpg" | "jpeg" | "webp" | "avif" | "gif" | "woff" | "woff2" | "gz" | "br" | "zst"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize) -> Vec<u8> {
        format!(
            "<!doctype html><title>{n}</title>{}",
            "<p>same chrome</p>".repeat(200)
        )
        .into_bytes()
    }

    #[test]
    fn text_is_held_packed_and_served_whole() {
        let blob = Blob::new(Path::new("actors/a/index.html"), page(1));
        assert!(blob.held() * 4 < blob.len(), "{blob:?}");
        assert_eq!(blob.bytes().as_ref(), page(1).as_slice());
        assert_eq!(blob.len(), page(1).len());
    }

    #[test]
    fn pictures_and_small_files_are_held_as_they_are() {
        let png = Blob::new(Path::new("actors/a/card.png"), page(1));
        assert_eq!(png.held(), png.len());
        let small = Blob::new(Path::new("robots.txt"), b"User-agent: *\n".to_vec());
        assert_eq!(small.held(), small.len());
        assert_eq!(small.bytes().as_ref(), b"User-agent: *\n");
    }

    #[test]
    fn a_file_backed_by_the_cache_is_read_from_it_and_only_while_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("card.png");
        std::fs::write(&file, b"png bytes").unwrap();
        let blob = Blob::backed(file.clone(), b"png bytes");
        assert_eq!(blob.held(), 0);
        assert_eq!(blob.len(), 9);
        assert_eq!(blob.bytes().as_ref(), b"png bytes");
        assert!(blob.same_as(b"png bytes"));
        assert_ne!(blob, Blob::backed(file.clone(), b"other bytes"));
        std::fs::write(&file, b"other bytes").unwrap();
        assert!(blob.bytes().is_empty(), "never other bytes than rendered");
    }

    #[test]
    fn blobs_are_equal_exactly_when_their_files_are() {
        let path = Path::new("index.html");
        assert_eq!(Blob::new(path, page(1)), Blob::new(path, page(1)));
        assert_ne!(Blob::new(path, page(1)), Blob::new(path, page(2)));
        let blob = Blob::new(path, page(1));
        assert!(blob.same_as(&page(1)));
        assert!(!blob.same_as(&page(2)));
    }
}
