//! The site's sources as they are on disk now, read again piece by piece: `site.yaml` and the
//! theme whole, `content/` one file or folder at a time, kept in the order `load::content`
//! reads them, with what reading each file reported.

use crate::config::{self, Config, Overrides};
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::load::theme::{self, Theme};
use crate::load::{self, Content};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The sources as they are on disk now.
pub(super) struct Inputs {
    pub(super) root: PathBuf,
    /// The canonical root, to recognise absolute paths below it.
    pub(super) canonical_root: PathBuf,
    /// `http://127.0.0.1:1111`: `base_url` becomes this plus the site's own sub-path.
    pub(super) origin: String,
    pub(super) drafts: bool,
    pub(super) config: Result<(Config, Diagnostics), Diagnostics>,
    /// Files and assets below `content/`, in the order `load::content` gives them.
    pub(super) content: Content,
    /// What reading each content file reported, by its path below `content/`.
    pub(super) content_diags: BTreeMap<Vec<String>, Diagnostics>,
    pub(super) theme: Result<Theme, Diagnostics>,
}

impl Inputs {
    /// Reads everything at `root`.
    pub(super) fn new(root: &Path, origin: &str, drafts: bool) -> Inputs {
        let mut inputs = Inputs {
            root: root.to_path_buf(),
            canonical_root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            origin: origin.trim_end_matches('/').to_string(),
            drafts,
            config: Err(Diagnostics::new()),
            content: Content::default(),
            content_diags: BTreeMap::new(),
            theme: Ok(Theme::default()),
        };
        inputs.reload_all();
        inputs
    }

    pub(super) fn theme_name(&self) -> String {
        match &self.config {
            Ok((c, _)) => c.theme.clone(),
            Err(_) => "default".into(),
        }
    }

    /// `origin` plus the sub-path of the site's own `base_url`.
    pub(super) fn base_url(&self) -> String {
        format!("{}{}", self.origin, sub_path(&self.root))
    }

    /// `path` relative to the root, if it is below it.
    pub(super) fn relative(&self, path: &Path) -> Option<PathBuf> {
        if path.is_relative() {
            return Some(path.to_path_buf());
        }
        path.strip_prefix(&self.canonical_root)
            .or_else(|_| path.strip_prefix(&self.root))
            .ok()
            .map(Path::to_path_buf)
    }

    pub(super) fn reload_all(&mut self) {
        let overrides = Overrides {
            base_url: Some(self.base_url()),
        };
        self.config = config::load(&self.root, &overrides);
        self.reload_theme();
        self.update_content(&[]);
    }

    pub(super) fn reload_theme(&mut self) {
        if let Ok((config, _)) = &self.config {
            self.theme = theme::load(&self.root, &config.theme);
        }
    }

    /// Forgets everything at `under` (a path below `content/`, as parts) and reads what is
    /// there now: a file, a whole folder, or nothing.
    pub(super) fn update_content(&mut self, under: &[String]) {
        remove_under(&mut self.content.files, |f| &f.parts, under);
        remove_under(&mut self.content.assets, |a| &a.parts, under);
        self.content_diags.retain(|k, _| !k.starts_with(under));

        let dir = self.root.join("content");
        let path = under.iter().fold(dir.clone(), |p, s| p.join(s));
        // As in `load::content`: no hidden or backup files, and links are not followed.
        if under.iter().any(|p| load::is_ignored(p.as_ref())) {
            return;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return;
        };
        let mut found: Vec<(PathBuf, Vec<String>)> = Vec::new();
        if meta.is_file() {
            found.push((path, under.to_vec()));
        } else if meta.is_dir() {
            let walker = walkdir::WalkDir::new(&path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| !load::is_ignored(e.file_name()));
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let parts = parts(e.path().strip_prefix(&dir).unwrap_or(e.path()));
                        found.push((e.into_path(), parts));
                    }
                    Ok(_) => {}
                    Err(err) => {
                        let at = err.path().map_or_else(|| path.clone(), Path::to_path_buf);
                        let key = parts(at.strip_prefix(&dir).unwrap_or(&at));
                        self.content_diags
                            .entry(key)
                            .or_default()
                            .push(Diagnostic::error(format!(
                                "无法读取 {}：{err}",
                                display_path(&self.root, &at)
                            )));
                    }
                }
            }
        }
        let (markdown, assets): (Vec<_>, Vec<_>) = found
            .into_iter()
            .partition(|(p, _)| p.extension().is_some_and(|e| e == "md"));
        let root = &self.root;
        let read: Vec<_> = markdown
            .into_par_iter()
            .map(|(path, parts)| {
                let (file, diags) = load::read_entry(root, path, parts.clone());
                (parts, file, diags)
            })
            .collect();
        for (parts, file, diags) in read {
            self.content.files.extend(file);
            if !diags.is_empty() {
                self.content_diags.insert(parts, diags);
            }
        }
        self.content.assets.extend(
            assets
                .into_iter()
                .map(|(path, parts)| load::Asset { path, parts }),
        );
        // Walk order: by path components, as `load::content` reads them.
        self.content.files.sort_by(|a, b| a.parts.cmp(&b.parts));
        self.content.assets.sort_by(|a, b| a.parts.cmp(&b.parts));
    }
}

/// The sub-path of the site's `base_url` (`/gonghui/`), or `/` when site.yaml cannot say.
fn sub_path(root: &Path) -> String {
    config::load(root, &Overrides::default()).map_or_else(|_| "/".into(), |(c, _)| c.base_path)
}

/// Removes the items whose parts start with `prefix` from `items`, sorted by parts.
pub(super) fn remove_under<T>(
    items: &mut Vec<T>,
    key: impl Fn(&T) -> &Vec<String>,
    prefix: &[String],
) {
    let start = items.partition_point(|x| key(x).as_slice() < prefix);
    let len = items[start..]
        .iter()
        .take_while(|x| key(x).starts_with(prefix))
        .count();
    items.drain(start..start + len);
}

pub(super) fn parts(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_folder_removes_everything_below_it() {
        let p = |s: &str| -> Vec<String> { s.split('/').map(String::from).collect() };
        let mut items = vec![
            p("news/a.md"),
            p("news/b/index.md"),
            p("news/b/photo.png"),
            p("news/b-c.md"),
            p("news/ba.md"),
        ];
        remove_under(&mut items, |x| x, &p("news/b"));
        assert_eq!(
            items,
            vec![p("news/a.md"), p("news/b-c.md"), p("news/ba.md")]
        );
        remove_under(&mut items, |x| x, &[]);
        assert!(items.is_empty());
    }
}
