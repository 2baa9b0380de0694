//! Slugs, term names and output paths: what may become part of a URL or a file name.
//!
//! Chinese is kept as is (`/tags/班前十分钟/`); only characters that would break a path or a URL
//! are refused or replaced, so no output path can leave the output directory.

/// Why `slug` cannot be a path segment, if it cannot.
pub fn check_slug(slug: &str) -> Result<(), &'static str> {
    if slug.is_empty() {
        return Err("不能为空");
    }
    // A slug is the last part of a URL, never a path: say so before anything about dots.
    if slug.contains(['/', '\\']) {
        return Err("不能包含斜杠 / 或 \\：它只是网址的最后一段，不是路径");
    }
    if slug.starts_with('.') {
        return Err("不能以点 . 开头");
    }
    if slug.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("不能包含空格");
    }
    if slug.chars().any(|c| FORBIDDEN.contains(&c)) {
        return Err("不能包含 ? # % \" < > | * : 这些符号");
    }
    Ok(())
}

const FORBIDDEN: [char; 11] = ['/', '\\', '?', '#', '%', '"', '<', '>', '|', '*', ':'];

/// A tag or region name as one path segment: unsafe characters become `-`.
pub fn term_segment(name: &str) -> String {
    let mut out: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() || FORBIDDEN.contains(&c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    while out.starts_with('.') {
        out.replace_range(0..1, "-");
    }
    if out.is_empty() { "-".to_string() } else { out }
}

/// Percent-encodes a URL's path for places that need plain ASCII (sitemaps, feeds' ids).
pub fn encode_path(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:?=&#%+,;@!$'()*".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a query value or `mailto:` part (everything but unreserved characters).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The scheme a browser would see in `url` (lowercased), if it has one. Browsers drop tabs and
/// newlines anywhere and control characters and spaces at the start before they look, so
/// `java\tscript:` and ` javascript:` are `javascript` here too.
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    ok.then(|| scheme.to_ascii_lowercase())
}

/// True when `url` may be a link target: relative, or `http(s):`, `mailto:`, `tel:`. Anything
/// else (`javascript:`, `vbscript:`, `data:`, `file:` …) could run code or leave the web.
pub fn is_safe_link(url: &str) -> bool {
    scheme(url).is_none_or(|s| matches!(s.as_str(), "http" | "https" | "mailto" | "tel"))
}

/// [`is_safe_link`] for an image source, which may also be an inline raster image
/// (`data:image/png;base64,…`); SVG is refused, since it can carry script.
pub fn is_safe_image(url: &str) -> bool {
    if scheme(url).as_deref() == Some("data") {
        let rest = url.trim_start().get(5..).unwrap_or("").to_ascii_lowercase();
        return [
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "image/avif",
        ]
        .iter()
        .any(|t| rest.starts_with(t) && rest[t.len()..].starts_with([';', ',']));
    }
    is_safe_link(url)
}

/// True when a `/`-separated output path stays inside the output directory.
pub fn is_safe_output_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|seg| seg != ".." && seg != "." && !(seg.len() == 2 && seg.ends_with(':')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chinese_terms_are_kept() {
        assert_eq!(term_segment("班前十分钟"), "班前十分钟");
        assert_eq!(term_segment("a/b ?c"), "a-b--c");
        assert_eq!(term_segment(".."), "-.");
        assert_eq!(
            encode_path("https://x.org/tags/班前/"),
            "https://x.org/tags/%E7%8F%AD%E5%89%8D/"
        );
    }

    #[test]
    fn only_web_mail_and_phone_links_are_safe() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " \u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "vbscript:msgbox",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
        ] {
            assert!(!is_safe_link(bad), "{bad:?}");
            assert!(!is_safe_image(bad), "{bad:?}");
        }
        for good in [
            "https://a.org/",
            "http://a",
            "mailto:a@b",
            "tel:123",
            "x/y.png",
            "/a:b",
            "#top",
            "?q=a:b",
        ] {
            assert!(is_safe_link(good), "{good:?}");
        }
        assert!(is_safe_image("data:image/png;base64,AAAA"));
        assert!(!is_safe_image("data:image/svg+xml;base64,AAAA"));
        assert!(!is_safe_link("data:image/png;base64,AAAA"));
    }

    proptest! {
        /// Whatever an editor writes as a tag, region or valid slug, the page path is safe.
        #[test]
        fn output_paths_never_escape(name in "\\PC{0,12}", section in "(news|about|tags)") {
            let term = term_segment(&name);
            let path = format!("{section}/{term}/index.html");
            prop_assert!(is_safe_output_path(&path), "{path}");
            if check_slug(&name).is_ok() {
                let path = format!("{section}/{name}/index.html");
                prop_assert!(is_safe_output_path(&path), "{path}");
            }
        }
    }
}
