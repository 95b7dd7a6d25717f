//! WRITE: images from `static/` without their metadata — bytes in, bytes
//! out, losslessly, with no decoding or re-encoding of pixels.
//!
//! A photo straight from a phone or a camera carries EXIF (with GPS: where
//! it was taken), XMP and IPTC. A newsroom must never publish where a
//! source's photo was taken by accident, and `static/` is copied as is, so
//! every JPEG, PNG and WebP is cut down to what its pixels and colours
//! need on the way out:
//!
//! - JPEG: APP1..APP15 and COM segments go, except an ICC profile (APP2
//!   `ICC_PROFILE`: how the colours are meant, no information about the
//!   photo) and Adobe's APP14 (which says whether the data is RGB or YCbCr,
//!   so a CMYK or RGB JPEG would decode to wrong colours without it), also
//!   between the scans of a progressive JPEG. The coded picture data is
//!   copied byte for byte; what follows the end-of-image marker (a second
//!   picture phones append, with EXIF of its own) is left out.
//! - PNG: the `eXIf`, `tEXt`, `iTXt`, `zTXt` and `tIME` chunks go.
//! - WebP: the `EXIF` and `XMP ` chunks go; the VP8X header's flags for
//!   them are cleared and the RIFF size is set to what is left.
//!
//! A file that does not parse is reported and left to the caller, which
//! copies it unchanged with a warning: a broken picture is the writer's to
//! fix, not a reason to stop a build.

use std::borrow::Cow;

/// Why an image could not be cut: its structure is not what its name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt(pub String);

/// The image kinds stripped, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Jpeg,
    Png,
    Webp,
}

fn format_of(name: &str) -> Option<Format> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => Some(Format::Jpeg),
        "png" => Some(Format::Png),
        "webp" => Some(Format::Webp),
        _ => None,
    }
}

/// Whether a file of this name is an image [`strip`] cuts.
pub fn is_image(name: &str) -> bool {
    format_of(name).is_some()
}

/// The bytes of `name` without metadata; other files come back borrowed.
pub fn strip<'a>(name: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, Corrupt> {
    match format_of(name) {
        None => Ok(Cow::Borrowed(bytes)),
        Some(Format::Jpeg) => jpeg(bytes).map(Cow::Owned),
        Some(Format::Png) => png(bytes).map(Cow::Owned),
        Some(Format::Webp) => webp(bytes).map(Cow::Owned),
    }
}

fn corrupt(what: &str) -> Corrupt {
    Corrupt(what.to_owned())
}

const JPEG_SOI: [u8; 2] = [0xFF, 0xD8];
const JPEG_SOS: u8 = 0xDA;
const JPEG_EOI: u8 = 0xD9;
const JPEG_COM: u8 = 0xFE;
const JPEG_APP0: u8 = 0xE0;
const JPEG_APP2: u8 = 0xE2;
const JPEG_APP14: u8 = 0xEE;
const JPEG_APP15: u8 = 0xEF;

