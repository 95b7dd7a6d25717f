//! RENDER: pictures. An `image:` in front matter, a Markdown image or a
//! `figure` shortcode names a file; this finds it (beside the content file
//! or under `static/`), checks what an editor must give (alt text, credit),
//! has it processed ([`process`]) and writes the `<picture>` that shows it.
//! Input: the path as written and where; output: a [`FigureView`] for the
//! page, the [`Processed`] files for the output, and diagnostics.

pub mod config;
pub mod process;
mod stamps;

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

pub use config::{ImageConfig, config_from};
pub use process::{Format, Problem, Processed, decodes, forget_memory};

use crate::diag::{Diagnostic, Span};
use crate::render::links::Linker;

/// The `sizes` of a picture in a body: the default theme's text column
/// (`.prose`, 44rem) once the viewport holds it with the page's side
/// padding (1.25rem each side), the viewport less that padding below.
/// Saying `100vw` there instead made phones fetch the next width up: at
/// Lighthouse's 412 px and 1.75 device pixels per CSS pixel, 960 px
/// files for a 372 px column, which its `uses-responsive-images` audit
/// counts as more than half wasted.
pub const BODY_SIZES: &str = "(min-width: 46.5rem) 44rem, calc(100vw - 2.5rem)";

/// The `sizes` of a lead picture (front matter `image:`), which spans the
/// page's `.wrap` (72rem less its padding), wider than the text column:
/// with the body's `sizes`, desktop browsers chose a file narrower than
/// the picture is drawn.
pub const LEAD_SIZES: &str = "(min-width: 72rem) 69.5rem, calc(100vw - 2.5rem)";

/// The `sizes` for a picture: lead pictures are the ones shown at once.
fn sizes(above_fold: bool) -> &'static str {
    if above_fold { LEAD_SIZES } else { BODY_SIZES }
}

/// What a writer said about one image, wherever it was written.
#[derive(Debug, Clone, Default)]
pub struct Ask<'a> {
    pub src: &'a str,
    pub alt: Option<&'a str>,
    pub credit: Option<&'a str>,
    pub licence: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub decorative: bool,
    /// Whether a reader sees it without scrolling (a lead image): then it
    /// is loaded at once, otherwise lazily.
    pub above_fold: bool,
    /// Whether a missing credit is worth a warning (Markdown images have
    /// nowhere to write one; the hint points to the `figure` shortcode).
    pub markdown: bool,
}

/// A processed picture as a page shows it; links relative to that page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FigureView {
    /// `<figure>` with the `<picture>`, caption and credit.
    pub html: String,
    /// The `<picture>` alone.
    pub picture: String,
    pub src: String,
    pub srcset: String,
    pub webp_srcset: String,
    pub sizes: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub credit: Option<String>,
    pub licence: Option<String>,
    pub caption: Option<String>,
    /// The largest fallback file, relative to the site root: for `og:image`,
    /// JSON-LD and share cards.
    pub file: String,
    /// The largest fallback's cached file on disk (share cards draw it).
    #[serde(skip)]
    pub cached: PathBuf,
}

/// Checks and processes one image asked for in `file` at `span`. Problems
/// go to `diags`; `None` when there is nothing to show.
pub fn use_image(
    ask: &Ask<'_>,
    file: &Path,
    span: Span,
    linker: &Linker,
    config: &ImageConfig,
    diags: &mut Vec<Diagnostic>,
) -> Option<(FigureView, Arc<Processed>)> {
    check_words(ask, file, span, diags);
    let path = match locate(ask.src, file, &config.site_root) {
        Ok(path) => path,
        Err(tried) => {
            diags.push(not_found(ask.src, file, span, &tried));
            return None;
        }
    };
    match process::process(&path, config) {
        Ok(processed) => Some((view(ask, &processed, linker), processed)),
        Err(problem) => {
            diags.push(problem_diagnostic(ask.src, file, span, &problem));
            None
        }
    }
}

/// Alt text and credit: editorial musts.
fn check_words(ask: &Ask<'_>, file: &Path, span: Span, diags: &mut Vec<Diagnostic>) {
    let src = ask.src;
    match ask.alt.map(str::trim) {
        None => diags.push(
            Diagnostic::error(
                "image-alt-missing",
                file,
                format!("image `{src}` has no alt text"),
            )
            .at(span)
            .hint("describe what it shows for readers who cannot see it: `alt: \"…\"`"),
        ),
        Some("") if !ask.decorative => diags.push(
            Diagnostic::error(
                "image-alt-empty",
                file,
                format!("image `{src}` has an empty alt text but is not marked decorative"),
            )
            .at(span)
            .hint("describe what it shows, or add `decorative: true` if it only decorates"),
        ),
        _ => {}
    }
    if ask.credit.is_none_or(|c| c.trim().is_empty()) {
        let hint = if ask.markdown {
            "Markdown images have no credit: use {{ figure(src=\"…\", alt=\"…\", credit=\"…\") }}"
        } else {
            "say who made it: `credit: \"Photo: Name / Agency\"`"
        };
        diags.push(
            Diagnostic::warning(
                "image-credit-missing",
                file,
                format!("image `{src}` has no credit"),
            )
            .at(span)
            .hint(hint),
        );
    }
}

/// The file `src` names: beside the content file, then under `static/`
/// (a leading `/` means `static/` only). Never outside the site. On
/// failure, the paths tried, relative to the root.
pub fn locate(src: &str, file: &Path, root: &Path) -> Result<PathBuf, Vec<PathBuf>> {
    let mut tried = Vec::new();
    let candidates: Vec<PathBuf> = match src.strip_prefix('/') {
        Some(rest) => vec![Path::new("static").join(rest)],
        None => vec![
            file.parent().unwrap_or(Path::new("")).join(src),
            Path::new("static").join(src),
        ],
    };
    for rel in candidates {
        let Some(rel) = normalise(&rel) else { continue };
        let abs = root.join(&rel);
        if abs.exists() {
            return Ok(abs);
        }
        tried.push(rel);
    }
    Err(tried)
}

