//! A run of pages' postings, packed while they wait for their shard.
//!
//! A posting is 14 bytes as a [`Posting`], and the 10,000-article corpus has 29 million: held
//! as such they were most of the index's memory (and on this kind of machine memory touched
//! for the first time costs about 1.5 ms a megabyte: about what packing them costs instead).
//! Packed, a bucket lists its terms in ascending order, each once, with the pages that use it
//! as gaps: about 2 bytes a posting. Unpacking gives back the same postings in the same order
//! (by term, then page), so nothing downstream sees the difference.

use super::Posting;
use super::postings::write_varint;
#[cfg(test)]
use crate::index::Term;

/// The postings of one run of pages, by bucket, in one buffer.
pub(super) struct Packed {
    pub(super) bytes: Vec<u8>,
    /// Bucket `b` is `bytes[starts[b]..starts[b + 1]]`.
    pub(super) starts: Vec<usize>,
}

impl Packed {
    /// Packs `buckets` (each in page order, every page at least `first`); sorts them by term.
    ///
    /// Per bucket: for each term, the gap from the previous term's raw value, the number of
    /// pages, then per page the gap from the previous one (the first from `first`) and
    /// `tf << 1 | in title`, all as LEB128 varints.
    pub(super) fn pack(first: u32, buckets: &mut [Vec<Posting>]) -> Packed {
        let count: usize = buckets.iter().map(Vec::len).sum();
        let mut bytes = Vec::with_capacity(count * 3);
        let mut starts = Vec::with_capacity(buckets.len() + 1);
        for bucket in buckets.iter_mut() {
            starts.push(bytes.len());
            // Stable: a term's pages stay in page order.
            bucket.sort_by_key(|p| p.term);
            let mut prev_term = 0u64;
            for group in bucket.chunk_by(|a, b| { a.term } == { b.term }) {
                let term = { group[0].term }.raw();
                write_varint(&mut bytes, term - prev_term);
                write_varint(&mut bytes, group.len() as u64);
                prev_term = term;
                let mut prev_doc = first;
                for p in group {
                    write_varint(&mut bytes, u64::from(p.doc - prev_doc));
                    write_varint(&mut bytes, u64::from(p.tf()) << 1 | u64::from(p.in_title()));
                    prev_doc = p.doc;
                }
            }
        }
        starts.push(bytes.len());
        bytes.shrink_to_fit();
        Packed { bytes, starts }
    }

    /// The packed bytes of bucket `b`.
    pub(super) fn bucket(&self, b: usize) -> &[u8] {
        &self.bytes[self.starts[b]..self.starts[b + 1]]
    }
}

/// Reads a packed bucket term by term.
pub(super) struct Reader<B> {
    first: u32,
    bytes: B,
    at: usize,
    /// The term to be read next and its number of pages; `None` at the end.
    next: Option<(u64, u64)>,
}

impl<B: AsRef<[u8]>> Reader<B> {
    /// A reader of `bytes`, packed by [`Packed::pack`] with `first`.
    pub(super) fn new(first: u32, bytes: B) -> Result<Reader<B>, Corrupt> {
        let mut reader = Reader {
            first,
            bytes,
            at: 0,
            next: None,
        };
        reader.next = reader.header(0)?;
        Ok(reader)
    }

    /// The raw value of the term to be read next, if any.
    pub(super) fn term(&self) -> Option<u64> {
        self.next.map(|(term, _)| term)
    }

    /// Reads the next term's pages, in page order, into `page(doc, tf, in_title)`.
    pub(super) fn read_term(
        &mut self,
        mut page: impl FnMut(u32, u32, bool),
    ) -> Result<(), Corrupt> {
        let Some((term, pages)) = self.next else {
            return Ok(());
        };
        let mut doc = self.first;
        for _ in 0..pages {
            let gap = self.varint()?;
            doc = u32::try_from(u64::from(doc) + gap).map_err(|_| Corrupt)?;
            let tf_title = self.varint()?;
            page(
                doc,
                u32::try_from(tf_title >> 1).map_err(|_| Corrupt)?,
                tf_title & 1 == 1,
            );
        }
        self.next = self.header(term)?;
        Ok(())
    }

