//! QR codes drawn at build time as SVG: one path of horizontal runs, a white quiet zone of four
//! modules, `crispEdges`, so a printed menu on a workshop wall scans from a metre away.
//!
//! What a code points to: a lecture's order link (`form_url?lectures=<slug>`) while it can be
//! ordered, else its page; a lecturer's page. Every URL is percent-encoded first, so the code
//! holds ASCII that any phone's scanner (WeChat's included) opens as a link.

use crate::resolve::urls::encode_path;
use crate::resolve::{Data, Kind, Site};
use qrcodegen::{QrCode, QrCodeEcc};
use std::fmt::Write;

/// Modules of white around the code, as the QR standard asks.
const QUIET: i32 = 4;

/// An `<svg>` element for `text`, labelled for screen readers; `standalone` adds the XML
/// namespace a file needs (inline SVG in HTML does without). `None` when the text is too long
/// for any QR version, which a URL never is.
pub fn svg(text: &str, label: &str, standalone: bool) -> Option<String> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let full = size + 2 * QUIET;
    let mut path = String::with_capacity((size * size) as usize);
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !code.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && code.get_module(x, y) {
                x += 1;
            }
            let _ = write!(
                path,
                "M{} {}h{}v1h-{}z",
                start + QUIET,
                y + QUIET,
                x - start,
                x - start
            );
        }
    }
    let ns = if standalone {
        " xmlns=\"http://www.w3.org/2000/svg\""
    } else {
        ""
    };
    Some(format!(
        "<svg{ns} class=\"qr\" viewBox=\"0 0 {full} {full}\" width=\"{px}\" height=\"{px}\" role=\"img\" aria-label=\"{}\" shape-rendering=\"crispEdges\"><rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>",
        escape_attr(label),
        px = full * 4,
    ))
}

/// What the code of entry `i` points to, and how it is described, or `None` for kinds without
/// a code.
pub fn target(site: &Site, i: usize) -> Option<(String, String)> {
    let config = &site.config;
    let e = &site.entries[i];
    let page = encode_path(&config.permalink(&e.path));
    match (&e.data, e.kind) {
        (Data::Lecture(l), Kind::Lecture) => {
            let (available, _) = super::context::lecture_availability(site, &l.lecturers);
            let form = config.booking.as_ref().and_then(|b| b.form_url.as_ref());
            match form.filter(|_| available) {
                Some(form) => Some((
                    encode_path(&super::context::order_link(form, &[e.slug.as_str()])),
                    format!("点单二维码：{}", e.title),
                )),
                None => Some((page, format!("二维码：{}", e.title))),
            }
        }
        (Data::Lecturer(l), Kind::Lecturer) => Some((page, format!("二维码：{}的介绍页", l.name))),
        _ => None,
    }
}

/// Inline SVG for entry `i`'s page (`page.qr_svg`).
pub fn inline(site: &Site, i: usize) -> Option<String> {
    let (url, label) = target(site, i)?;
    svg(&url, &label, false)
}

/// An inline code as a file of its own (`qr.svg` beside its page, for print views and
/// posters): the same drawing with the XML namespace.
pub fn standalone(inline: &str) -> String {
    inline.replacen("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 1)
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_a_quiet_zone_and_a_label() {
        let s = svg(
            "https://example.org/order?lectures=a",
            "点单二维码：<甲>",
            true,
        )
        .unwrap();
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\""));
        assert!(s.contains("aria-label=\"点单二维码：&lt;甲&gt;\""));
        // Version 3 is 29 modules; with 4 modules of white each side, 37.
        assert!(s.contains("viewBox=\"0 0 37 37\""), "{s}");
        // The top-left finder starts at the quiet zone's edge with a run of 7.
        assert!(s.contains("d=\"M4 4h7v1h-7z"), "{s}");
    }

    #[test]
    fn a_file_is_the_inline_code_with_a_namespace() {
        let inline = svg("https://example.org/a", "甲", false).unwrap();
        assert_eq!(
            standalone(&inline),
            svg("https://example.org/a", "甲", true).unwrap()
        );
    }

    #[test]
    fn inline_svg_has_no_namespace() {
        let s = svg("x", "x", false).unwrap();
        assert!(s.starts_with("<svg class=\"qr\""));
    }
}
