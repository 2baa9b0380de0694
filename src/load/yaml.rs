//! Front matter parsed into a tree of located nodes.
//!
//! We deserialize into our own [`Node`] rather than straight into typed structs: the typed
//! extraction in `resolve` then owns every message an editor sees (in Chinese, with the field's
//! name and a fix), and every value keeps the byte span it came from in the file.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;
use std::ops::Range;

/// A YAML value and where it stands in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A single value: text, a number, true/false (not null, a list or a mapping).
    pub fn is_scalar(&self) -> bool {
        matches!(
            self.value,
            Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_)
        )
    }

    /// What kind of value this is, in words an editor knows.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "空值",
            Value::Bool(_) => "是/否（true/false）",
            Value::Int(_) | Value::Float(_) => "数字",
            Value::Str(_) => "文字",
            Value::Seq(_) => "列表",
            Value::Map(_) => "键值对",
        }
    }
}

/// Why a YAML block could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum YamlError {
    /// The parser's own complaint (English, for engineers) and where it stopped, as a byte
    /// offset inside the block; `load::syntax` turns it into words an editor understands.
    Syntax {
        message: String,
        offset: Option<usize>,
    },
    /// The same key twice in one mapping: both spans, as offsets into the whole file.
    DuplicateKey {
        key: String,
        first: Range<usize>,
        second: Range<usize>,
    },
}

/// Parses a front-matter block; node spans are offsets into the whole file (`base` is where the
/// block starts in it).
pub fn parse(block: &str, base: usize) -> Result<Node, YamlError> {
    if block.trim().is_empty() {
        return Ok(Node {
            value: Value::Map(Vec::new()),
            span: base..base,
        });
    }
    // Duplicates are passed through and found below, so the message can name both lines.
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
    };
    match serde_saphyr::from_str_with_options::<Spanned<Raw>>(block, options) {
        Ok(spanned) => {
            let node = convert(spanned, block, base);
            match first_duplicate(&node) {
                Some(err) => Err(err),
                None => Ok(node),
            }
        }
        Err(err) => {
            let offset = err.location().map(|loc| {
                let span = loc.span();
                span.byte_offset().map_or_else(
                    || offset_of_line_col(block, loc.line() as usize, loc.column() as usize),
                    |b| b as usize,
                )
            });
            Err(YamlError::Syntax {
                message: first_line(&err.to_string()),
                offset,
            })
        }
    }
}

/// The first key written twice in any mapping of the tree, in document order.
fn first_duplicate(node: &Node) -> Option<YamlError> {
    match &node.value {
        Value::Map(entries) => {
            for (i, (key, _)) in entries.iter().enumerate() {
                let Value::Str(name) = &key.value else {
                    continue;
                };
                let again = entries[i + 1..]
                    .iter()
                    .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == name));
                if let Some((second, _)) = again {
                    return Some(YamlError::DuplicateKey {
                        key: name.clone(),
                        first: key.span.clone(),
                        second: second.span.clone(),
                    });
                }
            }
            entries.iter().find_map(|(_, v)| first_duplicate(v))
        }
        Value::Seq(items) => items.iter().find_map(first_duplicate),
        _ => None,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

fn offset_of_line_col(text: &str, line: usize, col: usize) -> usize {
    let index = crate::diagnostics::LineIndex::new(text);
    index.offset(text, line, col)
}

/// The intermediate shape serde-saphyr fills in.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Raw>, Spanned<Raw>)>),
}

fn convert(spanned: Spanned<Raw>, block: &str, base: usize) -> Node {
    let span = spanned.referenced.span();
    let start = span
        .byte_offset()
        .map_or_else(
            || {
                offset_of_line_col(
                    block,
                    spanned.referenced.line() as usize,
                    spanned.referenced.column() as usize,
                )
            },
            |b| b as usize,
        )
        .min(block.len());
    let len = span.byte_len().unwrap_or(0) as usize;
    let end = (start + len).min(block.len());
    let value = match spanned.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::Float(f) => Value::Float(f),
        Raw::Str(s) => Value::Str(s),
        Raw::Seq(items) => Value::Seq(items.into_iter().map(|i| convert(i, block, base)).collect()),
        Raw::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (convert(k, block, base), convert(v, block, base)))
                .collect(),
        ),
    };
    Node {
        value,
        span: base + start..base + end,
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<Spanned<Raw>, Spanned<Raw>>()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'t>(text: &'t str, node: &Node) -> &'t str {
        &text[node.span.clone()]
    }

    #[test]
    fn values_keep_their_spans_in_the_file() {
        let file = "---\ntitle: 班前十分钟\ncategory: 工匠精神\nlecturers: [kong-shengdong, ge-xiaoqing]\nduration: 10\n---\n";
        let node = parse(&file[4..file.len() - 4], 4).unwrap();
        assert_eq!(at(file, node.get("category").unwrap()), "工匠精神");
        let Value::Seq(items) = &node.get("lecturers").unwrap().value else {
            panic!("not a list")
        };
        assert_eq!(at(file, &items[1]), "ge-xiaoqing");
        assert_eq!(node.get("duration").unwrap().value, Value::Int(10));
    }

    #[test]
    fn syntax_errors_are_located_in_the_block() {
        let err = parse("title: a\nlist: [a, b\nx: 1\n", 0).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::Syntax {
                    offset: Some(_),
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn duplicate_keys_name_both_places_also_when_nested() {
        let file = "---\ntitle: 甲\ndate: 2023-05-12\ntitle: 乙\n---\n";
        let err = parse(&file[4..file.len() - 4], 4).unwrap_err();
        let YamlError::DuplicateKey { key, first, second } = err else {
            panic!("{err:?}")
        };
        assert_eq!(key, "title");
        assert_eq!(&file[first.clone()], "title");
        assert_eq!(first.start, 4);
        assert_eq!(second.start, file.rfind("title").unwrap());
        let nested = parse("image:\n  src: a.png\n  src: b.png\n", 0).unwrap_err();
        assert!(matches!(nested, YamlError::DuplicateKey { ref key, .. } if key == "src"));
    }
}
