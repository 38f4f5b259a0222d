//! A rendered page turned into bytes that can be sent to many visitors as they are.
//!
//! A public page at launch time is asked for thousands of times a second, and each answer used to
//! cost a copy of the page (to splice in a fresh CSP nonce) and, for every browser, a fresh
//! compression. Here a rendering is prepared once instead:
//! - its inline scripts are allowed by their SHA-256 rather than by a nonce (a nonce is for one
//!   response only, so the `nonce` attributes are taken out), which makes the bytes reusable;
//! - it is compressed once, with brotli and gzip, so a hit sends stored bytes whatever the browser
//!   accepts (`CompressionLayer` leaves a response that already has an encoding alone).
//!
//! A hit is then a clone of the headers and of reference-counted bodies.

use crate::infra::security_headers::page_csp_with_hashes;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::Write;

/// brotli's quality for the stored copy: near its best on a page-sized text, in about a millisecond
/// (11 takes ten times longer for a few bytes less).
const BROTLI_QUALITY: u32 = 9;
const BROTLI_WINDOW: u32 = 22;

/// A response ready to be sent again and again.
pub struct StaticPage {
    status: StatusCode,
    /// With the hash-based CSP and `Vary: Accept-Encoding`; no length, no encoding.
    headers: HeaderMap,
    identity: Bytes,
    brotli: Bytes,
    gzip: Bytes,
}

/// How a hit is sent, from the request's `Accept-Encoding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// Brotli when accepted, then gzip, else none; an encoding listed with `q=0` is refused.
    pub fn preferred(accept_encoding: Option<&HeaderValue>) -> Encoding {
        let Some(list) = accept_encoding.and_then(|v| v.to_str().ok()) else { return Encoding::Identity };
        let accepts = |wanted: &str| {
            list.split(',').any(|item| {
                let mut fields = item.split(';').map(str::trim);
                let name = fields.next().unwrap_or_default();
                let refused = fields.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0));
                (name.eq_ignore_ascii_case(wanted) || name == "*") && !refused
            })
        };
        if accepts("br") {
            Encoding::Brotli
        } else if accepts("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

impl StaticPage {
    /// Prepares a rendering whose inline scripts carry `nonce`. `None` when the page has a script
    /// this cannot account for (it is then simply sent as rendered, and not reused).
    pub fn prepare(status: StatusCode, mut headers: HeaderMap, body: &[u8], nonce: &str, reload_port: Option<u32>) -> Option<StaticPage> {
        let (html, hashes) = without_nonce(body, nonce)?;
        let csp = HeaderValue::from_str(&page_csp_with_hashes(&hashes, reload_port)).ok()?;
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::CONTENT_ENCODING);
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        Some(StaticPage { status, headers, brotli: compress_brotli(&html)?, gzip: compress_gzip(&html)?, identity: Bytes::from(html) })
    }

    /// The response for one visitor.
    pub fn response(&self, encoding: Encoding) -> Response {
        let (body, name) = match encoding {
            Encoding::Brotli => (&self.brotli, Some("br")),
            Encoding::Gzip => (&self.gzip, Some("gzip")),
            Encoding::Identity => (&self.identity, None),
        };
        let mut res = Response::new(Body::from(body.clone()));
        *res.status_mut() = self.status;
        *res.headers_mut() = self.headers.clone();
        if let Some(name) = name {
            res.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        res
    }
}

/// The page without its `nonce="…"` attributes, and the base64 SHA-256 of every inline script
/// that carried one. `None` if a nonce is found outside an opening tag, or a script has no end.
fn without_nonce(body: &[u8], nonce: &str) -> Option<(Vec<u8>, Vec<String>)> {
    let html = std::str::from_utf8(body).ok()?;
    // leptos also writes the nonce as the preload links' `crossorigin` value, which browsers read
    // as `anonymous` (any unknown value is), just like the bare attribute.
    let html = html.replace(&format!(" crossorigin=\"{nonce}\""), " crossorigin");
    let html = html.as_str();
    let attribute = format!(" nonce=\"{nonce}\"");
    let mut out = String::with_capacity(html.len());
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&attribute) {
        let tag_start = rest[..at].rfind('<')?;
        if rest[tag_start..at].contains('>') {
            return None;
        }
        let tag_end = at + attribute.len() + rest[at + attribute.len()..].find('>')?;
        let opening = format!("{}{}", &rest[tag_start..at], &rest[at + attribute.len()..tag_end]);
        out.push_str(&rest[..at]);
        out.push_str(&rest[at + attribute.len()..=tag_end]);
        rest = &rest[tag_end + 1..];
        let is_script = opening.get(..7).is_some_and(|t| t.eq_ignore_ascii_case("<script"));
        if is_script && !opening.contains(" src=") {
            let end = rest.find("</script>")?;
            hashes.push(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&rest[..end])));
        }
    }
    out.push_str(rest);
    if out.contains(nonce) {
        return None; // the nonce somewhere else (a script reading it, say): leave this page alone
    }
    Some((out.into_bytes(), hashes))
}

