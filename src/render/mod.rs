//! Render: the typed site → every output file, in memory. Pure: it reads no file (the theme is
//! already loaded) and writes none.
//!
//! Markdown is rendered once per entry (in parallel), cards are built once, then every page of
//! the plan is rendered through Tera in parallel and handed to a [`Sink`] as soon as it is made
//! (the build's writer stages it on disk), so the pages of a big site are never all in memory.
//! Template problems are diagnostics that point into the template file.

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
pub mod value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::again::Again;
use crate::load::theme::{StaticData, Theme};
use crate::resolve::{Entry, Kind, Site};
use context::Cards;
use markdown::Rendered;
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Mutex;

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

/// Where rendered files go as they are made.
pub trait Sink: Sync {
    fn put(&self, file: OutFile) -> Result<(), Diagnostic>;
}

/// Keeps every file in memory, in path order (`check`, and tests that compare builds).
#[derive(Default)]
pub struct Memory(Mutex<Vec<OutFile>>);

impl Sink for Memory {
    fn put(&self, file: OutFile) -> Result<(), Diagnostic> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(file);
        Ok(())
    }
}

impl Memory {
    pub fn into_files(self) -> Vec<OutFile> {
        let mut files = self
            .0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

/// What a render made besides the files it put: the files to copy, and counts for the report.
pub struct Made {
    pub copies: Vec<CopyFile>,
    pub pages: usize,
    pub files: usize,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Rendering for `caidan serve` (templates see `serve = true`).
    pub serve: bool,
}

/// Every entry's body, rendered (in entry order), with the problems of the bodies: the first
/// half of [`render`]. `texts` are the entries' files ([`Site::take_entry_texts`] or
/// [`Site::entry_texts`]); each is let go of once its body is made. With `again`, so is the
/// body's HTML (the entry pages read the body again), and a text the loader kept only the
/// front matter of is read again here.
pub fn bodies(
    site: &Site,
    theme: &Theme,
    texts: Vec<crate::resolve::EntryText>,
    again: Option<&Again>,
) -> (Vec<Rendered>, Diagnostics) {
    let t = std::time::Instant::now();
    let published = published(site, theme);
    let (rendered, problems): (Vec<Rendered>, Vec<Diagnostics>) = texts
        .into_par_iter()
        .zip(&site.entries)
        .enumerate()
        .map(|(i, (mut text, e))| {
            let mut problems = Diagnostics::new();
            if let (Some(again), Some(_)) = (again, text.read_again) {
                match again.source(i) {
                    Ok(source) => text.source = source,
                    Err(d) => {
                        problems.push(d);
                        return (Rendered::default(), problems);
                    }
                }
            }
            let mut r = markdown::render_with(
                text.source.text.get(text.body.clone()).unwrap_or_default(),
                &markdown_base(site, e),
                site.config.unsafe_html,
            );
            check_entry_body(site, &published, e, &text, &r, &mut problems);
            if again.is_some() {
                // The pages read the body again, and so does the search index.
                r.html = String::new();
                r.text = String::new();
            }
            (r, problems)
        })
        .unzip();
    let mut diagnostics: Diagnostics = problems.into_iter().flatten().collect();
    diagnostics.extend(check_other_bodies(site));
    crate::timing::lap("  markdown", t);
    (rendered, diagnostics)
}

/// Renders the whole site into `sink` from the entries' [`bodies`] (whose HTML entry pages
/// read again through `again` when the bodies let go of it); `None` (and nothing more put)
/// once a page failed.
pub fn render(
    site: &Site,
    theme: &Theme,
    mut rendered: Vec<Rendered>,
    again: Option<&Again>,
    options: Options,
    sink: &dyn Sink,
) -> (Option<Made>, Diagnostics) {
    let config = &site.config;
    let engine = match templates::Engine::new(theme, &config.base_path) {
        Ok(e) => e,
        Err(d) => return (None, d),
    };
    let mut diagnostics = pages::check_templates(site, &engine);
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }

    // The search index takes the bodies' text, which no page needs. While it is held in memory
    // whole, it runs beside the cards and pages, filling the cores they leave idle while they
    // wait on the disk; on a larger site it runs first and alone, since its postings are the
    // build's peak of memory and the cards come after, without them. It covers exactly what
    // the pages say; a theme without a search page still gets it, for other clients.
    let texts: Vec<String> = rendered
        .iter_mut()
        .map(|r| std::mem::take(&mut r.text))
        .collect();
    let beside = again.is_none() && crate::index::held_whole(texts.iter().map(String::len).sum());
    let index = || {
        let t = std::time::Instant::now();
        let written = search::write(site, texts, again, sink);
        crate::timing::lap("  index", t);
        written
    };
    let pages = || pages_of(site, &engine, &rendered, options, again, sink);
    let (index_files, made) = if beside {
        let (index_files, made) = rayon::join(index, pages);
        (index_files, Some(made))
    } else {
        (index(), None)
    };
    let index_files = match index_files {
        Ok(count) => count,
        Err(d) => {
            diagnostics.push(d);
            return (None, diagnostics);
        }
    };
    // Alone, the pages come only after an index that succeeded.
    let (jobs, cards, results) = made.unwrap_or_else(pages);
    let mut sitemap_pages = Vec::new();
    let mut codes = 0;
    for result in results {
        match result {
            Ok(Some((entry, code))) => {
                sitemap_pages.extend(entry);
                codes += code;
            }
            Ok(None) => {}
            Err(d) => diagnostics.push(d),
        }
    }
    if diagnostics.has_errors() {
        return (None, unique(diagnostics));
    }

    let mut made = Made {
        copies: copies(site, theme),
        pages: jobs.len(),
        files: jobs.len() + codes + index_files,
    };
    let mut failed = None;
    extras_with(
        site,
        &cards,
        &sitemap_pages,
        &mut |_, make| make(),
        &mut |file| {
            made.files += 1;
            made.pages += usize::from(file.path.ends_with(".html"));
            if failed.is_none() {
                failed = sink.put(file).err();
            }
        },
    );
    crate::aside::drop_aside((rendered, cards, jobs));
    if let Some(d) = failed {
        diagnostics.push(d);
        return (None, diagnostics);
    }
    (Some(made), diagnostics)
}

/// The cards, then every page of the plan rendered and put into `sink` with its QR code: the
/// jobs, the cards (for the extras) and, per job, its sitemap line and number of codes.
fn pages_of(
    site: &Site,
    engine: &templates::Engine,
    rendered: &[Rendered],
    options: Options,
    again: Option<&Again>,
    sink: &dyn Sink,
) -> (Vec<pages::Job>, Cards, Vec<PageResult>) {
    let t = std::time::Instant::now();
    let cards = context::cards(site, rendered);
    let t = crate::timing::lap("  cards", t);
    let shared = pages::Shared {
        site,
        engine,
        rendered,
        cards: &cards,
        site_value: tera::Value::from_serializable(&pages::site_value(site)),
        serve: options.serve,
        again,
    };
    let jobs = jobs(site, engine);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let results: Vec<_> = jobs
        .par_iter()
        .map(|job| {
            // After a failure the build is lost: stop staging pages nobody will see.
            if failed.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(None);
            }
            let page = shared.render(job)?;
            let entry = sitemap_entry(site, job, &page.path);
            let qr = match (job, page.qr) {
                (pages::Job::Entry(i), Some(code)) => Some(OutFile {
                    path: format!("{}qr.svg", site.entries[*i].path),
                    bytes: qr::standalone(&code).into_bytes(),
                }),
                _ => None,
            };
            let codes = usize::from(qr.is_some());
            let page = OutFile {
                path: page.path,
                bytes: page.html,
            };
            std::iter::once(page)
                .chain(qr)
                .try_for_each(|file| sink.put(file))
                .inspect_err(|_| failed.store(true, std::sync::atomic::Ordering::Relaxed))?;
            Ok(Some((entry, codes)))
        })
        .collect();
    crate::timing::lap("  pages", t);
    drop(shared);
    (jobs, cards, results)
}

