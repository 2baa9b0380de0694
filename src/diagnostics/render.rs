//! Terminal rendering of a diagnostic: the message, the location, the source line and a caret.
//!
//! ```text
//! 错误：`category` 必须是 site.yaml 中 lecture_categories 的一项
//!   ╭─[content/lectures/gongjiang.md:4:11]
//! 3 │ lecturers: [kong-shengdong]
//! 4 │ category: 工匠精神讲座
//!   ·           ──────┬─────
//!   ·                 ╰── 不是已有的分类；是不是想写“工匠精神”？
//!   ╰────
//!   帮助：分类有 劳模精神、工匠精神……
//! ```

use super::lines::floor_char_boundary;
use super::{Diagnostic, Diagnostics, LineIndex, Severity};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Renders one diagnostic; `color` adds ANSI colours for a terminal.
pub fn render(d: &Diagnostic, color: bool) -> String {
    let paint = |code: &'static str| if color { code } else { "" };
    let reset = paint(RESET);
    let mut out = String::new();
    let (word, tone) = match d.severity {
        Severity::Error => ("错误", paint(RED)),
        Severity::Warning => ("警告", paint(YELLOW)),
    };
    let _ = writeln!(
        out,
        "{tone}{word}{reset}{}：{}{reset}",
        paint(BOLD),
        d.message
    );

    let snippet = d.source.as_deref().zip(d.span.clone());
    match (&d.file, snippet) {
        (Some(file), Some((text, span))) => {
            let index = LineIndex::new(text);
            let (line, col) = index.line_col(text, span.start);
            let gutter = (line + 1).to_string().len();
            let pad = " ".repeat(gutter);
            let blue = paint(BLUE);
            let _ = writeln!(
                out,
                "{pad} {blue}╭─[{reset}{file}:{line}:{col}{blue}]{reset}"
            );
            if line > 1 {
                let prev = index.line_text(text, line - 1);
                let _ = writeln!(
                    out,
                    "{:>gutter$} {blue}│{reset} {}",
                    line - 1,
                    visible(prev)
                );
            }
            let current = index.line_text(text, line);
            let _ = writeln!(out, "{line:>gutter$} {blue}│{reset} {}", visible(current));
            // Offsets into `current`, which starts at the line's first byte (a BOM included),
            // kept on character boundaries whatever span a caller built.
            let line_start = index.line_start(line);
            let start_in_line = floor_char_boundary(
                current,
                span.start.saturating_sub(line_start).min(current.len()),
            );
            let end_in_line = floor_char_boundary(
                current,
                span.end
                    .saturating_sub(line_start)
                    .clamp(start_in_line, current.len()),
            );
            let lead = visible(&current[..start_in_line]).width();
            let width = visible(&current[start_in_line..end_in_line]).width().max(1);
            let mid = width / 2;
            let mut underline = "─".repeat(width);
            if d.label.is_some() {
                underline = format!("{}┬{}", "─".repeat(mid), "─".repeat(width - mid - 1));
            }
            let _ = writeln!(
                out,
                "{pad} {blue}·{reset} {}{tone}{underline}{reset}",
                " ".repeat(lead)
            );
            if let Some(label) = &d.label {
                let _ = writeln!(
                    out,
                    "{pad} {blue}·{reset} {}{tone}╰── {label}{reset}",
                    " ".repeat(lead + mid)
                );
            }
            let _ = writeln!(out, "{pad} {blue}╰────{reset}");
        }
        (Some(file), None) => {
            let _ = writeln!(
                out,
                "  {}╭─[{reset}{file}{}]{reset}",
                paint(BLUE),
                paint(BLUE)
            );
            if let Some(label) = &d.label {
                let _ = writeln!(out, "  · {label}");
            }
        }
        _ => {}
    }
    if let Some(field) = &d.field {
        let _ = writeln!(out, "  字段：{field}");
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  帮助：{help}");
    }
    out
}

/// Tabs would break caret alignment; a BOM is invisible.
fn visible(s: &str) -> String {
    s.replace('\t', "    ").replace('\u{feff}', "")
}

/// The closing line: `2 个错误，1 个警告（2 个文件）`.
pub fn summary(diagnostics: &Diagnostics) -> String {
    let mut files: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d.file.as_deref())
        .collect();
    files.sort_unstable();
    files.dedup();
    let (errors, warnings) = (diagnostics.errors(), diagnostics.warnings());
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(format!("{errors} 个错误"));
    }
    if warnings > 0 {
        parts.push(format!("{warnings} 个警告"));
    }
    if parts.is_empty() {
        return "没有发现问题".to_string();
    }
    let mut line = parts.join("，");
    if !files.is_empty() {
        let _ = write!(line, "（涉及 {} 个文件）", files.len());
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Source;

    /// Found by the `frontmatter` fuzz target: a span on the first line of a file that starts
    /// with a BOM was measured from after the BOM and sliced the line inside it.
    #[test]
    fn a_span_on_the_first_line_after_a_bom_renders() {
        let source = Source::new("x.md", "\u{feff}--\u{fffd}tle: 甲\n");
        let d = Diagnostic::error("x").at(&source, 5..8).label("这里");
        let out = render(&d, false);
        assert!(out.contains("x.md:1:3"), "{out}");
        assert!(out.contains("1 │ --\u{fffd}tle: 甲\n  ·   ┬"), "{out}");
        // A span built by hand, not through `at`, inside a character.
        let mut raw = d.clone();
        raw.span = Some(4..7);
        let _ = render(&raw, false);
    }
}
