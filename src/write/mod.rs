//! Write: the only stage that writes. Output plan → disk.
//!
//! Writing starts only after every page rendered without error, so a failed build never
//! touches the previous output. A first build writes into a fresh temporary folder and renames
//! it into place. Later builds update the output in place: a file whose bytes did not change is
//! not written at all, a changed file is written beside its old version and renamed over it (a
//! server never sees a half-written file), and files the site no longer has are removed. On the
//! disks we measured, creating fifteen thousand new files costs seconds while comparing them
//! costs milliseconds, so rebuilding and swapping the whole tree would dominate every build.
//! No path outside the output folder is ever written.

use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::render::{CopySource, Output};
use crate::resolve::urls::is_safe_output_path;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What a write did, for the build report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Writes `output` to `out_dir`. `root` is the site, which must not be overwritten by a
/// mistaken `--output-dir`.
pub fn write(output: &Output, root: &Path, out_dir: &Path) -> Result<Stats, Diagnostics> {
    check_target(root, out_dir)?;
    check_paths(output)?;
    check_sources(output)?;
    if out_dir.is_dir() {
        return update(output, out_dir);
    }
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| Diagnostics::from(io_error("创建文件夹", parent, &e)))?;
    let name = out_dir
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.caidan-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = fill(output, &tmp).and_then(|stats| {
        std::fs::rename(&tmp, out_dir)
            .map_err(|e| Diagnostics::from(io_error("写入输出文件夹", out_dir, &e)))?;
        Ok(stats)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Writes every file into `dir`, which is created.
pub fn fill(output: &Output, dir: &Path) -> Result<Stats, Diagnostics> {
    std::fs::create_dir_all(dir).map_err(|e| Diagnostics::from(io_error("创建文件夹", dir, &e)))?;
    make_dirs(output, dir)?;
    // Copies first: a generated file with the same path wins.
    let copied: Vec<Result<(), Diagnostic>> = output
        .copies
        .par_iter()
        .map(|c| copy(&c.source, &dir.join(&c.dest)))
        .collect();
    let written: Vec<Result<(), Diagnostic>> = output
        .files
        .par_iter()
        .map(|f| {
            let dest = dir.join(&f.path);
            std::fs::write(&dest, &f.bytes).map_err(|e| io_error("写入", &dest, &e))
        })
        .collect();
    let errors: Diagnostics = copied
        .into_iter()
        .chain(written)
        .filter_map(Result::err)
        .collect();
    if errors.is_empty() {
        Ok(Stats {
            written: output.files.len() + output.copies.len(),
            ..Stats::default()
        })
    } else {
        Err(errors)
    }
}

/// Brings an existing output folder in line with `output`, touching only what changed.
fn update(output: &Output, dir: &Path) -> Result<Stats, Diagnostics> {
    let existing = list_files(dir);
    make_dirs(output, dir)?;
    // A generated file wins over a copied one with the same path.
    let generated: HashSet<&str> = output.files.iter().map(|f| f.path.as_str()).collect();
    let copies: Vec<_> = output
        .copies
        .iter()
        .filter(|c| !generated.contains(c.dest.as_str()))
        .collect();
    let results: Vec<Result<bool, Diagnostic>> = output
        .files
        .par_iter()
        .map(|f| replace_if_changed(&dir.join(&f.path), &f.bytes))
        .chain(copies.par_iter().map(|c| {
            let dest = dir.join(&c.dest);
            match &c.source {
                CopySource::Embedded(bytes) => replace_if_changed(&dest, bytes),
                CopySource::Disk(src) if same_file_content(src, &dest) => Ok(false),
                CopySource::Disk(_) => copy(&c.source, &dest).map(|()| true),
            }
        }))
        .collect();
    let mut stats = Stats::default();
    let mut errors = Diagnostics::new();
    for r in results {
        match r {
            Ok(true) => stats.written += 1,
            Ok(false) => stats.unchanged += 1,
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let keep: HashSet<&str> = output
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain(output.copies.iter().map(|c| c.dest.as_str()))
        .collect();
    for stale in existing.iter().filter(|p| !keep.contains(p.as_str())) {
        let path = dir.join(stale);
        std::fs::remove_file(&path)
            .map_err(|e| Diagnostics::from(io_error("删除旧文件", &path, &e)))?;
        stats.removed += 1;
    }
    if stats.removed > 0 {
        remove_empty_dirs(dir);
    }
    Ok(stats)
}

/// Writes `bytes` to `dest` unless it already holds exactly them; returns whether it wrote.
fn replace_if_changed(dest: &Path, bytes: &[u8]) -> Result<bool, Diagnostic> {
    if let Ok(meta) = std::fs::metadata(dest) {
        if meta.is_file()
            && meta.len() == bytes.len() as u64
            && std::fs::read(dest).is_ok_and(|old| old == bytes)
        {
            return Ok(false);
        }
        if meta.is_dir() {
            std::fs::remove_dir_all(dest).map_err(|e| io_error("删除旧文件夹", dest, &e))?;
        }
    }
    let tmp = temp_beside(dest);
    std::fs::write(&tmp, bytes).map_err(|e| io_error("写入", &tmp, &e))?;
    std::fs::rename(&tmp, dest).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error("写入", dest, &e)
    })?;
    Ok(true)
}

fn same_file_content(src: &Path, dest: &Path) -> bool {
    match (std::fs::metadata(src), std::fs::metadata(dest)) {
        (Ok(a), Ok(b)) if a.len() == b.len() && b.is_file() => {
            std::fs::read(src).ok() == std::fs::read(dest).ok()
        }
        _ => false,
    }
}

fn temp_beside(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    dest.with_file_name(format!(".{name}.caidan-{}", std::process::id()))
}

fn copy(source: &CopySource, dest: &Path) -> Result<(), Diagnostic> {
    match source {
        CopySource::Disk(src) => std::fs::copy(src, dest)
            .map(|_| ())
            .map_err(|e| io_error("复制", src, &e)),
        CopySource::Embedded(bytes) => {
            std::fs::write(dest, bytes).map_err(|e| io_error("写入", dest, &e))
        }
    }
}

/// Creates every folder the output needs, once each (instead of once per file).
fn make_dirs(output: &Output, dir: &Path) -> Result<(), Diagnostics> {
    let mut dirs: Vec<&str> = output
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain(output.copies.iter().map(|c| c.dest.as_str()))
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    for d in dirs {
        let path = dir.join(d);
        if path.is_file() {
            std::fs::remove_file(&path)
                .map_err(|e| Diagnostics::from(io_error("删除旧文件", &path, &e)))?;
        }
        std::fs::create_dir_all(&path)
            .map_err(|e| Diagnostics::from(io_error("创建文件夹", &path, &e)))?;
    }
    Ok(())
}

/// Every file below `dir`, as `/`-separated relative paths.
fn list_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
        })
        .collect()
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

