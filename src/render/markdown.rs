//! Markdown → HTML, plain text and a table of contents, in one pass over pulldown-cmark's events.
//!
//! [`options`] is the one place that decides which extensions an editor gets. Chinese needs two
//! fixes over plain CommonMark: a soft line break between two Han characters is dropped (not
//! rendered as a space: editors wrap lines mid-sentence), and heading ids keep Chinese characters.
//!
//! Bodies are written by many hands, so [`render_with`] makes them harmless before anything else
//! sees them: raw HTML is shown as text unless the site sets `unsafe_html: true`, link and image
//! targets that could run code (`javascript:`, `data:text/html` …) are dropped, and heading
//! attributes other than `id`, classes and `data-*` (`{onclick=…}`) are removed.

use super::highlight;
use crate::resolve::urls::{is_safe_image, is_safe_link};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;

/// What the rest of the pipeline needs from a body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// The text a reader sees, block by block on its own line.
    pub text: String,
    /// Its characters but whitespace, as [`super::text::char_count`] counts them (the page
    /// shows a reading time; the build hands `text` to the search index before the pages).
    pub chars: usize,
    /// The start of the running text (no headings, no code), as cards show it: the first
    /// [`SUMMARY_CHARS`] characters, cut at a sentence end when one is near.
    pub summary: String,
    /// Relative and root-relative image sources with their byte offset in the body, so a
    /// missing image can be reported where it is written.
    pub images: Vec<(String, std::ops::Range<usize>)>,
    pub toc: Vec<Heading>,
    /// The first raw HTML of the body and where it is, when it was shown as text.
    pub raw_html: Option<(String, Range<usize>)>,
    /// Link and image targets that were dropped because they could run code, and where.
    pub unsafe_links: Vec<(String, Range<usize>)>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// The length of a card's summary, in characters.
pub const SUMMARY_CHARS: usize = 120;

/// The extensions every page gets: tables, footnotes, strikethrough, task lists, `{#id}`.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `markdown` with raw HTML shown as text; see [`render_with`].
pub fn render(markdown: &str, base: &str) -> Rendered {
    render_with(markdown, base, false)
}

/// Renders `markdown`. Relative links and images are rewritten against `base` (the URL of the
/// folder the file's assets are published in, ending in `/`), so they work from a pretty URL.
/// Raw HTML passes through only when `unsafe_html` (the site setting) is true.
pub fn render_with(markdown: &str, base: &str, unsafe_html: bool) -> Rendered {
    let (events, offsets): (Vec<Event>, Vec<std::ops::Range<usize>>) =
        Parser::new_ext(markdown, options())
            .into_offset_iter()
            .unzip();
    let mut raw_html = None;
    let mut unsafe_links = Vec::new();
    let (events, offsets) = defuse(
        events,
        offsets,
        unsafe_html,
        &mut raw_html,
        &mut unsafe_links,
    );
    let mut images = Vec::new();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut text = String::with_capacity(markdown.len());
    let mut lead = String::new();
    let mut toc = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                // Gather the heading's inline events to name it.
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                    .map_or(events.len(), |p| i + p);
                let title: String = events[i + 1..end]
                    .iter()
                    .filter_map(|e| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                let id = unique_id(
                    id.as_deref()
                        .map_or_else(|| slugify(&title), str::to_string),
                    &mut ids,
                );
                toc.push(Heading {
                    level: heading_level(*level),
                    id: id.clone(),
                    title: title.clone(),
                });
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                text.push_str(&title);
                for e in &events[i + 1..end] {
                    out.push(e.clone());
                }
                if end < events.len() {
                    out.push(events[end].clone());
                }
                text.push('\n');
                i = end + 1;
                continue;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::CodeBlock)))
                    .map_or(events.len(), |p| i + p);
                let code: String = events[i + 1..end]
                    .iter()
                    .filter_map(|e| match e {
                        Event::Text(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                out.push(Event::Html(CowStr::from(highlight::code_block(
                    &code, &lang,
                ))));
                text.push_str(&code);
                text.push('\n');
                i = end + 1;
                continue;
            }
            Event::SoftBreak => {
                let before = out.iter().rev().find_map(last_char);
                let after = events[i + 1..].iter().find_map(first_char);
                let both = before.is_some_and(is_cjk) && after.is_some_and(is_cjk);
                if both || before.is_some_and(is_cjk_punct) || after.is_some_and(is_cjk_punct) {
                    // Dropped: a line wrapped inside a Chinese sentence is not a word gap.
                } else {
                    out.push(Event::SoftBreak);
                    text.push(' ');
                    lead.push(' ');
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if is_local(dest_url) {
                    images.push((dest_url.to_string(), offsets[i].clone()));
                }
                out.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: rebase(dest_url, base),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: rebase(dest_url, base),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            // Accessible task lists: a checkbox needs a name.
            Event::TaskListMarker(done) => {
                let (checked, label) = if *done {
                    (" checked", "已完成")
                } else {
                    ("", "未完成")
                };
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> "
                ))));
            }
            // Wide tables scroll sideways on phones, inside a focusable, named region.
            Event::Start(Tag::Table(align)) => {
                out.push(Event::Html(CowStr::from("<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"表格\">")));
                out.push(Event::Start(Tag::Table(align.clone())));
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                out.push(Event::Html(CowStr::from("</div>\n")));
            }
            e @ (Event::Text(t) | Event::Code(t)) => {
                text.push_str(t);
                if lead.len() < 2048 {
                    lead.push_str(t);
                }
                out.push(e.clone());
            }
            e @ (Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition,
            )
            | Event::HardBreak) => {
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                if !lead.ends_with('\n') && !lead.is_empty() {
                    lead.push('\n');
                }
                out.push(e.clone());
            }
            e => out.push(e.clone()),
        }
        i += 1;
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    // Every entry's body is held until its page is made: no slack (a third of it at 100,000
    // articles).
    html.shrink_to_fit();
    Rendered {
        html,
        chars: super::text::char_count(&text),
        text: text.trim_end().to_string(),
        summary: super::text::summary(&lead, SUMMARY_CHARS),
        images,
        toc,
        raw_html,
        unsafe_links,
    }
}

