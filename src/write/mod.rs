//! Write: the only stage that writes. Rendered files → disk, as they are rendered.
//!
//! Pages stream into a [`Writer`] while the rest of the site renders, so a big site never sits
//! in memory whole; but nothing reaches the output until every page rendered without error,
//! so a failed build never touches the previous output:
//! - a first build writes into a fresh temporary folder beside the output and renames it into
//!   place;
//! - a later build compares each file with the one already there: an unchanged file is not
//!   written at all, a changed one is staged in a folder beside the output and, on
//!   [`Writer::commit`], renamed over the old one (a server never sees a half-written file);
//!   files the site no longer has are removed. On the disks we measured, creating fifteen
//!   thousand new files costs seconds while comparing them costs milliseconds, so rebuilding
//!   and swapping the whole tree would dominate every build.
//!
//! A writer dropped without `commit` (a build that failed) removes what it staged. No path
//! outside the output folder is ever written.

pub mod manifest;
pub mod survey;

use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::render::{CopyFile, CopySource, OutFile, Sink};
use crate::resolve::urls::is_safe_output_path;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a write did, for the build report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// A committed output: what the write did, and every file the output now holds.
pub struct Committed {
    pub stats: Stats,
    /// Relative `/`-separated paths, sorted: exactly the files of this build, with the
    /// [`manifest::content_hash`] of those whose bytes the writer had (not of copied files).
    pub files: Vec<(String, Option<u64>)>,
}

/// Stages a build's files and puts them in place once the whole build succeeded.
pub struct Writer {
    out: PathBuf,
    /// Where files go until `commit`: the whole new output (first build), or the changed files.
    stage: PathBuf,
    fresh: bool,
    /// Every output path, generated or copied (the rest of the old output is stale), with the
    /// content hash of generated files.
    paths: Mutex<HashMap<String, Option<u64>>>,
    /// The last build's files, to tell an unchanged file without reading it.
    known: manifest::Known,
    /// The files of the old output, with their sizes and times (updates only).
    survey: Option<survey::Survey>,
    /// Changed files, staged under `stage` (updates only).
    staged: Mutex<Vec<String>>,
    /// Folders already made under `stage`.
    dirs: Mutex<HashSet<PathBuf>>,
    unchanged: AtomicUsize,
    committed: bool,
}

