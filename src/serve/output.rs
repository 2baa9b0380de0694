//! The output of a build, as served: copies first, then pages and the other generated files
//! (as `write::fill` puts them). The quick path copies the last map and puts in only what
//! changed; QR codes and catalogs are made again only when what they show changed.

use super::depends::hash_of;
use super::files::{Body, Files};
use super::incremental::Good;
use crate::load::theme::{self, Theme};
use crate::render::pages::{self, Job};
use crate::resolve::{Kind, Site};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::Arc;

/// A rendered page, and the template it was rendered with.
pub(super) struct PageOut {
    pub(super) file: String,
    pub(super) template: String,
    pub(super) bytes: Arc<[u8]>,
}

impl From<pages::Page> for PageOut {
    fn from(page: pages::Page) -> Self {
        PageOut {
            file: page.path,
            template: page.template,
            bytes: page.html.into(),
        }
    }
}

/// One QR code file and what it encodes.
pub(super) struct QrCode {
    pub(super) target: (String, String),
    pub(super) svg: Option<Arc<[u8]>>,
}

/// The output of `good`: copies first, then pages and the other generated files, which win
/// when both have the same path (as in `write::fill`). Also returns the other files' paths.
pub(super) fn assemble(
    good: &Good,
    theme: &Theme,
    qr: &mut HashMap<String, QrCode>,
    catalogs: &mut HashMap<Kind, String>,
) -> (Files, Vec<Arc<str>>) {
    let site = &good.site;
    let extras = make_extras(good, catalogs);
    let copies = crate::render::copies(site, theme);
    let mut files = Files::with_capacity(copies.len() + good.pages.len() + extras.len());
    for c in &copies {
        files.insert(c.dest.as_str().into(), Body::from(&c.source));
    }
    for job in &good.jobs {
        if let Some(p) = good.pages.get(job) {
            files.insert(p.file.as_str().into(), Body::Bytes(p.bytes.clone()));
        }
    }
    let mut paths = Vec::with_capacity(extras.len());
    for f in extras {
        let path: Arc<str> = f.path.into();
        files.insert(path.clone(), Body::Bytes(f.bytes.into()));
        paths.push(path);
    }
    for (path, svg, _) in qr_codes(site, qr) {
        if let Some(svg) = svg {
            files.insert(path.into(), Body::Bytes(svg));
        }
    }
    (files, paths)
}

/// The quick path's output: the last one with the new pages and non-page files put in (the
/// copies cannot have changed). Returns the paths whose bytes changed.
pub(super) fn update_files(
    good: &mut Good,
    pages: Vec<(Job, PageOut)>,
    qr: &mut HashMap<String, QrCode>,
    catalogs: &mut HashMap<Kind, String>,
) -> Vec<String> {
    let mut files: Files = (*good.files).clone();
    let mut changed = Vec::new();
    let mut gone = Vec::new();
    let mut put = |path: &str, bytes: Arc<[u8]>| {
        let same = matches!(files.get(path), Some(Body::Bytes(old)) if *old == bytes);
        if !same {
            changed.push(path.to_string());
            files.insert(path.into(), Body::Bytes(bytes));
        }
    };
    for (job, page) in pages {
        put(&page.file, page.bytes.clone());
        good.pages.insert(job, page);
    }
    // The quick path keeps every entry, so every QR file stays; only changed codes go in.
    for (path, svg, changed) in qr_codes(&good.site, qr) {
        match svg {
            Some(svg) if changed => put(&path, svg),
            None if changed => gone.push(path),
            _ => {}
        }
    }
    let extras = make_extras(good, catalogs);
    let same_paths = extras.len() == good.extras.len()
        && extras.iter().zip(&good.extras).all(|(f, p)| *f.path == **p);
    let mut paths = Vec::with_capacity(extras.len());
    for f in extras {
        put(&f.path, f.bytes.into());
        paths.push(f.path.into());
    }
    if !same_paths {
        // A non-page file appeared or went away: forget the old list's leftovers.
        for old in &good.extras {
            if !paths.contains(old) {
                files.remove(old);
                changed.push(old.to_string());
            }
        }
        good.extras = paths;
    }
    for path in gone {
        if files.remove(path.as_str()).is_some() {
            changed.push(path);
        }
    }
    changed.sort();
    good.files = Arc::new(files);
    changed
}

/// Puts `good`'s search index files into `files` (a new build's output), until the index is
/// made again; returns their paths.
pub(super) fn carry_search(good: &Good, files: &mut Files) -> Vec<Arc<str>> {
    let mut kept = Vec::with_capacity(good.search.len());
    for path in &good.search {
        if let Some(body) = good.files.get(path) {
            files.insert(path.clone(), body.clone());
            kept.push(path.clone());
        }
    }
    kept
}

