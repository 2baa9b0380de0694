//! `caidan build`

use super::{BuildFlags, report};
use std::path::Path;
use std::process::ExitCode;

pub fn run(root: &Path, flags: &BuildFlags) -> ExitCode {
    let options = flags.options(root);
    match crate::build::build(&options) {
        Ok(r) if r.unchanged => {
            report(&r.warnings);
            eprintln!(
                "没有变化：内容、主题和上次生成的 {} 个页面（共 {} 个文件）都没变，{} 已是最新，用时 {:.2} 秒",
                r.pages,
                r.files,
                options.output_dir().display(),
                r.millis as f64 / 1000.0
            );
            ExitCode::SUCCESS
        }
        Ok(r) => {
            report(&r.warnings);
            eprintln!(
                "已生成 {} 个页面（共 {} 个文件，写入 {} 个，删除 {} 个）到 {}，用时 {:.2} 秒",
                r.pages,
                r.files,
                r.written.written,
                r.written.removed,
                options.output_dir().display(),
                r.millis as f64 / 1000.0
            );
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            report(&diagnostics);
            eprintln!("网站没有生成，上一次的输出保持不变。");
            // Whatever failed (the site, or the disk), a failed build is never a success.
            ExitCode::from(1)
        }
    }
}
