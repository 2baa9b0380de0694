//! Resolve: loaded files → the typed [`Site`].
//!
//! Reads nothing from disk but the existence of referenced images. Interprets every front
//! matter, then does all cross-entry work: drafts, references (with "did you mean"), duplicate
//! slugs and URLs, matrices and their rows, section order, taxonomies and reverse indexes.
//! Every problem becomes a diagnostic; a site with errors returns no `Site`.

pub mod date;
pub mod entries;
pub mod fields;
pub mod model;
pub mod urls;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Source, did_you_mean};
use crate::load::Content;
use entries::{Ctx, Parsed};
use fields::Located;
pub use model::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Build entries marked `draft: true`.
    pub drafts: bool,
}

/// Paths the generator itself writes; an entry may not take them.
pub const RESERVED: [&str; 5] = [
    "search/",
    "tags/",
    "regions/",
    "lectures/categories/",
    "404.html",
];

pub fn resolve(
    root: &Path,
    config: &Config,
    content: &Content,
    options: Options,
) -> (Option<Site>, Diagnostics) {
    resolve_fronts(root, config, content, None, options)
}

/// [`resolve`], letting go of each file's parsed front matter as soon as its entry is typed:
/// at 100,000 articles the YAML trees are about 350 MB, and held to the end of this stage
/// beside the entries they become, they set the build's high-water mark of memory.
pub fn resolve_consuming(
    root: &Path,
    config: &Config,
    mut content: Content,
    options: Options,
) -> (Option<Site>, Diagnostics) {
    let fronts = content.files.iter_mut().map(|f| f.front.take()).collect();
    resolve_fronts(root, config, &content, Some(fronts), options)
}

/// The front matter of the files, in their order, when taken out of them.
type Fronts = Vec<Option<crate::load::Front>>;

fn resolve_fronts(
    root: &Path,
    config: &Config,
    content: &Content,
    fronts: Option<Fronts>,
    options: Options,
) -> (Option<Site>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();

    // Matrices first: a brand's `row` is checked against its matrix's rows.
    let mut matrices = Vec::new();
    let mut matrix_rows = Vec::new();
    let front_of = |i: usize| match &fronts {
        Some(fronts) => fronts[i].as_ref(),
        None => content.files[i].front.as_ref(),
    };
    for (i, file) in content.files.iter().enumerate() {
        if !is_matrix_index(&file.parts) {
            continue;
        }
        let Some(front) = front_of(i) else { continue };
        let ctx = Ctx {
            root,
            config,
            matrix_rows: &[],
        };
        if let Some(Parsed::Matrix(m)) = entries::parse(&ctx, file, front, &mut diagnostics) {
            matrix_rows.push((m.slug.clone(), m.rows.clone()));
            matrices.push(m);
        }
    }
    matrices.sort_by(|a, b| a.slug.cmp(&b.slug));

    let ctx = Ctx {
        root,
        config,
        matrix_rows: &matrix_rows,
    };
    let parse = |file: &crate::load::ContentFile, front: &crate::load::Front| {
        let mut d = Diagnostics::new();
        let p = entries::parse(&ctx, file, front, &mut d);
        (p, d)
    };
    let files = content.files.par_iter();
    let parsed: Vec<(Option<Parsed>, Diagnostics)> = match fronts {
        Some(fronts) => files
            .zip(fronts)
            .filter(|(f, _)| !is_matrix_index(&f.parts))
            .filter_map(|(file, front)| Some(parse(file, &front?)))
            .collect(),
        None => files
            .filter(|f| !is_matrix_index(&f.parts))
            .filter_map(|file| Some(parse(file, file.front.as_ref()?)))
            .collect(),
    };

    let mut all_entries = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    for (p, d) in parsed {
        diagnostics.extend(d);
        match p {
            Some(Parsed::Entry(e)) => all_entries.push(*e),
            Some(Parsed::Section(s)) => sections.push(s),
            Some(Parsed::Matrix(_)) | None => {}
        }
    }
    // Files that could not even be split or parsed were reported by `load`.

    // Drafts leave the site here, so nothing later can link to them.
    let (mut entries, drafts): (Vec<Entry>, Vec<Entry>) = all_entries
        .into_iter()
        .partition(|e| options.drafts || !e.draft);
    entries.sort_by(|a, b| a.source.name.cmp(&b.source.name));

    attach_bundle_assets(content, &mut entries);
    let assets = generic_assets(content);

    let clashes = check_duplicate_slugs(&entries, &mut diagnostics);
    resolve_refs(&mut entries, &drafts, &matrices, &mut diagnostics);
    place_brands(&mut entries, &mut matrices, &mut diagnostics);

    ensure_sections(&mut sections, &entries, config);
    sort_sections(&mut sections, &entries);
    let (tags, regions) = taxonomies(&entries);
    check_duplicate_urls(
        &entries,
        &sections,
        &matrices,
        &tags,
        &regions,
        config,
        &clashes,
        &mut diagnostics,
    );

    let (lectures_of, news_of) = reverse_indexes(&entries);
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    let site = Site {
        config: config.clone(),
        entries,
        sections,
        matrices,
        tags,
        regions,
        lectures_of,
        news_of,
        assets,
    };
    (Some(site), diagnostics)
}

