//! A fingerprint of everything a build reads, so that `caidan build` run again on an unchanged
//! site can skip the build (see `write::manifest`).
//!
//! What goes in: `site.yaml`; every file below `content/`, `themes/`, `templates/` and
//! `static/` (path and bytes; files over 1 MB by size and modification time, so large images
//! are not read); and the `salt` the caller gives (the program itself, the options, today's
//! date). Anything the build could read and is not here would make a skipped build wrong, so
//! the list errs on the side of too much: a file that changes for nothing costs one build.

use super::Entries;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Folders of the site root whose files a build may read.
const INPUTS: [&str; 4] = ["content", "themes", "templates", "static"];
/// Files above this size are fingerprinted by size and modification time.
const READ_LIMIT: u64 = 1 << 20;
/// At most this many bytes of entries are kept for the loader (which reads the rest again):
/// checking a very large site that has not changed should not hold all of it in memory.
const KEEP_LIMIT: usize = 512 << 20;

/// The fingerprint of the site at `root`, or `None` when a file could not be read (then the
/// build runs and reports it); and the bytes of the Markdown entries it read (up to
/// [`KEEP_LIMIT`] in all) for [`super::content_with`], so that a build that goes ahead reads
/// them only once (at 100,000 articles they no longer stay in the page cache beside the build,
/// and the second read went to the disk).
pub fn inputs_and_entries(root: &Path, salt: &str) -> (Option<u64>, Entries) {
    let Some(files) = list(root) else {
        return (None, Entries::default());
    };
    let content = root.join("content");
    let kept = AtomicUsize::new(0);
    let markdown = AtomicU64::new(0);
    let hashed = read_all(files, |path| {
        let (hash, len, bytes) = file_hash(root, &path)?;
        let is_markdown = path.starts_with(&content) && path.extension().is_some_and(|e| e == "md");
        if is_markdown {
            markdown.fetch_add(len, Ordering::Relaxed);
        }
        let entry = is_markdown
            && bytes.as_ref().is_some_and(|b| {
                kept.fetch_add(b.len(), Ordering::Relaxed) + b.len() <= KEEP_LIMIT
            });
        let entry: Option<Entry> = bytes.filter(|_| entry).map(|b| (path, b));
        Some((hash, entry))
    });
    let Some(hashed) = hashed else {
        return (None, Entries::default());
    };
    let mut entries = Entries(HashMap::new(), markdown.into_inner());
    let hashes: Vec<u64> = hashed
        .into_iter()
        .map(|(hash, entry)| {
            if let Some((path, bytes)) = entry {
                entries.0.insert(path, bytes);
            }
            hash
        })
        .collect();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    salt.hash(&mut h);
    hashes.hash(&mut h);
    (Some(h.finish()), entries)
}

/// `read` of every file, in order, in parallel; `None` if any read gives `None`. The first
/// [`PROBE`] files are read on the shared threads and timed: if they came from the disk, each
/// run of [`AHEAD`] further files is first fetched into the page cache [`READS_IN_FLIGHT`] at a
/// time, then read.
fn read_all<T: Send>(
    mut files: Vec<PathBuf>,
    read: impl Fn(PathBuf) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    let rest = files.split_off(files.len().min(PROBE));
    let (times, first): (Vec<Duration>, Vec<Option<T>>) = files
        .into_par_iter()
        .map(|path| {
            let started = Instant::now();
            let read = read(path);
            (started.elapsed(), read)
        })
        .unzip();
    let mut all: Vec<T> = first.into_iter().collect::<Option<_>>()?;
    let fetcher = from_disk(times).then(fetcher).flatten();
    for run in rest.chunks(AHEAD) {
        if let Some(pool) = &fetcher {
            pool.install(|| run.par_iter().for_each(|path| fetch(path)));
        }
        let read: Option<Vec<T>> = run.par_iter().map(|path| read(path.clone())).collect();
        all.extend(read?);
    }
    Some(all)
}

/// Files fetched at a time. When the files are not in the page cache (the first build after a
/// restart, or a site larger than the memory the system spares for it), a disk answers many
/// requests in flight much faster than one per core: reading the 10,000-article corpus with a
/// cold cache took 0.73 s two files at a time and 0.40 s sixteen at a time (64: 0.38 s).
const READS_IN_FLIGHT: usize = 16;
/// Files fetched ahead of the reads: few enough that the cache keeps them until they are read.
const AHEAD: usize = 4_096;
/// Files read first, on the shared threads, to tell a cold cache from a warm one.
const PROBE: usize = 256;
/// The median read of the probe above this went to the disk: from the page cache the corpus's
/// files take about 10 µs each, from this machine's disk about 100 µs (a laptop's hard disk,
/// milliseconds). Single reads are a poor sign: a thread that is preempted reads slowly too.
const DISK_READ: Duration = Duration::from_micros(40);

/// Whether reads that took `times` came from the disk rather than the page cache.
fn from_disk(mut times: Vec<Duration>) -> bool {
    if times.is_empty() {
        return false;
    }
    let middle = times.len() / 2;
    *times.select_nth_unstable(middle).1 > DISK_READ
}

