//! Shards: the postings of all terms, spread by hash over `search/t/<hex>.bin` files.
//!
//! A query fetches only the shards of its terms. The shard of a term is its [`hash`] modulo the
//! shard count (a power of two chosen from the number of postings). A shard is
//! zlib-compressed; inside, after a varint term count, a header line per term (sorted by term)
//!
//! ```text
//! term-len term-utf8 df flags docs-bytes title-count
//! ```
//!
//! (flags: bit 0 the docid encoding, 1 for a bitmap; bit 1 set when the term has no impacts),
//! then the docid streams of all terms, then their impacts (impact − 1 in two bits, four per
//! byte, lowest bits first, each term starting on a new byte), then their title indexes (varint
//! gaps). Terms in more than a quarter of the pages carry no impacts: their idf is too small to
//! move the ranking, and they hold half of all postings. Keeping like with like lets deflate see long uniform streams.

use super::postings::{Postings, write_docs, write_varint};
use super::tokenize::Term;

/// Aim for shards of at least this many postings: about 4 KB compressed on Chinese news, what
/// a term costs the browser on the 10,000-article benchmark (4,096 shards). Half of it gave a
/// 1,000-article site 1,024 shards of 2 KB: a third of its files, and creating files is most
/// of what such a build costs.
const POSTINGS_PER_SHARD: usize = 8_000;
/// The whole search output must stay well under 5,000 files (some hosts cap file counts).
pub const MAX_SHARDS: usize = 4_096;

/// The shard hash of a term's text: FNV-1a (32-bit) over its code points rather than its UTF-8
/// bytes (a Chinese bigram takes two steps instead of six: this runs once per posting, 25
/// million times on a 10,000-article site), then a final mix, since the shard is read from the
/// low bits. The client computes the same (`termHash` in `search.js`).
pub fn hash(term: &str) -> u32 {
    finish(term.chars().fold(FNV_SEED, step))
}

/// [`hash`] of a [`Term`]'s text, without building the string.
#[inline]
pub fn hash_term(term: Term) -> u32 {
    let (a, b, c) = term.chars();
    let mut h = FNV_SEED;
    if let Some(a) = a {
        h = step(h, a);
    }
    h = step(h, b);
    if let Some(c) = c {
        h = step(h, c);
    }
    finish(h)
}

const FNV_SEED: u32 = 0x811c_9dc5;

#[inline]
fn step(h: u32, c: char) -> u32 {
    (h ^ c as u32).wrapping_mul(0x0100_0193)
}

/// Spreads every input bit over the low bits (the last steps of a murmur-style finaliser).
#[inline]
fn finish(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x7feb_352d);
    h ^ (h >> 15)
}

/// A power of two, at most [`MAX_SHARDS`].
pub fn shard_count(total_postings: usize) -> usize {
    (total_postings / POSTINGS_PER_SHARD)
        .next_power_of_two()
        .clamp(1, MAX_SHARDS)
}

/// The uncompressed bytes of one shard; `terms` sorted by term.
pub fn encode(terms: &[(Term, &Postings, Vec<u8>)], n_docs: u32) -> Vec<u8> {
    let mut writer = Writer::new(n_docs);
    for (term, postings, impacts) in terms {
        writer.add(*term, postings, impacts);
    }
    writer.finish()
}

/// Whether a term in `df` of `n_docs` pages carries impacts: a term in most pages has an idf
/// near 0, and its impacts would not move the ranking; a trigram only filters.
pub fn weighted(term: Term, df: usize, n_docs: u32) -> bool {
    4 * df <= n_docs as usize && !term.is_trigram()
}

/// A shard written term by term (in term order), so that the caller can reuse one
/// [`Postings`] for all of them.
pub struct Writer {
    n_docs: u32,
    count: usize,
    header: Vec<u8>,
    docs: Vec<u8>,
    impacts: Vec<u8>,
    titles: Vec<u8>,
}

impl Writer {
    pub fn new(n_docs: u32) -> Writer {
        Writer {
            n_docs,
            count: 0,
            header: Vec::new(),
            docs: Vec::new(),
            impacts: Vec::new(),
            titles: Vec::new(),
        }
    }