    fn header(&mut self, prev_term: u64) -> Result<Option<(u64, u64)>, Corrupt> {
        if self.at == self.bytes.as_ref().len() {
            return Ok(None);
        }
        let term = prev_term.checked_add(self.varint()?).ok_or(Corrupt)?;
        Ok(Some((term, self.varint()?)))
    }

    fn varint(&mut self) -> Result<u64, Corrupt> {
        let mut rest = &self.bytes.as_ref()[self.at..];
        let before = rest.len();
        let v = read_varint(&mut rest)?;
        self.at += before - rest.len();
        Ok(v)
    }
}

/// Appends the postings of one packed bucket to `out`, by term, then page; `first` is the
/// one it was packed with.
#[cfg(test)]
pub(super) fn unpack(first: u32, bytes: &[u8], out: &mut Vec<Posting>) -> Result<(), Corrupt> {
    let mut reader = Reader::new(first, bytes)?;
    while let Some(term) = reader.term() {
        reader.read_term(|doc, tf, title| {
            out.push(Posting::new(Term::from_raw(term), doc, tf, title));
        })?;
    }
    Ok(())
}

/// Packed bytes that do not decode: only a damaged temporary file can give them.
#[derive(Debug)]
pub(super) struct Corrupt;

fn read_varint(bytes: &mut &[u8]) -> Result<u64, Corrupt> {
    let (mut v, mut shift) = (0u64, 0u32);
    loop {
        let (&byte, rest) = bytes.split_first().ok_or(Corrupt)?;
        *bytes = rest;
        if shift > 63 {
            return Err(Corrupt);
        }
        v |= u64::from(byte & 0x7F) << shift;
        if byte < 0x80 {
            return Ok(v);
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: &Posting) -> (Term, u32, u16) {
        ({ p.term }, { p.doc }, { p.tf_title })
    }

    #[test]
    fn unpacking_gives_each_bucket_back_by_term_then_page() {
        let p = |term, doc, tf, title| Posting::new(term, doc, tf, title);
        let (a, b, c) = (
            Term::trigram('劳', '模', '精'),
            Term::unigram('𠮷'),
            Term::bigram('工', '会'),
        );
        let mut buckets = vec![
            vec![
                p(a, 100, 1, false),
                p(c, 100, 3, true),
                p(a, 101, 0x7FFF, true),
            ],
            vec![],
            vec![p(b, 4_000_000_000, 2, false)],
            (100..5_000)
                .map(|d| p(c, d, d % 7 + 1, d % 2 == 0))
                .collect(),
        ];
        let mut expected: Vec<Vec<_>> = buckets
            .iter()
            .map(|bucket| bucket.iter().map(key).collect())
            .collect();
        for bucket in &mut expected {
            bucket.sort_by_key(|k| k.0);
        }
        let packed = Packed::pack(100, &mut buckets);
        assert!(
            packed.bytes.len() < 4 * 4_905,
            "about 2 bytes a posting, not 14: {}",
            packed.bytes.len()
        );
        for (i, wanted) in expected.iter().enumerate() {
            let mut out = Vec::new();
            unpack(100, packed.bucket(i), &mut out).expect("decodes");
            assert_eq!(
                &out.iter().map(key).collect::<Vec<_>>(),
                wanted,
                "bucket {i}"
            );
        }
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut out = Vec::new();
        assert!(unpack(0, &[0x80], &mut out).is_err());
        assert!(unpack(0, &[5, 2, 1], &mut out).is_err());
        assert!(unpack(0, &[0xFF; 12], &mut out).is_err());
    }
}
