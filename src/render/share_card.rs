//! RENDER: share cards — a 1200×630 PNG per entity, and one for the site,
//! drawn from the page's facts (kind, title, role or status, latest date,
//! disputed facts, its picture) through the theme's `share_card.svg` and
//! rasterised with resvg and the bundled DejaVu Sans, so every machine
//! draws the same pixels. Cached on disk by the SVG's hash.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};
use serde::Serialize;

use super::links::SitePath;
use super::site_pages::Pages;
use crate::content::model::{EntityIdx, KindData};
use crate::diag::Diagnostic;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;
/// The card's file beside each page, and the site's at the root.
pub const FILE: &str = "card.png";
pub const TEMPLATE: &str = "share_card.svg";
/// Characters of the title on one line at 64 px across 1072 px of card.
const TITLE_LINE: usize = 26;
const TITLE_LINES: usize = 3;
/// Changes whenever [`super::card_png`] writes other bytes for the same
/// pixels.
const ENCODER: u64 = 2;
/// The picture's box on the card's right side.
const IMAGE_BOX: (u32, u32) = (360, 300);

static FONTS: [&[u8]; 2] = [
    include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
];

#[derive(Debug, Default, Serialize)]
struct CardContext {
    site_name: String,
    kind: Option<String>,
    title_lines: Vec<String>,
    role: Option<String>,
    status: Option<String>,
    date: Option<String>,
    disputed: usize,
    /// A `data:` URI of the page's picture.
    image: Option<String>,
    image_width: u32,
    image_height: u32,
}

/// Where an entity's card (or with `None`, the site's) goes.
pub fn path(pages: &Pages<'_>, of: Option<EntityIdx>) -> std::path::PathBuf {
    match of {
        Some(i) => pages.data.paths[i].output_file().with_file_name(FILE),
        None => FILE.into(),
    }
}

/// The card as a PNG, and the cache file holding it when there is one.
pub fn render(
    pages: &Pages<'_>,
    of: Option<EntityIdx>,
) -> Result<(Vec<u8>, Option<std::path::PathBuf>), Diagnostic> {
    let ctx = match of {
        Some(i) => entity_context(pages, i),
        None => CardContext {
            title_lines: wrap(&pages.data.config.title),
            role: Some(pages.data.config.description.clone()).filter(|d| !d.is_empty()),
            ..Default::default()
        },
    };
    let ctx = escaped(CardContext {
        site_name: pages.data.config.title.clone(),
        ..ctx
    });
    let context = tera::Context::from_serialize(&ctx).unwrap_or_default();
    let svg = pages.render_template(TEMPLATE, &context)?;
    cached(&pages.data.config.images.cache(), &svg)
}

/// What the card shows of an entity: its front matter alone (a body edit
/// does not draw the card again), and its picture when it has one.
fn entity_context(pages: &Pages<'_>, i: EntityIdx) -> CardContext {
    let data = pages.data;
    let e = data.entities.get(i);
    let role = match &e.data {
        KindData::Actor(a) => a.role.clone(),
        _ => None,
    };
    let disputed = crate::resolve::facts::group(&e.key_facts)
        .iter()
        .filter(|r| r.is_disputed())
        .count();
    let lead = e
        .image
        .as_ref()
        .and_then(|_| {
            // The card draws the lead picture's file: a read of it.
            data.prepared.pictures(i);
            data.prepared.get(i)
        })
        .and_then(|p| p.lead.clone());
    let (image, image_width, image_height) = lead
        .and_then(|l| {
            let bytes = std::fs::read(&l.cached).ok()?;
            let mime = match l.file.rsplit('.').next() {
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                _ => "image/jpeg",
            };
            let (w, h) = fit(l.width, l.height);
            Some((format!("data:{mime};base64,{}", base64(&bytes)), w, h))
        })
        .map_or((None, 0, 0), |(i, w, h)| (Some(i), w, h));
    CardContext {
        kind: Some(data.config.strings.kind_name(e.kind).to_owned()),
        title_lines: wrap(&e.title),
        role,
        status: super::views::status_of(e)
            .map(|s| super::svg::status_words(&data.config.strings, &s)),
        date: e
            .when()
            .or(e.updated)
            .map(|w| super::dates::when(&data.config.strings.dates, &w)),
        disputed,
        image,
        image_width,
        image_height,
        ..Default::default()
    }
}

