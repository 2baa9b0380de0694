//! The theme: Tera templates and static files, from `themes/<name>/` or built in.
//!
//! A site's own `templates/` and `static/` folders override the theme file by file.

use crate::diagnostics::{Diagnostic, Diagnostics, display_path, io_error};
use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_theme.rs"));
}

/// A template's name (`news.html`, `partials/card.html`), text, and where it came from.
#[derive(Clone, Debug)]
pub struct Template {
    pub name: String,
    pub text: String,
    /// `themes/default/templates/news.html`, or `（内置主题）templates/news.html`.
    pub origin: String,
}

/// A file copied to the output as is.
#[derive(Clone, Debug)]
pub struct StaticFile {
    /// Path in the output, `/`-separated (`style.css`, `search/search.js`).
    pub rel: String,
    pub data: StaticData,
}

#[derive(Clone, Debug)]
pub enum StaticData {
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

#[derive(Clone, Debug, Default)]
pub struct Theme {
    pub templates: Vec<Template>,
    pub statics: Vec<StaticFile>,
}

/// Loads theme `name` for the site at `root`, with the site's overrides applied.
pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
    let mut theme = Theme::default();
    let dir = root.join("themes").join(name);
    if dir.is_dir() {
        read_dir_files(root, &dir.join("templates"), &mut |rel, path, text| {
            theme.templates.push(Template {
                name: rel.to_string(),
                text: text.unwrap_or_default(),
                origin: display_path(root, path),
            });
        })?;
        read_dir_files(root, &dir.join("static"), &mut |rel, path, _| {
            theme.statics.push(StaticFile {
                rel: rel.to_string(),
                data: StaticData::Disk(path.to_path_buf()),
            });
        })?;
    } else if name == "default" {
        for (rel, bytes) in embedded::FILES {
            if let Some(t) = rel.strip_prefix("templates/") {
                theme.templates.push(Template {
                    name: t.to_string(),
                    text: String::from_utf8_lossy(bytes).into_owned(),
                    origin: format!("（内置主题）{rel}"),
                });
            } else if let Some(s) = rel.strip_prefix("static/") {
                theme.statics.push(StaticFile {
                    rel: s.to_string(),
                    data: StaticData::Embedded(bytes),
                });
            }
        }
    } else {
        return Err(Diagnostic::error(format!("找不到主题“{name}”"))
            .in_file("site.yaml")
            .field("theme")
            .help(format!(
                "主题应放在 themes/{name}/ 文件夹里；或者删掉 theme 这一行，使用内置的 default 主题"
            ))
            .into());
    }
    // The site's own files win over the theme's, one by one.
    read_dir_files(root, &root.join("templates"), &mut |rel, path, text| {
        let t = Template {
            name: rel.to_string(),
            text: text.unwrap_or_default(),
            origin: display_path(root, path),
        };
        match theme.templates.iter_mut().find(|x| x.name == rel) {
            Some(slot) => *slot = t,
            None => theme.templates.push(t),
        }
    })?;
    read_dir_files(root, &root.join("static"), &mut |rel, path, _| {
        let f = StaticFile {
            rel: rel.to_string(),
            data: StaticData::Disk(path.to_path_buf()),
        };
        match theme.statics.iter_mut().find(|x| x.rel == rel) {
            Some(slot) => *slot = f,
            None => theme.statics.push(f),
        }
    })?;
    Ok(theme)
}

/// Calls `visit(rel, path, text)` for every file below `dir` (text only for templates, which
/// must be UTF-8). A missing folder is simply empty.
fn read_dir_files(
    root: &Path,
    dir: &Path,
    visit: &mut dyn FnMut(&str, &Path, Option<String>),
) -> Result<(), Diagnostics> {
    if !dir.is_dir() {
        return Ok(());
    }
    let is_templates = dir.file_name().is_some_and(|n| n == "templates");
    let mut diagnostics = Diagnostics::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !super::is_ignored(e.file_name()))
    {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                diagnostics.push(Diagnostic::error(format!(
                    "无法读取 {}：{err}",
                    display_path(root, dir)
                )));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let text = if is_templates {
            match std::fs::read_to_string(path) {
                Ok(t) => Some(t),
                Err(e) => {
                    diagnostics.push(io_error("读取模板", path, &e));
                    continue;
                }
            }
        } else {
            None
        };
        visit(&rel, path, text);
    }
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(diagnostics)
    }
}
