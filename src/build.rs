//! The driver: load → resolve → render → write, stopping after the first stage with errors so
//! one run reports every bad file of that stage.

use crate::config::{self, Config, Overrides};
use crate::diagnostics::Diagnostics;
use crate::load::{self, theme};
use crate::render::{self, Output};
use crate::resolve::{self, Site};
use crate::write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub root: PathBuf,
    /// Defaults to `root/public`.
    pub output_dir: Option<PathBuf>,
    pub drafts: bool,
    pub base_url: Option<String>,
    pub serve: bool,
}

impl Options {
    pub fn output_dir(&self) -> PathBuf {
        self.output_dir
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// A generated site, in memory.
pub struct Generated {
    pub config: Config,
    pub site: Site,
    pub output: Output,
}

/// What a successful build reports.
pub struct Report {
    /// The inputs and the output were as the last build left them: nothing was done.
    pub unchanged: bool,
    pub warnings: Diagnostics,
    pub pages: usize,
    pub files: usize,
    pub written: write::Stats,
    pub millis: u128,
}

/// Loads, resolves and renders the site, without writing anything.
pub fn generate(options: &Options) -> Result<(Generated, Diagnostics), Diagnostics> {
    let memory = render::Memory::default();
    let (config, site, made, diagnostics) =
        run(options, load::Entries::default(), &memory, Texts::Keep)?;
    let output = Output {
        files: memory.into_files(),
        copies: made.copies,
    };
    Ok((
        Generated {
            config,
            site,
            output,
        },
        diagnostics,
    ))
}

/// Whether the site keeps its entries' Markdown once their bodies are rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Texts {
    Keep,
    /// A build only writes: the Markdown of 100,000 articles is a gigabyte it need not hold
    /// while the pages and the search index are made.
    Forget,
    /// [`Texts::Forget`], for a site too large to hold even once: the loader keeps only each
    /// entry's front matter, the body is read again to be rendered, and the entry's page
    /// reads it again too instead of anything holding its HTML ([`load::again`]).
    ReadAgain,
}

/// Stages 1–4: load, resolve and render into `sink`.
fn run(
    options: &Options,
    entries: load::Entries,
    sink: &dyn render::Sink,
    texts: Texts,
) -> Result<(Config, Site, render::Made, Diagnostics), Diagnostics> {
    let t = Instant::now();
    let overrides = Overrides {
        base_url: options.base_url.clone(),
    };
    // 1. site.yaml: everything else depends on it.
    let (config, mut diagnostics) = config::load(&options.root, &overrides)?;
    // 2. Read content and the theme; a bad YAML block is reported here and the file skipped.
    let keep = match texts {
        Texts::ReadAgain => load::Keep::FrontMatter,
        Texts::Keep | Texts::Forget => load::Keep::Whole,
    };
    let (content, load_diags) = load::content_with(&options.root, entries, keep);
    let t = crate::timing::lap("load content", t);
    diagnostics.extend(load_diags);
    let theme = match theme::load(&options.root, &config.theme) {
        Ok(t) => Some(t),
        Err(d) => {
            diagnostics.extend(d);
            None
        }
    };
    // 3. Types, references and every cross-entry rule, reported together with load's problems.
    let (site, resolve_diags) = resolve::resolve_consuming(
        &options.root,
        &config,
        content,
        resolve::Options {
            drafts: options.drafts,
        },
    );
    diagnostics.extend(resolve_diags);
    let t = crate::timing::lap("resolve", t);
    let (Some(mut site), Some(theme)) = (site, theme) else {
        return Err(diagnostics);
    };
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    // 4. Render every body, then every page, each handed to `sink` as soon as it is made.
    let entry_texts = match texts {
        Texts::Keep => site.entry_texts(),
        Texts::Forget | Texts::ReadAgain => site.take_entry_texts(),
    };
    let again =
        (texts == Texts::ReadAgain).then(|| load::again::Again::new(&options.root, &entry_texts));
    let (rendered, body_diags) = render::bodies(&site, &theme, entry_texts, again.as_ref());
    diagnostics.extend(body_diags);
    let (made, render_diags) = render::render(
        &site,
        &theme,
        rendered,
        again.as_ref(),
        render::Options {
            serve: options.serve,
        },
        sink,
    );
    diagnostics.extend(render_diags);
    crate::timing::lap("render", t);
    match made {
        Some(made) if !diagnostics.has_errors() => Ok((config, site, made, diagnostics)),
        _ => Err(diagnostics),
    }
}

/// Markdown under `content/` above which a build reads each entry's body again (see
/// [`Texts::ReadAgain`]): about 40,000 articles. At 100,000 articles (715 MB of Markdown) the
/// first build took 85.0 s and 1,548 MiB when it held the Markdown until the bodies were
/// rendered and their search texts until the index was made, and 84.6 s and 1,346 MiB
/// reading them again (single runs of `tests/bench/build.sh 100000`).
const READ_AGAIN_ABOVE: u64 = 256 << 20;

/// [`Texts::ReadAgain`] for a site of more than [`READ_AGAIN_ABOVE`] of Markdown, or as
/// `CAIDAN_READ_AGAIN=1` or `0` says (for the tests, which check that both ways give the same
/// bytes); else [`Texts::Forget`].
fn texts_for(markdown_bytes: u64) -> Texts {
    let again = match std::env::var("CAIDAN_READ_AGAIN").as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ => markdown_bytes > READ_AGAIN_ABOVE,
    };
    if again {
        Texts::ReadAgain
    } else {
        Texts::Forget
    }
}

