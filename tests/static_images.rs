//! Images in `static/` are published without their metadata: a JPEG with
//! GPS in its EXIF, a PNG with `eXIf` and `tEXt` chunks and a WebP with
//! `EXIF` and `XMP ` chunks are built, and the output bytes are parsed to
//! show that no metadata is left and that each picture still decodes to
//! the same pixels. A file that is not the image its name says is
//! published unchanged, with a warning naming it.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_tree, explainer, fixture};
use explainer::cmd::CompileOptions;
use explainer::engine::Engine;
use image::{ImageEncoder, RgbImage, RgbaImage};

/// Where the pictures were "taken": what must not leave the newsroom.
const LATITUDE: &[u8] = b"50.4501N";
const SIDE: u32 = 16;

fn pixels() -> RgbImage {
    RgbImage::from_fn(SIDE, SIDE, |x, y| {
        image::Rgb([(x * 15) as u8, (y * 15) as u8, 90])
    })
}

/// A big-endian TIFF block as EXIF carries it: IFD0 pointing at a GPS IFD
/// whose latitude reference and value are set.
fn exif_with_gps() -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0 at 8: one entry, GPSInfo (0x8825, LONG) at offset 26.
    tiff.extend([0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    // GPS IFD at 26: GPSLatitudeRef "N", GPSLatitude as text at 56.
    tiff.extend([0, 2]);
    tiff.extend([0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend([0, 2, 0, 2, 0, 0, 0, 8, 0, 0, 0, 56]);
    tiff.extend([0, 0, 0, 0]);
    tiff.extend(LATITUDE);
    tiff
}

fn jpeg_segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend(((body.len() + 2) as u16).to_be_bytes());
    s.extend(body);
    s
}

/// A JPEG with EXIF (GPS), XMP and a comment after its JFIF header.
fn jpeg_with_gps() -> Vec<u8> {
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .write_image(&pixels(), SIDE, SIDE, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(exif_with_gps());
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>".to_vec();
    xmp.extend(LATITUDE);
    let mut file = plain[..2].to_vec();
    file.extend(jpeg_segment(0xE1, &exif));
    file.extend(jpeg_segment(0xE1, &xmp));
    file.extend(jpeg_segment(0xFE, b"shot by a source"));
    file.extend(&plain[2..]);
    file
}

/// CRC-32 as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend(kind);
    c.extend(data);
    let mut checked = kind.to_vec();
    checked.extend(data);
    c.extend(crc32(&checked).to_be_bytes());
    c
}

/// A PNG with `eXIf`, `tEXt`, `iTXt` and `tIME` chunks before `IEND`.
fn png_with_metadata() -> Vec<u8> {
    let mut plain = Vec::new();
    image::codecs::png::PngEncoder::new(&mut plain)
        .write_image(&pixels(), SIDE, SIDE, image::ExtendedColorType::Rgb8)
        .unwrap();
    let iend = plain.len() - 12;
    let mut file = plain[..iend].to_vec();
    file.extend(png_chunk(b"eXIf", &exif_with_gps()));
    let mut text = b"Comment\0".to_vec();
    text.extend(LATITUDE);
    file.extend(png_chunk(b"tEXt", &text));
    file.extend(png_chunk(b"iTXt", b"Author\0\0\0\0\0a source"));
    file.extend(png_chunk(b"tIME", &[7, 234, 12, 6, 10, 0, 0]));
    file.extend(&plain[iend..]);
    file
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = kind.to_vec();
    c.extend((data.len() as u32).to_le_bytes());
    c.extend(data);
    if data.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// An extended WebP: VP8X (flags EXIF and XMP set), the lossless image,
/// then `EXIF` and `XMP ` chunks.
fn webp_with_exif() -> Vec<u8> {
    let rgba = RgbaImage::from_fn(SIDE, SIDE, |x, y| {
        image::Rgba([(x * 15) as u8, (y * 15) as u8, 90, 255])
    });
    let mut plain = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut plain)
        .write_image(&rgba, SIDE, SIDE, image::ExtendedColorType::Rgba8)
        .unwrap();
    assert_eq!(&plain[12..16], b"VP8L");
    let mut vp8x = vec![0x08 | 0x04 | 0x10, 0, 0, 0];
    vp8x.extend(&(SIDE - 1).to_le_bytes()[..3]);
    vp8x.extend(&(SIDE - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend(&plain[12..]);
    let mut exif = exif_with_gps();
    exif.push(b'!');
    body.extend(riff_chunk(b"EXIF", &exif));
    body.extend(riff_chunk(b"XMP ", b"<x:xmpmeta>a source</x:xmpmeta>"));
    let mut file = b"RIFF".to_vec();
    file.extend((body.len() as u32).to_le_bytes());
    file.extend(body);
    file
}

/// The basic fixture with the three pictures and a broken one in
/// `static/`, in a temporary folder.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("build/basic"), &root);
    let img = root.join("static/img");
    std::fs::create_dir_all(&img).unwrap();
    std::fs::write(img.join("photo.jpg"), jpeg_with_gps()).unwrap();
    std::fs::write(img.join("chart.png"), png_with_metadata()).unwrap();
    std::fs::write(img.join("map.webp"), webp_with_exif()).unwrap();
    std::fs::write(
        img.join("broken.jpg"),
        b"\xFF\xD8\xFF\xE1\x00\x40 cut short",
    )
    .unwrap();
    (dir, root)
}

/// JPEG markers before the first scan.
fn jpeg_markers(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut at = 2;
    let mut out = Vec::new();
    while bytes[at + 1] != 0xDA {
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        out.push((bytes[at + 1], bytes[at + 4..at + 2 + len].to_vec()));
        at += 2 + len;
    }
    out
}

/// PNG chunk types, in order.
fn png_chunks(bytes: &[u8]) -> Vec<String> {
    let mut at = 8;
    let mut out = Vec::new();
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        out.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        at += 12 + len;
    }
    out
}

/// WebP chunk types, in order, after checking the RIFF size.
fn webp_chunks(bytes: &[u8]) -> Vec<String> {
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff + 8, bytes.len(), "RIFF size");
    let mut at = 12;
    let mut out = Vec::new();
    while at < bytes.len() {
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        out.push(String::from_utf8_lossy(&bytes[at..at + 4]).into_owned());
        at += 8 + size + size % 2;
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The pixels of a picture, as RGB.
fn decoded(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes)
        .expect("the picture decodes")
        .to_rgb8()
}

fn assert_no_metadata(out: &Path) {
    let jpeg = std::fs::read(out.join("img/photo.jpg")).unwrap();
    let markers: Vec<u8> = jpeg_markers(&jpeg).iter().map(|(m, _)| *m).collect();
    assert!(
        markers
            .iter()
            .all(|m| !(0xE1..=0xEF).contains(m) && *m != 0xFE),
        "JPEG markers left: {markers:x?}"
    );
    assert_eq!(markers[0], 0xE0, "the JFIF header stays");
    let png = std::fs::read(out.join("img/chart.png")).unwrap();
    let chunks = png_chunks(&png);
    for gone in ["eXIf", "tEXt", "iTXt", "tIME"] {
        assert!(!chunks.iter().any(|c| c == gone), "{gone} left: {chunks:?}");
    }
    let webp = std::fs::read(out.join("img/map.webp")).unwrap();
    assert_eq!(webp_chunks(&webp), ["VP8X", "VP8L"]);
    assert_eq!(webp[20] & (0x08 | 0x04), 0, "VP8X still says EXIF or XMP");
    assert_eq!(webp[20] & 0x10, 0x10, "the alpha flag stays");
    for bytes in [&jpeg, &png, &webp] {
        assert!(!contains(bytes, LATITUDE) && !contains(bytes, b"a source"));
    }
    // Lossless: the same pixels as the originals.
    let jpeg_in = decoded(&jpeg_with_gps());
    assert_eq!(decoded(&jpeg), jpeg_in);
    assert_eq!(decoded(&png), pixels());
    assert_eq!(decoded(&webp), pixels());
}

#[test]
fn static_images_are_published_without_metadata_and_still_decode() {
    let (dir, root) = site();
    let out = dir.path().join("out");
    common::build_into(&root, &out);
    assert_no_metadata(&out);
}

#[test]
fn serve_publishes_the_same_stripped_bytes_as_a_build() {
    let (dir, root) = site();
    let out = dir.path().join("out");
    common::build_into(&root, &out);
    let engine = Engine::new(&root, CompileOptions::default());
    for rel in [
        "img/photo.jpg",
        "img/chart.png",
        "img/map.webp",
        "img/broken.jpg",
    ] {
        let served = engine.output().get(Path::new(rel)).cloned().expect(rel);
        assert_eq!(*served, std::fs::read(out.join(rel)).unwrap(), "{rel}");
    }
}

#[test]
fn a_broken_image_is_published_unchanged_with_a_warning_naming_it() {
    let (dir, root) = site();
    let out = dir.path().join("out");
    let run = explainer(
        dir.path(),
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(
        std::fs::read(out.join("img/broken.jpg")).unwrap(),
        b"\xFF\xD8\xFF\xE1\x00\x40 cut short"
    );
    let block: Vec<&str> = stderr
        .split("\n\n")
        .find(|b| b.contains("[static-image]"))
        .unwrap_or_else(|| panic!("no warning about the broken image:\n{stderr}"))
        .lines()
        .collect();
    assert_eq!(
        block,
        [
            "warning: could not remove the metadata of this image (a segment runs past the end of the file); it is published unchanged [static-image]",
            "  --> static/img/broken.jpg",
            "  = hint: open and save the picture again in an image editor, or check that its extension says what it is",
        ]
    );
}

#[test]
fn the_pictures_put_in_static_do_carry_metadata_and_decode() {
    let jpeg = jpeg_with_gps();
    assert!(
        jpeg_markers(&jpeg)
            .iter()
            .any(|(m, body)| *m == 0xE1 && body.starts_with(b"Exif"))
    );
    let png = png_with_metadata();
    assert!(png_chunks(&png).iter().any(|c| c == "eXIf"));
    let webp = webp_with_exif();
    assert_eq!(webp_chunks(&webp), ["VP8X", "VP8L", "EXIF", "XMP "]);
    for bytes in [&jpeg, &png, &webp] {
        assert!(contains(bytes, LATITUDE) || contains(bytes, b"a source"));
        decoded(bytes);
    }
}
