//! One file's front matter → a typed [`Entry`], [`Section`] or [`Matrix`].
//!
//! Only per-file checks happen here (types, required fields, categories, rows, images);
//! references between entries are resolved in `resolve::mod` once every file is read.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::yaml::{Node, Value};
use crate::load::{ContentFile, Front};
use crate::resolve::fields::{Fields, Located};
use crate::resolve::model::*;
use crate::resolve::urls;
use std::path::{Component, Path};

const NEWS: &[&str] = &[
    "title",
    "kicker",
    "subtitle",
    "date",
    "source",
    "reporters",
    "correspondents",
    "region",
    "tags",
    "lecturers",
    "brands",
    "image",
    "slug",
    "draft",
    "weight",
    "template",
    "description",
];
const LECTURER: &[&str] = &[
    "name",
    "honors",
    "occupation",
    "org",
    "region",
    "team",
    "quote",
    "photo",
    "video",
    "available",
    "availability",
    "slug",
    "draft",
    "weight",
    "template",
    "tags",
    "date",
];
const LECTURE: &[&str] = &[
    "title",
    "lecturers",
    "category",
    "audiences",
    "formats",
    "duration",
    "regions",
    "tags",
    "slug",
    "draft",
    "weight",
    "template",
    "date",
    "description",
];
const BRAND: &[&str] = &[
    "title",
    "row",
    "slogan",
    "logo",
    "org",
    "tags",
    "weight",
    "slug",
    "draft",
    "template",
    "date",
    "description",
];
const PAGE: &[&str] = &[
    "title",
    "date",
    "tags",
    "slug",
    "draft",
    "weight",
    "template",
    "description",
];
const SECTION: &[&str] = &["title", "description", "sort_by", "paginate_by", "template"];
const MATRIX: &[&str] = &[
    "title",
    "org",
    "date",
    "rows",
    "count",
    "description",
    "weight",
    "template",
];
const IMAGE: &[&str] = &["src", "caption", "credit", "alt"];
const HONOR: &[&str] = &["name", "level", "year"];

/// What a file turned out to be.
pub enum Parsed {
    Entry(Box<Entry>),
    Section(Section),
    Matrix(Matrix),
}

/// Everything an entry's extraction needs to know about the site.
pub struct Ctx<'a> {
    pub root: &'a Path,
    pub config: &'a Config,
    /// Matrices already read: (slug, rows), for checking a brand's `row`.
    pub matrix_rows: &'a [(String, Vec<String>)],
}

