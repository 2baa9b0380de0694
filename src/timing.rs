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
        let wall = since.elapsed().as_secs_f64();
        eprintln!(
            "[timing] {stage}: {:.1} ms{}{}",
            wall * 1000.0,
            cores(since),
            memory()
        );
    }
    Instant::now()
}

/// `  (1.7 cores)`: the process's CPU time since the last lap over the wall time since then,
/// which shows a stage that leaves cores idle. From /proc, or nothing off Linux.
fn cores(since: Instant) -> String {
    use std::sync::Mutex;
    static LAST: Mutex<Option<(Instant, f64)>> = Mutex::new(None);
    let Some(cpu) = cpu_seconds() else {
        return String::new();
    };
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let shown = match *last {
        // CPU time is counted from the previous lap; a lap that started before that one
        // encloses it and has no CPU time of its own to show.
        Some((at, _)) if at > since => None,
        Some((at, before)) => {
            let wall = at.elapsed().as_secs_f64();
            (wall > 0.0).then(|| format!("  ({:.1} cores)", (cpu - before) / wall))
        }
        None => None,
    };
    *last = Some((Instant::now(), cpu));
    shown.unwrap_or_default()
}

/// User and system CPU time of the process so far, in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // In clock ticks of 1/100 s (USER_HZ, 100 on Linux).
    Some(ticks / 100.0)
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
