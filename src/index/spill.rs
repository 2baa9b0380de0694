//! Postings past a memory budget wait for their shard in a temporary file.
//!
//! The postings are most of the index's memory: about 2,500 a page, so even packed
//! ([`super::packed`]) about 800 MB at 100,000 articles, more than an office computer has to
//! spare. Each run of pages that finds the budget spent writes its packed postings to one
//! file and keeps only where each bucket starts; a shard then reads back the buckets it is
//! made of. The operating system's page cache usually keeps the file in memory anyway, but
//! it can give that memory back, which a process cannot.
//!
//! The file lives in the system's temporary folder (`TMPDIR`), and is removed when the index
//! is done. If it cannot be made or written, the postings simply stay in memory.

use super::packed::Packed;
use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The postings of one run of pages, by bucket.
pub(super) enum Buckets {
    Held(Packed),
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
    /// Writes `packed` to the file, or hands it back when the file cannot take it.
    pub(super) fn put(&self, packed: Packed) -> Buckets {
        let Some(file) = self.file.get_or_init(TempFile::new) else {
            return Buckets::Held(packed);
        };
        let base = self
            .len
            .fetch_add(packed.bytes.len() as u64, Ordering::Relaxed);
        if write_at(&file.file, &packed.bytes, base).is_err() {
            return Buckets::Held(packed);
        }
        Buckets::Spilled(packed.starts.iter().map(|&s| base + s as u64).collect())
    }

    /// The packed bytes of `bucket`, as [`Spill::put`] wrote them.
    pub(super) fn read(&self, starts: &[u64], bucket: usize) -> io::Result<Vec<u8>> {
        let (start, end) = (starts[bucket], starts[bucket + 1]);
        if start == end {
            return Ok(Vec::new());
        }
        let Some(Some(file)) = self.file.get() else {
            return Err(io::Error::other(
                "the temporary file of the search index is gone",
            ));
        };
        let mut bytes = vec![0; (end - start) as usize];
        read_at(&file.file, &mut bytes, start)?;
        Ok(bytes)
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
    use crate::index::BUCKETS;
    use crate::index::Term;
    use crate::index::run_terms::RunTerms;

    /// A run of `pages` pages from `first`, every page with the same terms.
    fn packed(first: u32, pages: usize, terms: &[Term]) -> Packed {
        let mut run = RunTerms::default();
        run.start(first, pages);
        for page in 0..pages {
            run.next_page(page);
            for &t in terms {
                run.add(t, page % 2 == 0);
            }
        }
        run.pack()
    }

    #[test]
    fn spilled_buckets_read_back_and_the_file_goes_away() {
        let spill = Spill::default();
        let terms = [Term::bigram('工', '会'), Term::trigram('劳', '模', '精')];
        let first = packed(7, 10_000, &terms);
        let second = packed(u32::MAX - 3, 2, &[Term::unigram('𠮷')]);
        let wrote: Vec<Vec<Vec<u8>>> = [&second, &first]
            .iter()
            .map(|p| (0..BUCKETS).map(|b| p.bucket(b).to_vec()).collect())
            .collect();
        assert!(wrote[1].iter().filter(|b| !b.is_empty()).count() >= 1);
        let (Buckets::Spilled(a), Buckets::Spilled(b)) = (spill.put(first), spill.put(second))
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
        for (starts, buckets) in [(&b, &wrote[0]), (&a, &wrote[1])] {
            for (i, bucket) in buckets.iter().enumerate() {
                let read = spill.read(starts, i).expect("read back");
                assert_eq!(&read, bucket, "bucket {i}");
            }
        }
        drop(spill);
        assert!(!path.exists());
    }
}