/// Replaces the search index files of `good`'s output with `index`; returns the paths that
/// changed.
pub(super) fn update_search(good: &mut Good, index: Vec<crate::render::OutFile>) -> Vec<String> {
    let mut files: Files = (*good.files).clone();
    let mut changed = Vec::new();
    let paths: Vec<Arc<str>> = index.iter().map(|f| f.path.as_str().into()).collect();
    for old in &good.search {
        if !paths.contains(old) && files.remove(old).is_some() {
            changed.push(old.to_string());
        }
    }
    for (f, path) in index.into_iter().zip(&paths) {
        let same = matches!(files.get(path), Some(Body::Bytes(old)) if **old == *f.bytes);
        if !same {
            changed.push(f.path);
            files.insert(path.clone(), Body::Bytes(f.bytes.into()));
        }
    }
    changed.sort();
    good.search = paths;
    good.files = Arc::new(files);
    changed
}

/// The non-page files but the QR codes and the search index (made apart: see
/// `State::refresh_search`).
fn make_extras(good: &Good, catalogs: &mut HashMap<Kind, String>) -> Vec<crate::render::OutFile> {
    let mut files = Vec::new();
    crate::render::extras_with(
        &good.site,
        &good.cards,
        &good.sitemap,
        &mut |kind, make| catalogs.entry(kind).or_insert_with(make).clone(),
        &mut |file| files.push(file),
    );
    files
}

/// A hash of which static files the theme has and where they come from.
pub(super) fn statics_hash(theme: &Theme) -> u64 {
    hash_of(|h| {
        for s in &theme.statics {
            s.rel.hash(h);
            match &s.data {
                theme::StaticData::Disk(p) => p.hash(h),
                theme::StaticData::Embedded(b) => b.hash(h),
            }
        }
    })
}

/// A QR code file: its path, its SVG (none when the target cannot be encoded), and whether it
/// changed since the previous build.
type QrFile = (String, Option<Arc<[u8]>>, bool);

/// The QR code files beside lecture and lecturer pages, as (path, SVG, changed since the last call): a code is made again
/// only when its target or label changed. The cache keeps only the codes in use.
fn qr_codes(site: &Site, cache: &mut HashMap<String, QrCode>) -> Vec<QrFile> {
    let targets: Vec<(String, (String, String))> = (0..site.entries.len())
        .filter_map(|i| {
            let target = crate::render::qr::target(site, i)?;
            Some((format!("{}qr.svg", site.entries[i].path), target))
        })
        .collect();
    let made: Vec<(String, QrCode)> = targets
        .par_iter()
        .filter(|(path, target)| cache.get(path).is_none_or(|c| c.target != *target))
        .map(|(path, (url, label))| {
            let svg = crate::render::qr::svg(url, label, true).map(|s| s.into_bytes().into());
            let target = (url.clone(), label.clone());
            (path.clone(), QrCode { target, svg })
        })
        .collect();
    let changed: BTreeSet<String> = made.iter().map(|(p, _)| p.clone()).collect();
    cache.extend(made);
    let mut files = Vec::with_capacity(targets.len());
    let mut kept = HashMap::with_capacity(targets.len());
    for (path, _) in targets {
        if let Some(code) = cache.remove(&path) {
            files.push((path.clone(), code.svg.clone(), changed.contains(&path)));
            kept.insert(path, code);
        }
    }
    *cache = kept;
    files
}

/// Output paths added, removed, or with other bytes (a copied file counts when its source moved).
pub(super) fn changed_files(old: Option<&Files>, new: &Files) -> Vec<String> {
    let Some(old) = old else {
        let mut all: Vec<String> = new.keys().map(ToString::to_string).collect();
        all.sort();
        return all;
    };
    let same = |a: &Body, b: &Body| match (a, b) {
        (Body::Bytes(x), Body::Bytes(y)) => Arc::ptr_eq(x, y) || x == y,
        (Body::Disk(x), Body::Disk(y)) => x == y,
        (Body::Embedded(x), Body::Embedded(y)) => x == y,
        _ => false,
    };
    let mut changed: Vec<String> = new
        .iter()
        .filter(|(k, v)| old.get(*k).is_none_or(|o| !same(o, v)))
        .map(|(k, _)| k.to_string())
        .chain(
            old.keys()
                .filter(|k| !new.contains_key(*k))
                .map(ToString::to_string),
        )
        .collect();
    changed.sort();
    changed
}
