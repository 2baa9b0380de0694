//! Hostile content (issue 7): a site whose every field and body carries markup that calls
//! `__xss(n)` builds, and no output file gives that markup a way to run. The pages are read with
//! a small tokenizer that splits tags and attributes the way a browser does, so an unescaped
//! quote or `<` shows up as a tag or attribute the theme never writes. The browser test
//! `tests/js/browser/xss.test.mjs` runs the same site in Chromium.

use crate::harness::Site;
use std::path::Path;

#[test]
fn no_payload_can_run_in_any_output_file() {
    let site = Site::fixture("xss");
    let run = site.build();
    let out = site.root.join("public");
    let mut files = Vec::new();
    walk(&out, &mut files);
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in &files {
        let rel = path
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).unwrap();
        let ext = rel.rsplit('.').next().unwrap_or("");
        let found = match ext {
            "html" => check_markup(&String::from_utf8(bytes).unwrap(), &Html),
            "xml" | "svg" => {
                let text = String::from_utf8(bytes).unwrap();
                let mut p = check_markup(&text, &Xml);
                if text
                    .chars()
                    .any(|c| c.is_control() && !"\t\n\r".contains(c))
                {
                    p.push("a control character XML 1.0 forbids".into());
                }
                p
            }
            "json" if !rel.starts_with("search/") => check_json(&String::from_utf8(bytes).unwrap()),
            _ => continue,
        };
        checked += 1;
        problems.extend(found.into_iter().map(|p| format!("{rel}: {p}")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 50, "only {checked} files checked");

    // The payloads are there, as text a reader can see.
    let home = site.read("index.html");
    assert!(home.contains("&lt;img src=x onerror=__xss("), "{home}");
    let news = site.read("news/item-0/index.html");
    assert!(
        news.contains("<p>&lt;script&gt;__xss("),
        "raw HTML block shown as text"
    );
    let catalog: serde_json::Value = serde_json::from_str(&site.read("lectures.json")).unwrap();
    let title = catalog["items"][0]["title"].as_str().unwrap();
    assert!(title.contains("<img src=x onerror=__xss(") && title.contains("</script>"));

    // One located warning per file with raw HTML, and every dropped link named where it is.
    let raw = run.stderr.matches("正文里有 HTML 代码").count();
    let md = count_markdown(&site.root.join("content"));
    assert_eq!(raw, md, "{}", run.stderr);
    assert!(run.stderr.contains("unsafe_html: true"), "{}", run.stderr);
    assert!(
        run.stderr.contains("content/news/item-0.md:26:1")
            && run.stderr.contains("javascript:__xss("),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`video` 的网址不安全"),
        "{}",
        run.stderr
    );
}

#[test]
fn hostile_tag_and_category_names_give_paths_inside_the_output() {
    let site = Site::fixture("xss");
    site.build();
    assert!(site.exists("tags/-.-..-etc/index.html"));
    assert!(site.exists("tags/-./index.html"));
    assert!(site.exists("lectures/categories/-.-..-etc/index.html"));
    assert!(site.exists("regions/-.-..-..-tmp/index.html"));
    // Nothing was written beside the output or above the site.
    let mut top: Vec<String> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["content", "public", "site.yaml"]);
    assert!(!site.root.parent().unwrap().join("etc").exists());
    let mut files = Vec::new();
    walk(&site.root.join("public"), &mut files);
    for f in files {
        let rel = f.strip_prefix(site.root.join("public")).unwrap();
        assert!(
            rel.components()
                .all(|c| matches!(c, std::path::Component::Normal(_))),
            "{}",
            rel.display()
        );
    }
}

#[test]
fn unsafe_html_lets_raw_html_through_when_the_site_allows_it() {
    let body = "---\ntitle: 页\n---\n\n<div class=\"box\">框</div>\n\n[x](javascript:alert(1))\n";
    let site = Site::empty("xss-unsafe-html");
    site.file("content/about/a.md", body);
    let run = site.build();
    let page = site.main("about/a/index.html");
    assert!(
        page.contains("&lt;div class=\"box\"&gt;框&lt;/div&gt;"),
        "{page}"
    );
    assert!(
        run.stderr.contains("content/about/a.md:5:1"),
        "{}",
        run.stderr
    );

    let yaml = std::fs::read_to_string(site.root.join("site.yaml")).unwrap();
    site.file("site.yaml", &format!("{yaml}unsafe_html: true\n"));
    let run = site.build();
    let page = site.main("about/a/index.html");
    assert!(page.contains("<div class=\"box\">框</div>"), "{page}");
    assert!(!run.stderr.contains("HTML 代码"), "{}", run.stderr);
    // Links that run code are dropped either way.
    assert!(page.contains("<a href=\"#\">x</a>"), "{page}");
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            walk(&e.path(), out);
        } else {
            out.push(e.path());
        }
    }
}