fn compress_brotli(bytes: &[u8]) -> Option<Bytes> {
    let mut writer = brotli::CompressorWriter::new(Vec::new(), 4096, BROTLI_QUALITY, BROTLI_WINDOW);
    writer.write_all(bytes).ok()?;
    Some(Bytes::from(writer.into_inner()))
}

fn compress_gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html><head><link rel=\"modulepreload\" href=\"/pkg/a.js\" nonce=\"N1\">\
        <link rel=\"preload\" href=\"/pkg/a.wasm\" crossorigin=\"N1\">\
        <script type=\"module\" nonce=\"N1\">import('/pkg/a.js')</script></head>\
        <body><p>nonce is a word</p><script nonce=\"N1\">window.x=1</script></body></html>";

    fn sha(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text))
    }

    #[test]
    fn takes_the_nonce_out_and_hashes_each_inline_script() {
        let (html, hashes) = without_nonce(PAGE.as_bytes(), "N1").expect("prepared");
        let html = String::from_utf8(html).expect("utf8");
        assert!(!html.contains("N1"));
        assert!(html.contains("<link rel=\"modulepreload\" href=\"/pkg/a.js\">"));
        assert!(html.contains("<link rel=\"preload\" href=\"/pkg/a.wasm\" crossorigin>"), "as leptos writes it");
        assert!(html.contains("<script type=\"module\">import('/pkg/a.js')</script>"));
        assert!(html.contains("<p>nonce is a word</p><script>window.x=1</script>"));
        assert_eq!(hashes, vec![sha("import('/pkg/a.js')"), sha("window.x=1")]);
    }

    #[test]
    fn refuses_pages_it_cannot_account_for() {
        assert!(without_nonce(b"<script nonce=\"N1\">let n = 'N1';</script>", "N1").is_none(), "the nonce used by a script");
        assert!(without_nonce(b"<script nonce=\"N1\">never closed", "N1").is_none());
        assert!(without_nonce(b"<p> nonce=\"N1\"</p>", "N1").is_none(), "not inside a tag");
    }

    #[test]
    fn stores_every_encoding_and_picks_by_accept_encoding() {
        let page = StaticPage::prepare(StatusCode::OK, HeaderMap::new(), PAGE.as_bytes(), "N1", None).expect("prepared");
        let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii").to_string();
        assert!(csp.contains(&format!("'sha256-{}'", sha("window.x=1"))), "{csp}");
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &page.brotli[..], &mut plain).expect("brotli");
        assert_eq!(plain, page.identity);
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&page.gzip[..]), &mut plain).expect("gzip");
        assert_eq!(plain, page.identity);

        let pick = |accept: &'static str| Encoding::preferred(Some(&HeaderValue::from_static(accept)));
        assert_eq!(pick("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(pick("gzip;q=1.0, br;q=0"), Encoding::Gzip);
        assert_eq!(pick("identity"), Encoding::Identity);
        assert_eq!(pick("*"), Encoding::Brotli);
        assert_eq!(Encoding::preferred(None), Encoding::Identity);
        let res = page.response(Encoding::Gzip);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(res.headers()[header::VARY], "accept-encoding");
    }
}