fn is_matrix_index(parts: &[String]) -> bool {
    parts.len() == 3 && parts[0] == "brands" && parts[2] == "_index.md"
}

/// Files beside a bundle's `index.md` travel with the page (to its URL, even if `slug` moved it).
fn attach_bundle_assets(content: &Content, entries: &mut [Entry]) {
    // By folder, so a site of many bundles is not bundles × assets.
    let mut by_folder: HashMap<&Path, Vec<&Path>> = HashMap::new();
    for a in &content.assets {
        if let Some(dir) = a.path.parent() {
            by_folder.entry(dir).or_default().push(&a.path);
        }
    }
    for entry in entries
        .iter_mut()
        .filter(|e| e.source.name.ends_with("/index.md"))
    {
        entry.bundle_assets = by_folder
            .get(entry.dir.as_path())
            .map(|files| files.iter().map(|p| p.to_path_buf()).collect())
            .unwrap_or_default();
    }
}

/// Non-Markdown files outside bundles are copied to the same place in the output.
fn generic_assets(content: &Content) -> Vec<(std::path::PathBuf, String)> {
    let bundles: HashSet<&Path> = content
        .files
        .iter()
        .filter(|f| f.parts.last().map(String::as_str) == Some("index.md"))
        .filter_map(|f| f.path.parent())
        .collect();
    content
        .assets
        .iter()
        .filter(|a| !a.path.parent().is_some_and(|p| bundles.contains(&p)))
        .filter(|a| {
            a.parts
                .iter()
                .all(|p| urls::check_slug(p).is_ok() || p.contains('.'))
        })
        .map(|a| (a.path.clone(), a.parts.join("/")))
        .filter(|(_, rel)| urls::is_safe_output_path(rel))
        .collect()
}

/// Returns the paths already reported, so the same clash is not reported again as a URL.
fn check_duplicate_slugs(entries: &[Entry], diagnostics: &mut Diagnostics) -> Vec<String> {
    let mut reported = Vec::new();
    let mut seen: HashMap<(Kind, &str, &str), &Entry> = HashMap::new();
    for e in entries {
        if let Some(first) = seen.insert((e.kind, e.section.as_str(), e.slug.as_str()), e) {
            reported.push(e.path.clone());
            diagnostics.push(
                Diagnostic::error(format!("slug“{}”重复：{} 也用了它", e.slug, first.source.name))
                    .at(&e.source, slug_span(&e.source))
                    .field("slug")
                    .help("同一栏目里每篇内容的文件名（或 slug）必须不同；改其中一个的文件名，或在 front matter 里写不同的 slug"),
            );
        }
    }
    reported
}