/// Interprets one content file by where it sits in `content/`.
pub fn parse(
    ctx: &Ctx,
    file: &ContentFile,
    front: &Front,
    diagnostics: &mut Diagnostics,
) -> Option<Parsed> {
    let parts: Vec<&str> = file.parts.iter().map(String::as_str).collect();
    let (last, folders) = parts.split_last()?;
    if *last == "_index.md" {
        if folders.len() == 2 && folders[0] == "brands" {
            return matrix(ctx, file, front, folders[1], diagnostics).map(Parsed::Matrix);
        }
        return section(ctx, file, front, &folders.join("/"), diagnostics).map(Parsed::Section);
    }
    let is_bundle = *last == "index.md";
    let (slug_from_name, section_parts) = if is_bundle {
        let (bundle, parents) = folders.split_last()?;
        ((*bundle).to_string(), parents)
    } else {
        (last.trim_end_matches(".md").to_string(), folders)
    };
    if section_parts.is_empty() {
        diagnostics.push(
            Diagnostic::error("内容文件不能直接放在 content/ 下")
                .in_file(file.source.name.clone())
                .help("放进一个栏目文件夹，例如 content/about/；首页的文字写在 content/_index.md"),
        );
        return None;
    }
    let kind = match section_parts[0] {
        "news" => Kind::News,
        "lecturers" => Kind::Lecturer,
        "lectures" => Kind::Lecture,
        "brands" => Kind::Brand,
        _ => Kind::Page,
    };
    if kind == Kind::Brand && section_parts.len() < 2 {
        diagnostics.push(
            Diagnostic::error("品牌要放在它所属的品牌矩阵文件夹里")
                .in_file(file.source.name.clone())
                .help("例如 content/brands/zheneng/gongzihao.md，矩阵本身写在 content/brands/zheneng/_index.md"),
        );
        return None;
    }
    let known = match kind {
        Kind::News => NEWS,
        Kind::Lecturer => LECTURER,
        Kind::Lecture => LECTURE,
        Kind::Brand => BRAND,
        Kind::Page => PAGE,
    };
    let dir = file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut f = Fields::new(
        &file.source,
        &front.node,
        front.fence.clone(),
        known,
        diagnostics,
    );
    let slug = match f.text("slug") {
        Some(s) => match urls::check_slug(&s.value) {
            Ok(()) => s.value,
            Err(why) => {
                f.error_at(
                    "slug",
                    s.span,
                    format!("`slug` {why}"),
                    "不能用作网址",
                    Some("slug 只用字母、数字、汉字和连字符 -，例如 kong-shengdong".into()),
                );
                slug_from_name.clone()
            }
        },
        None => slug_from_name.clone(),
    };
    if let Err(why) = urls::check_slug(&slug_from_name) {
        f.diagnostics().push(
            Diagnostic::error(format!("文件名不能用作网址：{why}"))
                .in_file(file.source.name.clone())
                .help("把文件（或页面包文件夹）改名为只含字母、数字、汉字和连字符的名字，或在 front matter 里写 slug"),
        );
    }
    let section = match kind {
        Kind::Brand => section_parts[..2].join("/"),
        Kind::Page => section_parts.join("/"),
        _ => section_parts[0].to_string(),
    };
    let path = format!("{section}/{slug}/");
    let draft = f.bool("draft").unwrap_or(false);
    let weight = f.int("weight").map(|w| w.value);
    let date = f.date("date").map(|d| d.value);
    let tags = dedup(f.text_list("tags").into_iter().map(|t| t.value).collect());
    let template = template_field(&mut f);
    let (title, data) = match kind {
        Kind::News => news(ctx, &mut f, &dir, &path, is_bundle),
        Kind::Lecturer => lecturer(ctx, &mut f, &dir, &path, is_bundle),
        Kind::Lecture => lecture(ctx, &mut f),
        Kind::Brand => brand(ctx, &mut f, &dir, &path, is_bundle, section_parts[1]),
        Kind::Page => (
            f.required_text("title", "页面标题", "title: 编写指南")
                .map(|t| t.value),
            Some(Data::Page),
        ),
    };
    if kind == Kind::News && date.is_none() && f.node("date").is_none() {
        f.missing("date", "发布日期", "date: 2023-05-12");
    }
    f.finish();
    let entry = Entry {
        kind,
        source: file.source.clone(),
        dir,
        section,
        slug,
        path,
        title: title?,
        date,
        weight,
        draft,
        body: front.body.clone(),
        read_again: front.read_again,
        tags,
        bundle_assets: Vec::new(),
        template,
        data: data?,
    };
    Some(Parsed::Entry(Box::new(entry)))
}

fn news(
    ctx: &Ctx,
    f: &mut Fields,
    dir: &Path,
    path: &str,
    is_bundle: bool,
) -> (Option<String>, Option<Data>) {
    let title = f.required_text("title", "新闻标题", "title: 萧山工会“班前十分钟”助力企业");
    let image = f
        .node("image")
        .and_then(|node| image_field(ctx, f, "image", node, dir, path, is_bundle));
    let news = News {
        kicker: f.text("kicker").map(|t| t.value),
        subtitle: f.text("subtitle").map(|t| t.value),
        source: f.text("source").map(|t| t.value),
        reporters: f
            .text_list("reporters")
            .into_iter()
            .map(|t| t.value)
            .collect(),
        correspondents: f
            .text_list("correspondents")
            .into_iter()
            .map(|t| t.value)
            .collect(),
        region: f.text("region").map(|t| t.value).filter(|r| !r.is_empty()),
        lecturer_refs: f.text_list("lecturers"),
        brand_refs: f.text_list("brands"),
        image,
        ..News::default()
    };
    (title.map(|t| t.value), Some(Data::News(news)))
}