impl Writer {
    /// A writer for `out_dir`. `root` is the site, which a mistaken `--output-dir` must not
    /// overwrite. Nothing is created before the first file arrives.
    pub fn begin(root: &Path, out_dir: &Path) -> Result<Writer, Diagnostics> {
        check_target(root, out_dir)?;
        let parent = out_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = out_dir
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let fresh = !out_dir.is_dir();
        let known = if fresh {
            manifest::Known::default()
        } else {
            manifest::Known::read(out_dir)
        };
        let survey = (!fresh).then(|| survey::Survey::start(out_dir.to_path_buf()));
        let kind = if fresh { "new" } else { "stage" };
        let stage = parent.join(format!(".{name}.caidan-{kind}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&stage);
        Ok(Writer {
            out: out_dir.to_path_buf(),
            stage,
            fresh,
            paths: Mutex::default(),
            known,
            survey,
            staged: Mutex::default(),
            dirs: Mutex::default(),
            unchanged: AtomicUsize::new(0),
            committed: false,
        })
    }

    /// Claims `path` for this build, with the content hash of its bytes when the writer has
    /// them; `false` when a generated file already has it.
    fn claim(&self, path: &str, hash: Option<u64>) -> Result<bool, Diagnostic> {
        if !is_safe_output_path(path) {
            return Err(Diagnostic::error(format!("拒绝写到输出文件夹之外：{path}"))
                .help("这是 caidan 的错误，请报告"));
        }
        let mut paths = self
            .paths
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if paths.contains_key(path) {
            return Ok(false);
        }
        paths.insert(path.to_string(), hash);
        Ok(true)
    }

    /// `stage/path`, with its folder made.
    fn staged_path(&self, path: &str) -> Result<PathBuf, Diagnostic> {
        let dest = self.stage.join(path);
        if let Some(dir) = dest.parent() {
            let mut dirs = self
                .dirs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !dirs.contains(dir) {
                std::fs::create_dir_all(dir).map_err(|e| io_error("创建文件夹", dir, &e))?;
                dirs.insert(dir.to_path_buf());
            }
        }
        Ok(dest)
    }

    /// Claims `path` for `bytes` and writes them: staged when new or changed, counted when
    /// unchanged. `false` when a generated file already has the path.
    fn claim_and_write(&self, path: &str, bytes: &[u8]) -> Result<bool, Diagnostic> {
        let hash = manifest::content_hash(bytes);
        if !self.claim(path, Some(hash))? {
            return Ok(false);
        }
        self.write_bytes(path, bytes, hash)?;
        Ok(true)
    }

    /// Writes `bytes` (content hash `hash`) as `path`: staged when new or changed, counted
    /// when unchanged.
    fn write_bytes(&self, path: &str, bytes: &[u8], hash: u64) -> Result<(), Diagnostic> {
        let unchanged = !self.fresh
            && match self
                .known
                .holds(path, self.on_disk(path), bytes.len() as u64, hash)
            {
                manifest::Held::Same => true,
                manifest::Held::Different => false,
                manifest::Held::Unknown => holds(&self.out.join(path), bytes),
            };
        if unchanged {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let dest = self.staged_path(path)?;
        std::fs::write(&dest, bytes).map_err(|e| io_error("写入", &dest, &e))?;
        self.record(path);
        Ok(())
    }

    /// `path`'s size and time in the old output, if it is a file there.
    fn on_disk(&self, path: &str) -> Option<survey::Stat> {
        self.survey.as_ref()?.files().get(path).copied()
    }

    fn record(&self, path: &str) {
        if !self.fresh {
            self.staged
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(path.to_string());
        }
    }

    /// Copies files as they are (static files, images). A generated file with the same path
    /// wins, so copies come after every generated file.
    pub fn copy_all(&self, copies: &[CopyFile]) -> Result<(), Diagnostics> {
        let errors: Vec<Diagnostic> = copies
            .par_iter()
            .filter_map(|c| self.copy(c).err())
            .collect();
        let errors: Diagnostics = errors.into_iter().collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn copy(&self, c: &CopyFile) -> Result<(), Diagnostic> {
        match &c.source {
            CopySource::Embedded(bytes) => self.claim_and_write(&c.dest, bytes).map(|_| ()),
            CopySource::Disk(src) => {
                if !self.claim(&c.dest, None)? {
                    return Ok(());
                }
                if !self.fresh && same_file_content(src, &self.out.join(&c.dest)) {
                    self.unchanged.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                let dest = self.staged_path(&c.dest)?;
                std::fs::copy(src, &dest).map_err(|e| {
                    io_error("复制", src, &e)
                        .help("生成过程中这个文件被删除、移走或锁住了；等改动完成后再生成一次")
                })?;
                self.record(&c.dest);
                Ok(())
            }
        }
    }

    /// Puts the staged files in place and removes what the site no longer has.
    pub fn commit(mut self) -> Result<Committed, Diagnostics> {
        self.committed = true;
        let paths = std::mem::take(
            self.paths
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let unchanged = self.unchanged.load(Ordering::Relaxed);
        let result = if self.fresh {
            self.commit_fresh(paths.len())
        } else {
            self.commit_update(&paths, unchanged)
        };
        let _ = std::fs::remove_dir_all(&self.stage);
        // The output now holds exactly the claimed paths: the old files were replaced, kept
        // because they were the same, or removed; the manifest needs no walk to list them.
        let mut files: Vec<(String, Option<u64>)> = paths.into_iter().collect();
        files.par_sort_unstable();
        result.map(|stats| Committed { stats, files })
    }

    fn commit_fresh(&self, count: usize) -> Result<Stats, Diagnostics> {
        if count == 0 {
            std::fs::create_dir_all(&self.stage)
                .map_err(|e| Diagnostics::from(io_error("创建文件夹", &self.stage, &e)))?;
        }
        std::fs::rename(&self.stage, &self.out)
            .map_err(|e| Diagnostics::from(io_error("写入输出文件夹", &self.out, &e)))?;
        Ok(Stats {
            written: count,
            ..Stats::default()
        })
    }

    fn commit_update(
        &self,
        paths: &HashMap<String, Option<u64>>,
        unchanged: usize,
    ) -> Result<Stats, Diagnostics> {
        let staged = std::mem::take(
            &mut *self
                .staged
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let mut made: HashSet<PathBuf> = HashSet::new();
        for path in &staged {
            let dest = self.out.join(path);
            if let Some(dir) = dest.parent().filter(|d| !made.contains(*d)) {
                make_dir(&self.out, dir)?;
                made.insert(dir.to_path_buf());
            }
            if dest.is_dir() {
                std::fs::remove_dir_all(&dest)
                    .map_err(|e| Diagnostics::from(io_error("删除旧文件夹", &dest, &e)))?;
            }
            let from = self.stage.join(path);
            std::fs::rename(&from, &dest)
                .map_err(|e| Diagnostics::from(io_error("写入", &dest, &e)))?;
        }
        let mut removed = 0;
        let old = self.survey.as_ref().map(survey::Survey::files);
        for stale in old
            .into_iter()
            .flatten()
            .filter(|(p, _)| !paths.contains_key(*p))
        {
            let path = self.out.join(stale.0);
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                // Replaced above by a folder of this build's files.
                Err(_) if path.is_dir() => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("删除旧文件", &path, &e).into()),
            }
        }
        if removed > 0 {
            remove_empty_dirs(&self.out);
        }
        Ok(Stats {
            written: staged.len(),
            unchanged,
            removed,
        })
    }
}

impl Sink for Writer {
    fn put(&self, file: OutFile) -> Result<(), Diagnostic> {
        if !self.claim_and_write(&file.path, &file.bytes)? {
            return Err(
                Diagnostic::error(format!("两个文件要写到同一个位置：{}", file.path))
                    .help("这是 caidan 的错误，请报告"),
            );
        }
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.stage);
        }
    }
}

/// `dir` (inside `out`) as a folder, replacing a file that is in the way.
fn make_dir(out: &Path, dir: &Path) -> Result<(), Diagnostics> {
    let mut at = dir;
    // A file where a folder must go (an old page `x.html` became a folder): remove it.
    while at != out {
        if at.is_file() {
            std::fs::remove_file(at)
                .map_err(|e| Diagnostics::from(io_error("删除旧文件", at, &e)))?;
        }
        match at.parent() {
            Some(p) => at = p,
            None => break,
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Diagnostics::from(io_error("创建文件夹", dir, &e)))
}

/// Whether `dest` is a file holding exactly `bytes`.
fn holds(dest: &Path, bytes: &[u8]) -> bool {
    std::fs::metadata(dest).is_ok_and(|meta| {
        meta.is_file()
            && meta.len() == bytes.len() as u64
            && std::fs::read(dest).is_ok_and(|old| old == bytes)
    })
}

fn same_file_content(src: &Path, dest: &Path) -> bool {
    match (std::fs::metadata(src), std::fs::metadata(dest)) {
        (Ok(a), Ok(b)) if a.len() == b.len() && b.is_file() => {
            std::fs::read(src).ok() == std::fs::read(dest).ok()
        }
        _ => false,
    }
}

fn remove_empty_dirs(dir: &Path) {
    let dirs: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .contents_first(true)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_dir() && e.path() != dir)
        .map(walkdir::DirEntry::into_path)
        .collect();
    for d in dirs {
        // Fails, harmlessly, when the folder is not empty.
        let _ = std::fs::remove_dir(d);
    }
}

/// Refuses an output folder that would replace the site itself or its sources.
fn check_target(root: &Path, out_dir: &Path) -> Result<(), Diagnostics> {
    let abs = |p: &Path| -> PathBuf { std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()) };
    let (root, out) = (abs(root), abs(out_dir));
    let protected = [
        "content",
        "themes",
        "static",
        "templates",
        "site.yaml",
        "src",
        ".git",
    ];
    let bad = root.starts_with(&out) || protected.iter().any(|p| out.starts_with(root.join(p)));
    if bad {
        return Err(Diagnostic::error(format!("输出文件夹不能是 {}", out_dir.display()))
            .help("输出文件夹里的旧文件会被删除，它不能是站点目录本身或 content、themes、static、templates；用默认的 public，或 --output-dir 指定一个新文件夹")
            .into());
    }
    if out.is_file() {
        return Err(Diagnostic::error(format!(
            "输出位置 {} 是一个文件，不是文件夹",
            out_dir.display()
        ))
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{CopyFile, OutFile};

    /// `path`'s size and time in `out`, as a survey finds them.
    fn on_disk(out: &Path, path: &str) -> Option<survey::Stat> {
        survey::Survey::start(out.to_path_buf())
            .files()
            .get(path)
            .copied()
    }

    /// An output whose `index.html` says 旧, and a writer that has staged one saying 新.
    fn old_output_and_new_page(name: &str) -> (PathBuf, PathBuf, Writer) {
        let base = std::env::temp_dir().join(format!("caidan-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (root, out) = (base.join("site"), base.join("public"));
        write(&[("index.html", "旧")], &root, &out).unwrap();
        let writer = Writer::begin(&root, &out).unwrap();
        writer
            .put(OutFile {
                path: "index.html".into(),
                bytes: "新".as_bytes().to_vec(),
            })
            .unwrap();
        (base, out, writer)
    }

    #[test]
    fn a_writer_dropped_without_commit_leaves_the_output_as_it_was() {
        let (base, out, writer) = old_output_and_new_page("write-drop");
        drop(writer);
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "旧"
        );
        let names: Vec<String> = std::fs::read_dir(&base)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["public"], "the staging folder is removed");
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn the_site_itself_is_never_an_output_folder() {
        let root = Path::new("/tmp/site");
        assert!(check_target(root, root).is_err());
        assert!(check_target(root, Path::new("/tmp")).is_err());
        assert!(check_target(root, &root.join("content")).is_err());
        assert!(check_target(root, &root.join("public")).is_ok());
    }

    /// A build of `files` and one copied stylesheet, through a writer.
    fn write(files: &[(&str, &str)], root: &Path, out: &Path) -> Result<Stats, Diagnostics> {
        let writer = Writer::begin(root, out)?;
        for (p, t) in files {
            writer.put(OutFile {
                path: (*p).to_string(),
                bytes: t.as_bytes().to_vec(),
            })?;
        }
        writer.copy_all(&[CopyFile {
            dest: "style.css".into(),
            source: CopySource::Embedded(b"body{}"),
        }])?;
        writer.commit().map(|c| c.stats)
    }

    #[test]
    fn a_copy_source_gone_since_render_fails_before_anything_is_written() {
        let (base, out, writer) = old_output_and_new_page("gone-src");
        let err = writer
            .copy_all(&[CopyFile {
                dest: "photo.png".into(),
                source: CopySource::Disk(base.join("site/content/gone.png")),
            }])
            .unwrap_err();
        drop(writer);
        assert!(err.iter().next().unwrap().message.contains("gone.png"));
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "旧"
        );
        let _ = std::fs::remove_dir_all(&base);
    }

    /// [`write`], then the manifest a build without warnings leaves.
    fn write_and_save(files: &[(&str, &str)], root: &Path, out: &Path) -> Stats {
        let writer = Writer::begin(root, out).unwrap();
        for (p, t) in files {
            writer
                .put(OutFile {
                    path: (*p).to_string(),
                    bytes: t.as_bytes().to_vec(),
                })
                .unwrap();
        }
        manifest::forget(out);
        let committed = writer.commit().unwrap();
        manifest::save(out, 1, files.len(), &committed.files);
        committed.stats
    }

    #[test]
    fn the_manifest_tells_changed_pages_from_unchanged_ones_by_their_hash() {
        let base = std::env::temp_dir().join(format!("caidan-hashes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (root, out) = (base.join("site"), base.join("public"));
        write_and_save(&[("a.html", "甲乙"), ("b.html", "丙")], &root, &out);
        let kept = std::fs::metadata(out.join("b.html"))
            .unwrap()
            .modified()
            .unwrap();
        // Same size, other bytes: only the hash can tell.
        let second = write_and_save(&[("a.html", "乙甲"), ("b.html", "丙")], &root, &out);
        assert_eq!((second.written, second.unchanged), (1, 1));
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "乙甲");
        let after = std::fs::metadata(out.join("b.html"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(after, kept, "an unchanged page is not written again");
        let known = manifest::Known::read(&out);
        let hash = manifest::content_hash("乙甲".as_bytes());
        assert_eq!(
            known.holds("a.html", on_disk(&out, "a.html"), 6, hash),
            manifest::Held::Same
        );
        assert_eq!(
            known.holds(
                "a.html",
                on_disk(&out, "a.html"),
                6,
                manifest::content_hash("甲乙".as_bytes())
            ),
            manifest::Held::Different
        );

        // Edited by hand since (same size): the manifest no longer vouches for it, the file is
        // read, found different, and restored.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(out.join("a.html"), "丁丁").unwrap();
        assert_eq!(
            manifest::Known::read(&out).holds("a.html", on_disk(&out, "a.html"), 6, hash),
            manifest::Held::Unknown
        );
        let third = write_and_save(&[("a.html", "乙甲"), ("b.html", "丙")], &root, &out);
        assert_eq!((third.written, third.unchanged), (1, 1));
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "乙甲");
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn updates_touch_only_what_changed_and_remove_what_is_gone() {
        let base = std::env::temp_dir().join(format!("caidan-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (root, out) = (base.join("site"), base.join("public"));
        let first = write(
            &[
                ("index.html", "首页"),
                ("news/a/index.html", "甲"),
                ("news/b/index.html", "乙"),
            ],
            &root,
            &out,
        )
        .unwrap();
        assert_eq!(first.written, 4);
        let second = write(
            &[("index.html", "首页"), ("news/a/index.html", "甲（改）")],
            &root,
            &out,
        )
        .unwrap();
        assert_eq!(
            second,
            Stats {
                written: 1,
                unchanged: 2,
                removed: 1
            }
        );
        assert_eq!(
            std::fs::read_to_string(out.join("news/a/index.html")).unwrap(),
            "甲（改）"
        );
        assert!(!out.join("news/b").exists(), "emptied folders are removed");
        let leftovers: Vec<_> = std::fs::read_dir(out.join("news/a"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty());
        let _ = std::fs::remove_dir_all(&base);
    }
}
