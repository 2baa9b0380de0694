//! The Tera engine: the theme's templates compiled once per build, and their errors as
//! diagnostics that point into the template file.

use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Source, did_you_mean};
use crate::load::theme::Theme;
use std::collections::HashMap;
use tera::{ErrorKind, Kwargs, State, Tera};

pub struct Engine {
    tera: Tera,
    /// Template name → its file, for error locations.
    sources: HashMap<String, Source>,
}

impl Engine {
    /// Compiles every template of `theme`; `base_path` is what `url(path=…)` prefixes.
    pub fn new(theme: &Theme, base_path: &str) -> Result<Engine, Diagnostics> {
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml", ".htm"]);
        let base = base_path.to_string();
        tera.register_function(
            "url",
            move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
                let path: String = kwargs.must_get("path")?;
                Ok(format!("{base}{}", path.trim_start_matches('/')))
            },
        );
        // Tera 2 has no `urlencode`: mailto: subjects and bodies need one.
        tera.register_filter("urlencode", |s: &str, _: Kwargs, _: &State| {
            crate::resolve::urls::encode_component(s)
        });
        let sources: HashMap<String, Source> = theme
            .templates
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    Source::new(t.origin.clone(), t.text.as_str()),
                )
            })
            .collect();
        let mut engine = Engine { tera, sources };
        let templates: Vec<(&str, &str)> = theme
            .templates
            .iter()
            .map(|t| (t.name.as_str(), t.text.as_str()))
            .collect();
        if let Err(err) = engine.tera.add_raw_templates(templates) {
            // Tera checks every template's filters, functions and components at once and
            // reports them as one text: split it back into located diagnostics.
            if let ErrorKind::Msg(text) = err.kind() {
                let located = engine.located_reports(text);
                if !located.is_empty() {
                    return Err(located);
                }
            }
            return Err(engine.diagnostic(&err, None).into());
        }
        Ok(engine)
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.tera.get_template_names().collect();
        names.sort_unstable();
        names
    }

    /// The closest template name, for "did you mean".
    pub fn suggest(&self, name: &str) -> Option<String> {
        did_you_mean(name, self.names()).map(str::to_string)
    }

    /// Renders `name` into UTF-8 bytes; a failure names the template's file and line, and the
    /// page being built. Bytes, not a `String`: Tera only writes `str`s, so checking each page's
    /// UTF-8 again is wasted (`from_utf8`, with the loader's own check, was 2.9 % of the samples
    /// of a build after an edit at 10,000 articles).
    pub fn render(
        &self,
        name: &str,
        context: &tera::Context,
        page: &str,
    ) -> Result<Vec<u8>, Diagnostic> {
        // Most pages are 5–20 KB: start big enough that few grow.
        let mut out = Vec::with_capacity(16 << 10);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|err| self.diagnostic(&err, Some(page)))?;
        Ok(out)
    }

    /// Diagnostics from Tera's rendered reports (`error: msg` / ` --> name:line:col`).
    fn located_reports(&self, text: &str) -> Diagnostics {
        let mut out = Diagnostics::new();
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(message) = line.trim_start().strip_prefix("error: ") else {
                continue;
            };
            let Some(place) = lines
                .peek()
                .and_then(|l| l.trim_start().strip_prefix("--> "))
            else {
                continue;
            };
            let mut parts = place.rsplitn(3, ':');
            let (Some(col), Some(line_no), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let (Ok(line_no), Ok(col)) = (line_no.parse::<usize>(), col.parse::<usize>()) else {
                continue;
            };
            let mut d = Diagnostic::error(format!("模板出错：{message}")).help(
                "检查拼写：过滤器、函数和组件要先定义才能用；模板能用的变量见 themes/README.md",
            );
            if let Some(source) = self.sources.get(name) {
                let index = LineIndex::new(&source.text);
                let at = index.offset(&source.text, line_no, col);
                let word = source.text[at..]
                    .find(|c: char| c.is_whitespace() || "}|)(".contains(c))
                    .unwrap_or(0);
                d = d.at(source, at..at + word);
            } else {
                d = d.in_file(name.to_string());
            }
            out.push(d);
        }
        out
    }

    fn diagnostic(&self, err: &tera::Error, page: Option<&str>) -> Diagnostic {
        let while_ = page.map(|p| format!("（生成 {p} 时）")).unwrap_or_default();
        match err.kind() {
            ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
                let mut d = Diagnostic::error(format!("模板出错{while_}：{}", report.message()));
                if let Some(source) = self.sources.get(report.filename()) {
                    let span = report.span();
                    let index = LineIndex::new(&source.text);
                    let start = index.offset(&source.text, span.start_line, span.start_col + 1);
                    let end = if span.end_line == span.start_line {
                        index.offset(&source.text, span.end_line, span.end_col + 1)
                    } else {
                        start
                    };
                    d = d.at(source, start..end.max(start));
                } else if !report.filename().is_empty() {
                    d = d.in_file(report.filename().to_string());
                }
                d.help("模板的写法见 Tera 2 文档；模板能用的变量见 themes/README.md")
            }
            ErrorKind::TemplateNotFound(name) | ErrorKind::MissingParent { parent: name, .. } => {
                let mut d = Diagnostic::error(format!("找不到模板“{name}”{while_}"));
                if let Some(s) = self.suggest(name) {
                    d = d.help(format!("是不是想用 {s}？"));
                }
                d
            }
            _ => Diagnostic::error(format!("模板出错{while_}：{err}")),
        }
    }
}