fn lecturer(
    ctx: &Ctx,
    f: &mut Fields,
    dir: &Path,
    path: &str,
    is_bundle: bool,
) -> (Option<String>, Option<Data>) {
    let name = f.required_text("name", "宣讲人姓名", "name: 孔胜东");
    let honors = honors(f);
    let photo = f
        .node("photo")
        .and_then(|node| image_field(ctx, f, "photo", node, dir, path, is_bundle));
    let lecturer = Lecturer {
        name: name.as_ref().map(|n| n.value.clone()).unwrap_or_default(),
        honors,
        occupation: f.text("occupation").map(|t| t.value),
        org: f.text("org").map(|t| t.value),
        region: f.text("region").map(|t| t.value).filter(|r| !r.is_empty()),
        team: f.text("team").map(|t| t.value),
        quote: f.text("quote").map(|t| t.value),
        photo,
        video: f.link("video").map(|t| t.value),
        available: f.bool("available").unwrap_or(true),
        availability: f.text("availability").map(|t| t.value),
    };
    (name.map(|n| n.value), Some(Data::Lecturer(lecturer)))
}

fn honors(f: &mut Fields) -> Vec<Honor> {
    let Some(node) = f.node("honors") else {
        return Vec::new();
    };
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Str(_) | Value::Map(_) => vec![node],
        _ => {
            f.type_error("honors", node, "荣誉列表");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match &item.value {
            Value::Str(name) if !name.trim().is_empty() => out.push(Honor {
                name: name.trim().to_string(),
                level: Level::infer(name),
                year: None,
            }),
            Value::Map(_) => {
                let key = format!("honors[{}]", i + 1);
                let mut h = f.nested(&key, item, HONOR);
                let name = h.required_text(
                    "name",
                    "荣誉名称",
                    "{name: 杭州工匠, level: 市, year: 2019}",
                );
                let level = h.text("level").and_then(|l| match Level::parse(&l.value) {
                    Some(level) => Some(level),
                    None => {
                        let names: Vec<&str> = Level::ALL.iter().map(|l| l.name()).collect();
                        let label = match did_you_mean(&l.value, names.iter().copied()) {
                            Some(s) => format!("是不是想写“{s}”？"),
                            None => "不是已有的级别".to_string(),
                        };
                        h.error_at(
                            "level",
                            l.span,
                            format!("荣誉级别只能是 {}", names.join("、")),
                            &label,
                            None,
                        );
                        None
                    }
                });
                let year = h.int("year").map(|y| y.value);
                h.finish();
                if let Some(name) = name {
                    out.push(Honor {
                        level: level.or_else(|| Level::infer(&name.value)),
                        name: name.value,
                        year,
                    });
                }
            }
            Value::Null => {}
            _ => f.type_error(
                &format!("honors[{}]", i + 1),
                item,
                "荣誉名称或 {name, level, year}",
            ),
        }
    }
    out
}

fn lecture(ctx: &Ctx, f: &mut Fields) -> (Option<String>, Option<Data>) {
    let title = f.required_text("title", "宣讲题目", "title: 班前十分钟：守好红色根脉");
    let lecturer_refs = f.text_list("lecturers");
    if lecturer_refs.is_empty() {
        if let Some(node) = f.node("lecturers") {
            let span = node.span.clone();
            f.error_at(
                "lecturers",
                span,
                "`lecturers` 至少要有一位宣讲人".into(),
                "这里是空的",
                Some("写宣讲人的文件名，例如 lecturers: [kong-shengdong]".into()),
            );
        } else {
            f.missing(
                "lecturers",
                "由谁来讲，至少一位宣讲人",
                "lecturers: [kong-shengdong]",
            );
        }
    }
    let category = f
        .required_text("category", "宣讲类别", "category: 工匠精神")
        .and_then(|c| check_category(ctx, f, c));
    let duration = f.int("duration").and_then(|d| {
        if d.value <= 0 || d.value > 24 * 60 {
            f.error_at(
                "duration",
                d.span,
                "`duration` 是宣讲时长的分钟数，应在 1 到 1440 之间".into(),
                "时长不对",
                Some("班前十分钟写 10，半天写 240".into()),
            );
            None
        } else {
            Some(d.value)
        }
    });
    let lecture = Lecture {
        lecturer_refs,
        lecturers: Vec::new(),
        category: category.unwrap_or_default(),
        audiences: dedup(
            f.text_list("audiences")
                .into_iter()
                .map(|t| t.value)
                .collect(),
        ),
        formats: dedup(
            f.text_list("formats")
                .into_iter()
                .map(|t| t.value)
                .collect(),
        ),
        duration,
        regions: dedup(
            f.text_list("regions")
                .into_iter()
                .map(|t| t.value)
                .collect(),
        ),
    };
    (title.map(|t| t.value), Some(Data::Lecture(lecture)))
}

