//! Typed reading of front-matter fields, with a located diagnostic for every mistake.
//!
//! A [`Fields`] reader wraps one mapping. Each getter returns `None` (and records an error) when
//! the value has the wrong type, so extraction goes on and one run reports every bad field.
//! [`Fields::finish`] warns about fields the model does not know (usually typos).

use crate::diagnostics::{Diagnostic, Diagnostics, Source, did_you_mean};
use crate::load::yaml::{Node, Value};
use crate::resolve::date::{Date, DateError};
use std::ops::Range;

/// A value and the byte span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// Reads the fields of one mapping of one file.
pub struct Fields<'a> {
    source: &'a Source,
    map: Option<&'a Node>,
    /// Where to point when a required field is missing (the opening fence, or the mapping).
    anchor: Range<usize>,
    /// Prefix for nested fields in messages, e.g. `booking.` or `image.`.
    prefix: String,
    known: &'static [&'static str],
    diagnostics: &'a mut Diagnostics,
}

impl<'a> Fields<'a> {
    /// `node` must be a mapping; anything else is reported once and read as empty.
    pub fn new(
        source: &'a Source,
        node: &'a Node,
        anchor: Range<usize>,
        known: &'static [&'static str],
        diagnostics: &'a mut Diagnostics,
    ) -> Self {
        let map = if matches!(node.value, Value::Map(_)) {
            Some(node)
        } else {
            if !matches!(node.value, Value::Null) {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "front matter 应该是“字段: 值”的键值对，这里是{}",
                        node.kind_name()
                    ))
                    .at(source, node.span.clone())
                    .help("每行写一个字段，例如 `title: 标题`"),
                );
            }
            None
        };
        Fields {
            source,
            map,
            anchor,
            prefix: String::new(),
            known,
            diagnostics,
        }
    }

    /// A reader for a nested mapping (e.g. `image: {src, caption}`), sharing the diagnostics.
    pub fn nested<'b>(
        &'b mut self,
        key: &str,
        node: &'b Node,
        known: &'static [&'static str],
    ) -> Fields<'b> {
        let prefix = format!("{}{key}.", self.prefix);
        let map = match &node.value {
            Value::Map(_) => Some(node),
            _ => {
                self.type_error(&prefix[..prefix.len() - 1], node, "键值对");
                None
            }
        };
        Fields {
            source: self.source,
            map,
            anchor: node.span.clone(),
            prefix,
            known,
            diagnostics: self.diagnostics,
        }
    }

    pub fn source(&self) -> &'a Source {
        self.source
    }

    pub fn diagnostics(&mut self) -> &mut Diagnostics {
        self.diagnostics
    }

    /// The raw node under `key`, treating an explicit `null` as absent.
    pub fn node(&self, key: &str) -> Option<&'a Node> {
        self.map?
            .get(key)
            .filter(|n| !matches!(n.value, Value::Null))
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Records an error at `node`: `field` should have been `expected`.
    pub fn type_error(&mut self, field: &str, node: &Node, expected: &str) {
        let shown = match &node.value {
            Value::Str(s) => format!("“{s}”"),
            _ => node.kind_name().to_string(),
        };
        self.diagnostics.push(
            Diagnostic::error(format!("`{field}` 应该是{expected}，这里写的是{shown}"))
                .at(self.source, node.span.clone())
                .field(field)
                .label(format!("应为{expected}")),
        );
    }

    /// Records an error at the value of `key`.
    pub fn error_at(
        &mut self,
        key: &str,
        span: Range<usize>,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::error(message)
            .at(self.source, span)
            .field(self.name(key))
            .label(label);
        if let Some(help) = help {
            d = d.help(help);
        }
        self.diagnostics.push(d);
    }

    pub fn missing(&mut self, key: &str, what: &str, example: &str) {
        let field = self.name(key);
        self.diagnostics.push(
            Diagnostic::error(format!("缺少必填字段 `{field}`（{what}）"))
                .at(self.source, self.anchor.clone())
                .field(field.clone())
                .label(format!("这里缺少 `{field}`"))
                .help(format!("在 front matter 里加一行，例如：{example}")),
        );
    }

    /// A link target (a web address, `mailto:`, `tel:` or a relative path). One that could run
    /// code or leave the web (`javascript:`, `data:` …) is dropped with a warning at it.
    pub fn link(&mut self, key: &str) -> Option<Located<String>> {
        let l = self.text(key)?;
        if crate::resolve::urls::is_safe_link(&l.value) {
            return Some(l);
        }
        let field = self.name(key);
        self.diagnostics.push(
            Diagnostic::warning(format!("`{field}` 的网址不安全，已忽略"))
                .at(self.source, l.span)
                .field(field)
                .label("只能用 http://、https://、mailto: 或 tel: 开头的网址")
                .help("例如 https://example.org/；javascript:、data: 这类地址会在读者的浏览器里运行代码"),
        );
        None
    }

    /// Text. Numbers are accepted as their digits (`year: 2019` for a text field is fine).
    pub fn text(&mut self, key: &str) -> Option<Located<String>> {
        let node = self.node(key)?;
        match &node.value {
            Value::Str(s) => Some(Located {
                value: s.trim().to_string(),
                span: node.span.clone(),
            }),
            Value::Int(i) => Some(Located {
                value: i.to_string(),
                span: node.span.clone(),
            }),
            Value::Float(f) => Some(Located {
                value: f.to_string(),
                span: node.span.clone(),
            }),
            // YAML 1.1 reads `y`, `no`, `on` as booleans; in a text field the editor meant the word.
            Value::Bool(_) => Some(Located {
                value: self.source.text[node.span.clone()].trim().to_string(),
                span: node.span.clone(),
            }),
            _ => {
                self.type_error(&self.name(key), node, "文字");
                None
            }
        }
    }

    /// Required text; a missing or empty value is an error naming an example.
    pub fn required_text(
        &mut self,
        key: &str,
        what: &str,
        example: &str,
    ) -> Option<Located<String>> {
        match self.text(key) {
            Some(t) if !t.value.is_empty() => Some(t),
            Some(t) => {
                self.error_at(
                    key,
                    t.span,
                    format!("`{}` 不能为空", self.name(key)),
                    "这里是空的",
                    Some(format!("例如：{example}")),
                );
                None
            }
            None if self.node(key).is_none() => {
                self.missing(key, what, example);
                None
            }
            None => None,
        }
    }

    /// A list of text. A single text is read as a list of one (`tags: 班前十分钟`).
    pub fn text_list(&mut self, key: &str) -> Vec<Located<String>> {
        let Some(node) = self.node(key) else {
            return Vec::new();
        };
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match &item.value {
                        Value::Str(s) if !s.trim().is_empty() => out.push(Located {
                            value: s.trim().to_string(),
                            span: item.span.clone(),
                        }),
                        Value::Int(n) => out.push(Located {
                            value: n.to_string(),
                            span: item.span.clone(),
                        }),
                        Value::Bool(_) => out.push(Located {
                            value: self.source.text[item.span.clone()].trim().to_string(),
                            span: item.span.clone(),
                        }),
                        Value::Null | Value::Str(_) => {}
                        _ => {
                            let field = format!("{}[{}]", self.name(key), i + 1);
                            self.type_error(&field, item, "文字");
                        }
                    }
                }
                out
            }
            Value::Str(s) if !s.trim().is_empty() => vec![Located {
                value: s.trim().to_string(),
                span: node.span.clone(),
            }],
            _ => {
                self.type_error(&self.name(key), node, "列表（例如 `[甲, 乙]`）");
                Vec::new()
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        let node = self.node(key)?;
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if matches!(s.as_str(), "是" | "yes" | "true") => Some(true),
            Value::Str(s) if matches!(s.as_str(), "否" | "no" | "false") => Some(false),
            _ => {
                self.type_error(&self.name(key), node, "true 或 false");
                None
            }
        }
    }

    /// A whole number (`"17"` in quotes is accepted too).
    pub fn int(&mut self, key: &str) -> Option<Located<i64>> {
        let node = self.node(key)?;
        let value = match &node.value {
            Value::Int(i) => Some(*i),
            Value::Str(s) => s.trim().parse().ok(),
            Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        };
        match value {
            Some(value) => Some(Located {
                value,
                span: node.span.clone(),
            }),
            None => {
                self.type_error(&self.name(key), node, "整数");
                None
            }
        }
    }

    pub fn date(&mut self, key: &str) -> Option<Located<Date>> {
        let node = self.node(key)?;
        let parsed = match &node.value {
            Value::Str(s) => Date::check(s),
            // `date: 20230512` is read by YAML as a number.
            Value::Int(i) => Date::check(&i.to_string()),
            _ => Err(DateError::Format(None)),
        };
        match parsed {
            Ok(value) => Some(Located {
                value,
                span: node.span.clone(),
            }),
            Err(why) => {
                let field = self.name(key);
                self.diagnostics.push(
                    Diagnostic::error(format!("`{field}` 不是有效的日期"))
                        .at(self.source, node.span.clone())
                        .field(field)
                        .label(why.label())
                        .help("日期写成 2023-05-12（年-月-日，月和日都写两位），或带时间写成 2023-05-12T09:30:00+08:00"),
                );
                None
            }
        }
    }

    /// Warns about every field the model does not know, suggesting the closest known name.
    pub fn finish(self) {
        let Some(Node {
            value: Value::Map(entries),
            ..
        }) = self.map
        else {
            return;
        };
        for (key, _) in entries {
            let Value::Str(name) = &key.value else {
                continue;
            };
            if self.known.contains(&name.as_str()) {
                continue;
            }
            let mut d =
                Diagnostic::warning(format!("不认识的字段 `{}{name}`，它会被忽略", self.prefix))
                    .at(self.source, key.span.clone())
                    .field(format!("{}{name}", self.prefix));
            d = match did_you_mean(name, self.known.iter().copied()) {
                Some(s) => d.label(format!("是不是想写 `{s}`？")).help(format!(
                    "把 `{name}` 改成 `{s}`；如果这一行本来就不需要，删掉它"
                )),
                None => d
                    .label("未知字段")
                    .help(format!("这里可用的字段有：{}", self.known.join("、"))),
            };
            self.diagnostics.push(d);
        }
    }
}
