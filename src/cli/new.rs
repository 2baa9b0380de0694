//! `caidan new <kind> <slug>`: a Chinese scaffold with every field of the model, commented.

use crate::diagnostics::{Diagnostic, Diagnostics, io_error};
use crate::resolve::date::Date;
use crate::resolve::urls::check_slug;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    News,
    Lecturer,
    Lecture,
    Brand,
    Page,
}

pub fn run(root: &Path, kind: Kind, slug: &str) -> ExitCode {
    match create(root, kind, slug) {
        Ok(path) => {
            eprintln!("已新建 {}", path.display());
            eprintln!(
                "用编辑器打开它，按注释填写字段；运行 caidan serve 预览，caidan check 检查。"
            );
            ExitCode::SUCCESS
        }
        Err(d) => {
            super::report(&d);
            ExitCode::from(2)
        }
    }
}

/// Writes the scaffold and returns its path; never overwrites.
pub fn create(root: &Path, kind: Kind, slug: &str) -> Result<PathBuf, Diagnostics> {
    let (folder, name) = match slug.rsplit_once('/') {
        Some((f, n)) => (Some(f), n),
        None => (None, slug),
    };
    check_slug(name).map_err(|why| {
        Diagnostic::error(format!("“{name}”不能用作文件名：{why}"))
            .help("只用字母、数字、汉字和连字符 -，例如 kong-shengdong")
    })?;
    if let Some(f) = folder {
        for part in f.split('/') {
            check_slug(part)
                .map_err(|why| Diagnostic::error(format!("文件夹名“{part}”不能用：{why}")))?;
        }
    }
    let content = root.join("content");
    let path = match (kind, folder) {
        (Kind::News, None) => content.join("news"),
        (Kind::Lecturer, None) => content.join("lecturers"),
        (Kind::Lecture, None) => content.join("lectures"),
        (Kind::Brand, Some(matrix)) => {
            let dir = content.join("brands").join(matrix);
            if !dir.join("_index.md").is_file() {
                return Err(Diagnostic::error(format!("品牌矩阵 {matrix} 还不存在"))
                    .help(format!("先新建 content/brands/{matrix}/_index.md（写上 title 和 rows），或写一个已有的矩阵"))
                    .into());
            }
            dir
        }
        (Kind::Brand, None) => return Err(Diagnostic::error("品牌要写成 矩阵/品牌，例如 caidan new brand zheneng/gongzihao").into()),
        (Kind::Page, folder) => content.join(folder.unwrap_or("about")),
        (_, Some(_)) => return Err(Diagnostic::error("新闻、宣讲人和宣讲只写文件名，不带文件夹").help("例如 caidan new news banqian-shifenzhong").into()),
    }
    .join(format!("{name}.md"));
    if path.exists() {
        return Err(Diagnostic::error(format!("{} 已经存在，没有覆盖它", path.display())).into());
    }
    let text = scaffold(root, kind, path.parent().unwrap_or(&content));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Diagnostics::from(io_error("创建文件夹", dir, &e)))?;
    }
    std::fs::write(&path, text).map_err(|e| Diagnostics::from(io_error("写入", &path, &e)))?;
    Ok(path)
}

/// The first entry slug in a folder, to make a scaffold that builds straight away.
fn first_slug(dir: &Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('_') || name.starts_with('.') {
                None
            } else if e.path().is_dir() {
                e.path().join("index.md").is_file().then_some(name)
            } else {
                name.strip_suffix(".md").map(str::to_string)
            }
        })
        .collect();
    names.sort();
    names.into_iter().next()
}

fn first_category(root: &Path) -> String {
    crate::config::load(root, &Default::default())
        .ok()
        .and_then(|(c, _)| c.lecture_categories.first().cloned())
        .unwrap_or_else(|| crate::config::DEFAULT_CATEGORIES[0].to_string())
}

fn first_row(matrix_dir: &Path) -> String {
    let text = std::fs::read_to_string(matrix_dir.join("_index.md")).unwrap_or_default();
    crate::load::parse_front(&crate::diagnostics::Source::new("_index.md", text))
        .0
        .and_then(|f| match &f.node.get("rows")?.value {
            crate::load::yaml::Value::Seq(items) => items.iter().find_map(|i| match &i.value {
                crate::load::yaml::Value::Str(s) => Some(s.clone()),
                _ => None,
            }),
            _ => None,
        })
        .unwrap_or_else(|| "思想引领体系".to_string())
}

