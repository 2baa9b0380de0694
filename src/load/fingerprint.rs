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
    let hashed: Option<Vec<(u64, Option<Entry>)>> = files
        .into_par_iter()
        .map(|path| {
            let (hash, len, bytes) = file_hash(root, &path)?;
            let is_markdown =
                path.starts_with(&content) && path.extension().is_some_and(|e| e == "md");
            if is_markdown {
                markdown.fetch_add(len, Ordering::Relaxed);
            }
            let entry = is_markdown
                && bytes.as_ref().is_some_and(|b| {
                    kept.fetch_add(b.len(), Ordering::Relaxed) + b.len() <= KEEP_LIMIT
                });
            Some((hash, bytes.filter(|_| entry).map(|b| (path, b))))
        })
        .collect();
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

    #[test]
    fn any_input_change_changes_the_fingerprint() {
        let root = std::env::temp_dir().join(format!("caidan-fp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("content/news")).unwrap();
        std::fs::write(root.join("site.yaml"), "title: 甲\n").unwrap();
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