fn check_category(ctx: &Ctx, f: &mut Fields, c: Located<String>) -> Option<String> {
    let categories = &ctx.config.lecture_categories;
    if categories.contains(&c.value) {
        return Some(c.value);
    }
    let label = match did_you_mean(&c.value, categories.iter().map(String::as_str)) {
        Some(s) => format!("不是已有的类别；是不是想写“{s}”？"),
        None => "不是已有的类别".to_string(),
    };
    f.error_at(
        "category",
        c.span,
        "`category` 必须是 site.yaml 中 lecture_categories 的一项".into(),
        &label,
        Some(format!(
            "类别有：{}（要新增类别，先加到 site.yaml 的 lecture_categories 里）",
            categories.join("、")
        )),
    );
    None
}

fn brand(
    ctx: &Ctx,
    f: &mut Fields,
    dir: &Path,
    path: &str,
    is_bundle: bool,
    matrix: &str,
) -> (Option<String>, Option<Data>) {
    let title = f.required_text("title", "品牌名称", "title: “工”字号宣讲队伍");
    let row = f.required_text("row", "所属体系，矩阵 rows 中的一项", "row: 思想引领体系");
    let rows = ctx
        .matrix_rows
        .iter()
        .find(|(slug, _)| slug == matrix)
        .map(|(_, rows)| rows);
    let row = row.and_then(|row| match rows {
        Some(rows) if rows.contains(&row.value) => Some(row.value),
        Some(rows) => {
            let label = match did_you_mean(&row.value, rows.iter().map(String::as_str)) {
                Some(s) => format!("矩阵里没有这个体系；是不是想写“{s}”？"),
                None => "矩阵里没有这个体系".to_string(),
            };
            f.error_at(
                "row",
                row.span,
                format!("`row` 必须是品牌矩阵 {matrix} 的 rows 中的一项"),
                &label,
                Some(format!(
                    "content/brands/{matrix}/_index.md 的体系有：{}",
                    rows.join("、")
                )),
            );
            None
        }
        // The matrix itself is missing: reported once for the folder, not for every brand.
        None => Some(row.value),
    });
    let logo = f
        .node("logo")
        .and_then(|node| image_field(ctx, f, "logo", node, dir, path, is_bundle));
    let brand = Brand {
        matrix: 0,
        row: row.unwrap_or_default(),
        slogan: f.text("slogan").map(|t| t.value),
        logo,
        org: f.text("org").map(|t| t.value),
    };
    (title.map(|t| t.value), Some(Data::Brand(brand)))
}

