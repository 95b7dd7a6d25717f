//! Pictures: JPEG (with GPS EXIF), PNG and WebP sources in front matter and
//! in Markdown bodies come out in every configured width, as WebP and a
//! fallback, with width, height, srcset and sizes, without metadata, from
//! a cache that makes the next build decode nothing.

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};

/// The fixture copied to a temporary root, with its pictures drawn.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&common::fixture("images/basic"), &root);
    let actors = root.join("content/actors");
    std::fs::write(actors.join("photo.jpg"), jpeg_with_gps(1600, 1000)).unwrap();
    std::fs::write(actors.join("chart.png"), png_with_alpha(1000, 600)).unwrap();
    std::fs::create_dir_all(root.join("static/pics")).unwrap();
    std::fs::write(root.join("static/pics/map.webp"), webp(800, 500)).unwrap();
    (dir, root)
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    })
}

/// A JPEG whose APP1 segment holds EXIF with a GPS latitude, as a camera
/// phone writes it.
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let mut plain = Vec::new();
    DynamicImage::ImageRgb8(gradient(w, h))
        .write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg)
        .unwrap();
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0: one entry, GPSInfo (0x8825) pointing at the GPS IFD at 26.
    tiff.extend([0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    // GPS IFD: GPSLatitudeRef = "N".
    tiff.extend([0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = plain[..2].to_vec();
    out.extend([0xff, 0xe1]);
    out.extend(len.to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn png_with_alpha(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, _| image::Rgba([200, 40, 40, (x % 256) as u8]));
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

fn webp(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(gradient(w, h))
        .write_to(&mut Cursor::new(&mut out), ImageFormat::WebP)
        .unwrap();
    out
}

fn images_in(out: &Path) -> Vec<PathBuf> {
    common::files(&out.join("images"))
}

/// The widths of one source's outputs with extension `ext`, by the
/// dimensions decoded from the files themselves.
fn decoded(out: &Path, ext: &str) -> Vec<(u32, u32)> {
    let mut sizes: Vec<(u32, u32)> = images_in(out)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| image::image_dimensions(out.join("images").join(p)).unwrap())
        .collect();
    sizes.sort();
    sizes
}

#[test]
fn every_source_comes_out_in_every_width_as_webp_and_fallback() {
    let (dir, root) = site();
    let out = dir.path().join("out");
    common::build_into(&root, &out);
    // photo.jpg (1600×1000): 480, 960, 1440; chart.png (1000×600, alpha):
    // 480, 960 and its own 1000; map.webp (800×500): 480 and its own 800.
    assert_eq!(
        decoded(&out, "jpg"),
        [(480, 300), (480, 300), (800, 500), (960, 600), (1440, 900)]
    );
    assert_eq!(decoded(&out, "png"), [(480, 288), (960, 576), (1000, 600)]);
    assert_eq!(decoded(&out, "webp").len(), 8);
}

#[test]
fn no_metadata_survives_processing() {
    let (dir, root) = site();
    let source = std::fs::read(root.join("content/actors/photo.jpg")).unwrap();
    assert!(contains(&source, b"Exif"), "the test source carries EXIF");
    let out = dir.path().join("out");
    common::build_into(&root, &out);
    for rel in images_in(&out) {
        let bytes = std::fs::read(out.join("images").join(&rel)).unwrap();
        for marker in [
            &b"Exif"[..],
            b"EXIF",
            b"XMP",
            b"eXIf",
            b"tEXt",
            b"iTXt",
            b"GPS",
        ] {
            assert!(
                !contains(&bytes, marker),
                "{} holds {:?}",
                rel.display(),
                marker
            );
        }
        let reader = image::ImageReader::new(Cursor::new(&bytes))
            .with_guessed_format()
            .unwrap();
        let mut decoder = reader.into_decoder().unwrap();
        use image::ImageDecoder;
        assert_eq!(decoder.exif_metadata().unwrap(), None, "{}", rel.display());
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn pages_get_picture_elements_with_sizes_and_relative_links() {
    let (dir, root) = site();
    let out = dir.path().join("out");
    common::build_into(&root, &out);
    let page = std::fs::read_to_string(out.join("actors/ukraine/index.html")).unwrap();
    assert_eq!(page.matches("<picture>").count(), 3, "{page}");
    assert!(page.contains(r#"<source type="image/webp" srcset="../../images/"#));
    // The lead picture spans the page; body pictures the text column.
    assert!(page.contains(r#"sizes="(min-width: 72rem) 69.5rem, calc(100vw - 2.5rem)""#));
    assert!(page.contains(r#"sizes="(min-width: 46.5rem) 44rem, calc(100vw - 2.5rem)""#));
    assert!(page.contains(r#"width="1440" height="900" loading="eager" decoding="async""#));
    assert!(page.contains(r#"width="1000" height="600" loading="lazy" decoding="async""#));
    assert!(page.contains(r#"alt="Delegations at a long table""#));
    assert!(page.contains(r#"<span class="credit">Photo: Test Desk (CC BY 4.0)</span>"#));
    assert!(
        page.contains("<figcaption>Meetings by month"),
        "a lone Markdown image is a figure"
    );
    // Every picture link resolves from the page's folder: from disk, and
    // under any sub-path, since none starts at the host's root.
    let html = scraper::Html::parse_document(&page);
    let sel = scraper::Selector::parse("img, source").unwrap();
    let page_dir = out.join("actors/ukraine");
    let mut links = 0;
    for el in html.select(&sel) {
        let v = el.value();
        let mut urls: Vec<&str> = v.attr("src").into_iter().collect();
        if let Some(set) = v.attr("srcset") {
            urls.extend(set.split(", ").map(|c| c.split(' ').next().unwrap()));
        }
        for url in urls {
            assert!(!url.starts_with('/') && !url.contains("://"), "{url}");
            assert!(page_dir.join(url).is_file(), "{url} does not resolve");
            links += 1;
        }
    }
    assert_eq!(links, 19, "3 src, 8 fallback and 8 WebP candidates");
}

#[test]
fn a_second_build_decodes_nothing_and_writes_the_same_bytes() {
    let (dir, root) = site();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    common::build_into(&root, &first);
    // In this process nothing was seen yet: only the disk cache the
    // first build left can spare the decoding. The counter counts decodes.
    explainer::render::images::forget_memory();
    let before = explainer::render::images::decodes();
    let options = explainer::cmd::CompileOptions::default();
    let compiled = explainer::cmd::compile(&root, &options).unwrap();
    assert_eq!(compiled.diagnostics.errors(), 0);
    assert_eq!(
        explainer::render::images::decodes() - before,
        0,
        "the cache was used"
    );
    common::build_into(&root, &second);
    for rel in images_in(&first) {
        let a = std::fs::read(first.join("images").join(&rel)).unwrap();
        let b = std::fs::read(second.join("images").join(&rel)).unwrap();
        assert!(a == b, "{} differs between builds", rel.display());
    }
    // Without the cache, the three sources are decoded again.
    std::fs::remove_dir_all(root.join(".explainer-cache")).unwrap();
    explainer::render::images::forget_memory();
    let before = explainer::render::images::decodes();
    explainer::cmd::compile(&root, &options).unwrap();
    assert_eq!(explainer::render::images::decodes() - before, 3);
}

#[test]
fn every_entity_and_the_site_get_a_share_card_drawn_the_same_twice() {
    let (dir, root) = site();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    common::build_into(&root, &first);
    std::fs::remove_dir_all(root.join(".explainer-cache")).unwrap();
    common::build_into(&root, &second);
    for card in [
        "card.png",
        "actors/ukraine/card.png",
        "pages/about/card.png",
    ] {
        let bytes = std::fs::read(first.join(card)).unwrap();
        assert_eq!(
            image::load_from_memory(&bytes).unwrap().width(),
            1200,
            "{card}"
        );
        assert_eq!(
            image::image_dimensions(first.join(card)).unwrap(),
            (1200, 630)
        );
        assert!(
            bytes == std::fs::read(second.join(card)).unwrap(),
            "{card} differs"
        );
    }
    // og:image is the card's absolute URL under base_url, and it exists.
    let page = std::fs::read_to_string(first.join("actors/ukraine/index.html")).unwrap();
    let base = "https://example.org/sub/path/";
    let url = attr_after(&page, r#"<meta property="og:image" content=""#);
    let rel = url.strip_prefix(base).expect("og:image under base_url");
    assert!(first.join(rel).is_file(), "{url}");
    assert!(page.contains(r#"<meta name="twitter:card" content="summary_large_image">"#));
    assert!(page.contains(r#"<meta property="og:image:width" content="1200">"#));
    let home = std::fs::read_to_string(first.join("index.html")).unwrap();
    assert_eq!(
        attr_after(&home, r#"<meta property="og:image" content=""#),
        format!("{base}card.png")
    );
}

fn attr_after<'a>(html: &'a str, prefix: &str) -> &'a str {
    let start = html.find(prefix).expect(prefix) + prefix.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

// ------------------------------------------------------ serve and pictures

/// `explainer serve` on a copy of the fixture; killed when dropped.
struct Serve {
    child: std::process::Child,
    port: u16,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path) -> Serve {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_explainer"))
        .args(["serve", "--root", root.to_str().unwrap()])
        .args(["--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    Serve { child, port }
}

/// The body of a GET, as bytes; `None` until the server answers 200.
fn fetch(port: u16, path: &str) -> Option<Vec<u8>> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    head.starts_with("HTTP/1.1 200")
        .then(|| raw[split + 4..].to_vec())
}

/// Polls the lead picture's `src` on the Ukraine page until `ok` holds.
fn lead_src(port: u16, ok: impl Fn(&str) -> bool) -> String {
    let started = std::time::Instant::now();
    loop {
        if let Some(page) = fetch(port, "/actors/ukraine/index.html") {
            let html = String::from_utf8_lossy(&page).into_owned();
            let doc = scraper::Html::parse_document(&html);
            if let Some(src) = common::attr(&doc, ".lead-image img", "src")
                && ok(&src)
            {
                return src;
            }
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(90),
            "the lead picture did not change"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A page-relative link on `/actors/ukraine/` as a path from the root.
fn from_root(src: &str) -> String {
    format!("/{}", src.trim_start_matches("../../"))
}

#[test]
fn serve_processes_an_edited_picture_again_and_shows_the_new_one() {
    let (_dir, root) = site();
    let server = serve(&root);
    let before = lead_src(server.port, |_| true);
    // 1600×1000 before: the middle width, 960, is 600 high.
    let old = fetch(server.port, &from_root(&before)).expect("the old picture");
    assert_eq!(image::load_from_memory(&old).unwrap().height(), 600);
    std::fs::write(
        root.join("content/actors/photo.jpg"),
        jpeg_with_gps(1200, 800),
    )
    .unwrap();
    let after = lead_src(server.port, |src| src != before);
    let new = fetch(server.port, &from_root(&after)).expect("the new picture");
    let new = image::load_from_memory(&new).unwrap();
    assert_eq!((new.width(), new.height()), (960, 640));
}

#[test]
fn serve_follows_a_picture_under_static_too() {
    let (_dir, root) = site();
    let server = serve(&root);
    let map = |html: &str| {
        let doc = scraper::Html::parse_document(html);
        common::attr(&doc, "img[alt='Map of the region']", "width")
    };
    let page = || {
        let bytes = fetch(server.port, "/actors/ukraine/index.html").unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let started = std::time::Instant::now();
    while map(&page()).as_deref() != Some("800") {
        assert!(started.elapsed().as_secs() < 90, "the page is served");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::fs::write(root.join("static/pics/map.webp"), webp(400, 300)).unwrap();
    while map(&page()).as_deref() != Some("400") {
        assert!(started.elapsed().as_secs() < 90, "the new map is shown");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let html = page();
    let doc = scraper::Html::parse_document(&html);
    let src = common::attr(&doc, "img[alt='Map of the region']", "src").unwrap();
    let bytes = fetch(server.port, &from_root(&src)).expect("the new map's file");
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (400, 300));
}
