//! Stage timings for engineers: set `CAIDAN_TIMINGS=1` to print how long each stage took, and
//! the process's memory (resident now, and its peak so far) where Linux tells it.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CAIDAN_TIMINGS").is_some())
}

/// Prints `stage: N ms` since `since` when timings are on, and returns now.
pub fn lap(stage: &str, since: Instant) -> Instant {
    if enabled() {
        eprintln!(
            "[timing] {stage}: {:.1} ms{}",
            since.elapsed().as_secs_f64() * 1000.0,
            memory()
        );
    }
    Instant::now()
}

/// `  (rss 120 MB, peak 300 MB)` from /proc, or nothing off Linux.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(peak)) => format!("  (rss {} MB, peak {} MB)", rss / 1024, peak / 1024),
        _ => String::new(),
    }
}
