//! YAML mistakes explained to an editor.
//!
//! The parser notices a mistake where it gives up, which is often a line or two after the slip
//! and in words only a programmer reads. The slips editors actually make (a Tab in the
//! indentation, a quote or a bracket left open, a field written twice, a Chinese colon) are
//! recognised here from the text and pointed at where they were made.

use super::yaml::YamlError;
use crate::diagnostics::{Diagnostic, LineIndex, Source};
use std::ops::Range;

/// The diagnostic for a YAML block that could not be read. `block` is the block's byte range in
/// `source`; `what` names it for the editor (`front matter`, `site.yaml`).
pub fn explain(source: &Source, block: Range<usize>, err: &YamlError, what: &str) -> Diagnostic {
    let text = &source.text[block.clone()];
    let (message, offset) = match err {
        YamlError::DuplicateKey { key, first, second } => {
            let index = LineIndex::new(&source.text);
            let (first_line, _) = index.line_col(&source.text, first.start);
            let (second_line, _) = index.line_col(&source.text, second.start);
            return Diagnostic::error(format!(
                "字段 `{key}` 写了两次（第 {first_line} 行和第 {second_line} 行）"
            ))
            .at(source, second.clone())
            .field(key.clone())
            .label(format!("又写了一次；第一次在第 {first_line} 行"))
            .help(format!(
                "一个字段只能写一次：删掉其中一行，只留下正确的 `{key}`"
            ));
        }
        YamlError::Syntax { message, offset } => {
            let mut offset = offset.unwrap_or(0).min(text.len());
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            (message.as_str(), offset)
        }
    };
    let error = Diagnostic::error(format!("{what} 不是合法的 YAML"));
    // Only lines up to the one where the parser stopped can hold the slip.
    let upto = text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1);
    let considered = &text[..upto];
    // YAML never allows a Tab in indentation, so one before the stop is the slip.
    if let Some(at) = tab_indent(considered) {
        let at = block.start + at;
        return error
            .at(source, at..at + 1)
            .label("这里用了 Tab 缩进")
            .help("YAML 的缩进只能用空格：把这一行开头的 Tab 换成两个空格");
    }
    if let Some((at, quote)) = unclosed_quote(considered) {
        let at = block.start + at;
        return error
            .at(source, at..at + 1)
            .label(format!("这个 {quote} 没有对应的结束引号"))
            .help(format!(
                "在这段文字的末尾补上 {quote}；文字里本身要用引号时，用中文引号“”"
            ));
    }
    if let Some((at, open)) = unclosed_bracket(considered) {
        let at = block.start + at;
        let close = if open == '[' { ']' } else { '}' };
        return error
            .at(source, at..at + 1)
            .label(format!("这个 {open} 没有对应的 {close}"))
            .help(format!("在这一行末尾补上 {close}"));
    }
    if let Some(at) = chinese_colon(considered) {
        let at = block.start + at;
        return error
            .at(source, at..at + '：'.len_utf8())
            .label("这里是中文冒号“：”")
            .help("字段名后面要用英文冒号加一个空格，例如 title: 标题");
    }
    let at = block.start + offset;
    error
        .at(source, at..at)
        .label(format!("YAML 读到这里出错：{}", strip_position(message)))
        .help("检查这一行和上一行：冒号后要有空格，缩进用空格而不是 Tab，含冒号的文字要加引号")
}

/// What to say when front matter parsed but is a list or a single text instead of fields.
pub fn not_a_mapping(source: &Source, node: &super::yaml::Node) -> Diagnostic {
    let written = &source.text[node.span.clone()];
    let d = Diagnostic::error(format!(
        "front matter 应该是一行一个“字段: 值”，这里却是{}",
        node.kind_name()
    ))
    .at(source, node.span.clone());
    if let Some(i) = written.find('：') {
        let at = node.span.start + i;
        return d
            .at(source, at..at + '：'.len_utf8())
            .label("这里是中文冒号“：”")
            .help("字段名后面要用英文冒号加一个空格，例如 title: 标题");
    }
    if matches!(node.value, super::yaml::Value::Str(_)) && written.contains(':') {
        return d
            .label("冒号后面少了空格")
            .help("字段名后面是英文冒号加一个空格，例如 title: 标题");
    }
    if matches!(node.value, super::yaml::Value::Seq(_)) {
        return d
            .label("以 - 开头的行是列表")
            .help("去掉行首的 - ，每行写一个字段，例如 title: 标题");
    }
    d.label("这里缺少“字段名:”")
        .help("每行写一个字段，冒号后加空格，例如 title: 标题")
}