fn section(
    ctx: &Ctx,
    file: &ContentFile,
    front: &Front,
    key: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Section> {
    let mut f = Fields::new(
        &file.source,
        &front.node,
        front.fence.clone(),
        SECTION,
        diagnostics,
    );
    let title = f
        .text("title")
        .map_or_else(|| default_section_title(key, ctx.config), |t| t.value);
    let sort_by = f.text("sort_by").and_then(|s| match s.value.as_str() {
        "date" => Some(SortBy::Date),
        "title" => Some(SortBy::Title),
        "weight" => Some(SortBy::Weight),
        _ => {
            let label = match did_you_mean(&s.value, ["date", "title", "weight"]) {
                Some(x) => format!("是不是想写 {x}？"),
                None => "不认识的排序方式".into(),
            };
            f.error_at(
                "sort_by",
                s.span,
                "`sort_by` 只能是 date、title 或 weight".into(),
                &label,
                Some("date 按日期从新到旧，title 按标题，weight 按 weight 从小到大".into()),
            );
            None
        }
    });
    let paginate_by = f.int("paginate_by").and_then(|n| {
        if n.value < 1 {
            f.error_at(
                "paginate_by",
                n.span,
                "`paginate_by` 应该是大于 0 的整数".into(),
                "应大于 0",
                None,
            );
            None
        } else {
            Some(n.value as usize)
        }
    });
    let section = Section {
        key: key.to_string(),
        path: if key.is_empty() {
            String::new()
        } else {
            format!("{key}/")
        },
        title,
        description: f.text("description").map(|t| t.value),
        sort_by,
        paginate_by,
        template: template_field(&mut f),
        source: Some(file.source.clone()),
        body: front.body.clone(),
        pages: Vec::new(),
    };
    f.finish();
    Some(section)
}

/// The title of a section whose `_index.md` gives none (or that has no `_index.md`).
pub fn default_section_title(key: &str, config: &Config) -> String {
    match key {
        "" => config.title.clone(),
        "news" => "新闻".into(),
        "lecturers" => "宣讲人".into(),
        "lectures" => "宣讲菜单".into(),
        "brands" => "品牌矩阵".into(),
        other => other.rsplit('/').next().unwrap_or(other).to_string(),
    }
}

fn matrix(
    _ctx: &Ctx,
    file: &ContentFile,
    front: &Front,
    slug: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Matrix> {
    let mut f = Fields::new(
        &file.source,
        &front.node,
        front.fence.clone(),
        MATRIX,
        diagnostics,
    );
    let title = f.required_text("title", "矩阵名称", "title: 浙能工会工作品牌矩阵");
    let rows = f.text_list("rows");
    if rows.is_empty() {
        match f.node("rows") {
            Some(node) => {
                let span = node.span.clone();
                f.error_at(
                    "rows",
                    span,
                    "`rows` 至少要有一个体系".into(),
                    "这里是空的",
                    None,
                );
            }
            None => f.missing(
                "rows",
                "矩阵的体系，按顺序",
                "rows: [思想引领体系, 建功立业体系]",
            ),
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for row in &rows {
        if seen.contains(&row.value) {
            f.error_at(
                "rows",
                row.span.clone(),
                format!("体系“{}”写了两次", row.value),
                "重复",
                Some("每个体系只写一次".into()),
            );
        }
        seen.push(row.value.clone());
    }
    let matrix = Matrix {
        slug: slug.to_string(),
        path: format!("brands/{slug}/"),
        org: f.text("org").map(|t| t.value),
        date: f.date("date").map(|d| d.value),
        count: f.int("count"),
        rows: seen,
        source: file.source.clone(),
        body: front.body.clone(),
        brands: Vec::new(),
        title: title?.value,
    };
    f.finish();
    Some(matrix)
}

/// `template`: the name of a template of the theme (`page.html`, `special/wide.html`), never a
/// path on disk, so `..`, a leading `/` or a Windows path is refused here with its reason.
fn template_field(f: &mut Fields) -> Option<Located<String>> {
    let t = f.text("template")?;
    let name = t.value.as_str();
    let climbs = name.split(['/', '\\']).any(|seg| seg == "..");
    let absolute = name.starts_with('/') || name.starts_with('\\') || is_windows_path(name);
    if !(climbs || absolute || name.contains('\\')) {
        return Some(t);
    }
    f.error_at(
        "template",
        t.span,
        "`template` 应该是主题里一个模板的名字，不能是文件路径".into(),
        if climbs {
            "不能用 .. 跳出模板文件夹"
        } else {
            "不能是绝对路径"
        },
        Some("写模板在 templates/ 里的名字，例如 template: page.html".into()),
    );
    None
}

/// `C:\photo.png`, `D:/x`, `\\server\share`: a path on the editor's own computer.
fn is_windows_path(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && b.get(2).is_none_or(|c| *c == b'\\' || *c == b'/'))
        || s.starts_with("\\\\")
        || s.starts_with("file:")
}

/// Reads an image field (`photo: photo.png`, or `image: {src, caption, credit}`), checking that
/// the file exists. Relative paths are relative to the entry's folder; `/x.png` is from `static/`.
fn image_field(
    ctx: &Ctx,
    f: &mut Fields,
    key: &str,
    node: &Node,
    dir: &Path,
    page_path: &str,
    is_bundle: bool,
) -> Option<Image> {
    let (src, caption, credit) = match &node.value {
        Value::Str(s) => (
            Located {
                value: s.trim().to_string(),
                span: node.span.clone(),
            },
            None,
            None,
        ),
        Value::Map(_) => {
            let mut m = f.nested(key, node, IMAGE);
            let src = m.required_text("src", "图片文件", "src: photo.png");
            let caption = m.text("caption").map(|t| t.value);
            let credit = m.text("credit").map(|t| t.value);
            m.text("alt");
            m.finish();
            (src?, caption, credit)
        }
        _ => {
            f.type_error(key, node, "图片路径");
            return None;
        }
    };
    let field = if matches!(node.value, Value::Map(_)) {
        format!("{key}.src")
    } else {
        key.to_string()
    };
    if src.value.starts_with("http://") || src.value.starts_with("https://") {
        let source = f.source();
        f.diagnostics().push(
            Diagnostic::warning(format!(
                "`{field}` 是外部网址，内网或断网时图片会显示不出来"
            ))
            .at(source, src.span.clone())
            .field(field)
            .help("把图片放在内容旁边（页面包），写相对路径，例如 photo.png"),
        );
        return Some(Image {
            src: src.value,
            caption,
            credit,
        });
    }
    if is_windows_path(&src.value) || src.value.contains('\\') {
        f.error_at(
            &field,
            src.span,
            format!("`{field}` 写的是你电脑上的文件位置，网站上找不到它"),
            "这是本机路径",
            Some(
                "把图片复制到这篇内容旁边（页面包文件夹里），这里只写文件名，例如 photo.png".into(),
            ),
        );
        return None;
    }
    let content = ctx.root.join("content");
    let (file, output) = if let Some(abs) = src.value.strip_prefix('/') {
        (ctx.root.join("static").join(abs), normalize(Path::new(abs)))
    } else {
        let file = dir.join(&src.value);
        let output = if is_bundle {
            normalize(Path::new(&src.value)).map(|rel| format!("{page_path}{rel}"))
        } else {
            file.strip_prefix(&content).ok().and_then(normalize)
        };
        (file, output)
    };
    let Some(output) = output else {
        f.error_at(
            &field,
            src.span,
            format!("`{field}` 的路径不能离开内容所在的文件夹"),
            "不允许的路径",
            Some("把图片放进页面包文件夹里，写 photo.png 这样的相对路径".into()),
        );
        return None;
    };
    if !file.is_file() {
        let near: Vec<String> = std::fs::read_dir(file.parent().unwrap_or(dir))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.ends_with(".md"))
                    .collect()
            })
            .unwrap_or_default();
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let label = match did_you_mean(&name, near.iter().map(String::as_str)) {
            Some(s) => format!("找不到这个文件；是不是 {s}？"),
            None => "找不到这个文件".to_string(),
        };
        let help = if is_bundle || src.value.starts_with('/') {
            "检查文件名（区分大小写和扩展名）".to_string()
        } else {
            "把图片和内容放在一起：建一个同名文件夹，把 .md 改名为 index.md 放进去，图片放在旁边"
                .to_string()
        };
        f.error_at(
            &field,
            src.span,
            format!("`{field}` 指向的图片不存在：{}", src.value),
            &label,
            Some(help),
        );
        return None;
    }
    Some(Image {
        src: output,
        caption,
        credit,
    })
}

/// A relative path with `.` and `..` folded, `/`-separated; `None` if it climbs out.
fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn dedup(mut items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.clone()));
    items
}
