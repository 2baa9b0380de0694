//! Stage timings for engineers: set `CAIDAN_TIMINGS=1` to print how long each stage took.

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
            "[timing] {stage}: {:.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
    Instant::now()
}