    /// Adds the next term, with the impact of each of its postings (ignored, and may be empty,
    /// unless [`weighted`]).
    pub fn add(&mut self, term: Term, postings: &Postings, term_impacts: &[u8]) {
        self.count += 1;
        let (a, b, c) = term.chars();
        let mut buf = [0u8; 12];
        let mut len = 0;
        for c in a.into_iter().chain([b]).chain(c) {
            len += c.encode_utf8(&mut buf[len..]).len();
        }
        let header = &mut self.header;
        write_varint(header, len as u64);
        header.extend_from_slice(&buf[..len]);
        write_varint(header, postings.docs.len() as u64);
        let start = self.docs.len();
        let encoding = write_docs(&postings.docs, self.n_docs, &mut self.docs);
        let weighted = weighted(term, postings.docs.len(), self.n_docs);
        write_varint(header, encoding as u64 | if weighted { 0 } else { 2 });
        write_varint(header, (self.docs.len() - start) as u64);
        write_varint(header, postings.title.len() as u64);
        if weighted {
            for quad in term_impacts.chunks(4) {
                self.impacts.push(
                    quad.iter()
                        .enumerate()
                        .fold(0u8, |b, (i, &v)| b | ((v - 1) << (2 * i))),
                );
            }
        }
        let mut prev = 0;
        for (i, &t) in postings.title.iter().enumerate() {
            write_varint(
                &mut self.titles,
                u64::from(if i == 0 { t } else { t - prev }),
            );
            prev = t;
        }
    }

    /// The uncompressed bytes of the shard.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            10 + self.header.len() + self.docs.len() + self.impacts.len() + self.titles.len(),
        );
        write_varint(&mut out, self.count as u64);
        out.extend_from_slice(&self.header);
        out.extend_from_slice(&self.docs);
        out.extend_from_slice(&self.impacts);
        out.extend_from_slice(&self.titles);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fnv1a_over_code_points_then_mixed() {
        // The client (`termHash` in search.js) is tested against the same values.
        let fnv = |cps: &[u32]| {
            cps.iter()
                .fold(0x811c_9dc5u32, |h, &c| (h ^ c).wrapping_mul(0x0100_0193))
        };
        assert_eq!(hash(""), finish(0x811c_9dc5));
        assert_eq!(hash("a"), finish(fnv(&[0x61])));
        assert_eq!(hash("工会"), finish(fnv(&[0x5DE5, 0x4F1A])));
        assert_eq!(hash("a"), 0xe916_7c8f);
        assert_eq!(hash("工会"), 0xde61_2969);
        assert_eq!(hash("𠮷野"), 0x0081_5f5c);
    }

    #[test]
    fn hash_term_is_the_hash_of_the_text() {
        for t in [
            Term::unigram('a'),
            Term::unigram('工'),
            Term::bigram('工', '会'),
            Term::bigram('𠮷', '野'),
            Term::bigram('c', '控'),
            Term::unigram('\0'),
            Term::unigram('\u{7FF}'),
            Term::bigram('\u{80}', '\u{FFFF}'),
            Term::bigram('\u{10FFFF}', '\u{10000}'),
            Term::trigram('工', '，', '会'),
            Term::trigram('\0', '\0', '\0'),
            Term::trigram('\u{10FFFF}', '𠮷', 'a'),
        ] {
            assert_eq!(hash_term(t), hash(&t.to_string()), "{t}");
        }
    }

    #[test]
    fn shard_count_is_a_bounded_power_of_two() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(16_000), 2);
        assert_eq!(shard_count(25_000), 4);
        // the 1,000- and 10,000-article benchmark corpora: shards of about 4 KB either way
        assert_eq!(shard_count(2_900_000), 512);
        assert_eq!(shard_count(29_000_000), MAX_SHARDS);
    }

    #[test]
    fn shard_layout() {
        let mut p = Postings::default();
        p.add(1, true);
        p.add(4, false);
        p.add(4, false);
        let bytes = encode(&[(Term::bigram('工', '会'), &p, vec![2, 4])], 100);
        let mut expected = vec![1, 6];
        expected.extend_from_slice("工会".as_bytes());
        expected.extend_from_slice(&[
            2, 0, 2, 1, /* docs */ 1, 3, /* impacts */ 0b1101, /* title */ 0,
        ]);
        assert_eq!(bytes, expected);
    }
}
