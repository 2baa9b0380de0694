//! Incremental rebuilds: the last good build kept in memory, and [`State::apply`], which takes
//! the paths that changed and rebuilds only what they touch.
//!
//! Only changed files are read again (a folder is read again whole). Then one of two paths:
//!
//! - **Quick** (saving an entry, an image, a template or a static file): when every file changed
//!   since the last good build is an entry that was already in the site, whose links did not
//!   change (kind, slug, title, date, weight, tags, regions, references …), so the site's
//!   structure — lists, their order, taxonomies, reverse indexes — is what it was. The changed
//!   entries are parsed again and patched into the kept site; their bodies and cards are made
//!   again, and the cards that embed theirs; then only the pages that show a changed entry or
//!   card (`depends::affected`) and the pages whose template reaches a changed template are rendered.
//! - **Full** otherwise (a file added, removed or renamed, a link changed, site.yaml, a build
//!   that failed): the same stages as `build::generate`, every page rendered, with Markdown
//!   taken from a cache where the body did not change.
//!
//! The search index is the one slow step left (seconds at 10,000 pages, and one change touches
//! every shard): after a rebuild it is stale until [`State::refresh_search`] makes it again,
//! which `serve` does once the author pauses. With it made, the output equals a clean
//! `build::generate` with `serve` on, byte for byte (`tests/it/serve.rs` checks it over a
//! sequence of edits). `depends` knows what a
//! change touches, `output` puts the output together. A failed rebuild changes nothing
//! that is served: the last good output stays, and what changed is remembered until a build
//! succeeds.

use super::depends::{affected, carry_links, closures, hash_of, links, update_cards};
use super::files::Files;
use super::inputs::{Inputs, parts};
use super::output::{
    PageOut, QrCode, assemble, carry_search, changed_files, statics_hash, update_files,
    update_search,
};
use super::watch::{Change, classify};
use crate::build;
use crate::diagnostics::Diagnostics;
use crate::load::{self, theme::Theme};
use crate::render::context::{self, Cards};
use crate::render::markdown::Rendered;
use crate::render::pages::{self, Job, Shared};
use crate::render::templates::Engine;
use crate::resolve::entries::{self, Ctx, Parsed};
use crate::resolve::{self, Entry, Kind, Site};
use crate::timing;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// A site being served: what was read, the last good build, and what changed since.
pub struct State {
    inputs: Inputs,
    compiled: Option<Compiled>,
    good: Option<Good>,
    /// QR codes by output path, and catalogs by kind: the slow parts of the non-page files.
    qr: HashMap<String, QrCode>,
    catalogs: HashMap<Kind, String>,
    pending: Pending,
    version: u64,
    /// Whether the search index lags behind the last good build.
    search_stale: bool,
}

/// What changed since the last good build.
#[derive(Default)]
struct Pending {
    config: bool,
    theme: bool,
    /// Paths below `content/`, as parts.
    content: BTreeSet<Vec<String>>,
}

/// The theme's templates, compiled.
struct Compiled {
    /// Hash of every template and the base path the engine was made for.
    key: u64,
    engine: Result<Engine, Diagnostics>,
    /// Template name → hash of the templates it can reach (itself, its parents, includes …).
    closures: HashMap<String, u64>,
}

/// The last good build, and what the quick path needs to patch it.
pub(super) struct Good {
    pub(super) site: Site,
    /// An entry's file name (`content/news/x.md`) → its index.
    pub(super) by_name: HashMap<String, usize>,
    /// Every path below `content/` the build read, as parts.
    pub(super) parts: BTreeSet<Vec<String>>,
    pub(super) rendered: Vec<Rendered>,
    pub(super) cards: Cards,
    pub(super) site_value: Value,
    /// What reading and resolving the sources reported (the render's own diagnostics are made
    /// again with each build).
    pub(super) warnings: Diagnostics,
    /// The page plan, in order, and each page.
    pub(super) jobs: Vec<Job>,
    pub(super) pages: HashMap<Job, PageOut>,
    /// The template closures the pages were rendered with.
    pub(super) closures: HashMap<String, u64>,
    /// The sitemap's lines, the non-page files' paths, and a hash of the theme's static files:
    /// while the structure stays, so do these.
    pub(super) sitemap: Vec<(String, Option<String>)>,
    pub(super) extras: Vec<Arc<str>>,
    /// The search index's files, made by [`State::refresh_search`], and a hash of the documents
    /// they were made from.
    pub(super) search: Vec<Arc<str>>,
    pub(super) search_hash: Option<u64>,
    pub(super) statics: u64,
    pub(super) files: Arc<Files>,
}

