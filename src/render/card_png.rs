//! RENDER: the share card's PNG, as small as it can be without losing a
//! pixel. A card is flat colours and the anti-aliased edges of its text:
//! about 110 distinct colours, so an indexed PNG holds it exactly in a
//! quarter of the RGBA bytes (at 10,000 entities the cards were 267 MiB, the
//! largest part of the output after the pages). A card with a photograph
//! has more colours than a palette can hold and is written as RGB; cards
//! are opaque, so alpha is written only when some pixel needs it.

use std::collections::HashMap;

use resvg::tiny_skia::Pixmap;

/// The pixmap as a PNG: indexed when it has at most 256 colours, else RGB
/// or RGBA. The same pixels always give the same bytes.
pub fn encode(pixmap: &Pixmap) -> Result<Vec<u8>, String> {
    let pixels: Vec<[u8; 4]> = pixmap
        .pixels()
        .iter()
        .map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    let opaque = pixels.iter().all(|p| p[3] == 255);
    let (width, height) = (pixmap.width(), pixmap.height());
    match palette_of(&pixels) {
        Some((palette, indices)) => indexed(width, height, &palette, &indices, opaque),
        None => truecolor(width, height, &pixels, opaque),
    }
}

/// The distinct colours in first-seen order and each pixel's index, or
/// `None` past 256 colours.
fn palette_of(pixels: &[[u8; 4]]) -> Option<(Vec<[u8; 4]>, Vec<u8>)> {
    let mut palette: Vec<[u8; 4]> = Vec::new();
    let mut seen: HashMap<[u8; 4], u8> = HashMap::new();
    let mut indices = Vec::with_capacity(pixels.len());
    for &p in pixels {
        let i = match seen.get(&p) {
            Some(&i) => i,
            None => {
                let i = u8::try_from(palette.len()).ok()?;
                seen.insert(p, i);
                palette.push(p);
                i
            }
        };
        indices.push(i);
    }
    Some((palette, indices))
}

fn indexed(
    width: u32,
    height: u32,
    palette: &[[u8; 4]],
    indices: &[u8],
    opaque: bool,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = encoder(&mut out, width, height, png::ColorType::Indexed);
    // Differences between palette indices mean nothing: unfiltered rows of
    // long runs compress best.
    encoder.set_filter(png::Filter::NoFilter);
    encoder.set_palette(
        palette
            .iter()
            .flat_map(|c| [c[0], c[1], c[2]])
            .collect::<Vec<_>>(),
    );
    if !opaque {
        encoder.set_trns(palette.iter().map(|c| c[3]).collect::<Vec<_>>());
    }
    write(encoder, indices)?;
    Ok(out)
}

fn truecolor(width: u32, height: u32, pixels: &[[u8; 4]], opaque: bool) -> Result<Vec<u8>, String> {
    let (color, data): (_, Vec<u8>) = if opaque {
        let rgb = pixels.iter().flat_map(|p| [p[0], p[1], p[2]]).collect();
        (png::ColorType::Rgb, rgb)
    } else {
        (
            png::ColorType::Rgba,
            pixels.iter().flatten().copied().collect(),
        )
    };
    let mut out = Vec::new();
    write(encoder(&mut out, width, height, color), &data)?;
    Ok(out)
}

fn encoder(
    out: &mut Vec<u8>,
    width: u32,
    height: u32,
    color: png::ColorType,
) -> png::Encoder<'_, &mut Vec<u8>> {
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    encoder
}

fn write(encoder: png::Encoder<'_, &mut Vec<u8>>, data: &[u8]) -> Result<(), String> {
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(data).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(png: &[u8]) -> Vec<u8> {
        let img = image::load_from_memory(png).unwrap().to_rgba8();
        img.into_raw()
    }

    #[test]
    fn few_colours_are_indexed_and_lose_nothing() {
        let mut pixmap = Pixmap::new(40, 20).unwrap();
        pixmap.fill(resvg::tiny_skia::Color::from_rgba8(245, 244, 240, 255));
        let mut paint = resvg::tiny_skia::Paint::default();
        paint.set_color_rgba8(30, 80, 140, 255);
        paint.anti_alias = true;
        let path = resvg::tiny_skia::PathBuilder::from_circle(20.0, 10.0, 7.3).unwrap();
        pixmap.fill_path(&path, &paint, Default::default(), Default::default(), None);
        let png = encode(&pixmap).unwrap();
        assert_eq!(png[25], 3, "colour type: indexed");
        let expected: Vec<u8> = pixmap
            .pixels()
            .iter()
            .flat_map(|p| {
                let c = p.demultiply();
                [c.red(), c.green(), c.blue(), c.alpha()]
            })
            .collect();
        assert_eq!(decoded(&png), expected);
        assert_eq!(png, encode(&pixmap).unwrap(), "the same bytes every time");
    }

    #[test]
    fn many_colours_are_rgb_and_lose_nothing() {
        let mut pixmap = Pixmap::new(32, 32).unwrap();
        for (i, p) in pixmap.pixels_mut().iter_mut().enumerate() {
            let (r, g) = ((i % 32 * 8) as u8, (i / 32 * 8) as u8);
            *p = resvg::tiny_skia::ColorU8::from_rgba(r, g, 7, 255).premultiply();
        }
        let png = encode(&pixmap).unwrap();
        assert_eq!(png[25], 2, "colour type: RGB");
        let img = image::load_from_memory(&png).unwrap().to_rgba8();
        assert_eq!(img.get_pixel(31, 31).0, [248, 248, 7, 255]);
    }
}