/// Makes the parser's events harmless (see the module docs), keeping `offsets` in step.
fn defuse<'a>(
    events: Vec<Event<'a>>,
    offsets: Vec<Range<usize>>,
    unsafe_html: bool,
    raw_html: &mut Option<(String, Range<usize>)>,
    unsafe_links: &mut Vec<(String, Range<usize>)>,
) -> (Vec<Event<'a>>, Vec<Range<usize>>) {
    let mut out = Vec::with_capacity(events.len());
    let mut at = Vec::with_capacity(events.len());
    let mut first_raw = |html: &str, span: &Range<usize>| {
        if raw_html.is_none() {
            let line = html.trim().lines().next().unwrap_or("");
            let shown: String = line.chars().take(40).collect();
            let len = line.len().min(shown.len());
            let start = span.start + html.len() - html.trim_start().len();
            *raw_html = Some((shown, start..start + len));
        }
    };
    let mut events = events.into_iter().zip(offsets).peekable();
    while let Some((event, span)) = events.next() {
        let event = match event {
            Event::Start(Tag::HtmlBlock) if !unsafe_html => {
                let mut html = String::new();
                let mut first = None;
                for (e, s) in events.by_ref() {
                    match e {
                        Event::Html(t) | Event::Text(t) => {
                            first.get_or_insert(s);
                            html.push_str(&t);
                        }
                        Event::End(TagEnd::HtmlBlock) => break,
                        _ => {}
                    }
                }
                if harmless(&html) {
                    continue;
                }
                first_raw(&html, first.as_ref().unwrap_or(&span));
                // Shown as a paragraph of text: visible to the editor, inert for the reader.
                out.extend([
                    Event::Start(Tag::Paragraph),
                    Event::Text(CowStr::from(html.trim_end().to_string())),
                    Event::End(TagEnd::Paragraph),
                ]);
                at.extend([span.clone(), span.clone(), span]);
                continue;
            }
            Event::Html(t) | Event::InlineHtml(t) if !unsafe_html => {
                if is_line_break(&t) {
                    Event::InlineHtml(t)
                } else if harmless(&t) {
                    continue;
                } else {
                    first_raw(&t, &span);
                    Event::Text(t)
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if !is_safe_link(&dest_url) => {
                unsafe_links.push((dest_url.to_string(), span.clone()));
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from("#"),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if !is_safe_image(&dest_url) => {
                unsafe_links.push((dest_url.to_string(), span.clone()));
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(""),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                mut attrs,
            }) if !unsafe_html => {
                // `{onclick=…}` would be an event handler: only data attributes stay.
                attrs.retain(|(name, _)| {
                    name.strip_prefix("data-").is_some_and(|rest| {
                        !rest.is_empty()
                            && rest
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    })
                });
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                })
            }
            e => e,
        };
        out.push(event);
        at.push(span);
    }
    (out, at)
}