/// `a/b/../c` as `a/c`; `None` when it climbs out of the site.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

fn not_found(src: &str, file: &Path, span: Span, tried: &[PathBuf]) -> Diagnostic {
    let looked: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
    let hint = if looked.is_empty() {
        "image paths stay inside the site".to_owned()
    } else {
        format!("looked for {}", looked.join(" and "))
    };
    Diagnostic::error("image-not-found", file, format!("image `{src}` not found"))
        .at(span)
        .hint(hint)
}

fn problem_diagnostic(src: &str, file: &Path, span: Span, problem: &Problem) -> Diagnostic {
    let (code, message, hint) = match problem {
        Problem::NotFound => return not_found(src, file, span, &[]),
        Problem::Unreadable(e) => (
            "image-unreadable",
            format!("cannot read image `{src}`: {e}"),
            "check the file's permissions".to_owned(),
        ),
        Problem::Unsupported(what) => (
            "image-unsupported",
            format!("image `{src}` is in an unsupported format ({what})"),
            "use JPEG, PNG, WebP or SVG".to_owned(),
        ),
        Problem::Corrupt(e) => (
            "image-corrupt",
            format!("image `{src}` cannot be decoded: {e}"),
            "open it in an image editor and save it again".to_owned(),
        ),
        Problem::TooLarge {
            width,
            height,
            limit,
        } => (
            "image-too-large",
            format!("image `{src}` is {width}×{height} pixels, over the limit of {limit}"),
            "scale it down, or raise `images.max_pixels` in site.yaml".to_owned(),
        ),
        Problem::Cache(e) => (
            "image-cache",
            format!("cannot cache image `{src}`: {e}"),
            "set `images.cache_dir` in site.yaml to a writable folder".to_owned(),
        ),
    };
    Diagnostic::error(code, file, message).at(span).hint(hint)
}

/// The HTML and the fields a template may use instead.
fn view(ask: &Ask<'_>, p: &Processed, linker: &Linker) -> FigureView {
    let (width, height) = p.size();
    let alt = ask.alt.unwrap_or_default().trim().to_owned();
    let srcset = |format: Format| {
        p.sizes
            .iter()
            .map(|&(w, _)| format!("{} {w}w", linker.file(&p.output(w, format))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let middle = p.sizes[p.sizes.len() / 2].0;
    let src = linker.file(&p.output(middle, p.fallback));
    let (webp_srcset, fallback_srcset) = if p.fallback == Format::Svg {
        (String::new(), String::new())
    } else {
        (srcset(Format::Webp), srcset(p.fallback))
    };
    let picture = picture_html(
        &src,
        &webp_srcset,
        &fallback_srcset,
        &alt,
        (width, height),
        ask.above_fold,
    );
    let clean = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (credit, licence, caption) = (clean(ask.credit), clean(ask.licence), clean(ask.caption));
    let html = figure_html(
        &picture,
        caption.as_deref(),
        credit.as_deref(),
        licence.as_deref(),
    );
    let (largest, _) = p.size();
    FigureView {
        html,
        picture,
        src,
        srcset: fallback_srcset,
        webp_srcset,
        sizes: sizes(ask.above_fold).to_owned(),
        width,
        height,
        alt,
        credit,
        licence,
        caption,
        file: p.output(largest, p.fallback),
        cached: p.files().last().map(|(_, c)| c.clone()).unwrap_or_default(),
    }
}

fn picture_html(
    src: &str,
    webp: &str,
    fallback: &str,
    alt: &str,
    (width, height): (u32, u32),
    above_fold: bool,
) -> String {
    let loading = if above_fold {
        r#"loading="eager""#
    } else {
        r#"loading="lazy""#
    };
    let alt = escape(alt);
    if webp.is_empty() {
        return format!(
            r#"<img src="{src}" alt="{alt}" width="{width}" height="{height}" {loading} decoding="async">"#
        );
    }
    format!(
        concat!(
            r#"<picture><source type="image/webp" srcset="{webp}" sizes="{sizes}">"#,
            r#"<img src="{src}" srcset="{fallback}" sizes="{sizes}" alt="{alt}" width="{width}" height="{height}" {loading} decoding="async"></picture>"#
        ),
        webp = webp,
        sizes = sizes(above_fold),
        src = src,
        fallback = fallback,
        alt = alt,
        width = width,
        height = height,
        loading = loading,
    )
}

fn figure_html(
    picture: &str,
    caption: Option<&str>,
    credit: Option<&str>,
    licence: Option<&str>,
) -> String {
    let mut text = String::new();
    if let Some(c) = caption {
        text.push_str(&escape(c));
    }
    if let Some(c) = credit {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&format!(r#"<span class="credit">{}"#, escape(c)));
        if let Some(l) = licence {
            text.push_str(&format!(" ({})", escape(l)));
        }
        text.push_str("</span>");
    }
    if text.is_empty() {
        return format!(r#"<figure class="picture">{picture}</figure>"#);
    }
    format!(r#"<figure class="picture">{picture}<figcaption>{text}</figcaption></figure>"#)
}

/// Text for an HTML attribute or element.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_paths_never_leave_the_site() {
        assert_eq!(
            normalise(Path::new("content/a/../b.png")),
            Some("content/b.png".into())
        );
        assert_eq!(normalise(Path::new("content/../../etc/passwd")), None);
        assert_eq!(normalise(Path::new("/etc/passwd")), None);
    }
}
