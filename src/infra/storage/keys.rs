//! Where every stored file lives and what it is. The only place that builds object keys, so the
//! layout of the bucket (`users/{userId}/pages/{pageId}/assets/{assetName}` and
//! `users/{userId}/products/{productId}/{original|preview}/{fileName}`, the seed's "File Storage")
//! is decided once, and the only place that says which content type a file is served as.

use std::fmt;

/// A key in the bucket. Only this module makes them, so a key is always one of the layouts below.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key of a page's asset (a hero image): `users/{userId}/pages/{pageId}/assets/{assetName}`.
    /// `None` when a part is not a plain id or asset name (keeps `..` and `/` out of keys).
    pub fn page_asset(user_id: &str, page_id: &str, asset_name: &str) -> Option<ObjectKey> {
        (is_id(user_id) && is_id(page_id) && is_asset_name(asset_name)).then(|| ObjectKey(format!("users/{user_id}/pages/{page_id}/assets/{asset_name}")))
    }

    /// The key of a product's file: the `original` that buyers download, or the public `preview`
    /// sample. `file_name` must already be safe ([`safe_file_name`]); `None` otherwise.
    pub fn product_file(user_id: &str, product_id: &str, part: ProductFilePart, file_name: &str) -> Option<ObjectKey> {
        let part = match part {
            ProductFilePart::Original => "original",
            ProductFilePart::Preview => "preview",
        };
        (is_id(user_id) && is_id(product_id) && safe_file_name(file_name).as_deref() == Some(file_name))
            .then(|| ObjectKey(format!("users/{user_id}/products/{product_id}/{part}/{file_name}")))
    }

    /// Reads back a product-file key (as stored in the `files` table).
    pub fn parse_product_file(key: &str) -> Option<ObjectKey> {
        let part = |p: &str| match p {
            "original" => Some(ProductFilePart::Original),
            "preview" => Some(ProductFilePart::Preview),
            _ => None,
        };
        match key.split('/').collect::<Vec<_>>()[..] {
            ["users", user, "products", product, p, name] => ObjectKey::product_file(user, product, part(p)?, name),
            _ => None,
        }
    }

    /// Whether the key names a product's public sample (the only product file served openly).
    pub fn is_product_sample(&self) -> bool {
        matches!(self.0.split('/').collect::<Vec<_>>()[..], ["users", _, "products", _, "preview", _])
    }

    /// The folder holding all of a page's assets (for removing them with the page).
    pub fn page_assets_prefix(user_id: &str, page_id: &str) -> Option<String> {
        (is_id(user_id) && is_id(page_id)).then(|| format!("users/{user_id}/pages/{page_id}/assets"))
    }

    /// Reads back a page-asset key (as stored in a page's customization, or from a URL path).
    pub fn parse_page_asset(key: &str) -> Option<ObjectKey> {
        match key.split('/').collect::<Vec<_>>()[..] {
            ["users", user, "pages", page, "assets", name] => ObjectKey::page_asset(user, page, name),
            _ => None,
        }
    }

    /// True when this key belongs to the given page (a creator may only point at their own files).
    pub fn is_asset_of(&self, user_id: &str, page_id: &str) -> bool {
        self.0.starts_with(&format!("users/{user_id}/pages/{page_id}/assets/"))
    }

    /// The type browsers get, from the extension this module chose when it named the file.
    pub fn content_type(&self) -> &'static str {
        let ext = self.0.rsplit('.').next().unwrap_or("");
        ImageKind::from_extension(ext).map(ImageKind::content_type).unwrap_or("application/octet-stream")
    }

    /// Where the app serves a public asset (see `pages::assets`).
    pub fn public_path(&self) -> String {
        format!("/files/{}", self.0)
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which file of a product a key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductFilePart {
    Original,
    Preview,
}

/// Longest file name kept, in bytes (object stores allow 1024 for the whole key).
pub const MAX_FILE_NAME_BYTES: usize = 180;

/// A creator's file name made safe to be part of a key and of a download's name: only its last
/// path segment, no control characters, no leading dots or spaces (nothing hidden, no `..`), at
/// most [`MAX_FILE_NAME_BYTES`] (cut at a character boundary, keeping the extension). `None`
/// when nothing usable is left.
pub fn safe_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']).to_string();
    if cleaned.is_empty() {
        return None;
    }
    if cleaned.len() <= MAX_FILE_NAME_BYTES {
        return Some(cleaned);
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 16 => (stem, format!(".{ext}")),
        _ => (cleaned.as_str(), String::new()),
    };
    let mut cut = MAX_FILE_NAME_BYTES - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(format!("{}{ext}", stem[..cut].trim_end_matches(['.', ' '])))
}

/// Ids are UUIDs (hex and dashes); nothing else reaches a key.
fn is_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// `hero-0192….png`: lowercase letters, digits and dashes, then one known image extension.
fn is_asset_name(s: &str) -> bool {
    let Some((stem, ext)) = s.rsplit_once('.') else { return false };
    (1..=100).contains(&stem.len())
        && stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && ImageKind::from_extension(ext).is_some()
}

