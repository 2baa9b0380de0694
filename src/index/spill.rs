//! Postings past a memory budget wait for their shard in a temporary file.
//!
//! The postings are most of the index's memory: about 2,500 a page at 14 bytes, so 4 GB at
//! 100,000 articles, more than an office computer has to spare. Each run of pages that
//! finds the budget spent writes its postings to one file, bucket after bucket, and keeps
//! only where each bucket starts; a shard then reads back the buckets it is made of. The
//! operating system's page cache usually keeps the file in memory anyway, but it can give
//! that memory back, which a process cannot.
//!
//! The file lives in the system's temporary folder (`TMPDIR`), and is removed when the index
//! is done. If it cannot be made or written, the postings simply stay in memory.

use super::Posting;
use crate::index::Term;
use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The bytes of one posting in the file: term, page and tf with the title flag, little-endian.
const POSTING_BYTES: usize = 14;

/// The postings of one run of pages, by bucket.
pub(super) enum Buckets {
    Held(Vec<Vec<Posting>>),
    /// Bucket `b` is the file's bytes `starts[b]..starts[b + 1]`.
    Spilled(Vec<u64>),
}

/// The temporary file of one index build, made when first needed.
#[derive(Default)]
pub(super) struct Spill {
    file: OnceLock<Option<TempFile>>,
    /// Bytes reserved so far; writers reserve their range, then write it without a lock.
    len: AtomicU64,
}

impl Spill {
    /// Writes `buckets` to the file, or hands them back when the file cannot take them.
    pub(super) fn put(&self, buckets: Vec<Vec<Posting>>) -> Buckets {
        let Some(file) = self.file.get_or_init(TempFile::new) else {
            return Buckets::Held(buckets);
        };
        let count: usize = buckets.iter().map(Vec::len).sum();
        let size = (count * POSTING_BYTES) as u64;
        let base = self.len.fetch_add(size, Ordering::Relaxed);
        let mut starts = Vec::with_capacity(buckets.len() + 1);
        let mut at = base;
        let mut bytes = Vec::with_capacity(1 << 16);
        let mut flushed = base;
        for bucket in &buckets {
            starts.push(at);
            for &p in bucket {
                bytes.extend_from_slice(&{ p.term }.raw().to_le_bytes());
                bytes.extend_from_slice(&{ p.doc }.to_le_bytes());
                bytes.extend_from_slice(&{ p.tf_title }.to_le_bytes());
                if bytes.len() >= 1 << 16 {
                    if write_at(&file.file, &bytes, flushed).is_err() {
                        return Buckets::Held(buckets);
                    }
                    flushed += bytes.len() as u64;
                    bytes.clear();
                }
            }
            at += (bucket.len() * POSTING_BYTES) as u64;
        }
        starts.push(at);
        if write_at(&file.file, &bytes, flushed).is_err() {
            return Buckets::Held(buckets);
        }
        Buckets::Spilled(starts)
    }

    /// Appends the postings of `bucket`, as [`Spill::put`] wrote them, to `out`.
    pub(super) fn read(
        &self,
        starts: &[u64],
        bucket: usize,
        out: &mut Vec<Posting>,
    ) -> io::Result<()> {
        let (start, end) = (starts[bucket], starts[bucket + 1]);
        if start == end {
            return Ok(());
        }
        let Some(Some(file)) = self.file.get() else {
            return Err(io::Error::other(
                "the temporary file of the search index is gone",
            ));
        };
        let mut bytes = vec![0; (end - start) as usize];
        read_at(&file.file, &mut bytes, start)?;
        out.extend(bytes.chunks_exact(POSTING_BYTES).map(|b| {
            let [t0, t1, t2, t3, t4, t5, t6, t7, d0, d1, d2, d3, f0, f1] =
                b.try_into().unwrap_or([0; POSTING_BYTES]);
            Posting {
                term: Term::from_raw(u64::from_le_bytes([t0, t1, t2, t3, t4, t5, t6, t7])),
                doc: u32::from_le_bytes([d0, d1, d2, d3]),
                tf_title: u16::from_le_bytes([f0, f1]),
            }
        }));
        Ok(())
    }
}

/// A file that is removed when dropped.
struct TempFile {
    path: PathBuf,
    file: File,
}

impl TempFile {
    fn new() -> Option<TempFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("caidan-index-{}-{n}.postings", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .ok()?;
        Some(TempFile { path, file })
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn write_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, bytes, offset)? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => (bytes, offset) = (&bytes[n..], offset + n as u64),
        }
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => (bytes, offset) = (&mut bytes[n..], offset + n as u64),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posting(term: Term, doc: u32, tf_title: u16) -> Posting {
        Posting {
            term,
            doc,
            tf_title,
        }
    }

    #[test]
    fn spilled_buckets_read_back_and_the_file_goes_away() {
        let spill = Spill::default();
        let first = vec![
            vec![posting(Term::bigram('工', '会'), 7, 0x8003)],
            vec![],
            (0..10_000)
                .map(|d| posting(Term::trigram('劳', '模', '精'), d, 1))
                .collect(),
        ];
        let second = vec![
            vec![],
            vec![posting(Term::unigram('𠮷'), u32::MAX, 0x7FFF)],
            vec![],
        ];
        let (Buckets::Spilled(a), Buckets::Spilled(b)) =
            (spill.put(first.clone()), spill.put(second.clone()))
        else {
            panic!("the temporary file could not be written");
        };
        let path = spill
            .file
            .get()
            .and_then(Option::as_ref)
            .map(|f| f.path.clone());
        let path = path.expect("a temporary file");
        assert!(path.is_file());
        for (starts, buckets) in [(&b, &second), (&a, &first)] {
            for (i, bucket) in buckets.iter().enumerate() {
                let mut read = Vec::new();
                spill.read(starts, i, &mut read).expect("read back");
                let key = |p: &Posting| ({ p.term }, { p.doc }, { p.tf_title });
                let read: Vec<_> = read.iter().map(key).collect();
                let wrote: Vec<_> = bucket.iter().map(key).collect();
                assert_eq!(read, wrote, "bucket {i}");
            }
        }
        drop(spill);
        assert!(!path.exists());
    }
}
