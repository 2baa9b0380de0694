//! `caidan check`

use super::{BuildFlags, report, site_exit};
use std::path::Path;
use std::process::ExitCode;

pub fn run(root: &Path, flags: &BuildFlags) -> ExitCode {
    let diagnostics = crate::build::check(&flags.options(root));
    report(&diagnostics);
    if diagnostics.is_empty() {
        eprintln!("检查完毕：没有发现问题");
    }
    site_exit(&diagnostics)
}
