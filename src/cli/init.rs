//! `caidan init [DIR]`: a new site that builds at once with the built-in theme.

use super::new::{Kind, create};
use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use std::path::Path;
use std::process::ExitCode;

const SITE_YAML: &str = "# 站点配置。井号 # 后面是说明。\n\
title: 工会宣讲与品牌                 # 网站名称\n\
description: 劳模工匠宣讲、菜单式宣讲点单与工会工作品牌\n\
base_url: https://example.org/        # 发布后的网址；放在子目录时写 https://example.org/gonghui/\n\
language: zh-CN\n\
theme: default\n\
icp: 浙ICP备00000000号                # 备案号，显示在页脚\n\
paginate_by: 20                       # 列表每页条数\n\
lecture_categories: [劳模精神, 工匠精神, 劳动精神, 技能培训, 安全生产, 社会服务, 理论宣讲, 法律维权]\n\
booking:                              # 点单方式：基层工会通过这些渠道点单\n\
  email: xuanjiang@example.org\n\
  phone: \"0571-00000000\"\n\
  form_url: https://example.org/order  # 收到 ?lectures=文件名,文件名\n\
  fields: [单位名称, 联系人, 电话, 期望日期, 地点, 听众人数]\n";

pub fn run(dir: &Path) -> ExitCode {
    match init(dir) {
        Ok(()) => {
            eprintln!("已在 {} 新建站点。", dir.display());
            eprintln!(
                "下一步：cd {} && caidan build（或 caidan serve 边写边看）",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(d) => {
            super::report(&d);
            ExitCode::from(2)
        }
    }
}

pub fn init(dir: &Path) -> Result<(), Diagnostics> {
    if dir.join("site.yaml").exists() {
        return Err(Diagnostic::error(format!(
            "{} 里已经有 site.yaml，没有改动任何文件",
            dir.display()
        ))
        .into());
    }
    let write = |rel: &str, text: &str| -> Result<(), Diagnostics> {
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)
                .map_err(|e| Diagnostics::from(io_error("创建文件夹", p, &e)))?;
        }
        std::fs::write(&path, text).map_err(|e| Diagnostics::from(io_error("写入", &path, &e)))
    };
    write("site.yaml", SITE_YAML)?;
    write(
        "content/_index.md",
        "---\ntitle: 工会宣讲与品牌\n---\n\n看菜单、点主题、点老师：把劳模工匠请进车间班组。\n",
    )?;
    write(
        "content/news/_index.md",
        "---\ntitle: 新闻\nsort_by: date\n---\n",
    )?;
    write(
        "content/lecturers/_index.md",
        "---\ntitle: 宣讲人\ndescription: 劳模、工匠、宣讲员\n---\n",
    )?;
    write(
        "content/lectures/_index.md",
        "---\ntitle: 宣讲菜单\ndescription: 点主题、点老师、点单\ntemplate: lecture-menu.html\n---\n",
    )?;
    write("content/brands/_index.md", "---\ntitle: 品牌矩阵\n---\n")?;
    write(
        "content/brands/example/_index.md",
        "---\ntitle: 示例工会工作品牌矩阵\norg: 示例工会\nrows: [思想引领体系, 建功立业体系, 维权服务体系]\n---\n\n矩阵的前言写在这里。\n",
    )?;
    create(dir, Kind::Lecturer, "example-lecturer")?;
    create(dir, Kind::Lecture, "example-lecture")?;
    create(dir, Kind::Brand, "example/example-brand")?;
    create(dir, Kind::News, "example-news")?;
    create(dir, Kind::Page, "about/contact")?;
    Ok(())
}