fn count_markdown(dir: &Path) -> usize {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
        .count()
}

/// The catalogs are JSON that is data wherever it is pasted: no raw `<`, `>` or `&`.
fn check_json(text: &str) -> Vec<String> {
    let mut p = Vec::new();
    if serde_json::from_str::<serde_json::Value>(text).is_err() {
        p.push("not JSON".into());
    }
    if text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        p.push("raw < > & or U+2028/9 in JSON".into());
    }
    p
}

/// What a kind of file may contain.
trait Policy {
    fn tag(&self, tag: &Tag, problems: &mut Vec<String>);
}

struct Html;
struct Xml;

/// The inline script the theme puts in every `<head>`.
const HEAD_SCRIPT: &str = "(function(d){d.classList.add(\"js\")";

impl Policy for Html {
    fn tag(&self, tag: &Tag, problems: &mut Vec<String>) {
        let name = tag.name.as_str();
        if matches!(
            name,
            "iframe" | "frame" | "object" | "embed" | "base" | "applet"
        ) {
            problems.push(format!("<{name}> element"));
        }
        if name == "script" {
            let text = tag.text.as_deref().unwrap_or("");
            let ok = match (tag.attr("src"), tag.attr("type")) {
                (Some(src), _) => {
                    src.starts_with('/') && !src.starts_with("//") && text.trim().is_empty()
                }
                (None, Some("application/json")) => !text.contains('<'),
                (None, _) => text.starts_with(HEAD_SCRIPT),
            };
            if !ok {
                problems.push(format!("script not from the theme: {:.120}", tag.raw));
            }
        }
        if name == "meta"
            && tag
                .attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
        {
            let content = tag.attr("content").unwrap_or("");
            let url = content.split_once("url=").map_or("", |(_, u)| u);
            if !safe_url(url, false) {
                problems.push(format!("refresh to {url}"));
            }
        }
        for (attr, value) in &tag.attrs {
            let attr = attr.as_str();
            if attr.starts_with("on") || attr == "srcdoc" {
                problems.push(format!("attribute {attr} in {:.160}", tag.raw));
            }
            let image = matches!(name, "img" | "source");
            if matches!(
                attr,
                "href"
                    | "src"
                    | "action"
                    | "formaction"
                    | "xlink:href"
                    | "poster"
                    | "data"
                    | "background"
            ) && !safe_url(value, image)
            {
                problems.push(format!("{attr}={value:?} in {:.160}", tag.raw));
            }
        }
    }
}

impl Policy for Xml {
    fn tag(&self, tag: &Tag, problems: &mut Vec<String>) {
        const NAMES: &[&str] = &[
            "feed",
            "title",
            "link",
            "id",
            "updated",
            "entry",
            "published",
            "author",
            "name",
            "summary",
            "urlset",
            "url",
            "loc",
            "lastmod",
            "svg",
            "rect",
            "path",
        ];
        if !NAMES.contains(&tag.name.as_str()) {
            problems.push(format!("element <{}> in {:.160}", tag.name, tag.raw));
        }
        for (attr, _) in &tag.attrs {
            if attr.starts_with("on") {
                problems.push(format!("attribute {attr} in {:.160}", tag.raw));
            }
        }
    }
}

/// A link target as the browser reads it (entities already decoded): no scheme but the web's,
/// mail and phone; images may also be inline rasters.
fn safe_url(url: &str, image: bool) -> bool {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !"\t\n\r".contains(*c))
        .collect::<String>()
        .to_ascii_lowercase();
    let Some((scheme, rest)) = cleaned.split_once(':') else {
        return true;
    };
    if scheme.contains(['/', '?', '#']) {
        return true;
    }
    match scheme {
        "http" | "https" | "mailto" | "tel" => true,
        "data" => {
            image
                && ["image/png", "image/jpeg", "image/gif", "image/webp"]
                    .iter()
                    .any(|t| rest.starts_with(t))
        }
        _ => false,
    }
}

