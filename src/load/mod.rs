//! Load: the only stage that reads the disk.
//!
//! Reads `content/` (entries and the files beside them) and the theme. Returns the files as
//! text with their front matter located, plus diagnostics for what could not be read. It does
//! not interpret front matter beyond YAML syntax: that is `resolve`'s job.

pub mod again;
pub mod fingerprint;
pub mod frontmatter;
mod syntax;
pub mod theme;
pub mod yaml;

pub use syntax::explain as explain_yaml_error;

use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Source, display_path};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One Markdown file under `content/`.
#[derive(Clone, Debug)]
pub struct ContentFile {
    /// Shown in messages as `content/news/x.md`.
    pub source: Source,
    pub path: PathBuf,
    /// Path components below `content/`, e.g. `["news", "x", "index.md"]`.
    pub parts: Vec<String>,
    /// The parsed front matter and where the body starts, or `None` when it could not be parsed
    /// (a diagnostic says why).
    pub front: Option<Front>,
}

#[derive(Clone, Debug)]
pub struct Front {
    pub node: yaml::Node,
    /// The opening `---`, where "missing field" diagnostics point.
    pub fence: std::ops::Range<usize>,
    pub body: std::ops::Range<usize>,
    /// Set when the loader kept only the text before the body ([`Keep::FrontMatter`]): the
    /// content hash of the whole file, which [`again`] reads again for the body.
    pub read_again: Option<u64>,
}

/// How much of each entry's file the loader keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    #[default]
    Whole,
    /// The front matter only, for an entry (not a section's `_index.md`) whose front matter
    /// parsed: the body is read again when it is rendered ([`again`]). At 100,000 articles the
    /// Markdown is 715 MB, held beside every YAML tree through load and resolve.
    FrontMatter,
}