/// A lecturer reference: slug → entry index.
fn resolve_refs(
    entries: &mut [Entry],
    drafts: &[Entry],
    matrices: &[Matrix],
    diagnostics: &mut Diagnostics,
) {
    let index: HashMap<(Kind, String), usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let key = if e.kind == Kind::Brand {
                format!("{}/{}", e.section.trim_start_matches("brands/"), e.slug)
            } else {
                e.slug.clone()
            };
            ((e.kind, key), i)
        })
        .collect();
    let names: BTreeMap<Kind, Vec<String>> = index.keys().fold(BTreeMap::new(), |mut m, (k, s)| {
        m.entry(*k).or_insert_with(Vec::new).push(s.clone());
        m
    });
    let draft_names: Vec<(Kind, String)> = drafts
        .iter()
        .map(|e| {
            (
                e.kind,
                if e.kind == Kind::Brand {
                    format!("{}/{}", e.section.trim_start_matches("brands/"), e.slug)
                } else {
                    e.slug.clone()
                },
            )
        })
        .collect();
    let lookup = |kind: Kind,
                  field: &str,
                  r: &Located<String>,
                  source: &Source,
                  diagnostics: &mut Diagnostics|
     -> Option<usize> {
        if let Some(&i) = index.get(&(kind, r.value.clone())) {
            return Some(i);
        }
        let mut candidates: Vec<&str> = names
            .get(&kind)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default();
        candidates.sort_unstable();
        let (what, folder) = match kind {
            Kind::Lecturer => ("宣讲人", "content/lecturers/"),
            _ => ("品牌", "content/brands/<矩阵>/"),
        };
        let mut d = Diagnostic::error(format!("`{field}` 引用的{what}“{}”不存在", r.value))
            .at(source, r.span.clone())
            .field(field);
        if draft_names.contains(&(kind, r.value.clone())) {
            d = d
                .label("这是一篇草稿（draft: true）")
                .help("发布那篇草稿（删掉 draft: true），或先去掉这个引用；预览草稿可用 --drafts");
        } else if kind == Kind::Brand && !r.value.contains('/') {
            let full: Vec<&str> = candidates
                .iter()
                .copied()
                .filter(|c| c.ends_with(&format!("/{}", r.value)))
                .collect();
            d = match full.first() {
                Some(f) => d.label(format!("品牌要连同矩阵一起写：{f}")),
                None => d.label("品牌写成“矩阵/品牌”").help(format!(
                    "矩阵有：{}",
                    matrices
                        .iter()
                        .map(|m| m.slug.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                )),
            };
        } else if let Some(s) = did_you_mean(&r.value, candidates.iter().copied()) {
            d = d.label(format!("是不是想写 {s}？"));
        } else {
            d = d.label(format!("{folder} 里没有这个文件")).help(format!(
                "写{what}文件的文件名（不带 .md），例如 {}",
                candidates.first().copied().unwrap_or("kong-shengdong")
            ));
        }
        diagnostics.push(d);
        None
    };
    for entry in entries.iter_mut() {
        let source = &entry.source;
        match &mut entry.data {
            Data::Lecture(l) => {
                let ids = l
                    .lecturer_refs
                    .iter()
                    .filter_map(|r| lookup(Kind::Lecturer, "lecturers", r, source, diagnostics))
                    .collect();
                l.lecturers = dedup_ids(ids);
            }
            Data::News(n) => {
                let lecturers = n
                    .lecturer_refs
                    .iter()
                    .filter_map(|r| lookup(Kind::Lecturer, "lecturers", r, source, diagnostics))
                    .collect();
                let brands = n
                    .brand_refs
                    .iter()
                    .filter_map(|r| lookup(Kind::Brand, "brands", r, source, diagnostics))
                    .collect();
                n.lecturers = dedup_ids(lecturers);
                n.brands = dedup_ids(brands);
            }
            _ => {}
        }
    }
}

fn dedup_ids(mut ids: Vec<usize>) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|i| seen.insert(*i));
    ids
}