/// An HTML comment: left out of the page (whatever it hides never reaches the reader), and not
/// worth a warning, since editors use them for notes.
fn harmless(html: &str) -> bool {
    let t = html.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

/// `<br>`, which editors pasting from office tools use for a line break: inert, so kept.
fn is_line_break(html: &str) -> bool {
    matches!(
        html.trim().to_ascii_lowercase().as_str(),
        "<br>" | "<br/>" | "<br />"
    )
}

fn last_char(e: &Event) -> Option<char> {
    match e {
        Event::Text(t) | Event::Code(t) => t.chars().last(),
        _ => None,
    }
}

fn first_char(e: &Event) -> Option<char> {
    match e {
        Event::Text(t) | Event::Code(t) => t.chars().next(),
        Event::SoftBreak | Event::HardBreak => Some('\n'),
        _ => None,
    }
}

/// Han, kana, CJK punctuation and full-width forms: characters that are never separated by
/// spaces in Chinese text.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F | 0x31A0..=0x31FF |
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF |
        0x20000..=0x2FA1F)
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// Full-width punctuation carries its own spacing: no space is wanted beside it.
fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…')
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A heading's id: letters, digits and Han characters kept, everything else folded to `-`.
pub fn slugify(title: &str) -> String {
    let mut id = String::new();
    for c in title.trim().chars() {
        if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !id.ends_with('-')
            && !id.is_empty()
        {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() {
        "section".to_string()
    } else {
        id
    }
}

fn unique_id(id: String, seen: &mut HashMap<String, usize>) -> String {
    let n = seen.entry(id.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        id
    } else {
        format!("{id}-{}", *n - 1)
    }
}

/// A link to a file of this site (not a full URL, an anchor or `mailto:`).
fn is_local(dest: &str) -> bool {
    !(dest.is_empty() || dest.starts_with('#') || dest.starts_with("//") || has_scheme(dest))
}

fn has_scheme(d: &str) -> bool {
    d.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// A relative link or image (`photo.png`, `../x/`) resolved against `base`; absolute URLs,
/// root paths, anchors and `mailto:`/`tel:` are left alone.
fn rebase<'a>(dest: &CowStr<'a>, base: &str) -> CowStr<'a> {
    let d = dest.as_ref();
    if d.is_empty()
        || d.starts_with('/')
        || d.starts_with('#')
        || d.starts_with('?')
        || has_scheme(d)
        || base.is_empty()
    {
        return dest.clone();
    }
    CowStr::from(format!("{base}{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_break_between_han_is_dropped() {
        let r = render("职工群众可以\n点单，\nPLC and\nVR 课程", "");
        assert!(
            r.html.contains("职工群众可以点单，PLC and\nVR"),
            "{}",
            r.html
        );
        assert!(
            r.text.starts_with("职工群众可以点单，PLC and VR"),
            "{}",
            r.text
        );
    }

    #[test]
    fn task_lists_and_tables_are_accessible() {
        let r = render(
            "- [x] 完成\n- [ ] 待办\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n",
            "",
        );
        assert!(
            r.html.contains(r#"checked aria-label="已完成""#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"aria-label="未完成""#));
        assert!(
            r.html.contains(
                r#"<div class="table-scroll" tabindex="0" role="region" aria-label="表格"><table>"#
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("</table>\n</div>"), "{}", r.html);
    }

    #[test]
    fn chinese_headings_get_chinese_ids() {
        let r = render("## 宣讲提纲\n\n## 宣讲提纲\n\n### Step 1: 安全\n", "");
        assert!(r.html.contains(r#"<h2 id="宣讲提纲">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="宣讲提纲-1">"#), "{}", r.html);
        assert_eq!(r.toc[2].id, "step-1-安全");
    }

    proptest::proptest! {
        /// Whatever an editor types, rendering finishes and gives text.
        #[test]
        fn render_never_panics(body in "\\PC{0,200}", md in "([#*_`>\\-\\[\\]()!|~ \n]|[a-z工匠。，]|\\[\\^1\\]|```yaml\n){0,80}") {
            let _ = render(&body, "/base/");
            let r = render(&md, "");
            proptest::prop_assert!(r.html.len() + 1 >= r.text.len() / 4);
        }
    }

    #[test]
    fn raw_html_is_shown_as_text_unless_the_site_allows_it() {
        let md = "前言\n\n<script>__xss(1)</script>\n\n行内 <img src=x onerror=__xss(2)> 与<br>换行\n\n<!-- 编辑备注 -->\n";
        let r = render(md, "");
        assert!(
            !r.html.contains("<script") && !r.html.contains("<img"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<p>&lt;script&gt;__xss(1)&lt;/script&gt;</p>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("&lt;img src=x onerror=__xss(2)&gt;"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<br>") && !r.html.contains("编辑备注"),
            "{}",
            r.html
        );
        let (what, span) = r.raw_html.expect("raw HTML is reported");
        assert_eq!(what, "<script>__xss(1)</script>");
        assert_eq!(&md[span], "<script>__xss(1)</script>");

        let r = render_with(md, "", true);
        assert!(r.html.contains("<script>__xss(1)</script>"), "{}", r.html);
        assert!(
            r.html.contains("<img src=x onerror=__xss(2)>"),
            "{}",
            r.html
        );
        assert_eq!(r.raw_html, None);
        assert_eq!(render("只有 <br> 和 <!-- 注 -->", "").raw_html, None);
    }

    #[test]
    fn links_that_could_run_code_are_dropped() {
        let md = "[a](javascript:__xss(1)) [b](JAVASCRIPT&#58;__xss(2)) <javascript:__xss(3)> \
                  [c](<java\tscript:__xss(4)>) [d](vbscript:x) [e](data:text/html,x) \
                  ![f](data:image/svg+xml,x) ![g](data:image/png;base64,AAAA) [h](https://a.org/) \
                  [i](mailto:a@b.org)\n\n# [标题](javascript:__xss(5)) <img src=x onerror=__xss(6)> {onclick=__xss(7) data-x=1}\n";
        for unsafe_html in [false, true] {
            let r = render_with(md, "", unsafe_html);
            let targets: Vec<&str> = r
                .html
                .split(" href=\"")
                .skip(1)
                .chain(r.html.split(" src=\"").skip(1))
                .filter_map(|t| t.split('"').next())
                .collect();
            assert_eq!(targets.len(), 11, "{targets:?}");
            for t in &targets {
                assert!(is_safe_image(t) && !t.contains("svg"), "{t}: {}", r.html);
            }
            assert!(
                r.html.contains("src=\"data:image/png;base64,AAAA\""),
                "{}",
                r.html
            );
            assert!(
                r.html.contains("href=\"https://a.org/\"")
                    && r.html.contains("href=\"mailto:a@b.org\"")
            );
            assert_eq!(r.unsafe_links.len(), 8, "{:?}", r.unsafe_links);
        }
        let r = render(md, "");
        assert!(
            !r.html.contains("onclick") && !r.html.contains("<img src=x"),
            "{}",
            r.html
        );
        assert!(r.html.contains("data-x=\"1\""), "{}", r.html);
        assert_eq!(&md[r.unsafe_links[0].1.clone()], "[a](javascript:__xss(1))");
    }

    #[test]
    fn relative_images_are_rebased_to_the_asset_folder() {
        let r = render(
            "![图](photo.png) [站内](/x/) [外](https://a.org/)",
            "/gonghui/news/",
        );
        assert!(
            r.html.contains(r#"src="/gonghui/news/photo.png""#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"href="/x/""#));
    }
}
