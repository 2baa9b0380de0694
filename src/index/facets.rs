//! Facets: kind, category, region, tag … → the pages that have each value, in `search/f/<field>.bin`.
//!
//! One zlib file per field, so a filter the reader never opens costs nothing. Inside: a varint
//! value count, then per value its UTF-8 name (length-prefixed) and page count, then per value
//! its docids as varint gaps. Values are ordered by page count, then name.

use super::postings::write_varint;
use std::collections::BTreeMap;

pub struct Field {
    pub name: String,
    /// (value, sorted docids), most pages first.
    pub values: Vec<(String, Vec<u32>)>,
}

/// `pairs` are (docid, field, value) in docid order.
pub fn collect<'a>(pairs: impl Iterator<Item = (u32, &'a str, &'a str)>) -> Vec<Field> {
    let mut fields: BTreeMap<&str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (doc, field, value) in pairs {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let docs = fields.entry(field).or_default().entry(value).or_default();
        if docs.last() != Some(&doc) {
            docs.push(doc);
        }
    }
    fields
        .into_iter()
        .map(|(name, values)| {
            let mut values: Vec<(String, Vec<u32>)> = values
                .into_iter()
                .map(|(v, d)| (v.to_string(), d))
                .collect();
            values.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
            Field {
                name: name.to_string(),
                values,
            }
        })
        .collect()
}

/// The uncompressed bytes of a field's file.
pub fn encode(field: &Field) -> Vec<u8> {
    let mut out = Vec::new();
    write_varint(&mut out, field.values.len() as u64);
    for (value, docs) in &field.values {
        write_varint(&mut out, value.len() as u64);
        out.extend_from_slice(value.as_bytes());
        write_varint(&mut out, docs.len() as u64);
    }
    for (_, docs) in &field.values {
        let mut prev = 0;
        for (i, &d) in docs.iter().enumerate() {
            write_varint(&mut out, u64::from(if i == 0 { d } else { d - prev }));
            prev = d;
        }
    }
    out
}

/// A field name as a file name: ASCII letters, digits and `-` (the pipeline's names are ASCII).
pub fn file_name(field: &str) -> String {
    field
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_by_count_then_name_docids_deduplicated() {
        let pairs = [
            (0, "tag", "b"),
            (1, "tag", "a"),
            (1, "tag", "a"),
            (2, "tag", "b"),
            (2, "region", " 嘉兴市 "),
        ];
        let fields = collect(pairs.into_iter());
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].name, "region");
        assert_eq!(fields[0].values, [("嘉兴市".to_string(), vec![2])]);
        assert_eq!(
            fields[1].values,
            [("b".to_string(), vec![0, 2]), ("a".to_string(), vec![1])]
        );
        assert_eq!(encode(&fields[1]), [2, 1, b'b', 2, 1, b'a', 1, 0, 2, 1]);
    }
}