/// A search index being made on its own thread.
pub struct SearchBuild {
    /// The build it is for.
    version: u64,
    hash: u64,
    /// Receives the index files when they are made.
    pub files: std::sync::mpsc::Receiver<Vec<crate::render::OutFile>>,
}

/// What one (re)build did.
pub struct Outcome {
    pub millis: u128,
    /// The changed sources, relative to the root (`content/news/x.md`); empty for the first build.
    pub sources: Vec<String>,
    pub result: Result<Built, Diagnostics>,
}

pub struct Built {
    pub warnings: Diagnostics,
    /// Pages rendered (again).
    pub rendered: usize,
    /// Output files added, changed or removed, sorted.
    pub changed: Vec<String>,
    /// Counts good builds: 1 for the first.
    pub version: u64,
    /// Whether only what the change touched was rebuilt.
    pub quick: bool,
}

impl State {
    /// Reads the site at `root` and builds it, with `base_url` set to `origin` plus the site's
    /// sub-path.
    pub fn new(root: &Path, origin: &str, drafts: bool) -> (State, Outcome) {
        let start = Instant::now();
        let mut state = State {
            inputs: Inputs::new(root, origin, drafts),
            compiled: None,
            good: None,
            qr: HashMap::new(),
            catalogs: HashMap::new(),
            pending: Pending::default(),
            version: 0,
            search_stale: false,
        };
        let result = state.full();
        state.refresh_search();
        let outcome = Outcome {
            millis: start.elapsed().as_millis(),
            sources: Vec::new(),
            result,
        };
        (state, outcome)
    }

