//! The manifest of the last good build: the fingerprint of its inputs and the size and
//! modification time of every file it left in the output. When the inputs have the same
//! fingerprint and the output still holds exactly those files, a build has nothing to do (this
//! is what makes `caidan build` run twice cost a fraction of the first).
//!
//! It is `.caidan-manifest.json` in the output, since a build writes nowhere else; it holds
//! nothing that is not public anyway. A build with warnings writes none, so the next build
//! runs and shows them again. A build that goes ahead forgets it first; only a build that
//! committed writes it again.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Manifest {
    version: u32,
    fingerprint: String,
    pages: usize,
    /// (path, bytes, modified in ns since 1970), sorted by path.
    files: Vec<(String, u64, u128)>,
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
/// `files` are the output's files as the writer committed them.
pub fn save(out_dir: &Path, fingerprint: u64, pages: usize, files: &[String]) {
    let Some(files) = stat(
        out_dir,
        files.iter().filter(|p| *p != NAME).cloned().collect(),
    ) else {
        return;
    };
    let manifest = Manifest {
        version: VERSION,
        fingerprint: format!("{fingerprint:016x}"),
        pages,
        files,
    };
    if let Ok(json) = serde_json::to_vec(&manifest) {
        let _ = std::fs::write(path(out_dir), json);
    }
}

/// Before a build writes: the output is about to change.
pub fn forget(out_dir: &Path) {
    let _ = std::fs::remove_file(path(out_dir));
}

/// Every file below `dir` (as the writer sees them) with its size and modification time,
/// sorted by path.
fn list(dir: &Path) -> Option<Vec<(String, u64, u128)>> {
    let files = super::list_files(dir)
        .into_iter()
        .filter(|p| p != NAME)
        .collect();
    stat(dir, files)
}

/// `files` (below `dir`) with their sizes and modification times, sorted by path; `None` when
/// one is missing.
fn stat(dir: &Path, files: Vec<String>) -> Option<Vec<(String, u64, u128)>> {
    let mut listed: Vec<(String, u64, u128)> = files
        .into_par_iter()
        .map(|rel| {
            let meta = std::fs::metadata(dir.join(&rel)).ok()?;
            let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
            Some((rel, meta.len(), modified.as_nanos()))
        })
        .collect::<Option<_>>()?;
    listed.par_sort_unstable();
    Some(listed)
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
        save(&out, 7, 2, &["index.html".into(), "news/a.html".into()]);
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
