//! Readable colours from the creator's accent, whatever it is (WCAG 2.x contrast).
//!
//! A page uses its accent two ways: as a background under text (countdown digits, buttons) and as
//! the colour of text on the light card (the kind, prices, the ending's title). A creator's pink or
//! teal is often too light for either, so the page gets two derived colours: the text colour for
//! on top of the accent (white when it reaches 4.5:1, else dark: white or black always reaches
//! 4.58:1), and the accent darkened just enough to reach 4.5:1 as text on white.

/// Near-black text, the same as the stylesheet's ink.
const INK: (u8, u8, u8) = (0x11, 0x18, 0x27);

/// `#rgb` or `#rrggbb` as RGB, `None` for anything else.
pub fn parse_hex(color: &str) -> Option<(u8, u8, u8)> {
    let hex = color.strip_prefix('#')?;
    let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
    match hex.len() {
        6 => Some((digit(0, 2)?, digit(2, 2)?, digit(4, 2)?)),
        3 => Some((digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17)),
        _ => None,
    }
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// The WCAG contrast ratio of two colours (1 to 21).
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The two colours a page derives from its accent: (text on the accent, the accent as text on white).
pub fn accent_palette(accent: &str) -> (String, String) {
    let Some(rgb) = parse_hex(accent) else { return ("#ffffff".into(), hex(INK)) };
    let white = (255, 255, 255);
    // White when it reads, else the page's ink, else black: white or black always reaches 4.58:1.
    let on_accent = [white, INK, (0, 0, 0)].into_iter().find(|c| contrast(rgb, *c) >= 4.5).unwrap_or((0, 0, 0));
    // Darken towards black in small steps until the accent reads as text on white.
    let mut ink = rgb;
    for step in 0..=20u16 {
        let keep = |c: u8| (u16::from(c) * (20 - step) / 20) as u8;
        ink = (keep(rgb.0), keep(rgb.1), keep(rgb.2));
        if contrast(ink, white) >= 4.5 {
            break;
        }
    }
    (hex(on_accent), hex(ink))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_wcags() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        assert!((contrast((255, 255, 255), (255, 255, 255)) - 1.0).abs() < 0.01);
        assert_eq!(parse_hex("#fff"), Some((255, 255, 255)));
        assert_eq!(parse_hex("#0f766e"), Some((15, 118, 110)));
        assert_eq!(parse_hex("red"), None);
    }

    #[test]
    fn every_accent_gets_readable_companions() {
        for accent in ["#db2777", "#0f766e", "#4f46e5", "#ffff00", "#777777", "#000000", "#ffffff", "#f59e0b", "#22c55e"] {
            let (on, ink) = accent_palette(accent);
            let rgb = parse_hex(accent).expect("accent");
            assert!(contrast(rgb, parse_hex(&on).expect("on")) >= 4.5, "{accent}: text on it {on}");
            assert!(contrast(parse_hex(&ink).expect("ink"), (255, 255, 255)) >= 4.5, "{accent}: as text {ink}");
        }
        assert_eq!(accent_palette("#4f46e5").1, "#4f46e5", "a dark enough accent is kept as it is");
        assert_eq!(accent_palette("#ffff00").0, "#111827", "yellow gets dark text");
    }
}