fn check_paths(output: &Output) -> Result<(), Diagnostics> {
    for path in output
        .files
        .iter()
        .map(|f| &f.path)
        .chain(output.copies.iter().map(|c| &c.dest))
    {
        if !is_safe_output_path(path) {
            return Err(Diagnostic::error(format!("拒绝写到输出文件夹之外：{path}"))
                .help("这是 caidan 的错误，请报告")
                .into());
        }
    }
    Ok(())
}

/// Every file to copy must still be there and readable before anything is written: one deleted
/// or locked while the build ran would otherwise fail an update halfway, leaving an output that
/// is neither the old site nor the new one.
fn check_sources(output: &Output) -> Result<(), Diagnostics> {
    let errors: Diagnostics = output
        .copies
        .par_iter()
        .filter_map(|c| match &c.source {
            CopySource::Disk(src) => std::fs::File::open(src).err().map(|e| {
                io_error("复制", src, &e)
                    .help("生成过程中这个文件被删除、移走或锁住了；等改动完成后再生成一次")
            }),
            CopySource::Embedded(_) => None,
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
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

    #[test]
    fn the_site_itself_is_never_an_output_folder() {
        let root = Path::new("/tmp/site");
        assert!(check_target(root, root).is_err());
        assert!(check_target(root, Path::new("/tmp")).is_err());
        assert!(check_target(root, &root.join("content")).is_err());
        assert!(check_target(root, &root.join("public")).is_ok());
    }

    fn output(files: &[(&str, &str)]) -> Output {
        Output {
            files: files
                .iter()
                .map(|(p, t)| OutFile {
                    path: (*p).to_string(),
                    bytes: t.as_bytes().to_vec(),
                })
                .collect(),
            copies: vec![CopyFile {
                dest: "style.css".into(),
                source: CopySource::Embedded(b"body{}"),
            }],
        }
    }

    #[test]
    fn a_copy_source_gone_since_render_fails_before_anything_is_written() {
        let base = std::env::temp_dir().join(format!("caidan-gone-src-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (root, out) = (base.join("site"), base.join("public"));
        write(&output(&[("index.html", "旧")]), &root, &out).unwrap();
        let mut next = output(&[("index.html", "新")]);
        next.copies.push(CopyFile {
            dest: "photo.png".into(),
            source: CopySource::Disk(base.join("site/content/gone.png")),
        });
        let err = write(&next, &root, &out).unwrap_err();
        assert!(err.iter().next().unwrap().message.contains("gone.png"));
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "旧"
        );
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn updates_touch_only_what_changed_and_remove_what_is_gone() {
        let base = std::env::temp_dir().join(format!("caidan-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (root, out) = (base.join("site"), base.join("public"));
        let first = write(
            &output(&[
                ("index.html", "首页"),
                ("news/a/index.html", "甲"),
                ("news/b/index.html", "乙"),
            ]),
            &root,
            &out,
        )
        .unwrap();
        assert_eq!(first.written, 4);
        let second = write(
            &output(&[("index.html", "首页"), ("news/a/index.html", "甲（改）")]),
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
