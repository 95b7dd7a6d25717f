//! RENDER: one source image to its processed files — decoded once, resized
//! to every configured width (never up), encoded as WebP and as a fallback
//! JPEG or PNG from pixels alone, so no EXIF, GPS or XMP survives — and the
//! cache that makes a second build decode nothing.
//!
//! The cache is keyed by the source's content hash and the settings
//! ([`ImageConfig::print`]): on disk, one folder per image under
//! `images.cache_dir`, so it lasts across builds; in memory, by path, size
//! and modification time, so `serve` does not even hash a file it has seen.
//! The hashes of files that had settled are kept on disk too (the
//! `stamps` file, [`super::stamps`]), so the next build finds an unchanged picture's entry
//! without reading the picture: a cached rebuild of 1,000 photographs
//! otherwise reads a gigabyte to learn that nothing changed.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use super::stamps;
use fast_image_resize::images::Image as FrImage;
use fast_image_resize::{FilterType, IntoImageView, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use serde::Serialize;

use super::config::ImageConfig;

/// Bumped when the processing changes what it writes: old cache entries
/// are then simply not found.
pub const PIPELINE_VERSION: u32 = 1;
/// The meta file of a cache entry, written last: an entry without it is
/// incomplete and made again.
const META: &str = "meta";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Svg,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Svg => "svg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Svg => "image/svg+xml",
        }
    }

    fn from_ext(ext: &str) -> Option<Format> {
        Some(match ext {
            "jpg" | "jpeg" => Format::Jpeg,
            "png" => Format::Png,
            "webp" => Format::Webp,
            "svg" => Format::Svg,
            _ => return None,
        })
    }
}

/// A processed image: what its HTML needs, and where its files are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Processed {
    /// The start of the content hash: output files are named by it.
    pub key: String,
    /// The format beside WebP (the only one for SVG).
    pub fallback: Format,
    /// Width and height of each variant, narrowest first.
    pub sizes: Vec<(u32, u32)>,
    /// The cache folder holding the files.
    pub entry: PathBuf,
    /// The source file, to process again if the cache is gone.
    pub source: PathBuf,
}

impl Processed {
    /// Every output file, as (path under the output root, cached file).
    pub fn files(&self) -> Vec<(String, PathBuf)> {
        if self.fallback == Format::Svg {
            let out = format!("images/{}.svg", self.key);
            return vec![(out, self.entry.join("image.svg"))];
        }
        let mut files = Vec::new();
        for &(w, _) in &self.sizes {
            for format in [Format::Webp, self.fallback] {
                let name = format!("{w}.{}", format.ext());
                files.push((self.output(w, format), self.entry.join(name)));
            }
        }
        files
    }

    /// The output path of one variant.
    pub fn output(&self, width: u32, format: Format) -> String {
        match self.fallback {
            Format::Svg => format!("images/{}.svg", self.key),
            _ => format!("images/{}-{width}.{}", self.key, format.ext()),
        }
    }

    /// The largest variant's size: the `width` and `height` of the `<img>`.
    pub fn size(&self) -> (u32, u32) {
        self.sizes.last().copied().unwrap_or((1, 1))
    }
}

/// Why an image could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NotFound,
    Unreadable(String),
    Unsupported(String),
    Corrupt(String),
    TooLarge { width: u32, height: u32, limit: u64 },
    Cache(String),
}

/// How many images were decoded by this process: a build that finds
/// everything in the cache decodes none (the tests read this).
static DECODES: AtomicUsize = AtomicUsize::new(0);

pub fn decodes() -> usize {
    DECODES.load(Ordering::Relaxed)
}

/// Source files seen, by path, with the size and time they had.
type Seen = HashMap<PathBuf, (u64, Option<SystemTime>, u64, Arc<Processed>)>;

fn seen() -> &'static Mutex<Seen> {
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    SEEN.get_or_init(Default::default)
}

/// Forgets what this process has seen, so the next lookup goes to disk:
/// for tests that show what the disk cache alone does.
pub fn forget_memory() {
    if let Ok(mut seen) = seen().lock() {
        seen.clear();
    }
}