/// A file under `content/` that is not Markdown (images, PDFs …).
#[derive(Clone, Debug)]
pub struct Asset {
    pub path: PathBuf,
    pub parts: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Content {
    pub files: Vec<ContentFile>,
    pub assets: Vec<Asset>,
}

/// Reads every entry and asset below `root/content`.
pub fn content(root: &Path) -> (Content, Diagnostics) {
    content_with(root, Entries::default(), Keep::Whole)
}

/// Markdown entries already read (by [`fingerprint::inputs_and_entries`]), by path:
/// [`content_with`] takes their bytes instead of reading the files again; and the size of
/// all Markdown under `content/`, read or not.
#[derive(Default)]
pub struct Entries(HashMap<PathBuf, Vec<u8>>, u64);

impl Entries {
    /// Bytes of Markdown under `content/` (0 when not surveyed).
    pub fn markdown_bytes(&self) -> u64 {
        self.1
    }
}

/// [`content`], with some entries already read.
pub fn content_with(root: &Path, mut entries: Entries, keep: Keep) -> (Content, Diagnostics) {
    let dir = root.join("content");
    let mut diagnostics = Diagnostics::new();
    if !dir.is_dir() {
        diagnostics.push(
            Diagnostic::error("找不到 content 文件夹")
                .in_file(display_path(root, &dir))
                .help("内容放在站点根目录下的 content/ 里；新建站点可运行 `caidan init`"),
        );
        return (Content::default(), diagnostics);
    }
    let mut markdown = Vec::new();
    let mut assets = Vec::new();
    // Links are followed, as an editor who links a shared folder in expects; walkdir notices
    // a link that leads back to its own folder, and that is reported instead of walked forever.
    let walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_ignored(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                diagnostics.push(walk_error(root, &dir, &err));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.into_path();
        let parts: Vec<String> = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if path.extension().is_some_and(|e| e == "md") {
            markdown.push((path, parts));
        } else {
            assets.push(Asset { path, parts });
        }
    }
    let markdown: Vec<_> = markdown
        .into_iter()
        .map(|(path, parts)| {
            let bytes = entries.0.remove(&path);
            (path, parts, bytes)
        })
        .collect();
    drop(entries);
    let read: Vec<(Option<ContentFile>, Diagnostics)> = markdown
        .into_par_iter()
        .map(|(path, parts, bytes)| read_entry_from(root, path, parts, bytes, keep))
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for (file, diags) in read {
        files.extend(file);
        diagnostics.extend(diags);
    }
    (Content { files, assets }, diagnostics)
}

/// A folder or link under `content/` that could not be walked.
fn walk_error(root: &Path, dir: &Path, err: &walkdir::Error) -> Diagnostic {
    let name = display_path(root, err.path().unwrap_or(dir));
    if let Some(ancestor) = err.loop_ancestor() {
        return Diagnostic::warning(format!("链接 {name} 指回了它自己所在的文件夹，已跳过"))
            .in_file(name)
            .label(format!("指向 {}", display_path(root, ancestor)))
            .help("这个链接（快捷方式）会让文件夹无限套下去：删掉它，或让它指向别的文件夹");
    }
    match err.io_error().map(std::io::Error::kind) {
        // Following a link whose target is gone.
        Some(std::io::ErrorKind::NotFound) => {
            Diagnostic::warning(format!("链接 {name} 指向的文件或文件夹不存在，已跳过"))
                .in_file(name)
                .help("删掉这个链接，或把它指向的文件放回原处")
        }
        Some(std::io::ErrorKind::PermissionDenied) => {
            Diagnostic::error(format!("没有读取权限：{name}"))
                .in_file(name)
                .help("里面的内容无法生成：让管理员加上读取权限（例如 chmod -R a+rX），或者换一个有权限的账号生成")
        }
        _ => Diagnostic::error(format!("无法读取 {name}（{err}）"))
            .in_file(name)
            .help("检查这个文件夹是否还在，磁盘是否出错"),
    }
}

/// The largest Markdown entry we read. A long report is a few hundred kilobytes; ten megabytes
/// of text is a mistake (images pasted into the text as base64, a log file renamed `.md`), and
/// would make a page no phone can open. Measured: a 50 MB entry builds, but takes seconds and
/// hundreds of megabytes of memory for a page nobody can read.
pub const MAX_ENTRY_BYTES: u64 = 10 * 1024 * 1024;

/// Reads one Markdown file and parses its front matter. A file that cannot be read (gone since
/// the folder was listed, no permission, too big, not UTF-8) is reported and skipped.
pub fn read_entry(
    root: &Path,
    path: PathBuf,
    parts: Vec<String>,
) -> (Option<ContentFile>, Diagnostics) {
    read_entry_from(root, path, parts, None, Keep::Whole)
}

/// [`read_entry`], with the file's bytes when they were already read.
fn read_entry_from(
    root: &Path,
    path: PathBuf,
    parts: Vec<String>,
    bytes: Option<Vec<u8>>,
    keep: Keep,
) -> (Option<ContentFile>, Diagnostics) {
    let name = display_path(root, &path);
    let read = match bytes {
        Some(b) if b.len() as u64 <= MAX_ENTRY_BYTES => Ok(Ok(b)),
        _ => read_limited(&path, MAX_ENTRY_BYTES),
    };
    let bytes = match read {
        Ok(Ok(b)) => b,
        Ok(Err(size)) => {
            let mb = |n: u64| n.div_ceil(1024 * 1024);
            let d = Diagnostic::error(format!(
                "文件太大（约 {} MB），超过了一篇内容 {} MB 的上限",
                mb(size),
                mb(MAX_ENTRY_BYTES)
            ))
            .in_file(name)
            .help("一篇内容的文字通常不到 1 MB：图片不要贴进正文（base64），存成图片文件放在内容旁边；确实很长的材料请拆成几篇");
            return (None, d.into());
        }
        Err(e) => return (None, unreadable(name, &e).into()),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return (None, not_utf8(name, &e).into()),
    };
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        let d = Diagnostic::error("文件是空的").in_file(name).help(
            "写上 front matter 和正文（可以用 `caidan new` 生成一篇），不需要的话删掉这个文件",
        );
        return (None, d.into());
    }
    let mut source = Source::new(name, text);
    let (mut front, diagnostics) = parse_front(&source);
    let is_section = parts.last().is_some_and(|p| p == "_index.md");
    if let Some(front) = front
        .as_mut()
        .filter(|_| keep == Keep::FrontMatter && !is_section)
    {
        front.read_again = Some(crate::write::manifest::content_hash(source.text.as_bytes()));
        let head: String = source.text[..front.body.start].into();
        source = Source::new(source.name, head);
    }
    (
        Some(ContentFile {
            source,
            path,
            parts,
            front,
        }),
        diagnostics,
    )
}

