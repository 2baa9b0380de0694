//! Write: the only stage that writes. Output plan → disk, atomically.
//!
//! Everything is written into a fresh temporary folder beside the output folder, which then
//! replaces the old one by two renames. A build that fails at any point leaves the previous
//! output untouched, and no path outside the output folder is ever written.

use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::render::{CopySource, Output};
use crate::resolve::urls::is_safe_output_path;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Writes `output` to `out_dir`, replacing it whole. `root` is the site, which must not be
/// overwritten by a mistaken `--output-dir`.
pub fn write(output: &Output, root: &Path, out_dir: &Path) -> Result<(), Diagnostics> {
    check_target(root, out_dir)?;
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| Diagnostics::from(io_error("创建文件夹", parent, &e)))?;
    let name = out_dir
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.caidan-new-{pid}"));
    let old = parent.join(format!(".{name}.caidan-old-{pid}"));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = fill(output, &tmp).and_then(|()| swap(&tmp, &old, out_dir));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Writes every file into `dir` (which must not exist yet).
pub fn fill(output: &Output, dir: &Path) -> Result<(), Diagnostics> {
    std::fs::create_dir_all(dir).map_err(|e| Diagnostics::from(io_error("创建文件夹", dir, &e)))?;
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
    // Copies first: a generated file with the same path wins.
    let copied: Vec<Result<(), Diagnostic>> = output
        .copies
        .par_iter()
        .map(|c| {
            let dest = dir.join(&c.dest);
            ensure_parent(&dest)?;
            match &c.source {
                CopySource::Disk(src) => std::fs::copy(src, &dest)
                    .map(|_| ())
                    .map_err(|e| io_error("复制", src, &e)),
                CopySource::Embedded(bytes) => {
                    std::fs::write(&dest, bytes).map_err(|e| io_error("写入", &dest, &e))
                }
            }
        })
        .collect();
    let written: Vec<Result<(), Diagnostic>> = output
        .files
        .par_iter()
        .map(|f| {
            let dest = dir.join(&f.path);
            ensure_parent(&dest)?;
            std::fs::write(&dest, &f.bytes).map_err(|e| io_error("写入", &dest, &e))
        })
        .collect();
    let errors: Diagnostics = copied
        .into_iter()
        .chain(written)
        .filter_map(Result::err)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn ensure_parent(path: &Path) -> Result<(), Diagnostic> {
    match path.parent() {
        Some(p) => std::fs::create_dir_all(p).map_err(|e| io_error("创建文件夹", p, &e)),
        None => Ok(()),
    }
}

/// Replaces `out_dir` with `tmp`: old → aside, new → in place, old removed.
fn swap(tmp: &Path, old: &Path, out_dir: &Path) -> Result<(), Diagnostics> {
    let had_old = out_dir.exists();
    if had_old {
        let _ = std::fs::remove_dir_all(old);
        std::fs::rename(out_dir, old)
            .map_err(|e| Diagnostics::from(io_error("替换输出文件夹", out_dir, &e)))?;
    }
    if let Err(e) = std::fs::rename(tmp, out_dir) {
        if had_old {
            let _ = std::fs::rename(old, out_dir);
        }
        return Err(io_error("替换输出文件夹", out_dir, &e).into());
    }
    if had_old {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
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
            .help("输出文件夹会被整个替换，不能是站点目录本身或 content、themes、static、templates；用默认的 public，或 --output-dir 指定一个新文件夹")
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

    #[test]
    fn the_site_itself_is_never_an_output_folder() {
        let root = Path::new("/tmp/site");
        assert!(check_target(root, root).is_err());
        assert!(check_target(root, Path::new("/tmp")).is_err());
        assert!(check_target(root, &root.join("content")).is_err());
        assert!(check_target(root, &root.join("public")).is_ok());
    }
}