/// Puts every brand in its matrix, ordered by row, then weight, then title.
fn place_brands(entries: &mut [Entry], matrices: &mut [Matrix], diagnostics: &mut Diagnostics) {
    let mut orphans: BTreeMap<String, String> = BTreeMap::new();
    for (i, e) in entries.iter_mut().enumerate() {
        let Data::Brand(b) = &mut e.data else {
            continue;
        };
        let slug = e.section.trim_start_matches("brands/");
        match matrices.iter().position(|m| m.slug == slug) {
            Some(m) => {
                b.matrix = m;
                matrices[m].brands.push(i);
            }
            None => {
                orphans
                    .entry(slug.to_string())
                    .or_insert_with(|| e.source.name.clone());
            }
        }
    }
    for (slug, file) in orphans {
        diagnostics.push(
            Diagnostic::error(format!("品牌矩阵文件夹 content/brands/{slug}/ 缺少 _index.md"))
                .in_file(file)
                .help(format!("新建 content/brands/{slug}/_index.md，写上矩阵的 title 和 rows（体系），品牌才能排进矩阵")),
        );
    }
    for m in matrices.iter_mut() {
        let row_of = |e: &Entry| match &e.data {
            Data::Brand(b) => m
                .rows
                .iter()
                .position(|r| *r == b.row)
                .unwrap_or(usize::MAX),
            _ => usize::MAX,
        };
        m.brands.sort_by(|&a, &b| {
            let (ea, eb) = (&entries[a], &entries[b]);
            row_of(ea)
                .cmp(&row_of(eb))
                .then(
                    ea.weight
                        .unwrap_or(i64::MAX)
                        .cmp(&eb.weight.unwrap_or(i64::MAX)),
                )
                .then(ea.title.cmp(&eb.title))
        });
        if let Some(count) = &m.count {
            let present = m.brands.len() as i64;
            if count.value != present {
                diagnostics.push(
                    Diagnostic::warning(format!(
                        "矩阵写明有 {} 个品牌，文件夹里实际有 {present} 个",
                        count.value
                    ))
                    .at(&m.source, count.span.clone())
                    .field("count")
                    .label(format!("实际是 {present} 个"))
                    .help(format!("补齐缺少的品牌文件，或把 count 改成 {present}")),
                );
            }
        }
    }
}

/// Every kind's folder has a section (with defaults when it has no `_index.md`), and so does the
/// home page and every folder of plain pages.
fn ensure_sections(sections: &mut Vec<Section>, entries: &[Entry], config: &Config) {
    let mut needed: Vec<String> = vec![
        String::new(),
        "news".into(),
        "lecturers".into(),
        "lectures".into(),
        "brands".into(),
    ];
    for e in entries {
        if e.kind == Kind::Page && !needed.contains(&e.section) {
            needed.push(e.section.clone());
        }
    }
    for key in needed {
        if sections.iter().any(|s| s.key == key) {
            continue;
        }
        let title = entries::default_section_title(&key, config);
        sections.push(Section {
            path: if key.is_empty() {
                String::new()
            } else {
                format!("{key}/")
            },
            key,
            title,
            description: None,
            sort_by: None,
            paginate_by: None,
            template: None,
            source: None,
            body: 0..0,
            pages: Vec::new(),
        });
    }
    sections.sort_by(|a, b| a.key.cmp(&b.key));
}

fn sort_sections(sections: &mut [Section], entries: &[Entry]) {
    for s in sections.iter_mut() {
        let kind_folder = s.key.as_str();
        let mut pages: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| match e.kind {
                Kind::Brand => kind_folder == "brands",
                Kind::Page => e.section == s.key,
                k => k.folder() == kind_folder,
            })
            .map(|(i, _)| i)
            .collect();
        let default_sort = match kind_folder {
            "news" => SortBy::Date,
            "lecturers" | "lectures" | "brands" => SortBy::Weight,
            _ => SortBy::Weight,
        };
        sort_entries(&mut pages, entries, s.sort_by.unwrap_or(default_sort));
        s.pages = pages;
    }
}

/// Orders entries: by date (newest first), title, or weight; ties by date then title.
pub fn sort_entries(pages: &mut [usize], entries: &[Entry], by: SortBy) {
    let rank = |e: &Entry| match &e.data {
        Data::Lecturer(l) => l
            .honors
            .iter()
            .filter_map(|h| h.level)
            .min()
            .map_or(Level::ALL.len(), |lv| lv as usize),
        _ => 0,
    };
    pages.sort_by(|&a, &b| {
        let (ea, eb) = (&entries[a], &entries[b]);
        let by_date = eb.date.cmp(&ea.date);
        let by_title = ea.title.cmp(&eb.title);
        match by {
            SortBy::Date => by_date.then(by_title).then(ea.path.cmp(&eb.path)),
            SortBy::Title => by_title.then(ea.path.cmp(&eb.path)),
            SortBy::Weight => ea
                .weight
                .unwrap_or(i64::MAX)
                .cmp(&eb.weight.unwrap_or(i64::MAX))
                .then(rank(ea).cmp(&rank(eb)))
                .then(by_date)
                .then(by_title)
                .then(ea.path.cmp(&eb.path)),
        }
    });
}

