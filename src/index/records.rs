//! Records: what the client needs to show a result and to check it, in `search/d/<n>.bin` packs.
//!
//! A record is one page's kind, date, URL, title and display text (the page's own characters,
//! whitespace collapsed as in the normalised text) joined by U+001F, written in the site's
//! character code and raw-deflated on its own, after the site's [`super::dictionary`] (the
//! reader inflates a stored block of the dictionary, then the record, and drops the
//! dictionary). The character code numbers the characters of
//! the site by frequency: the 240 most frequent take one byte (0x00–0xEF), the next 3,840 two
//! (0xF0 + high, low), any other is 0xFF and three bytes of code point (little-endian). Chinese
//! text comes out a quarter smaller than UTF-16 would after compression, because deflate then
//! codes whole frequent characters instead of their two bytes apart. `search/code.bin` is zlib
//! of the table and the dictionary: varint count of one-byte characters, those characters as
//! varint code points, varint count of two-byte characters, those as varint gaps between
//! code points (ascending; their order among themselves barely matters to deflate), varint
//! length of the dictionary, its bytes.
//!
//! A pack holds the records of consecutive pages. It starts with `count + 1` little-endian `u32`
//! offsets from the start of the file, so the client reads the header and then exactly one
//! record with two HTTP range requests, and never fetches a neighbour's text.

use super::SearchDoc;
use super::normalize::display_each;
use super::postings::write_varint;
use std::collections::HashMap;

/// Pages per pack: at least 32, and never more than 512 packs, to bound the file count.
pub fn docs_per_pack(n_docs: usize) -> usize {
    n_docs.div_ceil(512).max(32)
}

pub const SEPARATOR: char = '\u{1F}';
const ONE_BYTE: usize = 240;
/// Lead bytes 0xF0–0xFE, then the low byte; 0xFF escapes a code point.
const TWO_BYTE: usize = (255 - ONE_BYTE) * 256;
/// A character seen fewer times in the sample of pages that the code comes from is cheaper
/// escaped than sent in the table.
const MIN_COUNT: u64 = 3;

/// The text of a page's record, before coding.
pub fn record_text(doc: &SearchDoc, text: &str) -> String {
    let date = doc.date.as_deref().unwrap_or_default();
    let mut out = String::with_capacity(
        doc.kind.len() + date.len() + doc.url.len() + doc.title.len() + text.len() + 4,
    );
    record_chars(doc, text, |c| out.push(c));
    out
}

/// [`record_text`] as a stream of characters, which the index codes as they come.
#[inline]
pub fn record_chars(doc: &SearchDoc, text: &str, mut push: impl FnMut(char)) {
    let clean = |c: char| if c == SEPARATOR { ' ' } else { c };
    let date = doc.date.as_deref().unwrap_or_default();
    doc.kind.chars().for_each(&mut push);
    push(SEPARATOR);
    date.chars().map(clean).for_each(&mut push);
    push(SEPARATOR);
    doc.url.chars().map(clean).for_each(&mut push);
    push(SEPARATOR);
    display_each(doc.title.chars().map(clean), &mut push);
    push(SEPARATOR);
    display_each(text.chars().map(clean), &mut push);
}

/// The site's character code: characters in code order, most frequent first.
pub struct CharCode {
    pub chars: Vec<char>,
    /// Rank + 1 of each character below U+10000 (0: not in the code); the rest in `astral`.
    bmp: Vec<u16>,
    astral: HashMap<char, u16>,
}

