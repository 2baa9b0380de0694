//! Postings: which pages contain a term, how much it weighs there, and whether it is in the title.
//!
//! Built page by page in page-number order, so every list is sorted without a sort. A list is
//! written either as LEB128 varint gaps or, when that would be longer, as a bitmap over all pages;
//! each posting has an impact (a BM25 term weight quantised to 1–4, so the client needs no page
//! lengths); title postings are gaps between indexes into the term's own list.

/// BM25 parameters: the usual ones.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The postings of one term.
#[derive(Clone, Debug, Default)]
pub struct Postings {
    pub docs: Vec<u32>,
    /// Occurrences in the page (title and text), saturated.
    pub tfs: Vec<u16>,
    /// Indexes into `docs` of the pages whose title contains the term.
    pub title: Vec<u32>,
}

impl Postings {
    /// Counts one occurrence of the term in page `doc`; pages come in ascending order, and a
    /// page's title before its text.
    pub fn add(&mut self, doc: u32, in_title: bool) {
        if self.docs.last() == Some(&doc) {
            if let Some(tf) = self.tfs.last_mut() {
                *tf = tf.saturating_add(1);
            }
            return;
        }
        if in_title {
            self.title.push(self.docs.len() as u32);
        }
        self.docs.push(doc);
        self.tfs.push(1);
    }

    /// Adds page `doc` (pages come in ascending order) with `tf` occurrences.
    pub fn push(&mut self, doc: u32, tf: u32, in_title: bool) {
        if in_title {
            self.title.push(self.docs.len() as u32);
        }
        self.docs.push(doc);
        self.tfs.push(tf.min(u32::from(u16::MAX)) as u16);
    }

    /// Empties the lists, keeping their memory.
    pub fn clear(&mut self) {
        self.docs.clear();
        self.tfs.clear();
        self.title.clear();
    }

    /// Appends the postings of later pages (a higher page-number range).
    pub fn append(&mut self, mut later: Postings) {
        let base = self.docs.len() as u32;
        self.title.extend(later.title.iter().map(|i| i + base));
        self.docs.append(&mut later.docs);
        self.tfs.append(&mut later.tfs);
    }
}

/// How a docid list is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocsEncoding {
    Gaps = 0,
    Bitmap = 1,
}

pub fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Writes a sorted docid list, choosing the shorter of gaps (first id, then differences) and a
/// bitmap of `n_docs` bits (bit `d % 8` of byte `d / 8`).
pub fn write_docs(docs: &[u32], n_docs: u32, out: &mut Vec<u8>) -> DocsEncoding {
    let mut prev = 0u32;
    let mut gap_len = 0usize;
    for (i, &d) in docs.iter().enumerate() {
        gap_len += varint_len(u64::from(if i == 0 { d } else { d - prev }));
        prev = d;
    }
    let bitmap_len = n_docs.div_ceil(8) as usize;
    if bitmap_len < gap_len {
        let start = out.len();
        out.resize(start + bitmap_len, 0);
        for &d in docs {
            out[start + (d / 8) as usize] |= 1 << (d % 8);
        }
        DocsEncoding::Bitmap
    } else {
        let mut prev = 0u32;
        for (i, &d) in docs.iter().enumerate() {
            write_varint(out, u64::from(if i == 0 { d } else { d - prev }));
            prev = d;
        }
        DocsEncoding::Gaps
    }
}

/// Impacts take values 1..=IMPACT_LEVELS. With 15 levels impacts were 40 % of the postings
/// bytes; four cost 1.3 bits a posting, and ties are broken by date, which readers of news expect.
pub const IMPACT_LEVELS: u8 = 4;

/// A BM25 term weight (the tf part, with length normalisation) quantised to 1..=IMPACT_LEVELS.
pub fn impact(tf: u16, doc_len: u32, avg_len: f64) -> u8 {
    let tf = f64::from(tf);
    let norm = 1.0 - B + B * f64::from(doc_len) / avg_len.max(1.0);
    let w = tf * (K1 + 1.0) / (tf + K1 * norm) / (K1 + 1.0);
    let levels = f64::from(IMPACT_LEVELS);
    (1.0 + (w * levels).floor()).clamp(1.0, levels) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_varints(mut b: &[u8]) -> Vec<u64> {
        let mut out = Vec::new();
        while !b.is_empty() {
            let (mut v, mut shift) = (0u64, 0);
            loop {
                let byte = b[0];
                b = &b[1..];
                v |= u64::from(byte & 0x7F) << shift;
                shift += 7;
                if byte < 0x80 {
                    break;
                }
            }
            out.push(v);
        }
        out
    }

    #[test]
    fn varints_round_trip_and_measure() {
        for v in [0u64, 1, 127, 128, 300, 16_383, 16_384, u64::from(u32::MAX)] {
            let mut out = Vec::new();
            write_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "{v}");
            assert_eq!(read_varints(&out), [v]);
        }
    }

    #[test]
    fn sparse_lists_are_gaps_dense_lists_bitmaps() {
        let mut out = Vec::new();
        assert_eq!(
            write_docs(&[3, 200, 201], 10_000, &mut out),
            DocsEncoding::Gaps
        );
        assert_eq!(read_varints(&out), [3, 197, 1]);
        let all: Vec<u32> = (0..100).filter(|d| d % 3 != 0).collect();
        let mut out = Vec::new();
        assert_eq!(write_docs(&all, 100, &mut out), DocsEncoding::Bitmap);
        assert_eq!(out.len(), 13);
        assert_eq!(out[0], 0b1011_0110);
    }

    #[test]
    fn appended_title_indexes_shift() {
        let mut a = Postings::default();
        a.add(0, true);
        a.add(0, false);
        a.add(2, false);
        let mut b = Postings::default();
        b.add(5, false);
        b.add(9, true);
        a.append(b);
        assert_eq!(a.docs, [0, 2, 5, 9]);
        assert_eq!(a.tfs, [2, 1, 1, 1]);
        assert_eq!(a.title, [0, 3]);
    }

    #[test]
    fn impact_grows_with_tf_and_shrinks_with_length() {
        assert!(impact(1, 1000, 1000.0) < impact(5, 1000, 1000.0));
        assert!(impact(2, 4000, 1000.0) < impact(2, 500, 1000.0));
        assert_eq!(impact(u16::MAX, 1, 1000.0), IMPACT_LEVELS);
        assert!(impact(1, 1_000_000, 1000.0) >= 1);
    }
}
