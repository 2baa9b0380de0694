//! The manifest of the last good build: the fingerprint of its inputs and the size,
//! modification time and content hash of every file it left in the output. When the inputs
//! have the same fingerprint and the output still holds exactly those files, a build has
//! nothing to do (this is what makes `caidan build` run twice cost a fraction of the first).
//! When the inputs changed, the hashes let the writer tell an unchanged page from a changed one
//! without reading the old file: on a big site the old output is no longer in the page cache,
//! and reading it back was most of a rebuild.
//!
//! It is `.caidan-manifest.json` in the output, since a build writes nowhere else; it holds
//! nothing that is not public anyway. A build with warnings writes none, so the next build
//! runs and shows them again. A build that goes ahead forgets it first; only a build that
//! committed writes it again.

use super::survey::Stat;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Manifest {
    version: u32,
    fingerprint: String,
    pages: usize,
    /// (path, bytes, modified in ns since 1970), sorted by path.
    files: Vec<(String, u64, u128)>,
    /// The [`content_hash`] of each of `files`, in the same order; none for copied files
    /// (images, static files), which the writer compares by reading.
    hashes: Vec<Option<u64>>,
}

/// The hash that stands for a file's bytes. ahash (already compiled for the templates) with
/// fixed keys: several gigabytes a second, and the same for the same program, which is all a
/// manifest needs, since a new program rebuilds everything anyway.
pub fn content_hash(bytes: &[u8]) -> u64 {
    const KEYS: ahash::RandomState = ahash::RandomState::with_seeds(
        0x6361_6964_616e_0001,
        0x9e37_79b9_7f4a_7c15,
        0xbf58_476d_1ce4_e5b9,
        0x94d0_49bb_1331_11eb,
    );
    KEYS.hash_one(bytes)
}

/// The manifest's name in the output folder.
pub const NAME: &str = ".caidan-manifest.json";

fn path(out_dir: &Path) -> PathBuf {
    out_dir.join(NAME)
}

/// What the last build reported.
pub struct Previous {
    pub pages: usize,
    pub files: usize,
}

/// The last build's report when `out_dir` is exactly what a build of inputs with this
/// `fingerprint` left there; `None` when anything differs.
pub fn unchanged(out_dir: &Path, fingerprint: u64) -> Option<Previous> {
    let text = std::fs::read(path(out_dir)).ok()?;
    let manifest: Manifest = serde_json::from_slice(&text).ok()?;
    if manifest.version != VERSION || manifest.fingerprint != format!("{fingerprint:016x}") {
        return None;
    }
    if list(out_dir)? != manifest.files {
        return None;
    }
    Some(Previous {
        pages: manifest.pages,
        files: manifest.files.len(),
    })
}

/// Records a committed build without warnings. Failing to is harmless: the next build runs.
/// `files` are the output's files as the writer committed them, sorted, with their content
/// hashes where the writer had the bytes.
pub fn save(out_dir: &Path, fingerprint: u64, pages: usize, files: &[(String, Option<u64>)]) {
    let files: Vec<&(String, Option<u64>)> = files.iter().filter(|f| f.0 != NAME).collect();
    let Some(listed) = stat(out_dir, files.iter().map(|f| f.0.clone()).collect()) else {
        return;
    };
    // `stat` keeps the order: the hashes line up.
    let manifest = Manifest {
        version: VERSION,
        fingerprint: format!("{fingerprint:016x}"),
        pages,
        files: listed,
        hashes: files.iter().map(|f| f.1).collect(),
    };
    if let Ok(json) = serde_json::to_vec(&manifest) {
        let _ = std::fs::write(path(out_dir), json);
    }
}

/// What the last build left in the output, by path: (bytes, modified, content hash).
#[derive(Default)]
pub struct Known(HashMap<String, (u64, u128, u64)>);