/// The processed form of the image at `path`, from memory, from the disk
/// cache, or made now.
pub fn process(path: &Path, config: &ImageConfig) -> Result<Arc<Processed>, Problem> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Problem::NotFound,
        _ => Problem::Unreadable(e.to_string()),
    })?;
    if !meta.is_file() {
        return Err(Problem::Unreadable("not a regular file".into()));
    }
    let stamp = (meta.len(), meta.modified().ok(), config.print());
    if let Some(hit) = seen().lock().ok().and_then(|s| {
        s.get(path)
            .filter(|(len, time, print, _)| (*len, *time, *print) == stamp)
            .map(|(.., p)| Arc::clone(p))
    }) {
        return Ok(hit);
    }
    let time = meta.modified().ok().and_then(stamps::nanos);
    let stamped = time.and_then(|t| stamps::stamped_hash(path, (meta.len(), t), config));
    let processed = match stamped.and_then(|hash| from_entry(path, &hash, config)) {
        Some(hit) => Arc::new(hit),
        None => {
            let bytes = std::fs::read(path).map_err(|e| Problem::Unreadable(e.to_string()))?;
            let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes));
            let made = from_bytes(path, &bytes, &hash, config)?;
            if let Some(t) = time.filter(|_| stamps::settled(&meta)) {
                stamps::record_stamp(path, (meta.len(), t), &hash, config);
            }
            Arc::new(made)
        }
    };
    if let Ok(mut s) = seen().lock() {
        s.insert(
            path.to_path_buf(),
            (stamp.0, stamp.1, stamp.2, Arc::clone(&processed)),
        );
    }
    Ok(processed)
}

/// The cache folder of the source whose content hash is `hash`.
fn entry_of(hash: &str, config: &ImageConfig) -> PathBuf {
    config
        .cache()
        .join(format!("{hash}-{:016x}", config.print()))
}

/// The processed form of a source already in the cache, if it is there.
pub(super) fn from_entry(path: &Path, hash: &str, config: &ImageConfig) -> Option<Processed> {
    let entry = entry_of(hash, config);
    let (fallback, sizes) = read_meta(&entry)?;
    Some(Processed {
        key: hash.get(..16)?.to_owned(),
        fallback,
        sizes,
        entry,
        source: path.to_path_buf(),
    })
}

fn from_bytes(
    path: &Path,
    bytes: &[u8],
    hash: &str,
    config: &ImageConfig,
) -> Result<Processed, Problem> {
    let format = sniff(path, bytes)?;
    let entry = entry_of(hash, config);
    let key = hash[..16].to_owned();
    let lock = entry_lock(&entry);
    let _held = lock.lock();
    if let Some(hit) = from_entry(path, hash, config) {
        return Ok(hit);
    }
    let made = make(bytes, format, config)?;
    write_entry(&entry, &made)
        .map_err(|e| Problem::Cache(format!("cannot write {}: {e}", config.cache().display())))?;
    Ok(Processed {
        key,
        fallback: made.fallback,
        sizes: made.sizes,
        entry,
        source: path.to_path_buf(),
    })
}

/// One lock per cache entry, so two pages showing one image process it once.
fn entry_lock(entry: &Path) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>> = OnceLock::new();
    let locks = LOCKS.get_or_init(Default::default);
    let mut locks = match locks.lock() {
        Ok(l) => l,
        Err(poisoned) => poisoned.into_inner(),
    };
    Arc::clone(locks.entry(entry.to_path_buf()).or_default())
}

/// The format from the bytes; the extension only words the error.
fn sniff(path: &Path, bytes: &[u8]) -> Result<Format, Problem> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let named = Format::from_ext(&ext);
    if named == Some(Format::Svg) {
        return Ok(Format::Svg);
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(Format::Jpeg),
        Ok(ImageFormat::Png) => Ok(Format::Png),
        Ok(ImageFormat::WebP) => Ok(Format::Webp),
        Ok(other) => Err(Problem::Unsupported(format!("{other:?}").to_uppercase())),
        Err(_) if named.is_some() => Err(Problem::Corrupt(format!(
            "the file is not a valid {} image",
            ext.to_uppercase()
        ))),
        Err(_) if ext.is_empty() => Err(Problem::Unsupported("a file without an extension".into())),
        Err(_) => Err(Problem::Unsupported(format!(".{ext}"))),
    }
}