/// The images a page may show. SVG is deliberately absent: it can carry script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageKind {
    /// Decides the type from the file's first bytes, never from its name or the browser's claim.
    pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageKind::Gif)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::Webp)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Gif => "gif",
            ImageKind::Webp => "webp",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Gif => "image/gif",
            ImageKind::Webp => "image/webp",
        }
    }

    fn from_extension(ext: &str) -> Option<ImageKind> {
        match ext {
            "png" => Some(ImageKind::Png),
            "jpg" => Some(ImageKind::Jpeg),
            "gif" => Some(ImageKind::Gif),
            "webp" => Some(ImageKind::Webp),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "0192f0e4-7b1c-7d2a-9c3e-1a2b3c4d5e6f";
    const PAGE: &str = "0192f0e4-7b1c-7d2a-9c3e-aaaaaaaaaaaa";

    #[test]
    fn page_assets_follow_the_seed_layout() {
        let key = ObjectKey::page_asset(USER, PAGE, "hero-abc123.png").expect("valid");
        assert_eq!(key.as_str(), format!("users/{USER}/pages/{PAGE}/assets/hero-abc123.png"));
        assert_eq!(key.content_type(), "image/png");
        assert_eq!(ObjectKey::parse_page_asset(key.as_str()), Some(key.clone()));
        assert!(key.is_asset_of(USER, PAGE));
        assert!(!key.is_asset_of(USER, "0192f0e4-7b1c-7d2a-9c3e-bbbbbbbbbbbb"));
        assert_eq!(key.public_path(), format!("/files/users/{USER}/pages/{PAGE}/assets/hero-abc123.png"));
    }

    #[test]
    fn keys_refuse_anything_but_ids_and_asset_names() {
        for (user, page, name) in [
            ("..", PAGE, "hero.png"),
            (USER, "a/b", "hero.png"),
            (USER, PAGE, "../hero.png"),
            (USER, PAGE, "hero.svg"),
            (USER, PAGE, "Hero.png"),
            (USER, PAGE, ".png"),
            (USER, PAGE, "hero.png.html"),
            ("", PAGE, "hero.png"),
        ] {
            assert_eq!(ObjectKey::page_asset(user, page, name), None, "{user} {page} {name}");
        }
        for bad in [
            "",
            "users",
            &format!("users/{USER}/products/{PAGE}/assets/hero.png"),
            &format!("users/{USER}/pages/{PAGE}/assets/x/hero.png"),
            &format!("/users/{USER}/pages/{PAGE}/assets/hero.png"),
        ] {
            assert_eq!(ObjectKey::parse_page_asset(bad), None, "{bad}");
        }
    }

    #[test]
    fn product_files_follow_the_seed_layout_with_safe_names() {
        const PRODUCT: &str = "0192f0e4-7b1c-7d2a-9c3e-cccccccccccc";
        let key = ObjectKey::product_file(USER, PRODUCT, ProductFilePart::Original, "Winter Presets.zip").expect("valid");
        assert_eq!(key.as_str(), format!("users/{USER}/products/{PRODUCT}/original/Winter Presets.zip"));
        let key = ObjectKey::product_file(USER, PRODUCT, ProductFilePart::Preview, "sample.pdf").expect("valid");
        assert_eq!(key.as_str(), format!("users/{USER}/products/{PRODUCT}/preview/sample.pdf"));
        assert_eq!(ObjectKey::product_file(USER, PRODUCT, ProductFilePart::Original, "../x.zip"), None, "unsafe names are refused");
        assert_eq!(ObjectKey::product_file("..", PRODUCT, ProductFilePart::Original, "x.zip"), None);
        assert_eq!(ObjectKey::parse_product_file(key.as_str()), Some(key.clone()));
        assert_eq!(ObjectKey::parse_product_file(&format!("users/{USER}/products/{PRODUCT}/other/x.zip")), None);

        assert_eq!(safe_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe_file_name("C:\\Users\\me\\Presets.zip").as_deref(), Some("Presets.zip"));
        assert_eq!(safe_file_name("bad\u{0}na\nme\u{7f}.pdf").as_deref(), Some("badname.pdf"));
        assert_eq!(safe_file_name("..").as_deref(), None);
        assert_eq!(safe_file_name(" .hidden ").as_deref(), Some("hidden"));
        assert_eq!(safe_file_name("").as_deref(), None);
        assert_eq!(safe_file_name("Café résumé.pdf").as_deref(), Some("Café résumé.pdf"));
        let long = format!("{}.zip", "é".repeat(200));
        let cut = safe_file_name(&long).expect("cut");
        assert!(cut.len() <= MAX_FILE_NAME_BYTES && cut.ends_with(".zip"), "{cut}");
    }

    #[test]
    fn images_are_recognised_by_their_bytes() {
        let cases: [(&[u8], Option<ImageKind>); 8] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(ImageKind::Png)),
            (&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], Some(ImageKind::Jpeg)),
            (b"GIF89a\x01\0", Some(ImageKind::Gif)),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Some(ImageKind::Webp)),
            (b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", None),
            (b"<html><script>alert(1)</script>", None),
            (b"RIFF\x24\0\0\0WAVEfmt ", None),
            (b"", None),
        ];
        for (bytes, kind) in cases {
            assert_eq!(ImageKind::sniff(bytes), kind, "{:?}", String::from_utf8_lossy(bytes));
        }
        for kind in [ImageKind::Png, ImageKind::Jpeg, ImageKind::Gif, ImageKind::Webp] {
            assert_eq!(ImageKind::from_extension(kind.extension()), Some(kind));
        }
    }
}