/// Builds the site into the output folder; on any error the previous output stays as it was.
pub fn build(options: &Options) -> Result<Report, Diagnostics> {
    let start = Instant::now();
    let out_dir = options.output_dir();
    // 0. Nothing to do when neither the inputs nor the output changed since the last build.
    let (fingerprint, entries) =
        load::fingerprint::inputs_and_entries(&options.root, &salt(options));
    crate::timing::lap("fingerprint", start);
    if let Some(previous) = fingerprint.and_then(|f| write::manifest::unchanged(&out_dir, f)) {
        crate::timing::lap("unchanged", start);
        return Ok(Report {
            unchanged: true,
            warnings: Diagnostics::new(),
            written: write::Stats {
                unchanged: previous.files,
                ..write::Stats::default()
            },
            pages: previous.pages,
            files: previous.files,
            millis: start.elapsed().as_millis(),
        });
    }
    // 5. Pages are staged as they render; they replace the output only if everything succeeded
    // (a writer dropped on an error removes what it staged).
    let writer = write::Writer::begin(&options.root, &out_dir)?;
    let texts = texts_for(entries.markdown_bytes());
    let (config, site, made, warnings) = run(options, entries, &writer, texts)?;
    crate::aside::drop_aside((config, site));
    let t = Instant::now();
    writer.copy_all(&made.copies)?;
    let t = crate::timing::lap("  copy", t);
    write::manifest::forget(&out_dir);
    let committed = writer.commit()?;
    let t = crate::timing::lap("  commit", t);
    if let Some(f) = fingerprint.filter(|_| warnings.is_empty()) {
        write::manifest::save(&out_dir, f, made.pages, &committed.files);
    }
    crate::timing::lap("  manifest", t);
    Ok(Report {
        unchanged: false,
        warnings,
        written: committed.stats,
        pages: made.pages,
        files: made.files + made.copies.len(),
        millis: start.elapsed().as_millis(),
    })
}

/// What a build depends on besides its input files: this program, the options, and today's
/// date (pages show the year; scheduled posts appear on their day).
fn salt(options: &Options) -> String {
    let program = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{}:{:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    format!(
        "{} {program} {:?} {:?} {:?} {}",
        env!("CARGO_PKG_VERSION"),
        options.drafts,
        options.base_url,
        options.serve,
        crate::resolve::date::Date::today().iso(),
    )
}

/// Checks the site without writing: every diagnostic of every stage.
pub fn check(options: &Options) -> Diagnostics {
    struct Discard;
    impl render::Sink for Discard {
        fn put(&self, _: render::OutFile) -> Result<(), crate::diagnostics::Diagnostic> {
            Ok(())
        }
    }
    match run(options, load::Entries::default(), &Discard, Texts::Forget) {
        Ok((.., d)) | Err(d) => d,
    }
}
