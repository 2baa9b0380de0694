//! Render: the typed site → every output file, in memory. Pure: it reads no file (the theme is
//! already loaded) and writes none.
//!
//! Markdown is rendered once per entry (in parallel), cards are built once, then every page of
//! the plan is rendered through Tera in parallel. Template problems are diagnostics that point
//! into the template file.

pub mod context;
pub mod feeds;
pub mod highlight;
pub mod markdown;
pub mod menu;
pub mod pages;
pub mod qr;
pub mod search;
pub mod templates;
pub mod text;

use crate::diagnostics::Diagnostics;
use crate::load::theme::{StaticData, Theme};
use crate::resolve::{Entry, Kind, Site};
use markdown::Rendered;
use rayon::prelude::*;
use std::path::PathBuf;

/// Everything a build writes.
#[derive(Default)]
pub struct Output {
    pub files: Vec<OutFile>,
    pub copies: Vec<CopyFile>,
}

/// A generated file: its path in the output (`/`-separated) and bytes.
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A file copied as is.
pub struct CopyFile {
    pub dest: String,
    pub source: CopySource,
}

pub enum CopySource {
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Rendering for `caidan serve` (templates see `serve = true`).
    pub serve: bool,
}

/// Renders the whole site.
pub fn render(site: &Site, theme: &Theme, options: Options) -> (Option<Output>, Diagnostics) {
    let config = &site.config;
    let engine = match templates::Engine::new(theme, &config.base_path) {
        Ok(e) => e,
        Err(d) => return (None, d),
    };
    let mut diagnostics = pages::check_templates(site, &engine);
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }

    let t = std::time::Instant::now();
    let rendered = render_markdown(site);
    diagnostics.extend(check_body_images(site, theme, &rendered));
    let t = crate::timing::lap("  markdown", t);
    let cards = context::cards(site, &rendered);
    let t = crate::timing::lap("  cards", t);
    let shared = pages::Shared {
        site,
        engine: &engine,
        rendered: &rendered,
        cards: &cards,
        site_value: tera::Value::from_serializable(&pages::site_value(site)),
        serve: options.serve,
    };
    let jobs = jobs(site, &engine);
    let results: Vec<_> = jobs.par_iter().map(|job| shared.render(job)).collect();
    crate::timing::lap("  pages", t);
    let mut output = Output::default();
    let mut sitemap_pages = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        match result {
            Ok(page) => {
                sitemap_pages.extend(sitemap_entry(site, job, &page.path));
                output.files.push(OutFile {
                    path: page.path,
                    bytes: page.html.into_bytes(),
                });
            }
            Err(d) => diagnostics.push(d),
        }
    }
    if diagnostics.has_errors() {
        return (None, unique(diagnostics));
    }

    output.files.extend(extras(site, &cards, &sitemap_pages));
    // The search index covers exactly what the pages say; a theme without a search page
    // still gets it, for other clients.
    let t = std::time::Instant::now();
    output.files.extend(search::files(site, &rendered));
    crate::timing::lap("  index", t);
    output.copies = copies(site, theme);
    (Some(output), diagnostics)
}

/// The pages of the plan that the theme can render: a theme may go without a search page, a
/// printable menu or a 点单篮; every other template is required.
pub fn jobs(site: &Site, engine: &templates::Engine) -> Vec<pages::Job> {
    pages::plan(site)
        .into_iter()
        .filter(|j| match j {
            pages::Job::Search => engine.has("search.html"),
            pages::Job::MenuPrint => engine.has("lecture-print.html"),
            pages::Job::Basket => engine.has("lecture-basket.html"),
            _ => true,
        })
        .collect()
}

/// One broken template fails every page that uses it: report each problem once.
pub fn unique(diagnostics: Diagnostics) -> Diagnostics {
    let mut seen = std::collections::HashSet::new();
    diagnostics
        .into_iter()
        .filter(|d| seen.insert((d.file.clone(), d.span.clone())))
        .collect()
}

/// A rendered page's line in the sitemap (its URL path and date), if it has one.
pub fn sitemap_entry(
    site: &Site,
    job: &pages::Job,
    file: &str,
) -> Option<(String, Option<String>)> {
    let lastmod = match job {
        pages::Job::NotFound => return None,
        pages::Job::Entry(i) => site.entries[*i].date.map(|d| d.iso()),
        _ => None,
    };
    Some((file.trim_end_matches("index.html").to_string(), lastmod))
}

/// The files that are not pages (feeds, sitemap, catalogs …): cheap, so `serve` regenerates
/// them on every change.
pub fn extras(
    site: &Site,
    cards: &context::Cards,
    sitemap_pages: &[(String, Option<String>)],
) -> Vec<OutFile> {
    let mut files = extras_with(site, cards, sitemap_pages, &mut |_, make| make());
    // QR codes beside lecture and lecturer pages, for the printable menu and posters.
    files.extend(qr::files(site).into_iter().map(|(path, svg)| OutFile {
        path,
        bytes: svg.into_bytes(),
    }));
    files
}

/// A catalog of one kind: made by the given function, or kept from before by the caller.
pub type CatalogMemo<'a> = dyn FnMut(Kind, &dyn Fn() -> String) -> String + 'a;

