//! A fingerprint of everything a build reads, so that `caidan build` run again on an unchanged
//! site can skip the build (see `write::manifest`).
//!
//! What goes in: `site.yaml`; every file below `content/`, `themes/`, `templates/` and
//! `static/` (path and bytes; files over 1 MB by size and modification time, so large images
//! are not read); and the `salt` the caller gives (the program itself, the options, today's
//! date). Anything the build could read and is not here would make a skipped build wrong, so
//! the list errs on the side of too much: a file that changes for nothing costs one build.

use rayon::prelude::*;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// Folders of the site root whose files a build may read.
const INPUTS: [&str; 4] = ["content", "themes", "templates", "static"];
/// Files above this size are fingerprinted by size and modification time.
const READ_LIMIT: u64 = 1 << 20;

/// The fingerprint of the site at `root`, or `None` when a file could not be read (then the
/// build runs and reports it).
pub fn inputs(root: &Path, salt: &str) -> Option<u64> {
    let mut files: Vec<std::path::PathBuf> = vec![root.join("site.yaml")];
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
    let hashes: Vec<u64> = files
        .par_iter()
        .map(|path| file_hash(root, path))
        .collect::<Option<_>>()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    salt.hash(&mut h);
    hashes.hash(&mut h);
    Some(h.finish())
}

fn file_hash(root: &Path, path: &Path) -> Option<u64> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.strip_prefix(root).unwrap_or(path).hash(&mut h);
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > READ_LIMIT {
        meta.len().hash(&mut h);
        meta.modified().ok()?.hash(&mut h);
    } else {
        std::fs::read(path).ok()?.hash(&mut h);
    }
    Some(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let _ = std::fs::remove_dir_all(&root);
    }
}
