//! The command line: one thin file per command — arguments → options → one library call →
//! report. Exit codes: 0 ok, 1 the site has errors, 2 usage or internal failure.

mod build;
mod check;
mod init;
mod new;
mod serve;

use crate::diagnostics::{Diagnostics, render, summary};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "caidan", version, about = "菜单：工会宣讲菜单、品牌矩阵与新闻的静态网站生成器", long_about = None)]
pub struct Cli {
    /// 站点目录（含 site.yaml 的文件夹）
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by the commands that build.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct BuildFlags {
    /// 同时生成草稿（draft: true）
    #[arg(long)]
    pub drafts: bool,
    /// 覆盖 site.yaml 里的 base_url
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// 输出文件夹（默认 public）
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 生成网站到 public/（出错时保留上一次的 public/）
    Build(BuildFlags),
    /// 检查全部内容，列出所有问题，不写任何文件
    Check(BuildFlags),
    /// 边写边看：生成网站并在本机预览，保存文件后自动更新浏览器里的页面
    Serve(serve::ServeFlags),
    /// 新建一个站点
    Init {
        /// 站点文件夹（默认当前文件夹）
        dir: Option<PathBuf>,
    },
    /// 新建一篇内容：news、lecturer、lecture、brand 或 page
    New {
        /// 内容类型
        kind: new::Kind,
        /// 文件名（网址的最后一段），例如 kong-shengdong；品牌写 矩阵/品牌，页面可写 栏目/页面
        slug: String,
    },
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    run(cli)
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build(flags) => build::run(&cli.root, &flags),
        Command::Check(flags) => check::run(&cli.root, &flags),
        Command::Serve(flags) => serve::run(&cli.root, &flags),
        Command::Init { dir } => init::run(&dir.unwrap_or_else(|| cli.root.clone())),
        Command::New { kind, slug } => new::run(&cli.root, kind, &slug),
    }
}

/// Prints diagnostics and the summary line to stderr.
pub(crate) fn report(diagnostics: &Diagnostics) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut sorted = diagnostics.clone();
    sorted.sort();
    for d in &sorted {
        eprintln!("{}", render(d, color));
    }
    if !diagnostics.is_empty() {
        eprintln!("{}", summary(diagnostics));
    }
}

/// The exit code for a site with (or without) errors.
pub(crate) fn site_exit(diagnostics: &Diagnostics) -> ExitCode {
    if diagnostics.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

impl BuildFlags {
    pub(crate) fn options(&self, root: &std::path::Path) -> crate::build::Options {
        crate::build::Options {
            root: root.to_path_buf(),
            output_dir: self.output_dir.clone(),
            drafts: self.drafts,
            base_url: self.base_url.clone(),
            serve: false,
        }
    }
}