/// [`extras`] but the QR codes, with each catalog made through `catalog`: `serve` keeps the
/// catalogs whose cards did not change, and the QR codes whose target did not (making them is
/// the slow part at 10,000 entries).
pub fn extras_with(
    site: &Site,
    cards: &context::Cards,
    sitemap_pages: &[(String, Option<String>)],
    catalog: &mut CatalogMemo,
) -> Vec<OutFile> {
    let config = &site.config;
    let mut output = Output::default();
    let mut add = |path: &str, text: String| {
        output.files.push(OutFile {
            path: path.to_string(),
            bytes: text.into_bytes(),
        });
    };
    add("atom.xml", feeds::atom(site, cards));
    add("sitemap.xml", feeds::sitemap(site, sitemap_pages));
    add("robots.txt", feeds::robots(site));
    add(
        "lectures/categories/index.html",
        feeds::redirect(&config.url("lectures/")),
    );
    add(
        "lectures.json",
        catalog(Kind::Lecture, &|| {
            feeds::catalog(site, cards, Kind::Lecture)
        }),
    );
    add(
        "lecturers.json",
        catalog(Kind::Lecturer, &|| {
            feeds::catalog(site, cards, Kind::Lecturer)
        }),
    );
    output.files
}

/// Every entry's body as HTML, text and headings, in entry order.
pub fn render_markdown(site: &Site) -> Vec<Rendered> {
    site.entries
        .par_iter()
        .map(|e| markdown::render(&e.source.text[e.body.clone()], &markdown_base(site, e)))
        .collect()
}

/// The URL relative links in `e`'s body are resolved against.
pub fn markdown_base(site: &Site, e: &Entry) -> String {
    if e.source.name.ends_with("/index.md") {
        site.config.url(&e.path)
    } else {
        site.config.url(&asset_folder(&e.source.name))
    }
}

/// Every image a body shows must be a file the build publishes (an asset, a bundle file or a
/// static file); a missing one is an error at the line that shows it.
pub fn check_body_images(site: &Site, theme: &Theme, rendered: &[Rendered]) -> Diagnostics {
    let mut published: std::collections::HashSet<String> =
        theme.statics.iter().map(|s| s.rel.clone()).collect();
    published.extend(site.assets.iter().map(|(_, dest)| dest.clone()));
    for e in &site.entries {
        for a in &e.bundle_assets {
            if let Some(name) = a.file_name() {
                published.insert(format!("{}{}", e.path, name.to_string_lossy()));
            }
        }
    }
    let mut diagnostics = Diagnostics::new();
    for (e, r) in site.entries.iter().zip(rendered) {
        for (src, span) in &r.images {
            let clean = src.split(['?', '#']).next().unwrap_or(src);
            let folder = if e.source.name.ends_with("/index.md") {
                e.path.clone()
            } else {
                asset_folder(&e.source.name)
            };
            let joined = match clean.strip_prefix('/') {
                Some(abs) => abs
                    .strip_prefix(site.config.base_path.trim_start_matches('/'))
                    .unwrap_or(abs)
                    .to_string(),
                None => format!("{folder}{clean}"),
            };
            let at = e.body.start + span.start..e.body.start + span.end;
            let Some(path) = fold_dots(&joined) else {
                diagnostics.push(
                    crate::diagnostics::Diagnostic::error(format!(
                        "正文里的图片路径跳出了网站：{src}"
                    ))
                    .at(&e.source, at)
                    .label("这么多 .. 会跳到网站之外")
                    .help(
                        "图片放在内容旁边（页面包文件夹里），写相对路径，例如 ![说明](photo.png)",
                    ),
                );
                continue;
            };
            if published.contains(&path) {
                continue;
            }
            let near: Vec<&str> = published
                .iter()
                .filter(|p| p.starts_with(&folder))
                .map(|p| &p[folder.len()..])
                .filter(|p| !p.contains('/'))
                .collect();
            let mut d = crate::diagnostics::Diagnostic::error(format!("正文里的图片不存在：{src}"))
                .at(&e.source, at)
                .help("图片放在内容旁边（页面包文件夹里），写相对路径，例如 ![说明](photo.png)");
            d = match crate::diagnostics::did_you_mean(
                clean.rsplit('/').next().unwrap_or(clean),
                near.iter().copied(),
            ) {
                Some(s) => d.label(format!("找不到这个文件；是不是 {s}？")),
                None => d.label("找不到这个文件"),
            };
            diagnostics.push(d);
        }
    }
    diagnostics
}

/// `news/../images/x.png` → `images/x.png`; `None` if it climbs out of the site.
fn fold_dots(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// `content/news/2023/x.md` → `news/2023/`: where files beside a plain entry are published.
fn asset_folder(name: &str) -> String {
    let rel = name.strip_prefix("content/").unwrap_or(name);
    match rel.rfind('/') {
        Some(i) => format!("{}/", &rel[..i]),
        None => String::new(),
    }
}

/// Theme and site static files, content assets, and bundle files beside their pages.
pub fn copies(site: &Site, theme: &Theme) -> Vec<CopyFile> {
    let mut out: Vec<CopyFile> = theme
        .statics
        .iter()
        .map(|s| CopyFile {
            dest: s.rel.clone(),
            source: match &s.data {
                StaticData::Disk(p) => CopySource::Disk(p.clone()),
                StaticData::Embedded(b) => CopySource::Embedded(b),
            },
        })
        .collect();
    out.extend(site.assets.iter().map(|(src, dest)| CopyFile {
        dest: dest.clone(),
        source: CopySource::Disk(src.clone()),
    }));
    for e in &site.entries {
        for asset in &e.bundle_assets {
            if let Some(name) = asset.file_name() {
                out.push(CopyFile {
                    dest: format!("{}{}", e.path, name.to_string_lossy()),
                    source: CopySource::Disk(asset.clone()),
                });
            }
        }
    }
    out
}
