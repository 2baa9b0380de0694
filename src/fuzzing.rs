//! Entry points for the fuzz targets in `tests/fuzz/` (issue 7: the generator never panics).
//!
//! Each function takes arbitrary input, drives one part of the pipeline as a build would, and
//! asserts the invariants that must hold whatever an editor writes. They are not part of the
//! product's API.

use crate::config::{Booking, Config, DEFAULT_CATEGORIES};
use crate::diagnostics::{Diagnostics, Source, render};
use crate::load::{self, ContentFile};
use crate::resolve::entries::{self, Ctx};
use crate::resolve::{date::Date, urls};
use std::path::{Path, PathBuf};

/// Where each kind of file sits below `content/`; the fuzzer's first byte picks one.
const PLACES: [&[&str]; 8] = [
    &["news", "a.md"],
    &["news", "a", "index.md"],
    &["lecturers", "kong-shengdong.md"],
    &["lectures", "banqian.md"],
    &["brands", "zheneng", "gongzihao.md"],
    &["brands", "zheneng", "_index.md"],
    &["about", "guide.md"],
    &["news", "_index.md"],
];

/// A file's bytes read as an entry: UTF-8 check, front matter split, YAML, typed extraction,
/// and every diagnostic rendered (which slices the text at the diagnostic's span).
pub fn front_matter(data: &[u8]) {
    let (place, bytes) = match data.split_first() {
        Some((first, rest)) => (PLACES[usize::from(*first) % PLACES.len()], rest),
        None => (PLACES[0], data),
    };
    let root = Path::new("/nonexistent-caidan-fuzz");
    let parts: Vec<String> = place.iter().map(|p| (*p).to_string()).collect();
    let path: PathBuf = place
        .iter()
        .fold(root.join("content"), |path, part| path.join(part));
    let name = format!("content/{}", place.join("/"));
    let mut diagnostics = Diagnostics::new();
    let text = match String::from_utf8(bytes.to_vec()) {
        Ok(text) => text,
        Err(e) => {
            let d = load::not_utf8(name, &e);
            let out = render(&d, false);
            assert!(!out.is_empty());
            return;
        }
    };
    let source = Source::new(name, text);
    let (front, diags) = load::parse_front(&source);
    diagnostics.extend(diags);
    if let Some(front) = &front {
        assert!(front.body.start <= source.text.len());
        assert!(source.text.is_char_boundary(front.body.start));
        let file = ContentFile {
            source: source.clone(),
            path,
            parts,
            front: Some(front.clone()),
        };
        let config = config();
        let rows = [("zheneng".to_string(), vec!["思想引领体系".to_string()])];
        let ctx = Ctx {
            root,
            config: &config,
            matrix_rows: &rows,
        };
        if let Some(entries::Parsed::Entry(entry)) =
            entries::parse(&ctx, &file, front, &mut diagnostics)
        {
            assert!(
                urls::is_safe_output_path(&format!("{}index.html", entry.path)),
                "{}",
                entry.path
            );
        }
    }
    for d in &diagnostics {
        let _ = render(d, true);
        let _ = d.to_json();
        assert!(d.location().is_some(), "every diagnostic names its file");
    }
}

/// A Markdown body rendered as a page's would be: it never panics, its image spans are inside
/// the body, and without `unsafe_html` no script element or `javascript:` link comes out.
pub fn markdown(text: &str) {
    let rendered = crate::render::markdown::render(text, "/news/a/");
    for (_, span) in &rendered.images {
        assert!(span.end <= text.len() && span.start <= span.end);
    }
    let html = rendered.html.to_ascii_lowercase();
    assert!(!html.contains("<script"), "script element from {text:?}");
    // Link targets of real tags only: escaped HTML shown as text, or a code block's language
    // in `data-lang`, may spell `javascript:` harmlessly.
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or(tag);
        assert!(
            !tag.contains(" href=\"javascript:") && !tag.contains(" src=\"javascript:"),
            "javascript: link <{tag}> from {text:?}"
        );
    }
    let _ = crate::render::markdown::render_with(text, "/news/a/", true);
    let _ = crate::render::markdown::slugify(text);
}

/// The search tokenizer and normaliser, on page text and on a query.
pub fn tokenize(text: &str) {
    let normalized = crate::index::normalize(text);
    let mut count = 0;
    // Junction trigrams at every ideograph: the most terms a text can give.
    let junction = |c: char| c >= '\u{4e00}';
    crate::index::for_each_term(&normalized, junction, |_| count += 1);
    assert_eq!(count, crate::index::terms(&normalized, junction).len());
    // Normalising twice changes nothing: the client normalises a query the index already has.
    assert_eq!(crate::index::normalize(&normalized), normalized);
    for part in crate::index::query_parts(text) {
        assert!(!part.is_empty());
        let terms = crate::index::query_terms(&part, junction);
        for t in terms {
            let _ = t.to_string();
        }
    }
    let _ = crate::index::normalize::display_text(text);
}

/// Slugs, tag and region names, URLs and dates: whatever is accepted stays inside the output.
pub fn urls(text: &str) {
    let segment = urls::term_segment(text);
    assert!(
        urls::is_safe_output_path(&format!("tags/{segment}/index.html")),
        "{segment:?}"
    );
    if urls::check_slug(text).is_ok() {
        assert!(
            urls::is_safe_output_path(&format!("news/{text}/index.html")),
            "{text:?}"
        );
    }
    assert!(urls::encode_path(text).is_ascii());
    assert!(urls::encode_component(text).is_ascii());
    let (url, path) = crate::config::normalize_base_url(text);
    assert!(url.ends_with('/'), "{url:?}");
    let _ = path;
    if let Ok(date) = Date::check(text) {
        assert_eq!(Date::check(&date.rfc3339()), Ok(date_with_offset(date)));
    }
}

/// `rfc3339` always writes an offset (Beijing time when none was given).
fn date_with_offset(mut date: Date) -> Date {
    date.time = Some(date.time.unwrap_or(0));
    date.offset = Some(date.offset.unwrap_or(8 * 60));
    date
}

fn config() -> Config {
    Config {
        title: "测试工会".into(),
        description: None,
        base_url: "https://example.org/".into(),
        base_path: "/".into(),
        language: "zh-CN".into(),
        theme: "default".into(),
        icp: None,
        share_image: None,
        paginate_by: 10,
        lecture_categories: DEFAULT_CATEGORIES
            .iter()
            .map(|c| (*c).to_string())
            .collect(),
        booking: Some(Booking::default()),
        unsafe_html: false,
        source: Source::new("site.yaml", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_accept_ordinary_and_broken_input() {
        for data in [
            &b"\x00---\ntitle: x\ndate: 2023-05-12\n---\nbody"[..],
            b"\x03---\ntitle: x\nlecturers: [a]\ncategory: \xe5\xb7\xa5\n---\n",
            b"\x01\xff\xfe",
            b"",
            b"\x05---\n- a\n---\n",
        ] {
            front_matter(data);
        }
        markdown("# 标题 {#id}\n\n![x](../../a.png)\n\n```rust\nfn main() {}\n```\n");
        // Found by the fuzzer as a false alarm: raw HTML shown as text may spell a
        // `javascript:` attribute; the links Markdown makes of it must not.
        markdown(
            "行内 <a href=\"javascript:__xss(1)\">链接</a>，[点我](javascript:__xss(2)) \
             [大写](JaVaScRiPt:__xss(3)) <javascript:__xss(4)>\n\n```javascript:x\n1\n```\n",
        );
        tokenize("职工群众 PLC\u{200b}编程");
        urls("2023-05-12T09:30:00+08:00");
        urls("../..");
    }
}