pub fn scaffold(root: &Path, kind: Kind, dir: &Path) -> String {
    let today = Date::today().iso();
    let content = root.join("content");
    match kind {
        Kind::News => format!(
            "---\n\
# 新闻。井号 # 后面是说明，可以删掉。\n\
title: 新闻标题                # 必填：主题\n\
kicker:                        # 引题：标题上方的一行（可不填）\n\
subtitle:                      # 副题：标题下方的一行（可不填）\n\
date: {today}                 # 必填：发布日期，写成 2023-05-12\n\
source: 浙江工人日报           # 来源报刊\n\
reporters: []                  # 记者，例如 [张三]\n\
correspondents: []             # 通讯员，例如 [李四, 王五]\n\
region:                        # 地区，例如 杭州市萧山区\n\
tags: []                       # 标签，例如 [班前十分钟, 产改]\n\
lecturers: []                  # 报道涉及的宣讲人（文件名），例如 [kong-shengdong]\n\
brands: []                     # 报道涉及的品牌（矩阵/品牌），例如 [zheneng/gongzihao]\n\
# image:                       # 题图：把图片放在本文旁边\n\
#   src: photo.png\n\
#   caption: 图片说明\n\
#   credit: 摄影者\n\
draft: true                    # 草稿：写完后删掉这一行才会发布\n\
---\n\n\
在这里写正文。段落之间空一行。\n\n\
## 小标题\n\n\
正文……\n"
        ),
        Kind::Lecturer => "---\n\
# 宣讲人：劳模、工匠、宣讲员。井号 # 后面是说明，可以删掉。\n\
name: 姓名                     # 必填\n\
honors:                        # 荣誉，按重要程度写；也可写成 {name: 杭州工匠, level: 市, year: 2019}\n\
  - 全国劳动模范\n\
occupation:                    # 职业，例如 公交车司机、电焊工\n\
org:                           # 工作单位\n\
region:                        # 所在地区，例如 杭州市\n\
team:                          # 所属宣讲团\n\
quote:                         # 一句话，显示在名片上\n\
# photo: photo.png             # 照片：放在本文旁边\n\
# video: https://…             # 视频链接\n\
available: true                # 暂不接受预约时改为 false\n\
availability:                  # 预约说明，例如 已约满至9月底\n\
---\n\n\
在这里写个人简介。\n"
            .to_string(),
        Kind::Lecture => {
            let lecturer = first_slug(&content.join("lecturers")).unwrap_or_else(|| "kong-shengdong".into());
            let category = first_category(root);
            format!(
                "---\n\
# 宣讲菜单里的一道“菜”：可以点单的宣讲。井号 # 后面是说明，可以删掉。\n\
title: 宣讲题目                 # 必填\n\
lecturers: [{lecturer}]        # 必填：宣讲人的文件名，至少一位\n\
category: {category}            # 必填：site.yaml 里 lecture_categories 的一项\n\
audiences: [企业, 车间班组]     # 适合的听众\n\
formats: [讲座]                 # 形式，例如 讲座、现场展示、短片、互动\n\
duration: 60                    # 时长（分钟）：班前十分钟写 10，半天写 240\n\
regions: []                     # 可以去的地区；空着表示全省都可以\n\
tags: []                        # 标签，例如 [班前十分钟, 进校园]\n\
---\n\n\
一两句话介绍这场宣讲。\n\n\
## 宣讲提纲\n\n\
1. 第一部分\n\
2. 第二部分\n\
3. 第三部分\n"
            )
        }
        Kind::Brand => {
            let row = first_row(dir);
            format!(
                "---\n\
# 品牌矩阵里的一个品牌。井号 # 后面是说明，可以删掉。\n\
title: 品牌名称                 # 必填\n\
row: {row}                      # 必填：所属体系，矩阵 _index.md 里 rows 的一项\n\
slogan:                         # 一句话介绍\n\
org:                            # 负责的工会或单位\n\
tags: []\n\
weight: 10                      # 在体系里的顺序：数字小的在前\n\
# logo: logo.png                # 标志图片：放在本文旁边\n\
---\n\n\
在这里介绍这个品牌。\n"
            )
        }
        Kind::Page => format!(
            "---\n\
title: 页面标题                 # 必填\n\
date: {today}\n\
---\n\n\
在这里写页面内容。\n"
        ),
    }
}
