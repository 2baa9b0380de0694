//! Template values built directly as `tera::Value`.
//!
//! Cards are made once per build as JSON (they are also compared by `serve` and written to the
//! catalogs) and converted to `tera::Value` once. A `tera::Value` array or map is shared behind
//! an `Arc`, so putting a card on a hundred list pages costs a hundred reference counts, where
//! `tera::Context::insert` of JSON would copy every string of every card on every page (it was
//! half the time of page rendering).

use tera::Value;

/// A template map under construction.
#[derive(Default)]
pub struct Obj(tera::Map);

impl Obj {
    pub fn new() -> Obj {
        Obj(tera::Map::default())
    }

    /// Starts from `base`'s keys (a card), to add what only a page shows.
    pub fn extend(base: &Value) -> Obj {
        let mut map = tera::Map::default();
        if let Some(m) = base.as_map() {
            map.reserve(m.len() + 8);
            for (k, v) in m {
                map.insert(k.clone(), v.clone());
            }
        }
        Obj(map)
    }

    pub fn set(mut self, key: &'static str, value: impl Into<Value>) -> Obj {
        self.0.insert(key.into(), value.into());
        self
    }

    /// Sets `key` to a small JSON value (facets, links), converted here.
    pub fn json(self, key: &'static str, value: &serde_json::Value) -> Obj {
        self.set(key, from_json(value))
    }

    pub fn build(self) -> Value {
        Value::from(self.0)
    }

    /// Puts every entry into `ctx` as a top-level variable.
    pub fn into_context(self, ctx: &mut tera::Context) {
        use std::borrow::Cow;
        use tera::value::Key;
        for (k, v) in self.0 {
            let name: Cow<'static, str> = match k {
                Key::Str(s) => Cow::Borrowed(s),
                other => Cow::Owned(other.to_string()),
            };
            ctx.insert_value(name, v);
        }
    }
}

/// The same value as `tera::Value::from_serializable` gives, without going through serde.
pub fn from_json(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::none(),
        J::Bool(b) => Value::from(*b),
        J::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::from(u),
            (None, Some(i)) => Value::from(i),
            _ => Value::from(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => Value::from(s.as_str()),
        J::Array(items) => Value::from(items.iter().map(from_json).collect::<Vec<_>>()),
        J::Object(m) => {
            let mut map = tera::Map::default();
            map.reserve(m.len());
            for (k, v) in m {
                map.insert(k.clone().into(), from_json(v));
            }
            Value::from(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_json_equals_the_serde_conversion() {
        let v = serde_json::json!({
            "s": "长一点的字符串，超过二十一个字节的那种", "short": "x", "n": 3, "neg": -2,
            "f": 1.5, "b": true, "none": null, "list": [1, {"a": ["b"]}],
        });
        assert_eq!(from_json(&v), Value::from_serializable(&v));
    }

    #[test]
    fn extend_keeps_the_card_and_adds() {
        let card = from_json(&serde_json::json!({ "title": "甲", "url": "/a/" }));
        let page = Obj::extend(&card).set("content", "<p>乙</p>").build();
        assert_eq!(
            page.get_from_path("title").and_then(Value::as_str),
            Some("甲")
        );
        assert_eq!(
            page.get_from_path("content").and_then(Value::as_str),
            Some("<p>乙</p>")
        );
    }
}
