//! `caidan serve`: build, serve on loopback, watch, rebuild, reload the open pages.

use super::report;
use crate::serve::incremental::Outcome;
use crate::serve::{self, Event};
use std::net::IpAddr;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

#[derive(clap::Args, Debug, Clone)]
pub struct ServeFlags {
    /// 端口（被占用时自动换下一个；0 表示由系统选择）
    #[arg(long, short = 'p', default_value_t = 1111)]
    pub port: u16,
    /// 监听的地址（默认只有本机能访问）
    #[arg(long, short = 'i', default_value = "127.0.0.1", value_name = "IP")]
    pub interface: IpAddr,
    /// 启动后用浏览器打开
    #[arg(long, short = 'O')]
    pub open: bool,
    /// 同时显示草稿（draft: true）
    #[arg(long)]
    pub drafts: bool,
}

pub fn run(root: &Path, flags: &ServeFlags) -> ExitCode {
    let options = serve::Options {
        root: root.to_path_buf(),
        interface: flags.interface,
        port: flags.port,
        drafts: flags.drafts,
    };
    eprintln!("正在生成网站…");
    let open = flags.open;
    let result = serve::run(&options, &mut |event| match event {
        Event::Listening { url, busy } => {
            if let Some(first) = busy.first() {
                eprintln!("端口 {first} 已被占用，改用 {}", url_port(&url));
            }
            eprintln!("预览地址：{url}");
            if !flags.interface.is_loopback() {
                eprintln!(
                    "注意：监听 {}，同一网络里的其他电脑也能打开这个网站",
                    flags.interface
                );
            }
            eprintln!("保存文件后页面会自动刷新；按 Ctrl+C 停止。");
            if open {
                open_browser(&url);
            }
        }
        Event::Built(outcome) => print_outcome(outcome),
        Event::Searched { millis } => eprintln!("搜索索引已更新，用时 {millis} 毫秒"),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::from(2)
        }
    }
}

fn url_port(url: &str) -> &str {
    url.rsplit(':')
        .next()
        .map_or(url, |p| p.split('/').next().unwrap_or(p))
}

/// One line per rebuild: what changed, what was rendered, how long it took.
fn print_outcome(outcome: &Outcome) {
    let what = match outcome.sources.as_slice() {
        [] => String::new(),
        [one] => format!("{one}："),
        [first, rest @ ..] => format!("{first} 等 {} 个文件：", rest.len() + 1),
    };
    match &outcome.result {
        Ok(built) => {
            // Every warning once at the start; after that, those of the files just saved.
            let warnings: crate::diagnostics::Diagnostics = built
                .warnings
                .iter()
                .filter(|d| {
                    outcome.sources.is_empty()
                        || d.file.as_ref().is_some_and(|f| outcome.sources.contains(f))
                })
                .cloned()
                .collect();
            report(&warnings);
            if outcome.sources.is_empty() {
                eprintln!(
                    "已生成 {} 个页面，用时 {} 毫秒",
                    built.rendered, outcome.millis
                );
            } else if built.rendered > 0 {
                eprintln!(
                    "{what}重新生成 {} 个页面（{} 个文件有变化），用时 {} 毫秒",
                    built.rendered,
                    built.changed.len(),
                    outcome.millis
                );
            } else {
                eprintln!("{what}已更新，用时 {} 毫秒", outcome.millis);
            }
        }
        Err(diagnostics) => {
            report(diagnostics);
            eprintln!(
                "{what}网站有错误，没有更新（用时 {} 毫秒）。浏览器里会显示这些错误；改好并保存后自动刷新。",
                outcome.millis
            );
        }
    }
}

/// Opens `url` in the default browser, if the system has a way to; never fails.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        Command::new("cmd").args(["/C", "start", "", url]).spawn()
    } else {
        Command::new("xdg-open")
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    };
    if command.is_err() {
        eprintln!("（无法自动打开浏览器，请手动打开上面的地址）");
    }
}
