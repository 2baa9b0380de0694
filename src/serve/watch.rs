//! Watching the site: which changed paths matter ([`classify`]), and a [`Watcher`] that turns
//! the file system's events into batches of changed paths.
//!
//! Editors save in bursts (a temporary file, a rename, a metadata change): events are gathered
//! until the file system has been quiet for [`QUIET`], so one save is one rebuild. Hidden files,
//! editor temporaries and the output folder never trigger anything.

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher as _};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the file system must stay quiet before a burst of events becomes a rebuild.
pub const QUIET: Duration = Duration::from_millis(15);
/// A burst longer than this (a `git checkout`, a folder copy) is rebuilt in parts.
const LONGEST_BURST: Duration = Duration::from_millis(1000);
/// The folders below the site root whose contents matter.
const WATCHED: [&str; 4] = ["content", "static", "templates", "themes"];

/// What a changed path means for the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// `site.yaml`: everything is reloaded.
    Config,
    /// The theme in use, or the site's own `templates/` or `static/`.
    Theme,
    /// An entry, a section, an asset or a folder below `content/`.
    Content,
    /// Anything else: the output folder, hidden and temporary files, other themes.
    Ignore,
}

/// Classifies `rel`, a path relative to the site root, for a site using theme `theme` (`None`:
/// any theme may be the one in use).
pub fn classify(rel: &Path, theme: Option<&str>) -> Change {
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if parts.iter().any(|p| is_temporary(p)) {
        return Change::Ignore;
    }
    match parts.as_slice() {
        [] => Change::Ignore,
        [file] if file == "site.yaml" => Change::Config,
        [first, ..] if first == "content" => Change::Content,
        [first, ..] if first == "static" || first == "templates" => Change::Theme,
        [first] if first == "themes" => Change::Theme,
        [first, name, ..] if first == "themes" && theme.is_none_or(|t| t == name) => Change::Theme,
        _ => Change::Ignore,
    }
}

/// Hidden files and what editors leave behind while saving.
pub fn is_temporary(name: &str) -> bool {
    crate::load::is_ignored(std::ffi::OsStr::new(name))
        // vim checks that a folder is writable with a file named 4913
        || name == "4913"
        || name.ends_with(".kate-swp")
        || name.ends_with(".crswap")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
}

/// What [`Watcher::next_batch`] saw.
pub enum Next {
    /// Paths changed, relative to the site root.
    Changed(Vec<PathBuf>),
    /// Nothing changed for the time asked.
    Quiet,
    /// The watcher stopped.
    Stopped,
}

/// Watches a site's sources.
pub struct Watcher {
    inner: notify::RecommendedWatcher,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    /// The canonical site root, as the events name it.
    root: PathBuf,
    /// The folders of [`WATCHED`] under a recursive watch.
    watched: BTreeSet<String>,
}

impl Watcher {
    /// Starts watching the site at `root`: the root itself (for `site.yaml` and folders that
    /// appear later) and every folder of `WATCHED` that exists.
    pub fn new(root: &Path) -> notify::Result<Watcher> {
        let root = std::fs::canonicalize(root).map_err(notify::Error::io)?;
        let (tx, events) = mpsc::channel();
        let mut inner = notify::recommended_watcher(tx)?;
        inner.watch(&root, RecursiveMode::NonRecursive)?;
        let mut watcher = Watcher {
            inner,
            events,
            root,
            watched: BTreeSet::new(),
        };
        watcher.follow_folders();
        Ok(watcher)
    }

    /// Blocks until something changes, then returns every path changed in the burst, relative
    /// to the site root; or [`Next::Quiet`] when nothing changed for `idle` (if given).
    pub fn next_batch(&mut self, idle: Option<Duration>) -> Next {
        let mut paths = BTreeSet::new();
        // Wait for the first event that matters.
        let since = Instant::now();
        while paths.is_empty() {
            let event = match idle {
                None => self
                    .events
                    .recv()
                    .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                Some(idle) => match idle.checked_sub(since.elapsed()) {
                    Some(left) => self.events.recv_timeout(left),
                    None => return Next::Quiet,
                },
            };
            match event {
                Ok(event) => self.collect(event, &mut paths),
                Err(mpsc::RecvTimeoutError::Timeout) => return Next::Quiet,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Next::Stopped,
            }
        }
        let start = Instant::now();
        while start.elapsed() < LONGEST_BURST {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => self.collect(event, &mut paths),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Next::Stopped,
            }
        }
        // A watched folder that appeared is reported whole, so its files are read.
        paths.extend(self.follow_folders().into_iter().map(PathBuf::from));
        Next::Changed(paths.into_iter().collect())
    }

    fn collect(&self, event: notify::Result<notify::Event>, paths: &mut BTreeSet<PathBuf>) {
        let Ok(event) = event else { return };
        let relevant = match event.kind {
            // Opening or reading a file changes nothing; closing it after writing does.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => false,
            _ => true,
        };
        if !relevant {
            return;
        }
        for path in event.paths {
            if let Ok(rel) = path.strip_prefix(&self.root)
                && classify(rel, None) != Change::Ignore
            {
                paths.insert(rel.to_path_buf());
            }
        }
    }

    /// Puts a recursive watch on each folder of [`WATCHED`] that now exists, and drops those
    /// that are gone; returns the folders newly watched.
    fn follow_folders(&mut self) -> Vec<String> {
        let mut added = Vec::new();
        for name in WATCHED {
            let dir = self.root.join(name);
            let exists = dir.is_dir();
            let watched = self.watched.contains(name);
            if exists && !watched {
                if self.inner.watch(&dir, RecursiveMode::Recursive).is_ok() {
                    self.watched.insert(name.to_string());
                    added.push(name.to_string());
                }
            } else if !exists && watched {
                let _ = self.inner.unwatch(&dir);
                self.watched.remove(name);
            }
        }
        added
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_classified_by_where_they_are() {
        let cases = [
            ("site.yaml", Change::Config),
            ("content/news/x.md", Change::Content),
            ("content/news/x/photo.png", Change::Content),
            ("content/news", Change::Content),
            ("content", Change::Content),
            ("static/style.css", Change::Theme),
            ("templates/news.html", Change::Theme),
            ("themes/default/templates/news.html", Change::Theme),
            ("themes/default", Change::Theme),
            ("themes", Change::Theme),
            ("themes/other/templates/news.html", Change::Ignore),
            ("public/index.html", Change::Ignore),
            ("README.md", Change::Ignore),
            ("", Change::Ignore),
            ("content/news/.x.md.swp", Change::Ignore),
            ("content/news/x.md~", Change::Ignore),
            ("content/news/4913", Change::Ignore),
            ("content/news/#x.md#", Change::Ignore),
            ("content/.git/HEAD", Change::Ignore),
            ("content/news/x.md___jb_tmp___", Change::Ignore),
            ("site.yaml.kate-swp", Change::Ignore),
            ("content/news/x.tmp", Change::Ignore),
        ];
        for (path, want) in cases {
            assert_eq!(classify(Path::new(path), Some("default")), want, "{path}");
        }
    }
}
