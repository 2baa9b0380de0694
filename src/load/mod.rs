//! Load: the only stage that reads the disk.
//!
//! Reads `content/` (entries and the files beside them) and the theme. Returns the files as
//! text with their front matter located, plus diagnostics for what could not be read. It does
//! not interpret front matter beyond YAML syntax: that is `resolve`'s job.

pub mod fingerprint;
pub mod frontmatter;
pub mod theme;
pub mod yaml;

use crate::diagnostics::{Diagnostic, Diagnostics, Source, display_path, io_error};
use rayon::prelude::*;
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
    let walker = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_ignored(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.clone());
                diagnostics.push(Diagnostic::error(format!(
                    "无法读取 {}：{err}",
                    display_path(root, &path)
                )));
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
    let read: Vec<(Option<ContentFile>, Diagnostics)> = markdown
        .into_par_iter()
        .map(|(path, parts)| read_entry(root, path, parts))
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for (file, diags) in read {
        files.extend(file);
        diagnostics.extend(diags);
    }
    (Content { files, assets }, diagnostics)
}

/// Reads one Markdown file and parses its front matter.
pub fn read_entry(
    root: &Path,
    path: PathBuf,
    parts: Vec<String>,
) -> (Option<ContentFile>, Diagnostics) {
    let name = display_path(root, &path);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return (None, io_error("读取", &path, &e).into()),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let d = Diagnostic::error("文件不是 UTF-8 编码")
                .in_file(name)
                .label(format!(
                    "第 {} 个字节起无法按 UTF-8 读取",
                    e.utf8_error().valid_up_to() + 1
                ))
                .help("用编辑器把文件另存为 UTF-8 编码（记事本：另存为 → 编码选 UTF-8）");
            return (None, d.into());
        }
    };
    let source = Source::new(name, text);
    let (front, diagnostics) = parse_front(&source);
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
        Ok(node) => (
            Some(Front {
                node,
                fence,
                body: split.body,
            }),
            Diagnostics::new(),
        ),
        Err(err) => {
            let block = &text[split.yaml.clone()];
            // An unclosed `[` or `{` is the most common slip, and the parser only notices it
            // lines later: point at the line that opened it.
            let d = match unclosed_bracket(block) {
                Some((offset, open)) => {
                    let at = split.yaml.start + offset;
                    let close = if open == '[' { ']' } else { '}' };
                    Diagnostic::error("front matter 不是合法的 YAML")
                        .at(source, at..at + 1)
                        .label(format!("这个 {open} 没有对应的 {close}"))
                        .help(format!("在这一行末尾补上 {close}"))
                }
                None => {
                    let at = split.yaml.start + err.offset.unwrap_or(0).min(split.yaml.len());
                    Diagnostic::error("front matter 不是合法的 YAML")
                        .at(source, at..at)
                        .label(format!("YAML 读到这里出错：{}", strip_position(&err.message)))
                        .help("检查这一行和上一行：冒号后要有空格，缩进用空格而不是 Tab，含冒号的文字要加引号")
                }
            };
            (None, d.into())
        }
    }
}

/// The offset of the first `[` or `{` left open at the end of its line, outside quotes.
fn unclosed_bracket(block: &str) -> Option<(usize, char)> {
    let mut offset = 0;
    for line in block.split_inclusive('\n') {
        let mut stack: Vec<(usize, char)> = Vec::new();
        let mut quote: Option<char> = None;
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if i == 0 || line[..i].ends_with(' ') => break,
                (None, '[' | '{') => stack.push((offset + i, c)),
                (None, ']' | '}') => {
                    stack.pop();
                }
                _ => {}
            }
        }
        if let Some(&first) = stack.first() {
            return Some(first);
        }
        offset += line.len();
    }
    None
}

/// `error: line 4 column 7: message` → `message`: positions inside the block would mislead.
fn strip_position(message: &str) -> &str {
    let m = message.strip_prefix("error: ").unwrap_or(message);
    match m.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(m, |(_, msg)| msg),
        None => m,
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

    proptest! {
        /// Any file, however broken, is either parsed or reported: never a panic.
        #[test]
        fn front_matter_of_arbitrary_text_never_panics(text in "(---\n|\\PC|[:\\[\\]{}\n -])*") {
            let (front, diagnostics) = parse_front(&Source::new("content/x.md", text));
            prop_assert!(front.is_some() || diagnostics.has_errors());
        }
    }
}
