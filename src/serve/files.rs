//! The output being served: output path → body, as the last good build left it, and how a
//! request path maps onto it (base path, `index.html` for folders, `/x` → `/x/`, 404).
//!
//! Pure: nothing here touches a socket. Generated files are kept in memory; copied files
//! (images, theme assets) are read from their source when asked for, so a site with many large
//! images does not sit in memory twice.

use crate::render::{CopySource, Output};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One output file.
#[derive(Clone, Debug)]
pub enum Body {
    Bytes(Arc<[u8]>),
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

impl Body {
    pub fn read(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match self {
            Body::Bytes(b) => Ok(Cow::Borrowed(b)),
            Body::Embedded(b) => Ok(Cow::Borrowed(b)),
            Body::Disk(path) => std::fs::read(path).map(Cow::Owned),
        }
    }
}

impl From<&CopySource> for Body {
    fn from(source: &CopySource) -> Self {
        match source {
            CopySource::Disk(p) => Body::Disk(p.clone()),
            CopySource::Embedded(b) => Body::Embedded(b),
        }
    }
}

/// Output path (`news/x/index.html`, `/`-separated, no leading slash) → body. Keys are shared
/// strings, so copying the whole map for the next build is cheap.
pub type Files = HashMap<Arc<str>, Body>;

/// What `build::build` would write for `output`: copies first, then generated files, which win
/// when both have the same path.
pub fn from_output(output: &Output) -> Files {
    let mut files = Files::with_capacity(output.files.len() + output.copies.len());
    for c in &output.copies {
        files.insert(c.dest.as_str().into(), Body::from(&c.source));
    }
    for f in &output.files {
        files.insert(
            f.path.as_str().into(),
            Body::Bytes(f.bytes.as_slice().into()),
        );
    }
    files
}

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// An output file (its key in [`Files`]).
    File(String),
    /// A folder asked for without its slash, or the site root outside the base path.
    Redirect(String),
    NotFound,
}

/// Maps a decoded request path (`/gonghui/news/x/`) onto `files` under `base_path` (`/gonghui/`).
pub fn lookup(files: &Files, base_path: &str, path: &str) -> Lookup {
    let base_bare = base_path.trim_end_matches('/');
    if path == base_bare && !base_bare.is_empty() {
        return Lookup::Redirect(base_path.to_string());
    }
    let Some(rel) = path.strip_prefix(base_path) else {
        return if path == "/" {
            Lookup::Redirect(base_path.to_string())
        } else {
            Lookup::NotFound
        };
    };
    if rel.split('/').any(|seg| seg == ".." || seg == ".") {
        return Lookup::NotFound;
    }
    if rel.is_empty() || rel.ends_with('/') {
        let key = format!("{rel}index.html");
        return if files.contains_key(key.as_str()) {
            Lookup::File(key)
        } else {
            Lookup::NotFound
        };
    }
    if files.contains_key(rel) {
        return Lookup::File(rel.to_string());
    }
    if files.contains_key(format!("{rel}/index.html").as_str()) {
        return Lookup::Redirect(format!("{path}/"));
    }
    Lookup::NotFound
}

/// The Content-Type of an output path; text is always UTF-8.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wasm" => "application/wasm",
        "bin" => "application/octet-stream",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(paths: &[&str]) -> Files {
        paths
            .iter()
            .map(|p| ((*p).into(), Body::Embedded(b"")))
            .collect()
    }

    #[test]
    fn request_paths_map_onto_the_output() {
        let f = files(&[
            "index.html",
            "news/x/index.html",
            "style.css",
            "tags/班前十分钟/index.html",
        ]);
        let cases: &[(&str, &str, Lookup)] = &[
            ("/", "/", Lookup::File("index.html".into())),
            ("/", "/news/x/", Lookup::File("news/x/index.html".into())),
            ("/", "/news/x", Lookup::Redirect("/news/x/".into())),
            ("/", "/style.css", Lookup::File("style.css".into())),
            ("/", "/news/y/", Lookup::NotFound),
            ("/", "/news/x/../../index.html", Lookup::NotFound),
            (
                "/",
                "/tags/班前十分钟/",
                Lookup::File("tags/班前十分钟/index.html".into()),
            ),
            ("/gh/", "/gh/", Lookup::File("index.html".into())),
            ("/gh/", "/gh", Lookup::Redirect("/gh/".into())),
            ("/gh/", "/", Lookup::Redirect("/gh/".into())),
            ("/gh/", "/gh/news/x", Lookup::Redirect("/gh/news/x/".into())),
            ("/gh/", "/news/x/", Lookup::NotFound),
        ];
        for (base, path, want) in cases {
            assert_eq!(&lookup(&f, base, path), want, "{base} {path}");
        }
    }

    #[test]
    fn text_is_served_as_utf8() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("photo.png"), "image/png");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
