//! Fenced code → HTML with CSS classes (`hl-keyword`, `hl-string` …), styled by the theme.
//!
//! The syntax set takes tens of milliseconds to load, so it is loaded on first use: a site
//! without code never pays for it.

use std::sync::OnceLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The prefix of every class syntect writes; the theme's CSS targets `.hl-*`.
pub const CLASS_PREFIX: &str = "hl-";

fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A `<pre>` block for `code`, highlighted when `lang` names a known syntax.
pub fn code_block(code: &str, lang: &str) -> String {
    let lang_attr = escape(lang);
    match highlighted(code, lang) {
        Some(html) => {
            format!("<pre class=\"code\" data-lang=\"{lang_attr}\"><code>{html}</code></pre>\n")
        }
        None if lang.is_empty() => {
            format!("<pre class=\"code\"><code>{}</code></pre>\n", escape(code))
        }
        None => format!(
            "<pre class=\"code\" data-lang=\"{lang_attr}\"><code>{}</code></pre>\n",
            escape(code)
        ),
    }
}

fn highlighted(code: &str, lang: &str) -> Option<String> {
    if lang.is_empty() || matches!(lang, "text" | "plain" | "txt") {
        return None;
    }
    let set = syntax_set();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut html = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed {
            prefix: CLASS_PREFIX,
        },
    );
    for line in LinesWithEndings::from(code) {
        html.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(html.finalize())
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_unknown_are_escaped() {
        let yaml = code_block("title: 标题 # 注释\n", "yaml");
        assert!(yaml.contains("hl-comment"), "{yaml}");
        let plain = code_block("<b>", "nosuchlang");
        assert!(plain.contains("&lt;b&gt;"));
    }
}
