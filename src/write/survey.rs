//! The old output as it stands when a build begins: every file with its size and modification
//! time, gathered on threads of its own while the build is busy loading, rendering bodies and
//! indexing.
//!
//! A build after an edit asks, for every page, whether the file on disk is still the one the
//! manifest recorded, and at the end which old files it did not make. At 100,000 articles
//! that is 168,000 stats and a walk of the whole tree. Once the system's caches have dropped
//! them, each waits on the disk: asked by the two rendering threads in turn, they took longer
//! than the rendering itself (118 s of a 167 s build). Here [`THREADS`] threads wait at once,
//! and before the pages need the answers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::UNIX_EPOCH;

/// Outstanding requests to the disk: a disk answers many faster than one after another.
const THREADS: usize = 8;

/// A file's size and modification time (nanoseconds since the epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    pub len: u64,
    pub modified: Option<u128>,
}

impl Stat {
    pub fn of(meta: &std::fs::Metadata) -> Stat {
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos());
        Stat {
            len: meta.len(),
            modified,
        }
    }
}

/// Relative `/`-separated path → its [`Stat`], for every regular file below the folder.
pub type Files = HashMap<String, Stat>;

/// A survey under way, or done.
pub struct Survey {
    running: Mutex<Option<JoinHandle<Files>>>,
    done: OnceLock<Files>,
}

impl Survey {
    /// Starts surveying `dir` in the background.
    pub fn start(dir: PathBuf) -> Survey {
        let running = std::thread::Builder::new()
            .name("caidan-survey".into())
            .spawn(move || walk(&dir))
            .ok();
        Survey {
            running: Mutex::new(running),
            done: OnceLock::new(),
        }
    }

    /// The files, once the survey is done (waiting for it if need be); none if it failed.
    pub fn files(&self) -> &Files {
        self.done.get_or_init(|| {
            let running = self
                .running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            running.and_then(|h| h.join().ok()).unwrap_or_default()
        })
    }
}

/// Every regular file below `dir` (none if it cannot be read), read by [`THREADS`] threads
/// taking folders from one stack.
pub fn walk(dir: &Path) -> Files {
    let folders = Mutex::new(vec![(dir.to_path_buf(), String::new())]);
    // Folders on the stack or being read: the walk is over when none are.
    let open = AtomicUsize::new(1);
    let found = Mutex::new(Files::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let next = folders.lock().unwrap_or_else(PoisonError::into_inner).pop();
                    let Some((folder, prefix)) = next else {
                        if open.load(Ordering::Acquire) == 0 {
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_micros(200));
                        continue;
                    };
                    for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                        let Ok(kind) = entry.file_type() else {
                            continue;
                        };
                        let name = entry.file_name().to_string_lossy().into_owned();
                        let rel = if prefix.is_empty() {
                            name
                        } else {
                            format!("{prefix}/{name}")
                        };
                        if kind.is_dir() {
                            open.fetch_add(1, Ordering::AcqRel);
                            folders
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .push((entry.path(), rel));
                        } else if kind.is_file()
                            && let Ok(meta) = entry.metadata()
                        {
                            mine.push((rel, Stat::of(&meta)));
                        }
                    }
                    open.fetch_sub(1, Ordering::AcqRel);
                }
                found
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend(mine);
            });
        }
    });
    found.into_inner().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_below_with_its_size_and_time() {
        let dir = std::env::temp_dir().join(format!("caidan-survey-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut expected = Vec::new();
        for i in 0..40 {
            let rel = format!("news/n{i}/index.html");
            std::fs::create_dir_all(dir.join(format!("news/n{i}"))).unwrap();
            std::fs::write(dir.join(&rel), "页".repeat(i)).unwrap();
            expected.push((rel, 3 * i as u64));
        }
        std::fs::write(dir.join("index.html"), "首页").unwrap();
        expected.push(("index.html".into(), 6));
        std::fs::create_dir_all(dir.join("empty/deeper")).unwrap();

        let survey = Survey::start(dir.clone());
        let files = survey.files();
        assert_eq!(files.len(), expected.len());
        for (rel, len) in expected {
            let stat = files[&rel];
            assert_eq!(stat.len, len, "{rel}");
            let modified = std::fs::metadata(dir.join(&rel))
                .unwrap()
                .modified()
                .unwrap();
            let nanos = modified.duration_since(UNIX_EPOCH).unwrap().as_nanos();
            assert_eq!(stat.modified, Some(nanos), "{rel}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
