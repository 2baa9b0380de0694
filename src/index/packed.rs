//! A run of pages' postings, packed while they wait for their shard.
//!
//! The 10,000-article corpus has 29 million postings: held as 14-byte structures they were
//! most of the index's memory (and on this kind of machine memory touched for the first time
//! costs about 1.5 ms a megabyte: about what packing them costs instead). Packed (by
//! [`RunTerms::pack`](super::run_terms::RunTerms::pack)), a bucket lists its terms in
//! ascending order, each once, with the pages that use it as gaps: about 2 bytes a posting.
//! Per bucket: for each term, the gap from the previous term's raw value, the number of
//! pages, then per page the gap from the previous one (the first from the run's first page)
//! and `tf << 1 | in title`, all as LEB128 varints.

#[cfg(test)]
use crate::index::Term;

/// The postings of one run of pages, by bucket, in one buffer.
pub(super) struct Packed {
    pub(super) bytes: Vec<u8>,
    /// Bucket `b` is `bytes[starts[b]..starts[b + 1]]`.
    pub(super) starts: Vec<usize>,
}

impl Packed {
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
    /// A reader of `bytes`, a bucket packed for the run that starts at page `first`.
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

/// Appends the postings of one packed bucket to `out` as (term, page, occurrences, in the
/// title), by term, then page; `first` is the run's first page.
#[cfg(test)]
pub(super) fn unpack(
    first: u32,
    bytes: &[u8],
    out: &mut Vec<(Term, u32, u32, bool)>,
) -> Result<(), Corrupt> {
    let mut reader = Reader::new(first, bytes)?;
    while let Some(term) = reader.term() {
        reader.read_term(|doc, tf, title| out.push((Term::from_raw(term), doc, tf, title)))?;
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

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut out = Vec::new();
        assert!(unpack(0, &[0x80], &mut out).is_err());
        assert!(unpack(0, &[5, 2, 1], &mut out).is_err());
        assert!(unpack(0, &[0xFF; 12], &mut out).is_err());
    }
}
