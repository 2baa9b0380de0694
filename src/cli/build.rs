//! `caidan build`

use super::{BuildFlags, report, site_exit};
use std::path::Path;
use std::process::ExitCode;

pub fn run(root: &Path, flags: &BuildFlags) -> ExitCode {
    let options = flags.options(root);
    match crate::build::build(&options) {
        Ok(r) => {
            report(&r.warnings);
            let out = options.output_dir();
            eprintln!(
                "已生成 {} 个页面（共 {} 个文件）到 {}，用时 {:.2} 秒",
                r.pages,
                r.files,
                out.display(),
                r.millis as f64 / 1000.0
            );
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            report(&diagnostics);
            eprintln!("网站没有生成，上一次的输出保持不变。");
            site_exit(&diagnostics).max_failure()
        }
    }
}

trait AtLeastFailure {
    fn max_failure(self) -> ExitCode;
}

impl AtLeastFailure for ExitCode {
    /// A failed build is never a success, even if its only problem was an I/O error.
    fn max_failure(self) -> ExitCode {
        if self == ExitCode::SUCCESS {
            ExitCode::from(2)
        } else {
            self
        }
    }
}
