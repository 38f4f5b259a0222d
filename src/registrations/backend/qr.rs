//! The QR code of a manage link, as a PNG: shown on the registrant's page and in their mail, and
//! read at the door by any phone camera (it opens the manage page, where a signed-in member of
//! the team sees the check-in button).

/// Pixels per QR module, and the quiet zone around the code (in modules, as the standard asks).
const SCALE: usize = 6;
const QUIET: usize = 4;

/// A black-on-white PNG of `text`, or `None` if it is too long for a QR code.
pub fn png(text: &str) -> Option<Vec<u8>> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().ok()?;
        writer.write_image_data(&pixels).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_a_png() {
        let png = super::png("https://flashpage.example/r/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").expect("fits");
        assert_eq!(&png[1..4], b"PNG");
    }
}
