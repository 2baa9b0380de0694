//! Splitting an entry into its YAML front matter and its Markdown body.
//!
//! Offsets are kept, not thrown away: the YAML parser reports positions inside the front-matter
//! block, and a diagnostic must point into the whole file — also when the file starts with a BOM,
//! uses CRLF line ends, or has blank lines before the opening fence.

use std::ops::Range;

/// The two parts of an entry, as byte ranges into the file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// The YAML between the fences (may be empty).
    pub yaml: Range<usize>,
    /// The Markdown after the closing fence.
    pub body: Range<usize>,
}

/// Why a file has no usable front matter; each carries the byte offset to point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The first non-blank line is not `---`.
    NoOpening { at: usize },
    /// An opening `---` without its closing `---`.
    NoClosing { at: usize },
}

/// Finds the front matter: optional BOM, optional blank lines, `---`, YAML, `---` (or `...`).
pub fn split(text: &str) -> Result<Split, SplitError> {
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // Blank lines before the fence are forgiven: editors paste them in by accident.
    loop {
        let line = line_at(text, pos);
        if line.content.trim().is_empty() && line.next < text.len() && line.next > pos {
            pos = line.next;
        } else {
            break;
        }
    }
    let opening = line_at(text, pos);
    if opening.content.trim_end() != "---" {
        return Err(SplitError::NoOpening { at: pos });
    }
    let yaml_start = opening.next;
    let mut cursor = yaml_start;
    while cursor < text.len() {
        let line = line_at(text, cursor);
        let fence = line.content.trim_end();
        if fence == "---" || fence == "..." {
            return Ok(Split {
                yaml: yaml_start..cursor,
                body: line.next..text.len(),
            });
        }
        cursor = line.next;
    }
    Err(SplitError::NoClosing { at: pos })
}

struct Line<'t> {
    /// The line without `\n` (a trailing `\r` stays; callers trim).
    content: &'t str,
    /// Offset of the next line.
    next: usize,
}

fn line_at(text: &str, start: usize) -> Line<'_> {
    let rest = &text[start..];
    match rest.find('\n') {
        Some(i) => Line {
            content: &rest[..i],
            next: start + i + 1,
        },
        None => Line {
            content: rest,
            next: text.len(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bom_crlf_and_blank_lines_before_the_fence() {
        let text = "\u{feff}\r\n\r\n---\r\ntitle: 标题\r\n---\r\n正文\r\n";
        let split = split(text).unwrap();
        assert_eq!(&text[split.yaml.clone()], "title: 标题\r\n");
        assert_eq!(&text[split.body], "正文\r\n");
    }

    #[test]
    fn missing_fences_are_located() {
        assert_eq!(split("title: x\n"), Err(SplitError::NoOpening { at: 0 }));
        assert_eq!(
            split("\n---\ntitle: x\n"),
            Err(SplitError::NoClosing { at: 1 })
        );
    }

    proptest! {
        #[test]
        fn split_round_trips(
            yaml_lines in proptest::collection::vec("[a-z]{1,5}: [a-z工匠 ]{0,8}", 0..6),
            body in "[a-z工匠\n -]{0,60}",
            crlf in any::<bool>(),
            blank in 0usize..3,
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let yaml: String = yaml_lines.iter().map(|l| format!("{l}{nl}")).collect();
            let text = format!("{}---{nl}{yaml}---{nl}{body}", nl.repeat(blank));
            let split = split(&text).unwrap();
            prop_assert_eq!(&text[split.yaml], yaml.as_str());
            prop_assert_eq!(&text[split.body], body.as_str());
        }
    }
}