/// Copies a JPEG's segments without metadata, each scan's coded data as
/// it is, and stops at the end-of-image marker: what phones append after
/// it (a second, "multi-picture" JPEG with EXIF of its own, an HDR gain
/// map) is left out, since no decoder of the first picture reads it.
fn jpeg(bytes: &[u8]) -> Result<Vec<u8>, Corrupt> {
    if !bytes.starts_with(&JPEG_SOI) {
        return Err(corrupt("it does not start like a JPEG"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&JPEG_SOI);
    let mut at = 2;
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if at == bytes.len() {
            // Cut short after a scan: decoders show what there is.
            return Ok(out);
        }
        let (Some(0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err(corrupt("a segment does not start with a marker"));
        };
        if marker == JPEG_EOI {
            out.extend_from_slice(&bytes[at..at + 2]);
            return Ok(out);
        }
        if is_standalone(marker) {
            out.extend_from_slice(&bytes[at..at + 2]);
            at += 2;
            continue;
        }
        let len = bytes
            .get(at + 2..at + 4)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .filter(|&len| len >= 2 && at + 2 + len <= bytes.len())
            .ok_or_else(|| corrupt("a segment runs past the end of the file"))?;
        let segment = &bytes[at..at + 2 + len];
        at += 2 + len;
        if marker == JPEG_SOS {
            let data_end = coded_data_end(bytes, at);
            out.extend_from_slice(segment);
            out.extend_from_slice(&bytes[at..data_end]);
            at = data_end;
        } else if keeps_jpeg_segment(marker, &segment[4..]) {
            out.extend_from_slice(segment);
        }
    }
}

/// Markers without a length: restart markers inside a scan, and TEM.
fn is_standalone(marker: u8) -> bool {
    matches!(marker, 0xD0..=0xD7 | 0x01)
}

/// Where a scan's coded data ends: at the first 0xFF that starts a marker
/// (in coded data 0xFF is followed by 0x00, or is a restart marker), or
/// at the end of the file.
fn coded_data_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while at + 1 < bytes.len() {
        if bytes[at] == 0xFF && !matches!(bytes[at + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
            return at;
        }
        at += 1;
    }
    bytes.len()
}

/// Whether a segment stays: everything that is not metadata, and the two
/// application segments colours depend on.
fn keeps_jpeg_segment(marker: u8, body: &[u8]) -> bool {
    match marker {
        JPEG_COM => false,
        JPEG_APP2 => body.starts_with(b"ICC_PROFILE\0"),
        JPEG_APP14 => body.starts_with(b"Adobe"),
        JPEG_APP0 => true,
        m if (JPEG_APP0..=JPEG_APP15).contains(&m) => false,
        _ => true,
    }
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// Chunks that only describe the picture: EXIF, text of any kind, the time
/// it was last changed.
const PNG_METADATA: [&[u8; 4]; 5] = [b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"];

/// Copies a PNG's chunks, leaving out [`PNG_METADATA`].
fn png(bytes: &[u8]) -> Result<Vec<u8>, Corrupt> {
    if !bytes.starts_with(&PNG_SIGNATURE) {
        return Err(corrupt("it does not start like a PNG"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&PNG_SIGNATURE);
    let mut at = PNG_SIGNATURE.len();
    while at < bytes.len() {
        let len = bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| corrupt("a chunk is cut short"))?;
        // Length, type, data and CRC.
        let end = at
            .checked_add(12 + len)
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| corrupt("a chunk runs past the end of the file"))?;
        let kind = &bytes[at + 4..at + 8];
        if !PNG_METADATA.iter().any(|m| m.as_slice() == kind) {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
        if kind == b"IEND" {
            return Ok(out);
        }
    }
    Err(corrupt("it has no IEND chunk"))
}

/// The VP8X header's flag bits for an EXIF and an XMP chunk.
const VP8X_EXIF: u8 = 0x08;
const VP8X_XMP: u8 = 0x04;

/// Copies a WebP's chunks without `EXIF` and `XMP `, with its VP8X flags
/// and RIFF size made to agree.
fn webp(bytes: &[u8]) -> Result<Vec<u8>, Corrupt> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return Err(corrupt("it does not start like a WebP"));
    }
    let riff_end = 8 + u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    if riff_end > bytes.len() {
        return Err(corrupt("its RIFF size is larger than the file"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let mut at = 12;
    while at < riff_end {
        let header = bytes
            .get(at..at + 8)
            .ok_or_else(|| corrupt("a chunk is cut short"))?;
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let data_end = at + 8 + size;
        if data_end > riff_end {
            return Err(corrupt("a chunk runs past the end of the file"));
        }
        // Chunks are padded to an even length; a last odd one may not be.
        let end = (data_end + size % 2).min(riff_end);
        let kind = &header[0..4];
        if kind != b"EXIF" && kind != b"XMP " {
            let start = out.len();
            out.extend_from_slice(&bytes[at..end]);
            if kind == b"VP8X" && size >= 1 {
                out[start + 8] &= !(VP8X_EXIF | VP8X_XMP);
            }
        }
        at = end;
    }
    let riff_size = u32::try_from(out.len() - 8).map_err(|_| corrupt("it is too large"))?;
    out[4..8].copy_from_slice(&riff_size.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_keeps_colour_segments_and_drops_the_rest() {
        let mut file = JPEG_SOI.to_vec();
        let segment = |marker: u8, body: &[u8]| {
            let mut s = vec![0xFF, marker];
            s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
            s.extend_from_slice(body);
            s
        };
        file.extend(segment(0xE0, b"JFIF\0rest"));
        file.extend(segment(0xE1, b"Exif\0\0GPS"));
        file.extend(segment(0xE2, b"ICC_PROFILE\0\x01\x01"));
        file.extend(segment(0xE2, b"FPXR\0"));
        file.extend(segment(0xED, b"Photoshop 3.0\0"));
        file.extend(segment(0xEE, b"Adobe\0"));
        file.extend(segment(0xFE, b"a comment"));
        file.extend(segment(0xDB, b"tables"));
        file.extend(segment(0xDA, b"scan"));
        file.extend_from_slice(&[1, 2, 3, 0xFF, 0xD9]);
        let out = jpeg(&file).unwrap();
        let text = String::from_utf8_lossy(&out);
        for gone in ["Exif", "FPXR", "Photoshop", "a comment"] {
            assert!(!text.contains(gone), "{gone} left in {text}");
        }
        for kept in ["JFIF", "ICC_PROFILE", "Adobe", "tables", "scan"] {
            assert!(text.contains(kept), "{kept} lost from {text}");
        }
        assert!(out.ends_with(&[1, 2, 3, 0xFF, 0xD9]));
    }

    #[test]
    fn jpeg_metadata_between_scans_and_after_the_end_is_dropped() {
        let segment = |marker: u8, body: &[u8]| {
            let mut s = vec![0xFF, marker];
            s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
            s.extend_from_slice(body);
            s
        };
        let mut file = JPEG_SOI.to_vec();
        file.extend(segment(0xDA, b"scan 1"));
        // Coded data with a stuffed 0xFF, a restart marker and fill bytes.
        file.extend_from_slice(&[1, 0xFF, 0x00, 2, 0xFF, 0xD3, 3, 0xFF, 0xFF]);
        file.extend(segment(0xE1, b"Exif\0\0between scans"));
        file.extend(segment(0xC4, b"tables"));
        file.extend(segment(0xDA, b"scan 2"));
        file.extend_from_slice(&[4, 0xFF, 0xD9]);
        let primary = file.clone();
        file.extend(JPEG_SOI);
        file.extend(segment(0xE1, b"Exif\0\0second picture"));
        file.extend_from_slice(&[0xFF, 0xD9]);
        let out = jpeg(&file).unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("Exif"), "{text}");
        for kept in ["scan 1", "tables", "scan 2"] {
            assert!(text.contains(kept), "{kept} lost from {text}");
        }
        assert!(out.ends_with(&[4, 0xFF, 0xD9]));
        let between = segment(0xE1, b"Exif\0\0between scans");
        assert_eq!(out.len(), primary.len() - between.len());
    }

    #[test]
    fn a_truncated_jpeg_is_corrupt() {
        assert!(jpeg(&[0xFF, 0xD8, 0xFF, 0xE1, 0x10]).is_err());
        assert!(jpeg(b"not a jpeg").is_err());
    }

    #[test]
    fn other_files_are_not_touched() {
        assert!(matches!(strip("a.css", b"x"), Ok(Cow::Borrowed(b"x"))));
        assert!(is_image("Photo.JPG") && !is_image("a.svg"));
    }

    #[test]
    fn a_webp_without_chunks_is_corrupt_only_when_cut_short() {
        assert!(webp(b"RIFF\x04\0\0\0WEBP").is_ok());
        assert!(webp(b"RIFF\x40\0\0\0WEBP").is_err());
        assert!(webp(b"RIFF\x0c\0\0\0WEBPVP8X").is_err());
    }
}