/// A page's sitemap line and number of QR codes; `None` for a page skipped after a failure.
type PageResult = Result<Option<(Option<(String, Option<String>)>, usize)>, Diagnostic>;

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

/// A catalog of one kind: made by the given function, or kept from before by the caller.
pub type CatalogMemo<'a> = dyn FnMut(Kind, &dyn Fn() -> String) -> String + 'a;

/// The files that are not pages (feeds, sitemap, catalogs) but the QR codes (a build writes
/// each beside its page, as the page is made), with each catalog made through `catalog`:
/// `serve` keeps the catalogs whose cards did not change, and makes its QR code files itself,
/// again only those whose target changed (making them is the slow part at 10,000 entries).
pub fn extras_with(
    site: &Site,
    cards: &context::Cards,
    sitemap_pages: &[(String, Option<String>)],
    catalog: &mut CatalogMemo,
    put: &mut dyn FnMut(OutFile),
) {
    let config = &site.config;
    // Each handed on as soon as it is made: the sitemap and the catalogs of 100,000 articles
    // are 50 MB together.
    let mut add = |path: &str, text: String| {
        put(OutFile {
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
}

/// `e`'s body rendered against `base`, with raw HTML as the site allows.
pub fn render_body(site: &Site, e: &Entry, base: &str) -> Rendered {
    markdown::render_with(
        &e.source.text[e.body.clone()],
        base,
        site.config.unsafe_html,
    )
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
/// static file); a missing one is an error at the line that shows it. Also warns, where they
/// are written, about what [`markdown::render_with`] defused: see [`check_entry_body`].
pub fn check_body_images(site: &Site, theme: &Theme, rendered: &[Rendered]) -> Diagnostics {
    let published = published(site, theme);
    let mut diagnostics = Diagnostics::new();
    for ((e, text), r) in site.entries.iter().zip(site.entry_texts()).zip(rendered) {
        check_entry_body(site, &published, e, &text, r, &mut diagnostics);
    }
    diagnostics.extend(check_other_bodies(site));
    diagnostics
}

/// One warning per file with raw HTML shown as text (at the first), and one per dropped link.
fn report_defused(
    source: &crate::diagnostics::Source,
    body: usize,
    r: &Rendered,
    diagnostics: &mut Diagnostics,
) {
    if let Some((what, span)) = &r.raw_html {
        diagnostics.push(
            crate::diagnostics::Diagnostic::warning(format!(
                "正文里有 HTML 代码 {what}，已按普通文字显示"
            ))
            .at(source, body + span.start..body + span.end)
            .label("读者看到的是这段代码本身")
            .help("HTML 可能在读者的浏览器里运行脚本，所以默认不生效；请改用 Markdown 写法。确实需要、并且信得过每一位作者时，在 site.yaml 里写 unsafe_html: true"),
        );
    }
    for (url, span) in &r.unsafe_links {
        // A tab or newline hidden in `java\tscript:` is shown as `\t`, not as white space.
        let shown: String = url
            .chars()
            .take(40)
            .map(|c| {
                if c.is_control() {
                    c.escape_debug().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        diagnostics.push(
            crate::diagnostics::Diagnostic::warning(format!(
                "正文里的链接地址不安全：{shown}，已去掉"
            ))
            .at(source, body + span.start..body + span.end)
            .label("页面上这个链接不指向任何地方")
            .help("链接和图片只能用 http://、https://、mailto:、tel: 或站内的相对路径"),
        );
    }
}

/// What defusing did in section `_index.md` files and matrix prefaces (see [`report_defused`]).
fn check_other_bodies(site: &Site) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let unsafe_html = site.config.unsafe_html;
    for s in &site.sections {
        if let Some(src) = &s.source {
            let r = markdown::render_with(&src.text[s.body.clone()], "", unsafe_html);
            report_defused(src, s.body.start, &r, &mut diagnostics);
        }
    }
    for m in &site.matrices {
        let r = markdown::render_with(&m.source.text[m.body.clone()], "", unsafe_html);
        report_defused(&m.source, m.body.start, &r, &mut diagnostics);
    }
    diagnostics
}

/// Every file a body may show: theme and site static files, content assets, bundle files.
fn published(site: &Site, theme: &Theme) -> std::collections::HashSet<String> {
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
    published
}

/// The problems of entry `e`'s body `r`, written in `text`: what defusing did, and every image
/// that is not in `published`.
fn check_entry_body(
    site: &Site,
    published: &std::collections::HashSet<String>,
    e: &Entry,
    text: &crate::resolve::EntryText,
    r: &Rendered,
    diagnostics: &mut Diagnostics,
) {
    report_defused(&text.source, text.body.start, r, diagnostics);
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
        let at = text.body.start + span.start..text.body.start + span.end;
        let Some(path) = fold_dots(&joined) else {
            diagnostics.push(
                crate::diagnostics::Diagnostic::error(format!("正文里的图片路径跳出了网站：{src}"))
                    .at(&text.source, at)
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
            .at(&text.source, at)
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