/// The offset of the first Tab in a line's indentation.
fn tab_indent(block: &str) -> Option<usize> {
    let mut offset = 0;
    for line in block.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(i) = line[..indent].find('\t') {
            // A line of only whitespace is not indentation of anything.
            if !line.trim().is_empty() {
                return Some(offset + i);
            }
        }
        offset += line.len();
    }
    None
}

/// The offset and kind of the first quote that opens a value and is still open at the end of
/// its line. A quote counts as opening only where a value can start (after `: `, `- `, `[`,
/// `{`, `,` or at the line's start), so an apostrophe inside a word is not one.
fn unclosed_quote(block: &str) -> Option<(usize, char)> {
    let mut offset = 0;
    for line in block.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let mut open: Option<(usize, char)> = None;
        let mut prev: Option<char> = None;
        let mut chars = content.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match open {
                Some((_, '"')) if c == '\\' => {
                    chars.next();
                }
                Some((_, '\'')) if c == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                    chars.next();
                }
                Some((_, q)) if c == q => open = None,
                Some(_) => {}
                None if c == '#' && matches!(prev, None | Some(' ' | '\t')) => break,
                None if (c == '"' || c == '\'')
                    && matches!(prev, None | Some(' ' | '\t' | '[' | '{' | ',')) =>
                {
                    open = Some((i, c));
                }
                None => {}
            }
            prev = Some(c);
        }
        if let Some((i, q)) = open {
            return Some((offset + i, q));
        }
        offset += line.len();
    }
    None
}

/// The offset of the first `[` or `{` left open at the end of its line, outside quotes.
fn unclosed_bracket(block: &str) -> Option<(usize, char)> {
    let mut offset = 0;
    for line in block.split_inclusive('\n') {
        let mut stack: Vec<(usize, char)> = Vec::new();
        let mut quote: Option<char> = None;
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if i == 0 || line[..i].ends_with(' ') => break,
                (None, '[' | '{') => stack.push((offset + i, c)),
                (None, ']' | '}') => {
                    stack.pop();
                }
                _ => {}
            }
        }
        if let Some(&first) = stack.first() {
            return Some(first);
        }
        offset += line.len();
    }
    None
}

/// The offset of a full-width colon used as a key's colon (`title：标题`) on a line that has
/// no ASCII one.
fn chinese_colon(block: &str) -> Option<usize> {
    let mut offset = 0;
    for line in block.split_inclusive('\n') {
        let key_end = line.find('：');
        if let Some(i) = key_end.filter(|_| !line.contains(": ") && !line.trim_end().ends_with(':'))
        {
            return Some(offset + i);
        }
        offset += line.len();
    }
    None
}

/// `error: line 4 column 7: message` → `message`: positions inside the block would mislead.
fn strip_position(message: &str) -> &str {
    let m = message.strip_prefix("error: ").unwrap_or(message);
    match m.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(m, |(_, msg)| msg),
        None => m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_are_found_where_they_were_made() {
        assert_eq!(tab_indent("a:\n\tb: 1\n"), Some(3));
        assert_eq!(tab_indent("a:\tb\n"), None);
        assert_eq!(unclosed_quote("title: \"标题\ndate: 1\n"), Some((7, '"')));
        assert_eq!(unclosed_quote("title: 'it''s\n"), Some((7, '\'')));
        assert_eq!(unclosed_quote("title: \"a \\\" b\"\n"), None);
        assert_eq!(unclosed_quote("title: it's 他说\"好\n"), None);
        assert_eq!(unclosed_quote("tags: [\"a, b]\n"), Some((7, '"')));
        assert_eq!(unclosed_bracket("tags: [a, b\n"), Some((6, '[')));
        assert_eq!(chinese_colon("title：标题\n"), Some(5));
        assert_eq!(chinese_colon("title: 标题：副题\n"), None);
    }
}