/// `share_card.svg` is not escaped by Tera (only HTML and XML are):
/// every text is escaped here.
fn escaped(ctx: CardContext) -> CardContext {
    use super::images::escape;
    let opt = |s: Option<String>| s.map(|s| escape(&s));
    CardContext {
        site_name: escape(&ctx.site_name),
        kind: opt(ctx.kind),
        title_lines: ctx.title_lines.iter().map(|l| escape(l)).collect(),
        role: opt(ctx.role),
        status: opt(ctx.status),
        date: opt(ctx.date),
        ..ctx
    }
}

/// The picture's size inside the card's box, aspect kept.
fn fit(w: u32, h: u32) -> (u32, u32) {
    let (bw, bh) = IMAGE_BOX;
    let scale = (f64::from(bw) / f64::from(w.max(1))).min(f64::from(bh) / f64::from(h.max(1)));
    ((f64::from(w) * scale) as u32, (f64::from(h) * scale) as u32)
}

/// The title in lines of whole words; the last line ends in `…` when
/// the title is longer than the card.
fn wrap(title: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in title.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > TITLE_LINE {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > TITLE_LINES {
        lines.truncate(TITLE_LINES);
        lines[TITLE_LINES - 1].push('…');
    }
    lines
}

/// The PNG of `svg`, from the cache or drawn now, and the cache file
/// that holds it (none when it could not be written).
fn cached(
    cache: &std::path::Path,
    svg: &str,
) -> Result<(Vec<u8>, Option<std::path::PathBuf>), Diagnostic> {
    // The encoder's version is part of the key: a card drawn by an older
    // encoder has other bytes, and a build must not depend on the cache.
    let key = format!(
        "{:032x}",
        xxhash_rust::xxh3::xxh3_128_with_seed(svg.as_bytes(), ENCODER)
    );
    let file = cache.join("cards").join(format!("{key}.png"));
    if let Ok(bytes) = std::fs::read(&file) {
        return Ok((bytes, Some(file)));
    }
    let png = draw(svg)?;
    let mut kept = None;
    if std::fs::create_dir_all(file.with_file_name("")).is_ok() {
        let tmp = file.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &png).is_ok() && std::fs::rename(&tmp, &file).is_ok() {
            kept = Some(file);
        }
    }
    Ok((png, kept))
}

fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    Arc::clone(DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for font in FONTS {
            db.load_font_data(font.to_vec());
        }
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    }))
}

fn draw(svg: &str) -> Result<Vec<u8>, Diagnostic> {
    let fail = |e: String| {
        Diagnostic::error(
            "share-card",
            format!("templates/{TEMPLATE}"),
            format!("cannot draw the share card: {e}"),
        )
    };
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: "DejaVu Sans".into(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| fail(e.to_string()))?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or_else(|| fail("size".into()))?;
    let size = tree.size();
    let scale = tiny_skia::Transform::from_scale(
        WIDTH as f32 / size.width(),
        HEIGHT as f32 / size.height(),
    );
    resvg::render(&tree, scale, &mut pixmap.as_mut());
    super::card_png::encode(&pixmap).map_err(fail)
}

/// Standard base64, for the `data:` URI of a card's picture.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `og:image` of a page: its entity's card, or the site's.
#[derive(Debug, Clone, Serialize)]
pub struct OgImage {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

pub fn og_image(
    t: &crate::i18n::Catalog,
    base: &str,
    page: Option<&SitePath>,
    title: &str,
) -> OgImage {
    let url = match page {
        Some(p) => format!("{}{FILE}", p.absolute(base)),
        None => format!("{base}{FILE}"),
    };
    OgImage {
        url,
        width: WIDTH,
        height: HEIGHT,
        alt: t.fill("share_card_alt", &[("title", title)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_wrap_by_words_and_stop_at_three_lines() {
        assert_eq!(wrap("Steve Witkoff"), ["Steve Witkoff"]);
        let long = "a ".repeat(100);
        let lines = wrap(&long);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
    }

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
    }
}