/// The file's bytes, or its size if that is more than `limit` (reading no further than that,
/// so a huge file costs nothing).
fn read_limited(path: &Path, limit: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > limit {
        return Ok(Err(len));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // The file may have grown since it was measured.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

/// A Markdown file that is listed but cannot be read, in words an editor can act on.
fn unreadable(name: String, err: &std::io::Error) -> Diagnostic {
    use std::io::ErrorKind;
    let (why, help) = match err.kind() {
        ErrorKind::NotFound => (
            "文件不见了".to_string(),
            "生成过程中这个文件被删除或移走了；等改动完成后再生成一次",
        ),
        ErrorKind::PermissionDenied => (
            "没有读取权限".to_string(),
            "让管理员给这个文件加上读取权限（例如 chmod a+r），或者换一个有权限的账号生成",
        ),
        _ => (
            format!("无法读取（{err}）"),
            "检查文件是否被别的程序占用，或磁盘是否出错",
        ),
    };
    Diagnostic::error(format!("{why}：{name}"))
        .in_file(name)
        .help(help)
}

/// Bytes that are not UTF-8, located at the line where they start. The text is shown with the
/// bad bytes replaced, so the editor can see which words are affected.
pub(crate) fn not_utf8(name: String, err: &std::string::FromUtf8Error) -> Diagnostic {
    let valid = err.utf8_error().valid_up_to();
    let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
    // The prefix before the first bad byte is the same in both texts, so `valid` is an offset
    // into `lossy` too, and the bad byte is the replacement character there.
    let index = LineIndex::new(&lossy);
    let (line, _) = index.line_col(&lossy, valid);
    let source = Source::new(name, lossy);
    Diagnostic::error(format!("文件不是 UTF-8 编码：第 {line} 行起的文字读不出来"))
        .at(&source, valid..valid + '\u{fffd}'.len_utf8())
        .label(format!("从这里（第 {} 个字节）开始不是 UTF-8", valid + 1))
        .help("这个文件多半是 GBK（ANSI）编码，Windows 上的编辑器常这样保存：用记事本或 VS Code 打开，“另存为”时把编码选成 UTF-8，再重新生成")
}

/// Splits and parses the front matter of a file already read.
pub fn parse_front(source: &Source) -> (Option<Front>, Diagnostics) {
    let text = &source.text;
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(frontmatter::SplitError::NoOpening { at }) => {
            let d = Diagnostic::error("文件开头没有 front matter")
                .at(source, at..at)
                .label("这里应该是一行 ---")
                .help("每篇内容以 --- 开头，接着写字段（如 title: 标题），再以 --- 结束，然后才是正文");
            return (None, d.into());
        }
        Err(frontmatter::SplitError::NoClosing { at }) => {
            let d = Diagnostic::error("front matter 没有结束的 ---")
                .at(source, at..at + 3)
                .label("从这里开始的 front matter 没有结束")
                .help("在字段的最后一行之后加一行 ---，再写正文");
            return (None, d.into());
        }
    };
    let fence = split.yaml.start.saturating_sub(4)..split.yaml.start.saturating_sub(1);
    let fence = text[..split.yaml.start]
        .rfind("---")
        .map_or(fence, |i| i..i + 3);
    match yaml::parse(&text[split.yaml.clone()], split.yaml.start) {
        Ok(node) if matches!(node.value, yaml::Value::Seq(_)) || node.is_scalar() => {
            (None, syntax::not_a_mapping(source, &node).into())
        }
        Ok(node) => (
            Some(Front {
                node,
                fence,
                body: split.body,
                read_again: None,
            }),
            Diagnostics::new(),
        ),
        Err(err) => {
            let d = syntax::explain(source, split.yaml.clone(), &err, "front matter");
            (None, d.into())
        }
    }
}

/// Hidden files and the temporary files editors leave behind are never content.
pub fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_file_deleted_after_it_was_listed_is_reported_not_a_panic() {
        let root = std::env::temp_dir().join(format!("caidan-gone-{}", std::process::id()));
        let path = root.join("content/news/gone.md");
        let (file, diagnostics) = read_entry(&root, path, vec!["news".into(), "gone.md".into()]);
        assert!(file.is_none());
        let d = diagnostics.iter().next().expect("one diagnostic");
        assert!(d.is_error());
        assert_eq!(d.file.as_deref(), Some("content/news/gone.md"));
        assert!(d.message.contains("文件不见了"), "{}", d.message);
    }

    #[test]
    fn an_entry_over_the_limit_is_not_read() {
        let dir = std::env::temp_dir().join(format!("caidan-big-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.md");
        std::fs::write(&path, vec![b'a'; 100]).unwrap();
        assert_eq!(read_limited(&path, 100).unwrap().map(|b| b.len()), Ok(100));
        assert_eq!(read_limited(&path, 99).unwrap(), Err(100));
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest! {
        /// Any file, however broken, is either parsed or reported: never a panic.
        #[test]
        fn front_matter_of_arbitrary_text_never_panics(text in "(---\n|\\PC|[:\\[\\]{}\n -])*") {
            let (front, diagnostics) = parse_front(&Source::new("content/x.md", text));
            prop_assert!(front.is_some() || diagnostics.has_errors());
        }
    }
}
