//! Serve: `caidan serve`, the authors' watch mode. Builds the site in memory, serves it over
//! HTTP (loopback by default), watches the sources, rebuilds only what a change touches, and
//! tells every open page to reload — or to show the diagnostics over the page.
//!
//! Reads the site like `build` does, with `base_url` pointed at the local server; writes nothing
//! to disk (the output lives in memory, so a failed rebuild keeps serving the last good pages,
//! and `public/` stays what the last `caidan build` made). Threads: the caller's runs
//! watch → rebuild → publish; [`http`] accepts connections, one thread each.
//!
//! - [`incremental`]: the kept state and `apply(changed paths)`;
//! - [`watch`]: which paths matter, and file-system events → batches of paths;
//! - [`files`]: the output in memory and how request paths map onto it;
//! - [`http`]: the server; [`reload`]: the injected script, its messages and the error overlay.
//!
//! Fails only when no port can be bound or the file system cannot be watched.

mod depends;
pub mod files;
pub mod http;
pub mod incremental;
mod inputs;
mod output;
pub mod reload;
pub mod watch;

use files::Files;
use incremental::{Outcome, State};
use reload::Hub;
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Options {
    pub root: PathBuf,
    pub interface: IpAddr,
    /// The first port tried; `0` lets the system choose.
    pub port: u16,
    pub drafts: bool,
}

/// How many ports after a busy one are tried.
const PORT_TRIES: u16 = 20;
/// The search index is made again once the sources have been quiet this long: it takes seconds
/// on a large site, and the author is looking at the page they saved, not at search.
const SEARCH_AFTER: Duration = Duration::from_millis(500);
const SEARCH_POLL: Duration = Duration::from_millis(100);

/// What the server reports as it runs.
pub enum Event<'a> {
    /// The server is listening at `url`; the ports in `busy` were taken.
    Listening { url: String, busy: Vec<u16> },
    /// A build finished, good or not.
    Built(&'a Outcome),
    /// The search index was made again, in `millis`.
    Searched { millis: u128 },
}

/// What every connection reads: the output to serve, and the open pages to notify.
#[derive(Default)]
pub struct Live {
    snapshot: RwLock<Arc<Snapshot>>,
    pub hub: Hub,
}

/// The state of the site as served at one moment.
pub struct Snapshot {
    /// The good build the files come from (0 before the first).
    pub version: u64,
    pub base_path: String,
    /// The last good output; `None` until a build succeeds.
    pub files: Option<Arc<Files>>,
    /// The errors of the latest build, when it failed.
    pub failure: Option<Failure>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            version: 0,
            base_path: "/".into(),
            files: None,
            failure: None,
        }
    }
}

pub struct Failure {
    /// The diagnostics as the overlay reads them.
    pub errors: Value,
    /// The page served while no build has succeeded yet.
    pub page: Arc<[u8]>,
}

impl Live {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Serves the state's output as it is now, without telling the open pages (for files no page
    /// shows, such as the search index).
    pub fn publish_files(&self, state: &State) {
        let old = self.snapshot();
        let snapshot = Snapshot {
            version: old.version,
            base_path: old.base_path.clone(),
            files: state.files(),
            failure: old.failure.as_ref().map(|f| Failure {
                errors: f.errors.clone(),
                page: f.page.clone(),
            }),
        };
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(snapshot);
    }

    /// Serves what `outcome` left, and tells every open page.
    pub fn publish(&self, state: &State, outcome: &Outcome) {
        let old = self.snapshot();
        let (snapshot, message) = match &outcome.result {
            Ok(built) => (
                Snapshot {
                    version: built.version,
                    base_path: state.base_path(),
                    files: state.files(),
                    failure: None,
                },
                reload::reload(built.version),
            ),
            Err(diagnostics) => {
                let errors = reload::errors_json(diagnostics);
                let message = reload::error(diagnostics, &errors);
                let failure = Failure {
                    errors,
                    page: reload::failure_page(diagnostics).into(),
                };
                (
                    Snapshot {
                        version: old.version,
                        base_path: old.base_path.clone(),
                        files: old.files.clone(),
                        failure: Some(failure),
                    },
                    message,
                )
            }
        };
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(snapshot);
        self.hub.broadcast(&message);
    }
}

/// Builds, serves and watches the site until the process ends. Errors are Chinese sentences.
pub fn run(options: &Options, report: &mut dyn FnMut(Event<'_>)) -> Result<(), String> {
    let (listener, busy) = bind(options.interface, options.port)?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("无法读取监听地址：{e}"))?
        .port();
    let origin = format!("http://{}:{port}", host(options.interface));
    // Watch before the first build, so a file saved during it is not missed.
    let mut watcher = watch::Watcher::new(&options.root)
        .map_err(|e| format!("无法监视站点文件夹 {}：{e}", options.root.display()))?;
    let (mut state, outcome) = State::new(&options.root, &origin, options.drafts);
    let live = Arc::new(Live::default());
    live.publish(&state, &outcome);
    report(Event::Built(&outcome));
    http::spawn(listener, live.clone()).map_err(|e| format!("无法启动网页服务：{e}"))?;
    report(Event::Listening {
        url: format!("{origin}{}", state.base_path()),
        busy,
    });
    let mut search: Option<(incremental::SearchBuild, Instant)> = None;
    loop {
        // While the index is being made, look for it every SEARCH_POLL; when it lags, start it
        // once the sources have been quiet for SEARCH_AFTER.
        let idle = if search.is_some() {
            Some(SEARCH_POLL)
        } else {
            state.search_stale().then_some(SEARCH_AFTER)
        };
        let quiet = match watcher.next_batch(idle) {
            watch::Next::Changed(paths) => {
                if let Some(outcome) = state.apply(&paths) {
                    live.publish(&state, &outcome);
                    report(Event::Built(&outcome));
                }
                false
            }
            watch::Next::Quiet => true,
            watch::Next::Stopped => return Err("文件监视意外停止".into()),
        };
        match search.take() {
            Some((build, start)) => match build.files.try_recv() {
                Ok(index) => {
                    if state.finish_search(&build, index) {
                        live.publish_files(&state);
                        report(Event::Searched {
                            millis: start.elapsed().as_millis(),
                        });
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => search = Some((build, start)),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {}
            },
            None if quiet => {
                let start = Instant::now();
                search = state.start_search().map(|build| (build, start));
            }
            None => {}
        }
    }
}

/// Binds `port` or, when it is taken, one of the next [`PORT_TRIES`]; returns the busy ones.
fn bind(interface: IpAddr, port: u16) -> Result<(TcpListener, Vec<u16>), String> {
    let mut busy = Vec::new();
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_TRIES)
    };
    for p in port..=last {
        match TcpListener::bind((interface, p)) {
            Ok(listener) => return Ok((listener, busy)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => busy.push(p),
            Err(e) => return Err(format!("无法在 {interface} 的端口 {p} 上提供网页：{e}")),
        }
    }
    Err(format!(
        "端口 {port} 到 {last} 都被占用了；用 --port 指定另一个端口"
    ))
}

/// How the browser reaches `interface`.
fn host(interface: IpAddr) -> String {
    match interface {
        IpAddr::V4(ip) if ip.is_unspecified() => Ipv4Addr::LOCALHOST.to_string(),
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("[{}]", Ipv6Addr::LOCALHOST),
        IpAddr::V6(ip) => format!("[{ip}]"),
    }
}