/// One start tag: its name, attributes (values with entities decoded), the raw text of a
/// raw-text element (`script`, `style`, `title`, `textarea`), and its source.
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    text: Option<String>,
    raw: String,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn check_markup(text: &str, policy: &dyn Policy) -> Vec<String> {
    let mut problems = Vec::new();
    for tag in tokenize(text) {
        policy.tag(&tag, &mut problems);
    }
    problems
}

/// Start tags as an HTML tokenizer finds them: comments, doctypes and end tags are skipped, and
/// the content of raw-text elements is text up to their end tag, whatever it contains.
fn tokenize(s: &str) -> Vec<Tag> {
    let b = s.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(lt) = s[i..].find('<') {
        let at = i + lt;
        let rest = &s[at..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(s.len(), |e| at + e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = rest.find('>').map_or(s.len(), |e| at + e + 1);
            continue;
        }
        if !b.get(at + 1).is_some_and(u8::is_ascii_alphabetic) {
            i = at + 1;
            continue;
        }
        // The name, then attributes up to `>`.
        let mut j = at + 1;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'/' && b[j] != b'>' {
            j += 1;
        }
        let name = s[at + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let start = j;
            j += 1; // an attribute name may start with `=` or a quote
            while j < b.len() && !b[j].is_ascii_whitespace() && !b"/>=".contains(&b[j]) {
                j += 1;
            }
            let attr = s[start..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let end = s[j + 1..].find(q as char).map_or(s.len(), |e| j + 1 + e);
                    value = decode(&s[j + 1..end]);
                    j = (end + 1).min(s.len());
                } else {
                    let start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode(&s[start..j]);
                }
            }
            attrs.push((attr, value));
        }
        let end = (j + 1).min(s.len());
        let mut tag = Tag {
            raw: s[at..end].to_string(),
            name,
            attrs,
            text: None,
        };
        i = end;
        if matches!(tag.name.as_str(), "script" | "style" | "title" | "textarea") {
            let close = format!("</{}", tag.name);
            let stop = s[i..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(s.len(), |e| i + e);
            tag.text = Some(s[i..stop].to_string());
            i = stop;
        }
        tags.push(tag);
    }
    tags
}

/// Character references in an attribute value, as the browser decodes them before use.
fn decode(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e < 12);
        let decoded = end.and_then(|e| {
            let body = &rest[1..e];
            let c = match body {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "colon" => ':',
                "Tab" => '\t',
                "NewLine" => '\n',
                _ => {
                    let n = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X"));
                    let n = match n {
                        Some(h) => u32::from_str_radix(h, 16).ok(),
                        None => body.strip_prefix('#').and_then(|d| d.parse().ok()),
                    };
                    char::from_u32(n?)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn the_tokenizer_finds_what_a_browser_would_run() {
    let bad = [
        r#"<p title="x"><svg onload=__xss(1)>"#,
        r#"<a href="java&#x73;cript:__xss(1)">x</a>"#,
        r#"<a href=" javascript:__xss(1)">x</a>"#,
        r#"<title>t</title><script>__xss(1)</script>"#,
        r#"<img src="data:image/svg+xml,x">"#,
        r#"<iframe srcdoc="x"></iframe>"#,
        r#"<meta content="x" '><img src=x onerror=__xss(1)>"#,
    ];
    for b in bad {
        assert!(!check_markup(b, &Html).is_empty(), "{b}");
    }
    let good = [
        r#"<p>&lt;script&gt;__xss(1)&lt;/script&gt;</p>"#,
        r#"<title>&lt;svg onload=__xss(1)&gt;</title>"#,
        r#"<textarea><img src=x onerror=__xss(1)></textarea>"#,
        r#"<a href="/tags/x'y/" title="&quot;&gt;&lt;svg onload=x&gt;">t</a>"#,
        r#"<script type="application/json" id="d">{"t":"\u003c/script\u003e"}</script>"#,
        r#"<!-- <script>__xss(1)</script> -->"#,
    ];
    for g in good {
        assert_eq!(check_markup(g, &Html), Vec::<String>::new(), "{g}");
    }
}