    /// Applies a change to `paths` (absolute, or relative to the root): reads them again and
    /// rebuilds what they touch. `None` when none of them matters to the site.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Option<Outcome> {
        let start = Instant::now();
        let theme = self.inputs.theme_name();
        let mut sources = BTreeSet::new();
        let (mut config, mut theme_changed) = (false, false);
        let mut content: Vec<Vec<String>> = Vec::new();
        for path in paths {
            let Some(rel) = self.inputs.relative(path) else {
                continue;
            };
            match classify(&rel, Some(&theme)) {
                Change::Ignore => continue,
                Change::Config => config = true,
                Change::Theme => theme_changed = true,
                Change::Content => content.push(parts(&rel).split_off(1)),
            }
            sources.insert(parts(&rel).join("/"));
        }
        if sources.is_empty() {
            return None;
        }
        if config {
            // site.yaml can change the base URL, the theme and how every file is read.
            self.inputs.reload_all();
        } else {
            if theme_changed {
                self.inputs.reload_theme();
            }
            // A folder covers what is in it: read it once.
            content.sort();
            content.dedup();
            let mut kept: Vec<Vec<String>> = Vec::new();
            for p in content {
                if !kept.iter().any(|k| p.starts_with(k)) {
                    kept.push(p);
                }
            }
            for p in &kept {
                self.inputs.update_content(p);
            }
            self.pending.content.extend(kept);
        }
        self.pending.config |= config;
        self.pending.theme |= theme_changed;
        let result = match self.quick() {
            Some(result) => result,
            None => self.full(),
        };
        Some(Outcome {
            millis: start.elapsed().as_millis(),
            sources: sources.into_iter().collect(),
            result,
        })
    }

    /// Whether the search index lags behind the last good build.
    pub fn search_stale(&self) -> bool {
        self.search_stale && self.good.is_some()
    }

    /// Starts making the search index of the last good build again, on its own thread (it takes
    /// seconds on a large site; edits go on meanwhile). `None` when it does not lag, or when no
    /// page says anything new (then it is up to date at once).
    pub fn start_search(&mut self) -> Option<SearchBuild> {
        if !self.search_stale() {
            return None;
        }
        self.search_stale = false;
        let good = self.good.as_mut()?;
        // As `render::search::write`.
        let docs = crate::render::search::docs(&good.site, &good.rendered);
        let hash = hash_of(|h| {
            for d in &docs {
                // Every field named, so one added to `SearchDoc` cannot be left out.
                let crate::index::SearchDoc {
                    url,
                    title,
                    kind,
                    date,
                    text,
                    facets,
                } = d;
                (url, title, kind, date, text, facets).hash(h);
            }
        });
        if good.search_hash == Some(hash) {
            return None;
        }
        let (tx, files) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("caidan-search".into())
            .spawn(move || {
                let index = match crate::index::build(&docs) {
                    Ok(files) => files,
                    Err(e) => {
                        // The pages stay served; only the search index lags.
                        let d = crate::render::search::spill_error(&e);
                        eprintln!("{}", d.message);
                        return;
                    }
                };
                let index = index
                    .into_iter()
                    .map(|f| crate::render::OutFile {
                        path: f.path,
                        bytes: f.bytes,
                    })
                    .collect();
                let _ = tx.send(index);
            })
            .ok()?;
        Some(SearchBuild {
            version: self.version,
            hash,
            files,
        })
    }

    /// Puts a finished index in the output, unless a build happened since it was started (then
    /// it is started again later). Returns whether it went in.
    pub fn finish_search(
        &mut self,
        build: &SearchBuild,
        index: Vec<crate::render::OutFile>,
    ) -> bool {
        let Some(good) = self.good.as_mut().filter(|_| build.version == self.version) else {
            self.search_stale = true;
            return false;
        };
        good.search_hash = Some(build.hash);
        update_search(good, index);
        true
    }

    /// Makes the search index again and waits for it (for tests and tools).
    pub fn refresh_search(&mut self) {
        if let Some(build) = self.start_search()
            && let Ok(index) = build.files.recv()
        {
            self.finish_search(&build, index);
        }
    }

    /// The last good output, if any build succeeded.
    pub fn files(&self) -> Option<Arc<Files>> {
        self.good.as_ref().map(|g| g.files.clone())
    }

    /// The sub-path the last good build was made for (`/` or `/gonghui/`).
    pub fn base_path(&self) -> String {
        match (&self.good, &self.inputs.config) {
            (Some(g), _) => g.site.config.base_path.clone(),
            (None, Ok((c, _))) => c.base_path.clone(),
            (None, Err(_)) => "/".into(),
        }
    }

    /// The options under which `build::generate` makes the same site as this state.
    pub fn build_options(&self) -> build::Options {
        build::Options {
            root: self.inputs.root.clone(),
            output_dir: None,
            drafts: self.inputs.drafts,
            base_url: Some(self.inputs.base_url()),
            serve: true,
        }
    }

    /// Everything again: the same stages, in the same order and with the same stops, as
    /// `build::generate`.
    fn full(&mut self) -> Result<Built, Diagnostics> {
        let inputs = &self.inputs;
        let (config, config_diags) = match &inputs.config {
            Ok((c, d)) => (c, d),
            Err(d) => return Err(d.clone()),
        };
        let mut diagnostics = config_diags.clone();
        if !inputs.root.join("content").is_dir() {
            diagnostics.extend(load::content(&inputs.root).1);
        }
        for d in inputs.content_diags.values() {
            diagnostics.extend(d.clone());
        }
        let theme = match &inputs.theme {
            Ok(t) => Some(t),
            Err(d) => {
                diagnostics.extend(d.clone());
                None
            }
        };
        let t = Instant::now();
        let (site, resolve_diags) = resolve::resolve(
            &inputs.root,
            config,
            &inputs.content,
            resolve::Options {
                drafts: inputs.drafts,
            },
        );
        let t = timing::lap("serve: resolve", t);
        diagnostics.extend(resolve_diags);
        let (Some(site), Some(theme)) = (site, theme) else {
            return Err(diagnostics);
        };
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let source_warnings = diagnostics.clone();

        // As `render::render` does, with Markdown from the cache.
        let compiled = compile(&mut self.compiled, theme, &site.config.base_path);
        let engine = match &compiled.engine {
            Ok(e) => e,
            Err(d) => {
                diagnostics.extend(d.clone());
                return Err(diagnostics);
            }
        };
        let mut render_diags = pages::check_templates(&site, engine);
        if render_diags.has_errors() {
            diagnostics.extend(render_diags);
            return Err(diagnostics);
        }
        let rendered = take_markdown(self.good.as_ref(), &site);
        render_diags.extend(crate::render::check_body_images(&site, theme, &rendered));
        let t = timing::lap("serve: markdown", t);
        let cards = context::cards(&site, &rendered);
        let site_value = pages::site_value(&site);
        let jobs = crate::render::jobs(&site, engine);
        let shared = Shared {
            site: &site,
            engine,
            rendered: &rendered,
            cards: &cards,
            site_value: tera::Value::from_serializable(&site_value),
            serve: true,
            again: None,
        };
        let results: Vec<_> = jobs.par_iter().map(|job| shared.render(job)).collect();
        timing::lap("serve: pages", t);
        let mut pages = HashMap::with_capacity(jobs.len());
        for (job, result) in jobs.iter().zip(results) {
            match result {
                Ok(page) => {
                    pages.insert(job.clone(), PageOut::from(page));
                }
                Err(d) => render_diags.push(d),
            }
        }
        if render_diags.has_errors() {
            diagnostics.extend(crate::render::unique(render_diags));
            return Err(diagnostics);
        }
        diagnostics.extend(render_diags);

        let by_name = site
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.source.name.clone(), i))
            .collect();
        let parts = inputs
            .content
            .files
            .iter()
            .map(|f| f.parts.clone())
            .chain(inputs.content.assets.iter().map(|a| a.parts.clone()))
            .collect();
        let closures = compiled.closures.clone();
        let rendered_count = pages.len();
        let sitemap = jobs
            .iter()
            .filter_map(|job| {
                let page = pages.get(job)?;
                crate::render::sitemap_entry(&site, job, &page.file)
            })
            .collect();
        let mut good = Good {
            site,
            by_name,
            parts,
            rendered,
            cards,
            site_value,
            warnings: source_warnings,
            jobs,
            pages,
            closures,
            sitemap,
            extras: Vec::new(),
            search: Vec::new(),
            search_hash: None,
            statics: statics_hash(theme),
            files: Arc::default(),
        };
        self.catalogs.clear();
        let (mut files, extras) = assemble(&good, theme, &mut self.qr, &mut self.catalogs);
        good.extras = extras;
        let old = self.good.take();
        if let Some(old) = &old {
            // The last index until the new one is made.
            good.search = carry_search(old, &mut files);
            good.search_hash = old.search_hash;
        }
        let changed = changed_files(old.as_ref().map(|g| &*g.files), &files);
        good.files = Arc::new(files);
        Ok(self.commit(good, diagnostics, rendered_count, changed, false))
    }

    /// The quick path: `None` when what changed since the last good build needs the full one.
    fn quick(&mut self) -> Option<Result<Built, Diagnostics>> {
        let t = Instant::now();
        let pending = &self.pending;
        let good = self.good.as_mut()?;
        if pending.config {
            return None;
        }
        let inputs = &self.inputs;
        let (config, _) = inputs.config.as_ref().ok()?;
        let theme = inputs.theme.as_ref().ok()?;
        let compiled = compile(&mut self.compiled, theme, &config.base_path);
        let engine = compiled.engine.as_ref().ok()?;

        // Every changed path must be a file the last good build had, and every changed entry
        // must keep its links.
        let matrix_rows: Vec<(String, Vec<String>)> = good
            .site
            .matrices
            .iter()
            .map(|m| (m.slug.clone(), m.rows.clone()))
            .collect();
        let ctx = Ctx {
            root: &inputs.root,
            config,
            matrix_rows: &matrix_rows,
        };
        let mut patches: Vec<(usize, Entry, Diagnostics)> = Vec::new();
        for under in &pending.content {
            let now: Vec<&Vec<String>> = inputs
                .content
                .files
                .iter()
                .map(|f| &f.parts)
                .chain(inputs.content.assets.iter().map(|a| &a.parts))
                .filter(|p| p.starts_with(under))
                .collect();
            let before = good
                .parts
                .range(under.clone()..)
                .take_while(|p| p.starts_with(under))
                .count();
            if now.len() != before || now.iter().any(|p| !good.parts.contains(*p)) {
                return None;
            }
            for file in inputs
                .content
                .files
                .iter()
                .filter(|f| f.parts.starts_with(under))
            {
                if inputs
                    .content_diags
                    .get(&file.parts)
                    .is_some_and(Diagnostics::has_errors)
                {
                    return None;
                }
                let &i = good.by_name.get(&file.source.name)?;
                let front = file.front.as_ref()?;
                let mut d = Diagnostics::new();
                let Some(Parsed::Entry(mut e)) = entries::parse(&ctx, file, front, &mut d) else {
                    return None;
                };
                let old = &good.site.entries[i];
                if d.has_errors() || links(old) != links(&e) {
                    return None;
                }
                carry_links(old, &mut e);
                patches.push((i, *e, d));
            }
        }
        let theme_changed = compiled.closures != good.closures;

        // Patch the kept site; undone if anything fails.
        let mut undo = Undo::default();
        let patched: BTreeSet<usize> = patches.iter().map(|(i, _, _)| *i).collect();
        let names: BTreeSet<String> = patches
            .iter()
            .map(|(_, e, _)| e.source.name.clone())
            .collect();
        let mut warnings: Diagnostics = good
            .warnings
            .iter()
            .filter(|d| d.file.as_ref().is_none_or(|f| !names.contains(f)))
            .cloned()
            .collect();
        for (i, e, d) in patches {
            warnings.extend(d);
            undo.entries
                .push((i, std::mem::replace(&mut good.site.entries[i], e)));
        }
        let site = &good.site;
        let fresh: Vec<(usize, Rendered)> = patched
            .par_iter()
            .map(|&i| {
                let e = &site.entries[i];
                let base = crate::render::markdown_base(site, e);
                (i, crate::render::render_body(site, e, &base))
            })
            .collect();
        for (i, r) in fresh {
            undo.rendered
                .push((i, std::mem::replace(&mut good.rendered[i], r)));
        }
        let mut diagnostics = pages::check_templates(&good.site, engine);
        diagnostics.extend(crate::render::check_body_images(
            &good.site,
            theme,
            &good.rendered,
        ));
        if diagnostics.has_errors() {
            undo.apply(good);
            warnings.extend(diagnostics);
            return Some(Err(warnings));
        }
        let (cards, matrices) = update_cards(good, &patched, &mut undo);
        let site_value = pages::site_value(&good.site);
        if site_value != good.site_value {
            // A count or title every page shows changed: render everything.
            undo.apply(good);
            return None;
        }
        let t = timing::lap("serve: quick patch", t);

        // Render what shows a changed entry, card or template.
        // A patched entry counts as changed even when its card did not: a page may read the
        // entry itself (the home page picks brief lectures by duration).
        let shown: BTreeSet<usize> = cards.union(&patched).copied().collect();
        let mut todo = affected(&good.site, &good.jobs, &patched, &shown, &matrices);
        if theme_changed {
            for (job, page) in &good.pages {
                if compiled.closures.get(&page.template) != good.closures.get(&page.template) {
                    todo.insert(job.clone());
                }
            }
        }
        let todo: Vec<Job> = todo.into_iter().collect();
        let shared = Shared {
            site: &good.site,
            engine,
            rendered: &good.rendered,
            cards: &good.cards,
            site_value: tera::Value::from_serializable(&good.site_value),
            serve: true,
            again: None,
        };
        let results: Vec<_> = todo.par_iter().map(|job| shared.render(job)).collect();
        let mut fresh_pages = Vec::with_capacity(todo.len());
        for (job, result) in todo.into_iter().zip(results) {
            match result {
                Ok(page) => fresh_pages.push((job, PageOut::from(page))),
                Err(d) => diagnostics.push(d),
            }
        }
        if diagnostics.has_errors() {
            undo.apply(good);
            warnings.extend(crate::render::unique(diagnostics));
            return Some(Err(warnings));
        }
        let t = timing::lap("serve: quick pages", t);
        let rendered_count = fresh_pages.len();
        good.closures = compiled.closures.clone();
        good.warnings = warnings.clone();
        warnings.extend(diagnostics);
        // A catalog stays while no card of its kind changed (the quick path keeps every list).
        self.catalogs
            .retain(|&k, _| !cards.iter().any(|&i| good.site.entries[i].kind == k));
        let changed = if statics_hash(theme) == good.statics {
            update_files(good, fresh_pages, &mut self.qr, &mut self.catalogs)
        } else {
            for (job, page) in fresh_pages {
                good.pages.insert(job, page);
            }
            let (mut files, extras) = assemble(good, theme, &mut self.qr, &mut self.catalogs);
            good.search = carry_search(good, &mut files);
            let changed = changed_files(Some(&good.files), &files);
            good.files = Arc::new(files);
            good.extras = extras;
            good.statics = statics_hash(theme);
            changed
        };
        timing::lap("serve: quick files", t);
        let good = self.good.take()?;
        Some(Ok(self.commit(
            good,
            warnings,
            rendered_count,
            changed,
            true,
        )))
    }

    fn commit(
        &mut self,
        good: Good,
        warnings: Diagnostics,
        rendered: usize,
        changed: Vec<String>,
        quick: bool,
    ) -> Built {
        self.version += 1;
        self.pending = Pending::default();
        self.search_stale = true;
        self.good = Some(good);
        Built {
            warnings,
            rendered,
            changed,
            version: self.version,
            quick,
        }
    }
}

