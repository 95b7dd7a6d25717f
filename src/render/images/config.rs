//! LOAD: the `images:` keys of `site.yaml` — widths, quality, the pixel
//! limit and where processed images are cached.

use std::path::PathBuf;

use serde::Serialize;

use crate::content::yaml::{Node, Value};

/// Widths every picture is made in, unless `images.widths` says otherwise:
/// a phone, a laptop column, a wide screen at 1.5×.
pub const DEFAULT_WIDTHS: [u32; 3] = [480, 960, 1440];
/// WebP and JPEG quality: where artefacts stop showing in photographs.
pub const DEFAULT_QUALITY: u8 = 80;
/// 50 megapixels: more than any camera a newsroom uses, less than a
/// decompression bomb needs (a 100,000 × 100,000 PNG is 40 GB of pixels).
pub const DEFAULT_MAX_PIXELS: u64 = 50_000_000;
/// Under the site root; a dot folder, so neither content nor the watcher
/// sees it.
pub const DEFAULT_CACHE_DIR: &str = ".explainer-cache/images";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageConfig {
    pub widths: Vec<u32>,
    pub quality: u8,
    pub max_pixels: u64,
    /// Relative to the site root, or absolute.
    pub cache_dir: PathBuf,
    /// The site root, set when `site.yaml` is read: image paths and the
    /// cache are found from it.
    #[serde(skip)]
    pub site_root: PathBuf,
}

impl Default for ImageConfig {
    fn default() -> Self {
        ImageConfig {
            widths: DEFAULT_WIDTHS.to_vec(),
            quality: DEFAULT_QUALITY,
            max_pixels: DEFAULT_MAX_PIXELS,
            cache_dir: PathBuf::from(DEFAULT_CACHE_DIR),
            site_root: PathBuf::new(),
        }
    }
}

impl ImageConfig {
    /// The cache folder on disk.
    pub fn cache(&self) -> PathBuf {
        self.site_root.join(&self.cache_dir)
    }

    /// What the processed files depend on besides the source's bytes.
    pub fn print(&self) -> u64 {
        let text = format!(
            "{}|{:?}|{}",
            super::process::PIPELINE_VERSION,
            self.widths,
            self.quality
        );
        xxhash_rust::xxh3::xxh3_64(text.as_bytes())
    }
}

const EXPECTED: &str =
    "a mapping of `widths` (list of numbers), `quality` (1–100), `max_pixels` and `cache_dir`";

/// `images:` from `site.yaml`; on a mistake, what was expected.
pub fn config_from(node: &Node, text: &str) -> Result<ImageConfig, &'static str> {
    let Value::Map(entries) = &node.value else {
        return Err(EXPECTED);
    };
    let mut config = ImageConfig::default();
    for (key, value) in entries {
        let number = || match value.value {
            Value::Int(i) if i > 0 => Some(i as u64),
            _ => None,
        };
        match key.as_str().unwrap_or_default() {
            "widths" => config.widths = widths(value).ok_or(EXPECTED)?,
            "quality" => config.quality = number().filter(|q| *q <= 100).ok_or(EXPECTED)? as u8,
            "max_pixels" => config.max_pixels = number().ok_or(EXPECTED)?,
            "cache_dir" => config.cache_dir = value.scalar_text(text).ok_or(EXPECTED)?.into(),
            _ => return Err(EXPECTED),
        }
    }
    Ok(config)
}

fn widths(node: &Node) -> Option<Vec<u32>> {
    let Value::Seq(items) = &node.value else {
        return None;
    };
    let mut widths: Vec<u32> = items
        .iter()
        .map(|n| match n.value {
            Value::Int(i) if (1..=20_000).contains(&i) => Some(i as u32),
            _ => None,
        })
        .collect::<Option<_>>()?;
    widths.sort_unstable();
    widths.dedup();
    (!widths.is_empty()).then_some(widths)
}