/// [`READS_IN_FLIGHT`] threads that wait for the disk, or `None` if they cannot be started.
fn fetcher() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(READS_IN_FLIGHT)
        .thread_name(|i| format!("caidan-fetch-{i}"))
        .build()
        .ok()
}

/// Brings `path` into the page cache if [`file_hash`] will read it (not a file over
/// [`READ_LIMIT`]). Through a buffer on the stack: memory these threads allocate would stay in
/// allocator arenas of their own, which the build's threads do not reuse (the entries read by
/// them were 300 MB more at the peak of a 100,000-article build).
fn fetch(path: &Path) {
    let Ok(mut file) = std::fs::File::open(path) else {
        return;
    };
    if file.metadata().is_ok_and(|m| m.len() <= READ_LIMIT) {
        let _ = std::io::copy(&mut file, &mut std::io::sink());
    }
}

/// A Markdown entry's path and bytes.
type Entry = (PathBuf, Vec<u8>);

/// Every input file, sorted; `None` when a folder could not be walked.
fn list(root: &Path) -> Option<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = vec![root.join("site.yaml")];
    for dir in INPUTS {
        let dir = root.join(dir);
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).follow_links(true) {
            let entry = entry.ok()?;
            if !entry.file_type().is_dir() {
                files.push(entry.into_path());
            }
        }
    }
    files.sort_unstable();
    Some(files)
}

/// The hash of a file's path and bytes (or size and time, when large), its size, and the
/// bytes if read.
fn file_hash(root: &Path, path: &Path) -> Option<(u64, u64, Option<Vec<u8>>)> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.strip_prefix(root).unwrap_or(path).hash(&mut h);
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > READ_LIMIT {
        meta.len().hash(&mut h);
        meta.modified().ok()?.hash(&mut h);
        Some((h.finish(), meta.len(), None))
    } else {
        let bytes = std::fs::read(path).ok()?;
        bytes.hash(&mut h);
        Some((h.finish(), bytes.len() as u64, Some(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(root: &Path, salt: &str) -> Option<u64> {
        inputs_and_entries(root, salt).0
    }

    /// An empty site of its own in the temporary folder: `site.yaml` and `content/news/`.
    fn site(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("caidan-fp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("content/news")).unwrap();
        std::fs::write(root.join("site.yaml"), "title: 甲\n").unwrap();
        root
    }

    #[test]
    fn the_median_read_tells_the_disk_from_the_cache() {
        let us = Duration::from_micros;
        // A few preempted reads do not make a warm cache cold.
        let mut warm = vec![us(9); 200];
        warm.extend([us(900); 40]);
        assert!(!from_disk(warm));
        let mut cold = vec![us(100); 150];
        cold.extend([us(8); 90]);
        assert!(from_disk(cold));
        assert!(!from_disk(Vec::new()));
    }

    #[test]
    fn files_past_the_probe_are_read_too() {
        let root = site("many");
        let file = |i: usize| root.join(format!("content/news/{i:04}.md"));
        for i in 0..PROBE + 50 {
            std::fs::write(file(i), format!("---\ntitle: 第{i}篇\n---\n")).unwrap();
        }
        let (before, entries) = inputs_and_entries(&root, "salt");
        assert_eq!(entries.0.len(), PROBE + 50, "every entry is handed on");
        assert_eq!(
            entries.0[&file(PROBE + 10)],
            format!("---\ntitle: 第{}篇\n---\n", PROBE + 10).as_bytes()
        );
        // An edit past the probe counts as much as one in it.
        std::fs::write(file(PROBE + 10), "---\ntitle: 改过\n---\n").unwrap();
        assert_ne!(inputs(&root, "salt"), before);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn any_input_change_changes_the_fingerprint() {
        let root = site("edits");
        std::fs::write(root.join("content/news/a.md"), "---\ntitle: 甲\n---\n").unwrap();
        let first = inputs(&root, "salt").unwrap();
        assert_eq!(
            inputs(&root, "salt"),
            Some(first),
            "same site, same fingerprint"
        );
        assert_ne!(inputs(&root, "other salt"), Some(first));
        std::fs::write(root.join("content/news/a.md"), "---\ntitle: 乙\n---\n").unwrap();
        let edited = inputs(&root, "salt").unwrap();
        assert_ne!(edited, first, "an edit");
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(root.join("templates/news.html"), "x").unwrap();
        assert_ne!(inputs(&root, "salt"), Some(edited), "a new template");
        std::fs::rename(
            root.join("content/news/a.md"),
            root.join("content/news/b.md"),
        )
        .unwrap();
        assert_ne!(inputs(&root, "salt"), Some(edited), "a rename");
        // The entries it read are handed on to the loader; other inputs are not kept.
        let (fingerprint, entries) = inputs_and_entries(&root, "salt");
        assert_eq!(fingerprint, inputs(&root, "salt"));
        let kept: Vec<_> = entries.0.keys().cloned().collect();
        assert_eq!(kept, [root.join("content/news/b.md")]);
        assert_eq!(
            entries.0[&root.join("content/news/b.md")],
            "---\ntitle: 乙\n---\n".as_bytes()
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
