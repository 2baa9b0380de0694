//! Shards: the postings of all terms, spread by hash over `search/t/<hex>.bin` files.
//!
//! A query fetches only the shards of its terms. The shard of a term is the FNV-1a hash of its
//! UTF-8 modulo the shard count (a power of two chosen from the number of postings). A shard is
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

/// Aim for shards of this many postings: about 3 KB compressed on Chinese news.
const POSTINGS_PER_SHARD: usize = 4_000;
/// The whole search output must stay well under 5,000 files (some hosts cap file counts).
pub const MAX_SHARDS: usize = 4_096;

/// FNV-1a (32-bit) of the term's UTF-8.
pub fn hash(term: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in term.as_bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A power of two, at most [`MAX_SHARDS`].
pub fn shard_count(total_postings: usize) -> usize {
    (total_postings / POSTINGS_PER_SHARD)
        .next_power_of_two()
        .clamp(1, MAX_SHARDS)
}

/// The uncompressed bytes of one shard; `terms` sorted by term.
pub fn encode(terms: &[(Term, &Postings, Vec<u8>)], n_docs: u32) -> Vec<u8> {
    let mut header = Vec::new();
    let mut docs = Vec::new();
    let mut impacts = Vec::new();
    let mut titles = Vec::new();
    write_varint(&mut header, terms.len() as u64);
    for (term, postings, term_impacts) in terms {
        let text = term.to_string();
        write_varint(&mut header, text.len() as u64);
        header.extend_from_slice(text.as_bytes());
        write_varint(&mut header, postings.docs.len() as u64);
        let start = docs.len();
        let encoding = write_docs(&postings.docs, n_docs, &mut docs);
        // A term in most pages has an idf near 0: its impacts would not move the ranking.
        let weighted = 4 * postings.docs.len() <= n_docs as usize;
        write_varint(&mut header, encoding as u64 | if weighted { 0 } else { 2 });
        write_varint(&mut header, (docs.len() - start) as u64);
        write_varint(&mut header, postings.title.len() as u64);
        for quad in term_impacts.chunks(4).filter(|_| weighted) {
            impacts.push(
                quad.iter()
                    .enumerate()
                    .fold(0u8, |b, (i, &v)| b | ((v - 1) << (2 * i))),
            );
        }
        let mut prev = 0;
        for (i, &t) in postings.title.iter().enumerate() {
            write_varint(&mut titles, u64::from(if i == 0 { t } else { t - prev }));
            prev = t;
        }
    }
    header.append(&mut docs);
    header.append(&mut impacts);
    header.append(&mut titles);
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(hash(""), 0x811c_9dc5);
        assert_eq!(hash("a"), 0xe40c_292c);
        assert_eq!(hash("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn shard_count_is_a_bounded_power_of_two() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(10_000), 2);
        assert_eq!(shard_count(13_000), 4);
        assert_eq!(shard_count(19_700_000), MAX_SHARDS);
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