/// The files of one image, in memory.
struct Made {
    fallback: Format,
    sizes: Vec<(u32, u32)>,
    files: Vec<(String, Vec<u8>)>,
}

fn make(bytes: &[u8], format: Format, config: &ImageConfig) -> Result<Made, Problem> {
    DECODES.fetch_add(1, Ordering::Relaxed);
    if format == Format::Svg {
        return make_svg(bytes, config);
    }
    let image = decode(bytes, format, config)?;
    let fallback = if format == Format::Png || image.color().has_alpha() {
        Format::Png
    } else {
        Format::Jpeg
    };
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    let widths = variant_widths(image.width(), &config.widths);
    let mut sizes = Vec::new();
    let mut files = Vec::new();
    // Widest first, each made from the one before: resizing 6 MP once
    // instead of once per width.
    let mut from = image;
    for &w in widths.iter().rev() {
        let h = scaled_height(from.width(), from.height(), w);
        let resized = resize(&from, w, h)?;
        files.push((format!("{w}.webp"), encode_webp(&resized, config.quality)));
        files.push((
            format!("{w}.{}", fallback.ext()),
            encode(&resized, fallback, config.quality)?,
        ));
        sizes.push((w, h));
        from = resized;
    }
    sizes.reverse();
    Ok(Made {
        fallback,
        sizes,
        files,
    })
}

/// Decodes with the pixel limit checked on the header first, and the
/// camera's orientation applied (it is metadata, and goes).
fn decode(bytes: &[u8], format: Format, config: &ImageConfig) -> Result<DynamicImage, Problem> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        _ => ImageFormat::WebP,
    };
    let corrupt = |e: image::ImageError| Problem::Corrupt(e.to_string());
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), image_format)
        .into_dimensions()
        .map_err(corrupt)?;
    if u64::from(width) * u64::from(height) > config.max_pixels {
        return Err(Problem::TooLarge {
            width,
            height,
            limit: config.max_pixels,
        });
    }
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), image_format)
        .into_decoder()
        .map_err(corrupt)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The configured widths narrower than the image, and the image's own
/// width when it is narrower than the widest: never upscaled.
pub fn variant_widths(width: u32, configured: &[u32]) -> Vec<u32> {
    let widest = configured.iter().copied().max().unwrap_or(width);
    let mut widths: Vec<u32> = configured.iter().copied().filter(|&w| w < width).collect();
    let top = width.min(widest);
    if !widths.contains(&top) {
        widths.push(top);
    }
    widths.sort_unstable();
    widths
}

fn scaled_height(width: u32, height: u32, to: u32) -> u32 {
    ((u64::from(height) * u64::from(to) + u64::from(width) / 2) / u64::from(width)).max(1) as u32
}

fn resize(from: &DynamicImage, w: u32, h: u32) -> Result<DynamicImage, Problem> {
    if (from.width(), from.height()) == (w, h) {
        return Ok(from.clone());
    }
    let fail = |e: String| Problem::Corrupt(format!("cannot resize: {e}"));
    let pixel_type = from.pixel_type().ok_or_else(|| fail("pixel type".into()))?;
    let mut to = FrImage::new(w, h, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(from, &mut to, &options)
        .map_err(|e| fail(e.to_string()))?;
    let buffer = to.into_vec();
    let image = if from.color().has_alpha() {
        image::RgbaImage::from_raw(w, h, buffer).map(DynamicImage::ImageRgba8)
    } else {
        image::RgbImage::from_raw(w, h, buffer).map(DynamicImage::ImageRgb8)
    };
    image.ok_or_else(|| fail("buffer size".into()))
}

fn encode_webp(image: &DynamicImage, quality: u8) -> Vec<u8> {
    let (w, h) = (image.width(), image.height());
    let encoder = match image {
        DynamicImage::ImageRgba8(rgba) => webp::Encoder::from_rgba(rgba.as_raw(), w, h),
        _ => webp::Encoder::from_rgb(image.as_bytes(), w, h),
    };
    encoder.encode(f32::from(quality)).to_vec()
}

fn encode(image: &DynamicImage, format: Format, quality: u8) -> Result<Vec<u8>, Problem> {
    let mut out = Vec::new();
    let result = match format {
        Format::Jpeg => image.write_with_encoder(
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality),
        ),
        _ => image.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)),
    };
    result.map_err(|e| Problem::Corrupt(format!("cannot encode: {e}")))?;
    Ok(out)
}