/// What a file in the output holds, as far as the manifest can tell without reading it.
#[derive(Debug, PartialEq, Eq)]
pub enum Held {
    /// The bytes the build has now.
    Same,
    /// Something else.
    Different,
    /// The manifest cannot say (no entry, or the file was changed since): read it.
    Unknown,
}

impl Known {
    /// The files of the last build's manifest in `out_dir`; none without a readable one.
    pub fn read(out_dir: &Path) -> Known {
        let Some(manifest) = std::fs::read(path(out_dir))
            .ok()
            .and_then(|text| serde_json::from_slice::<Manifest>(&text).ok())
            .filter(|m| m.version == VERSION && m.hashes.len() == m.files.len())
        else {
            return Known::default();
        };
        Known(
            manifest
                .files
                .into_iter()
                .zip(manifest.hashes)
                .filter_map(|((path, len, modified), hash)| Some((path, (len, modified, hash?))))
                .collect(),
        )
    }

    /// Whether `path`, found on disk as `on_disk` (if it is a file there), holds `len` bytes
    /// with this content `hash`. The file must still have the size and modification time the
    /// manifest recorded: one that was edited by hand since is `Unknown`.
    pub fn holds(&self, path: &str, on_disk: Option<Stat>, len: u64, hash: u64) -> Held {
        let Some(&(known_len, modified, known_hash)) = self.0.get(path) else {
            return Held::Unknown;
        };
        let Some(on_disk) = on_disk else {
            return Held::Unknown;
        };
        if on_disk.len != known_len || on_disk.modified != Some(modified) {
            Held::Unknown
        } else if known_len == len && known_hash == hash {
            Held::Same
        } else {
            Held::Different
        }
    }
}

/// Before a build writes: the output is about to change.
pub fn forget(out_dir: &Path) {
    let _ = std::fs::remove_file(path(out_dir));
}

/// Every file below `dir` (as the writer sees them) with its size and modification time,
/// sorted by path.
fn list(dir: &Path) -> Option<Vec<(String, u64, u128)>> {
    let mut files: Vec<(String, u64, u128)> = super::survey::walk(dir)
        .into_iter()
        .filter(|(p, _)| p != NAME)
        .map(|(p, stat)| Some((p, stat.len, stat.modified?)))
        .collect::<Option<_>>()?;
    files.par_sort_unstable();
    Some(files)
}

/// `files` (below `dir`) with their sizes and modification times, in the same order; `None`
/// when one is missing.
fn stat(dir: &Path, files: Vec<String>) -> Option<Vec<(String, u64, u128)>> {
    files
        .into_par_iter()
        .map(|rel| {
            let stat = Stat::of(&std::fs::metadata(dir.join(&rel)).ok()?);
            Some((rel, stat.len, stat.modified?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_touched_or_extra_output_file_means_a_build_is_needed() {
        let base = std::env::temp_dir().join(format!("caidan-manifest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let out = base.join("public");
        std::fs::create_dir_all(out.join("news")).unwrap();
        std::fs::write(out.join("index.html"), "首页").unwrap();
        std::fs::write(out.join("news/a.html"), "甲").unwrap();
        save(
            &out,
            7,
            2,
            &[("index.html".into(), None), ("news/a.html".into(), None)],
        );
        let previous = unchanged(&out, 7).expect("nothing changed");
        assert_eq!((previous.pages, previous.files), (2, 2));
        assert!(unchanged(&out, 8).is_none(), "other inputs");
        std::fs::write(out.join("extra.html"), "x").unwrap();
        assert!(
            unchanged(&out, 7).is_none(),
            "a file the build did not make"
        );
        std::fs::remove_file(out.join("extra.html")).unwrap();
        assert!(unchanged(&out, 7).is_some());
        std::fs::write(out.join("news/a.html"), "乙").unwrap();
        assert!(
            unchanged(&out, 7).is_none(),
            "an output file edited by hand"
        );
        forget(&out);
        assert!(unchanged(&out, 7).is_none());
        let _ = std::fs::remove_dir_all(&base);
    }
}
