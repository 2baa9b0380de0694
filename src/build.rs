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
    pub warnings: Diagnostics,
    pub pages: usize,
    pub files: usize,
    pub written: write::Stats,
    pub millis: u128,
}

/// Loads, resolves and renders the site, without writing anything.
pub fn generate(options: &Options) -> Result<(Generated, Diagnostics), Diagnostics> {
    let t = Instant::now();
    let overrides = Overrides {
        base_url: options.base_url.clone(),
    };
    // 1. site.yaml: everything else depends on it.
    let (config, mut diagnostics) = config::load(&options.root, &overrides)?;
    // 2. Read content and the theme; a bad YAML block is reported here and the file skipped.
    let (content, load_diags) = load::content(&options.root);
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
    let (site, resolve_diags) = resolve::resolve(
        &options.root,
        &config,
        &content,
        resolve::Options {
            drafts: options.drafts,
        },
    );
    diagnostics.extend(resolve_diags);
    let t = crate::timing::lap("resolve", t);
    let (Some(site), Some(theme)) = (site, theme) else {
        return Err(diagnostics);
    };
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    // 4. Render every page in memory.
    let (output, render_diags) = render::render(
        &site,
        &theme,
        render::Options {
            serve: options.serve,
        },
    );
    diagnostics.extend(render_diags);
    crate::timing::lap("render", t);
    match output {
        Some(output) if !diagnostics.has_errors() => Ok((
            Generated {
                config,
                site,
                output,
            },
            diagnostics,
        )),
        _ => Err(diagnostics),
    }
}

/// Builds the site into the output folder; on any error the previous output stays as it was.
pub fn build(options: &Options) -> Result<Report, Diagnostics> {
    let start = Instant::now();
    let (generated, warnings) = generate(options)?;
    // 5. Write only what changed; nothing is written unless every page rendered.
    let t = Instant::now();
    let written = write::write(&generated.output, &options.root, &options.output_dir())?;
    crate::timing::lap("write", t);
    Ok(Report {
        warnings,
        written,
        pages: generated
            .output
            .files
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .count(),
        files: generated.output.files.len() + generated.output.copies.len(),
        millis: start.elapsed().as_millis(),
    })
}

/// Checks the site without writing: every diagnostic of every stage.
pub fn check(options: &Options) -> Diagnostics {
    match generate(options) {
        Ok((_, d)) | Err(d) => d,
    }
}