type Terms = BTreeMap<String, Vec<usize>>;

fn taxonomies(entries: &[Entry]) -> (Terms, Terms) {
    let mut tags: Terms = BTreeMap::new();
    let mut regions: Terms = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        for t in &e.tags {
            tags.entry(t.clone()).or_default().push(i);
        }
        let entry_regions: Vec<&String> = match &e.data {
            Data::News(n) => n.region.iter().collect(),
            Data::Lecturer(l) => l.region.iter().collect(),
            Data::Lecture(l) => l.regions.iter().collect(),
            _ => Vec::new(),
        };
        for r in entry_regions {
            regions.entry(r.clone()).or_default().push(i);
        }
    }
    // Newest first inside a term; entries without a date after, by title.
    for list in tags.values_mut().chain(regions.values_mut()) {
        sort_entries(list, entries, SortBy::Date);
    }
    (tags, regions)
}

#[allow(clippy::too_many_arguments)]
fn check_duplicate_urls(
    entries: &[Entry],
    sections: &[Section],
    matrices: &[Matrix],
    tags: &Terms,
    regions: &Terms,
    config: &Config,
    clashes: &[String],
    diagnostics: &mut Diagnostics,
) {
    let mut owners: HashMap<String, String> = HashMap::new();
    for s in sections {
        owners.insert(
            s.path.clone(),
            s.source
                .as_ref()
                .map_or_else(|| format!("栏目 {}", s.key), |src| src.name.clone()),
        );
    }
    for m in matrices {
        owners.insert(m.path.clone(), m.source.name.clone());
    }
    for r in RESERVED {
        owners.insert(r.to_string(), "caidan 自动生成的页面".into());
    }
    for t in tags.keys() {
        owners.insert(
            format!("tags/{}/", urls::term_segment(t)),
            format!("标签“{t}”"),
        );
    }
    for t in regions.keys() {
        owners.insert(
            format!("regions/{}/", urls::term_segment(t)),
            format!("地区“{t}”"),
        );
    }
    for c in &config.lecture_categories {
        owners.insert(
            format!("lectures/categories/{}/", urls::term_segment(c)),
            format!("宣讲类别“{c}”"),
        );
    }
    for e in entries {
        if let Some(other) = owners.insert(e.path.clone(), e.source.name.clone()) {
            if clashes.contains(&e.path) {
                continue;
            }
            diagnostics.push(
                Diagnostic::error(format!(
                    "网址 {} 重复：{other} 也生成这个网址",
                    config.url(&e.path)
                ))
                .at(&e.source, slug_span(&e.source))
                .field("slug")
                .help("改这篇内容的文件名，或在 front matter 里写一个不同的 slug"),
            );
        }
    }
}

/// Where an entry's slug is decided: its `slug:` line, or else the opening fence.
fn slug_span(source: &Source) -> std::ops::Range<usize> {
    let text = &source.text;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(value) = line.strip_prefix("slug:") {
            let start = offset + 5 + (value.len() - value.trim_start().len());
            return start..offset + line.trim_end().len();
        }
        if offset > 0 && line.trim_end() == "---" {
            break;
        }
        offset += line.len();
    }
    let fence = text.find("---").unwrap_or(0);
    fence..fence + 3
}

type Reverse = BTreeMap<usize, Vec<usize>>;

fn reverse_indexes(entries: &[Entry]) -> (Reverse, Reverse) {
    let mut lectures_of: Reverse = BTreeMap::new();
    let mut news_of: Reverse = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        match &e.data {
            Data::Lecture(l) => {
                for &p in &l.lecturers {
                    lectures_of.entry(p).or_default().push(i);
                }
            }
            Data::News(n) => {
                for &p in n.lecturers.iter().chain(&n.brands) {
                    news_of.entry(p).or_default().push(i);
                }
            }
            _ => {}
        }
    }
    for list in lectures_of.values_mut() {
        sort_entries(list, entries, SortBy::Title);
    }
    for list in news_of.values_mut() {
        sort_entries(list, entries, SortBy::Date);
    }
    (lectures_of, news_of)
}