/// What the quick path changed in the kept build, to put back when the build fails.
#[derive(Default)]
pub(super) struct Undo {
    pub(super) entries: Vec<(usize, Entry)>,
    pub(super) rendered: Vec<(usize, Rendered)>,
    pub(super) cards: Vec<(usize, crate::render::context::Card)>,
    pub(super) matrix_cards: Vec<(usize, Value)>,
}

impl Undo {
    pub(super) fn apply(self, good: &mut Good) {
        for (i, e) in self.entries {
            good.site.entries[i] = e;
        }
        for (i, r) in self.rendered {
            good.rendered[i] = r;
        }
        for (i, c) in self.cards.into_iter().rev() {
            good.cards.restore(i, c);
        }
        for (i, c) in self.matrix_cards.into_iter().rev() {
            good.cards.set_matrix(i, c);
        }
    }
}

/// Every entry's rendered body, in entry order: from the last good build where the entry's text
/// and link base are unchanged, rendered otherwise.
fn take_markdown(good: Option<&Good>, site: &Site) -> Vec<Rendered> {
    let kept = |e: &Entry, base: &str| -> Option<Rendered> {
        let good = good?;
        let &i = good.by_name.get(&e.source.name)?;
        let old = &good.site.entries[i];
        let same = Arc::ptr_eq(&old.source.text, &e.source.text)
            && old.body == e.body
            && crate::render::markdown_base(&good.site, old) == base
            && good.site.config.unsafe_html == site.config.unsafe_html;
        same.then(|| good.rendered[i].clone())
    };
    site.entries
        .par_iter()
        .map(|e| {
            let base = crate::render::markdown_base(site, e);
            kept(e, &base).unwrap_or_else(|| crate::render::render_body(site, e, &base))
        })
        .collect()
}

/// The engine for `theme`, compiled again only when a template or the base path changed.
fn compile<'a>(slot: &'a mut Option<Compiled>, theme: &Theme, base_path: &str) -> &'a Compiled {
    let key = hash_of(|h| {
        base_path.hash(h);
        for t in &theme.templates {
            (&t.name, &t.text, &t.origin).hash(h);
        }
    });
    if slot.as_ref().is_none_or(|c| c.key != key) {
        *slot = None;
    }
    slot.get_or_insert_with(|| Compiled {
        key,
        engine: Engine::new(theme, base_path),
        closures: closures(theme),
    })
}