impl CharCode {
    pub fn new(counts: &HashMap<char, u64>) -> CharCode {
        let mut by_count: Vec<(char, u64)> = counts
            .iter()
            .filter(|e| *e.1 >= MIN_COUNT)
            .map(|(&c, &n)| (c, n))
            .collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        by_count.truncate(ONE_BYTE + TWO_BYTE);
        let split = by_count.len().min(ONE_BYTE);
        let mut rest: Vec<char> = by_count[split..].iter().map(|e| e.0).collect();
        rest.sort_unstable();
        let chars: Vec<char> = by_count[..split].iter().map(|e| e.0).chain(rest).collect();
        let mut bmp = vec![0u16; 0x10000];
        let mut astral = HashMap::new();
        for (i, &c) in chars.iter().enumerate() {
            match bmp.get_mut(c as usize) {
                Some(slot) => *slot = i as u16 + 1,
                None => {
                    astral.insert(c, i as u16 + 1);
                }
            }
        }
        CharCode { chars, bmp, astral }
    }

    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            self.push(c, &mut out);
        }
        out
    }

    /// Appends the code of `c` to `out`.
    #[inline]
    pub fn push(&self, c: char, out: &mut Vec<u8>) {
        let rank = match self.bmp.get(c as usize) {
            Some(&r) => r,
            None => self.astral.get(&c).copied().unwrap_or(0),
        };
        match rank.checked_sub(1).map(usize::from) {
            Some(r) if r < ONE_BYTE => out.push(r as u8),
            Some(r) => {
                let r = r - ONE_BYTE;
                out.extend_from_slice(&[(ONE_BYTE + (r >> 8)) as u8, r as u8]);
            }
            None => {
                let cp = c as u32;
                out.extend_from_slice(&[0xFF, cp as u8, (cp >> 8) as u8, (cp >> 16) as u8]);
            }
        }
    }

    /// The table part of `search/code.bin`.
    pub fn table(&self) -> Vec<u8> {
        let split = self.chars.len().min(ONE_BYTE);
        let mut out = Vec::new();
        write_varint(&mut out, split as u64);
        for &c in &self.chars[..split] {
            write_varint(&mut out, u64::from(c));
        }
        write_varint(&mut out, (self.chars.len() - split) as u64);
        let mut prev = 0;
        for &c in &self.chars[split..] {
            write_varint(&mut out, u64::from(c as u32 - prev));
            prev = c as u32;
        }
        out
    }
}

/// The uncompressed `search/code.bin`: the character table, then the dictionary.
pub fn code_file(code: &CharCode, dictionary: &[u8]) -> Vec<u8> {
    let mut out = code.table();
    write_varint(&mut out, dictionary.len() as u64);
    out.extend_from_slice(dictionary);
    out
}

/// A pack file from compressed records.
pub fn pack(records: &[Vec<u8>]) -> Vec<u8> {
    let header = 4 * (records.len() + 1);
    let total = header + records.iter().map(Vec::len).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    let mut offset = header;
    out.extend_from_slice(&(offset as u32).to_le_bytes());
    for r in records {
        offset += r.len();
        out.extend_from_slice(&(offset as u32).to_le_bytes());
    }
    for r in records {
        out.extend_from_slice(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_header_points_at_each_record() {
        let p = pack(&[vec![1, 2, 3], vec![], vec![4]]);
        assert_eq!(
            &p[..16],
            &[16, 0, 0, 0, 19, 0, 0, 0, 19, 0, 0, 0, 20, 0, 0, 0]
        );
        assert_eq!(&p[16..], &[1, 2, 3, 4]);
    }

    #[test]
    fn record_text_joins_fields() {
        let doc = SearchDoc {
            url: "/n/".into(),
            title: "标题".into(),
            kind: "news",
            date: Some("2023-05-12".into()),
            text: "正\n文\u{1F}".into(),
            facets: vec![],
        };
        assert_eq!(
            record_text(&doc, &doc.text),
            "news\u{1F}2023-05-12\u{1F}/n/\u{1F}标题\u{1F}正文"
        );
    }

    #[test]
    fn frequent_characters_take_one_byte_rare_ones_escape() {
        let mut counts: HashMap<char, u64> = HashMap::new();
        for (i, c) in ('\u{4E00}'..='\u{4FFF}').enumerate() {
            counts.insert(c, 10_000 - i as u64);
        }
        counts.insert('工', 1_000_000);
        counts.insert('稀', 1);
        let code = CharCode::new(&counts);
        assert_eq!(code.chars[0], '工');
        assert_eq!(code.encode("工"), [0]);
        assert_eq!(code.encode("\u{4E00}"), [1]);
        // ranks past 239 are sorted by code point: U+4EEF is the first two-byte character
        assert_eq!(code.chars[ONE_BYTE], '\u{4EEF}');
        assert_eq!(code.encode("\u{4EEF}"), [0xF0, 0]);
        assert_eq!(code.encode("稀"), [0xFF, 0x00, 0x7A, 0x00]);
        let table = code.table();
        assert_eq!(&table[..2], &[0xF0, 1]);
    }

    #[test]
    fn pack_size_is_bounded() {
        assert_eq!(docs_per_pack(10), 32);
        assert_eq!(docs_per_pack(11_640), 32);
        assert_eq!(docs_per_pack(60_000), 118);
    }
}
