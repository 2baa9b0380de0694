//! Machine-readable outputs: the Atom feed of news, sitemap.xml, robots.txt, and the JSON
//! catalogs of lectures and lecturers for other apps (WeChat mini-programs, union portals).

use super::context::Cards;
use super::highlight::escape;
use crate::resolve::urls::encode_path;
use crate::resolve::{Kind, Site};
use serde_json::Value;
use std::fmt::Write;

const FEED_ENTRIES: usize = 20;

/// Text for XML: escaped, and without the control characters XML 1.0 forbids (one of them in a
/// title would make the whole feed unreadable to every feed reader).
fn xml(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .filter(|&c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect();
    escape(&clean)
}

/// `atom.xml`: the latest news, newest first.
pub fn atom(site: &Site, cards: &Cards) -> String {
    let config = &site.config;
    let news: Vec<usize> = site
        .section("news")
        .map(|s| s.pages.iter().take(FEED_ENTRIES).copied().collect())
        .unwrap_or_default();
    let updated = news
        .iter()
        .filter_map(|&i| site.entries[i].date)
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{updated}</updated>\n",
        xml(&config.language),
        xml(&config.title),
        xml(&encode_path(&config.base_url)),
        xml(&encode_path(&config.permalink("atom.xml"))),
        xml(&encode_path(&config.base_url)),
    );
    for i in news {
        let e = &site.entries[i];
        let card = cards.values[i].as_map();
        let link = encode_path(&config.permalink(&e.path));
        let date = e
            .date
            .map(|d| d.rfc3339())
            .unwrap_or_else(|| updated.clone());
        let summary = card
            .and_then(|c| c.get(&tera::value::Key::Str("summary")))
            .and_then(tera::Value::as_str)
            .unwrap_or("");
        let _ = write!(
            out,
            "  <entry>\n    <title>{}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <id>{}</id>\n    <published>{date}</published>\n    <updated>{date}</updated>\n",
            xml(&e.title),
            xml(&link),
            xml(&link),
        );
        if let crate::resolve::Data::News(n) = &e.data {
            for name in n.reporters.iter().chain(&n.correspondents) {
                let _ = writeln!(out, "    <author><name>{}</name></author>", xml(name));
            }
            if n.reporters.is_empty() && n.correspondents.is_empty() {
                let _ = writeln!(
                    out,
                    "    <author><name>{}</name></author>",
                    xml(n.source.as_deref().unwrap_or(&config.title))
                );
            }
        }
        let _ = write!(out, "    <summary>{}</summary>\n  </entry>\n", xml(summary));
    }
    out.push_str("</feed>\n");
    out
}

/// `sitemap.xml` of the given page paths (with their dates where known).
pub fn sitemap(site: &Site, pages: &[(String, Option<String>)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, lastmod) in pages {
        let _ = write!(
            out,
            "  <url><loc>{}</loc>",
            xml(&encode_path(&site.config.permalink(path)))
        );
        if let Some(d) = lastmod {
            let _ = write!(out, "<lastmod>{d}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// A page that sends the reader on to `to` (a URL), for folders that have no page of their own.
pub fn redirect(to: &str) -> String {
    let to = escape(to);
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>正在跳转</title>\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n<link rel=\"canonical\" href=\"{to}\">\n</head>\n<body>\n<p><a href=\"{to}\">前往宣讲菜单</a></p>\n</body>\n</html>\n"
    )
}

pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        encode_path(&site.config.permalink("sitemap.xml"))
    )
}

/// `lectures.json` / `lecturers.json`: the cards, with absolute URLs, no HTML.
pub fn catalog(site: &Site, cards: &Cards, kind: Kind) -> String {
    /// The cards by reference (a catalog of 10,000 lectures is 35 MB of JSON; copies of its
    /// cards would be twice that). Fields in name order, as `json!` would put them.
    #[derive(serde::Serialize)]
    struct Catalog<'a> {
        base_url: &'a str,
        booking: Value,
        count: usize,
        items: Vec<&'a Value>,
        site: &'a str,
    }
    let items: Vec<&Value> = site.of_kind(kind).map(|i| &cards.cards[i]).collect();
    let value = Catalog {
        base_url: &site.config.base_url,
        booking: serde_json::to_value(&site.config.booking).unwrap_or_default(),
        count: items.len(),
        items,
        site: &site.config.title,
    };
    let mut out = inert_json(serde_json::to_string_pretty(&value).unwrap_or_default());
    out.push('\n');
    out
}

/// JSON that stays data wherever it lands: `<`, `>` and `&` (which could close a `<script>` it
/// is embedded in, or be sniffed as HTML) and U+2028/U+2029 (line ends to older JavaScript)
/// become `\uXXXX` escapes, which mean the same characters to every JSON reader. They can only
/// occur inside strings, so the replacement never touches the JSON's structure.
pub fn inert_json(json: String) -> String {
    if !json.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_cannot_close_a_script_element() {
        let v = serde_json::json!({ "t": "</script><b>&\u{2028}" });
        let s = inert_json(v.to_string());
        assert_eq!(s, r#"{"t":"\u003c/script\u003e\u003cb\u003e\u0026\u2028"}"#);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }
}
