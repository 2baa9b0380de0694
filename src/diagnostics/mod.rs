//! Diagnostics: the only place that knows how a problem looks.
//!
//! Every stage returns its value together with a [`Diagnostics`] list; nothing stops at the first
//! bad file. A [`Diagnostic`] carries the file's text and a byte span, so it can be rendered with
//! the offending line and a caret (in the terminal, [`fn@render`]) or as data (the browser overlay of
//! `serve`, [`Diagnostic::to_json`]). Messages are written for editors, in Chinese.

mod lines;
mod render;
mod suggest;

pub use lines::LineIndex;
pub use render::{render, summary};
pub use suggest::did_you_mean;

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// How bad a problem is: errors fail the build, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A file's text shared by all diagnostics that point into it.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path shown to the editor, relative to the site root (`content/news/x.md`).
    pub name: String,
    pub text: Arc<str>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// One problem, located as precisely as we know.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    /// One sentence: what is wrong.
    pub message: String,
    /// The file it is in, if any.
    pub file: Option<String>,
    /// The file's text and the byte span of the mistake inside it.
    pub source: Option<Arc<str>>,
    pub span: Option<Range<usize>>,
    /// The front-matter field concerned, e.g. `category` or `honors[2].level`.
    pub field: Option<String>,
    /// A short note printed under the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: None,
            source: None,
            span: None,
            field: None,
            label: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Points the diagnostic at a whole file (no span).
    pub fn in_file(mut self, name: impl Into<String>) -> Self {
        self.file = Some(name.into());
        self
    }

    /// Points the diagnostic at `span` inside `source`.
    pub fn at(mut self, source: &Source, span: Range<usize>) -> Self {
        self.file = Some(source.name.clone());
        // Clamped to the text and to character boundaries: a span from a parser or from
        // arithmetic on offsets must never make rendering slice inside a character.
        let text = &source.text;
        let start = lines::floor_char_boundary(text, span.start.min(text.len()));
        let end = lines::floor_char_boundary(text, span.end.clamp(start, text.len()));
        self.span = Some(start..end.max(start));
        self.source = Some(source.text.clone());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column (in characters) of the span's start.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let text = self.source.as_deref()?;
        let span = self.span.as_ref()?;
        Some(LineIndex::new(text).line_col(text, span.start))
    }

    /// `content/x.md:4:11`, or just the file, or nothing.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match self.line_col() {
            Some((line, col)) => format!("{file}:{line}:{col}"),
            None => file.clone(),
        })
    }

    /// The diagnostic as data, for the browser overlay and tools.
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = self.line_col().unzip();
        let source_line = self
            .source
            .as_deref()
            .zip(self.span.as_ref())
            .map(|(text, span)| {
                let index = LineIndex::new(text);
                let (line, _) = index.line_col(text, span.start);
                index.line_text(text, line).to_string()
            });
        serde_json::json!({
            "severity": match self.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "message": self.message,
            "file": self.file,
            "line": line,
            "column": column,
            "field": self.field,
            "label": self.label,
            "help": self.help,
            "source_line": source_line,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_inside_a_character_are_moved_to_its_start() {
        let source = Source::new("x.md", "标题: 甲\n");
        let d = Diagnostic::error("x").at(&source, 1..4).label("y");
        assert_eq!(d.span, Some(0..3));
        assert!(render(&d, false).contains("x.md:1:1"));
        let past = Diagnostic::error("x").at(&source, 100..200);
        assert_eq!(past.span, Some(source.text.len()..source.text.len()));
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(self, false))
    }
}

/// An ordered collection of diagnostics from one or more stages.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }

    /// Orders by file, then position, so output is stable whatever order stages ran in.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let key =
                |d: &Diagnostic| (d.file.clone(), d.span.as_ref().map(|s| s.start), d.severity);
            key(a).cmp(&key(b))
        });
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// The display name of `path` relative to the site root, with `/` separators on every platform.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

/// An I/O failure, naming the path and what we were doing.
pub fn io_error(action: &str, path: &Path, err: &std::io::Error) -> Diagnostic {
    let why = match err.kind() {
        std::io::ErrorKind::NotFound => "不存在".to_string(),
        std::io::ErrorKind::PermissionDenied => "没有权限".to_string(),
        _ => err.to_string(),
    };
    Diagnostic::error(format!("无法{action} {}：{why}", path.display()))
}
