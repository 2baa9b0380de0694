//! Entries' Markdown read again when it is needed.
//!
//! A build of a very large site (see `build.rs`) holds no entry's Markdown: the loader keeps
//! the front matter, and each body is read again where it is used: rendered for its summary
//! and its problems, made into its text for the search index (for the terms and again for the
//! record), and rendered for the entry's own page. At 100,000 articles the Markdown was 715 MB,
//! the index texts 650 MB and the rendered bodies 860 MB, each once held from one stage to a
//! later one. The file must still be what was read first: an editor saving it meanwhile fails
//! the build, rather than publishing a page that disagrees with its card and its search entry.

use crate::diagnostics::{Diagnostic, Source};
use crate::resolve::EntryText;
use crate::write::manifest::content_hash;
use rayon::prelude::*;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Where each entry's body is, and what its file held.
pub struct Again {
    root: PathBuf,
    files: Vec<Kept>,
}

struct Kept {
    /// As the editor sees it, relative to the site root.
    name: String,
    body: Range<usize>,
    hash: u64,
}

impl Again {
    /// Remembers where the bodies of `texts` (every entry's file, in entry order) are.
    pub fn new(root: &Path, texts: &[EntryText]) -> Again {
        let files = texts
            .par_iter()
            .map(|t| Kept {
                name: t.source.name.clone(),
                body: t.body.clone(),
                hash: (t.read_again).unwrap_or_else(|| content_hash(t.source.text.as_bytes())),
            })
            .collect();
        Again {
            root: root.to_path_buf(),
            files,
        }
    }

    /// Entry `i`'s Markdown body, read again; an error when its file changed or went away.
    pub fn body(&self, i: usize) -> Result<String, Diagnostic> {
        let kept = &self.files[i];
        let text = self.text(i)?;
        text.get(kept.body.clone())
            .map(str::to_string)
            .ok_or_else(|| changed(kept))
    }

    /// Entry `i`'s whole file, read again and checked as [`Again::body`] does, as the source
    /// of the body's diagnostics.
    pub fn source(&self, i: usize) -> Result<Source, Diagnostic> {
        Ok(Source::new(self.files[i].name.clone(), self.text(i)?))
    }

    fn text(&self, i: usize) -> Result<String, Diagnostic> {
        let kept = &self.files[i];
        let bytes = std::fs::read(self.root.join(&kept.name)).map_err(|e| {
            Diagnostic::error(format!("生成过程中读不到这篇内容了：{e}"))
                .in_file(kept.name.clone())
                .help("生成期间请不要移动或删除内容文件；再生成一次")
        })?;
        if content_hash(&bytes) != kept.hash {
            return Err(changed(kept));
        }
        String::from_utf8(bytes).map_err(|_| changed(kept))
    }
}

/// The file is not what the build read first.
fn changed(kept: &Kept) -> Diagnostic {
    Diagnostic::error("生成过程中这篇内容被修改了")
        .in_file(kept.name.clone())
        .help("等编辑保存完再生成一次：大网站的正文在写页面时会重新读取，要和开始生成时一致")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_reads_again_until_its_file_changes() {
        let root = std::env::temp_dir().join(format!("caidan-again-{}", std::process::id()));
        std::fs::create_dir_all(root.join("content")).unwrap();
        let text = "---\ntitle: 工会\n---\n正文第一段。\n";
        std::fs::write(root.join("content/a.md"), text).unwrap();
        let body = text.find("正文").unwrap()..text.len();
        let again = Again::new(
            &root,
            &[EntryText {
                source: Source::new("content/a.md", text),
                body,
                read_again: None,
            }],
        );
        assert_eq!(again.body(0).expect("the same file"), "正文第一段。\n");
        std::fs::write(root.join("content/a.md"), text.replace("第一", "第二")).unwrap();
        let d = again.body(0).expect_err("an edited file");
        assert!(d.message.contains("被修改"), "{}", d.message);
        std::fs::remove_file(root.join("content/a.md")).unwrap();
        let d = again.body(0).expect_err("a removed file");
        assert!(d.message.contains("读不到"), "{}", d.message);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