/// An SVG is parsed and written again: what comes out is drawing only
/// (no metadata, scripts or external references), at its own size.
fn make_svg(bytes: &[u8], config: &ImageConfig) -> Result<Made, Problem> {
    let options = resvg::usvg::Options::default();
    let tree = resvg::usvg::Tree::from_data(bytes, &options)
        .map_err(|e| Problem::Corrupt(format!("not a valid SVG: {e}")))?;
    let size = tree.size();
    let (w, h) = (size.width().round() as u32, size.height().round() as u32);
    if u64::from(w) * u64::from(h) > config.max_pixels {
        return Err(Problem::TooLarge {
            width: w,
            height: h,
            limit: config.max_pixels,
        });
    }
    let text = tree.to_string(&resvg::usvg::WriteOptions::default());
    Ok(Made {
        fallback: Format::Svg,
        sizes: vec![(w.max(1), h.max(1))],
        files: vec![("image.svg".into(), text.into_bytes())],
    })
}

/// Writes a cache entry into a temporary folder and renames it into place,
/// so a build that stops half-way never leaves half an entry.
fn write_entry(entry: &Path, made: &Made) -> std::io::Result<()> {
    let parent = entry.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = parent.join(format!(
        ".tmp-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    for (name, bytes) in &made.files {
        std::fs::write(tmp.join(name), bytes)?;
    }
    let mut meta = format!("{}\n", made.fallback.ext());
    for (w, h) in &made.sizes {
        meta.push_str(&format!("{w} {h}\n"));
    }
    std::fs::write(tmp.join(META), meta)?;
    if std::fs::rename(&tmp, entry).is_err() {
        // Another process made it first, or a stale partial entry is there.
        let _ = std::fs::remove_dir_all(entry);
        std::fs::rename(&tmp, entry)?;
    }
    Ok(())
}

fn read_meta(entry: &Path) -> Option<(Format, Vec<(u32, u32)>)> {
    let text = std::fs::read_to_string(entry.join(META)).ok()?;
    let mut lines = text.lines();
    let fallback = Format::from_ext(lines.next()?)?;
    let sizes = lines
        .map(|l| {
            let (w, h) = l.split_once(' ')?;
            Some((w.parse().ok()?, h.parse().ok()?))
        })
        .collect::<Option<Vec<(u32, u32)>>>()?;
    (!sizes.is_empty()).then_some((fallback, sizes))
}

/// The bytes of one output file of `processed`, from the cache; made again
/// from the source when the cache lost it.
pub fn read_output(
    processed: &Processed,
    cached: &Path,
    config: &ImageConfig,
) -> Result<Vec<u8>, Problem> {
    if let Ok(bytes) = std::fs::read(cached) {
        return Ok(bytes);
    }
    forget_memory();
    let again = process(&processed.source, config)?;
    let name = cached.file_name().unwrap_or_default();
    std::fs::read(again.entry.join(name)).map_err(|e| Problem::Cache(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_never_upscaled() {
        assert_eq!(variant_widths(2000, &[480, 960, 1440]), [480, 960, 1440]);
        assert_eq!(variant_widths(1000, &[480, 960, 1440]), [480, 960, 1000]);
        assert_eq!(variant_widths(300, &[480, 960, 1440]), [300]);
        assert_eq!(variant_widths(960, &[480, 960, 1440]), [480, 960]);
    }

    #[test]
    fn heights_keep_the_aspect_ratio() {
        assert_eq!(scaled_height(3000, 2000, 480), 320);
        assert_eq!(scaled_height(1000, 1, 10), 1);
    }
}
