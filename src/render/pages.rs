//! The page plan: every HTML page of the site as a [`Job`] (where it goes, which template, which
//! variables), rendered in parallel. The plan is data, so `serve` can re-render a subset.

use super::context::{Cards, category_path, link, page as entry_page};
use super::markdown::Rendered;
use super::templates::Engine;
use super::value::{Obj, from_json};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::again::Again;
use crate::resolve::urls::term_segment;
use crate::resolve::{Data, Kind, Section, Site};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One page to render.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    Home,
    Entry(usize),
    /// A section's list page (1-based page number).
    List {
        section: usize,
        page: usize,
    },
    Menu,
    /// The printable menu, `/lectures/print/`.
    MenuPrint,
    /// The 点单篮, `/lectures/basket/`.
    Basket,
    Category(usize),
    Matrices,
    Matrix(usize),
    Taxonomy(Tax),
    Term {
        tax: Tax,
        term: usize,
        page: usize,
    },
    Search,
    NotFound,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tax {
    Tags,
    Regions,
}

impl Tax {
    fn key(self) -> &'static str {
        match self {
            Tax::Tags => "tags",
            Tax::Regions => "regions",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Tax::Tags => "标签",
            Tax::Regions => "地区",
        }
    }
    fn terms(self, site: &Site) -> &BTreeMap<String, Vec<usize>> {
        match self {
            Tax::Tags => &site.tags,
            Tax::Regions => &site.regions,
        }
    }
}

/// What every page of one build shares.
pub struct Shared<'a> {
    pub site: &'a Site,
    pub engine: &'a Engine,
    pub rendered: &'a [Rendered],
    pub cards: &'a Cards,
    pub site_value: tera::Value,
    pub serve: bool,
    /// Where entry pages read their body again, when the build let go of the rendered HTML
    /// (a very large site: see `build.rs`).
    pub again: Option<&'a Again>,
}

/// A rendered page: output path (`news/x/index.html`) and HTML.
pub struct Page {
    pub path: String,
    /// UTF-8.
    pub html: Vec<u8>,
    /// The template it was rendered with, so `serve` knows what a template change touches.
    pub template: String,
    /// The inline QR code an entry page shows, made with the page: the build writes it as the
    /// page's `qr.svg` ([`super::qr::standalone`]) at once, instead of holding every code
    /// (60 MB at 100,000 articles) to the end.
    pub qr: Option<String>,
}

/// Every page of the site, in a stable order.
pub fn plan(site: &Site) -> Vec<Job> {
    let mut jobs = vec![
        Job::Home,
        Job::Menu,
        Job::MenuPrint,
        Job::Basket,
        Job::Matrices,
        Job::Search,
        Job::NotFound,
    ];
    jobs.extend((0..site.entries.len()).map(Job::Entry));
    for (i, s) in site.sections.iter().enumerate() {
        if s.key.is_empty() || s.key == "lectures" || s.key == "brands" {
            continue;
        }
        for page in 1..=page_count(s.pages.len(), per_page(site, s)) {
            jobs.push(Job::List { section: i, page });
        }
    }
    jobs.extend((0..site.config.lecture_categories.len()).map(Job::Category));
    jobs.extend((0..site.matrices.len()).map(Job::Matrix));
    for tax in [Tax::Tags, Tax::Regions] {
        jobs.push(Job::Taxonomy(tax));
        for (t, items) in tax.terms(site).values().enumerate() {
            for page in 1..=page_count(items.len(), site.config.paginate_by) {
                jobs.push(Job::Term { tax, term: t, page });
            }
        }
    }
    jobs
}

/// The page numbers a pager lists: the first, the last, and three either side of `current`
/// (the theme links the nearest two and shows the third as a gap). Listing every page made
/// each list page's pager as long as the whole list: quadratic at 100,000 articles, 10,000
/// pages of 10,000 links.
fn pager_numbers(current: usize, total: usize) -> impl Iterator<Item = usize> {
    let near = current.saturating_sub(3).max(2)..=(current + 3).min(total.saturating_sub(1));
    std::iter::once(1)
        .chain(near)
        .chain((total > 1).then_some(total))
}

fn per_page(site: &Site, s: &Section) -> usize {
    s.paginate_by.unwrap_or(site.config.paginate_by)
}

fn page_count(items: usize, per: usize) -> usize {
    items.div_ceil(per.max(1)).max(1)
}

/// The template a section's list page uses.
pub fn section_template(s: &Section) -> String {
    if let Some(t) = &s.template {
        return t.value.clone();
    }
    match s.key.as_str() {
        "" => "index.html",
        "news" => "news-list.html",
        "lecturers" => "lecturer-list.html",
        "lectures" => "lecture-menu.html",
        "brands" => "matrix-list.html",
        _ => "section.html",
    }
    .to_string()
}

pub fn entry_template(site: &Site, i: usize) -> String {
    let e = &site.entries[i];
    if let Some(t) = &e.template {
        return t.value.clone();
    }
    match e.kind {
        Kind::News => "news.html",
        Kind::Lecturer => "lecturer.html",
        Kind::Lecture => "lecture.html",
        Kind::Brand => "brand.html",
        Kind::Page => "page.html",
    }
    .to_string()
}

/// Every template a front matter names must exist in the theme.
pub fn check_templates(site: &Site, engine: &Engine) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let named = site
        .sections
        .iter()
        .filter_map(|s| Some((s.template.as_ref()?, s.source.as_ref()?)))
        .chain(
            site.entries
                .iter()
                .filter_map(|e| Some((e.template.as_ref()?, &e.source))),
        );
    for (t, source) in named {
        if engine.has(&t.value) {
            continue;
        }
        let mut d = Diagnostic::error(format!("模板“{}”不存在", t.value))
            .at(source, t.span.clone())
            .field("template");
        d = match engine.suggest(&t.value) {
            Some(s) => d.label(format!("是不是想写 {s}？")),
            None => d.label("主题里没有这个模板"),
        };
        diagnostics.push(d.help(format!(
                "模板放在站点的 templates/ 或主题的 templates/ 里；现有模板：{}",
                engine
                    .names()
                    .into_iter()
                    .filter(|n| !n.starts_with("partials/") && *n != "base.html")
                    .collect::<Vec<_>>()
                    .join("、")
            )));
    }
    diagnostics
}

impl Shared<'_> {
    /// Renders one job.
    pub fn render(&self, job: &Job) -> Result<Page, Diagnostic> {
        let again = match (job, self.again) {
            (Job::Entry(i), Some(again)) => Some(self.body_again(again, *i)?),
            _ => None,
        };
        // The code is made here, not in `prepare`, so the page hands it on for its `qr.svg`.
        let qr = match job {
            Job::Entry(i) => super::qr::inline(self.site, *i),
            _ => None,
        };
        let (path, template, vars, current) = self.prepare(job, again.as_deref(), qr.clone());
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert_value("current", from_json(&current));
        ctx.insert_value("serve", self.serve.into());
        vars.into_context(&mut ctx);
        let file = if path.ends_with(".html") {
            path.clone()
        } else {
            format!("{path}index.html")
        };
        let html = self.engine.render(&template, &ctx, &format!("/{path}"))?;
        Ok(Page {
            path: file,
            html,
            template,
            qr,
        })
    }

    /// `current` for a page that belongs to section `s` (its description, nav key `nav`).
    fn section_current(&self, s: &Section, path: &str, title: &str, nav: &str) -> Value {
        self.current(path, title, s.description.clone(), None, "section", nav)
    }

    fn current(
        &self,
        path: &str,
        title: &str,
        description: Option<String>,
        image: Option<String>,
        kind: &str,
        section: &str,
    ) -> Value {
        let config = &self.site.config;
        let image = image.or_else(|| config.share_image.clone()).map(|i| {
            if i.starts_with("http") {
                i
            } else {
                config.permalink(&i)
            }
        });
        json!({
            "url": config.url(path),
            "permalink": config.permalink(path),
            "path": path,
            "title": title,
            "description": description.or_else(|| config.description.clone()).unwrap_or_default(),
            "image": image,
            "kind": kind,
            "section": section,
        })
    }

    fn section_value(&self, s: &Section) -> Value {
        let content = s.source.as_ref().map(|src| {
            super::markdown::render_with(
                &src.text[s.body.clone()],
                &self.site.config.url(&s.path),
                self.site.config.unsafe_html,
            )
            .html
        });
        json!({
            "key": s.key,
            "title": s.title,
            "description": s.description,
            "content": content.unwrap_or_default(),
            "url": self.site.config.url(&s.path),
        })
    }

    fn card(&self, i: usize) -> tera::Value {
        self.cards.values[i].clone()
    }

    fn paginator(&self, base: &str, items: &[usize], per: usize, page: usize) -> tera::Value {
        let config = &self.site.config;
        let total = page_count(items.len(), per);
        let url = |n: usize| {
            if n == 1 {
                config.url(base)
            } else {
                config.url(&format!("{base}page/{n}/"))
            }
        };
        let start = (page - 1) * per;
        let cards = self
            .cards
            .list(&items[start.min(items.len())..(start + per).min(items.len())]);
        let pages: Vec<Value> = pager_numbers(page, total)
            .map(|n| json!({ "number": n, "url": url(n), "current": n == page }))
            .collect();
        Obj::new()
            .set("items", cards)
            .set("current_page", page)
            .set("total_pages", total)
            .set("total_items", items.len())
            .set("first_url", url(1))
            .set("last_url", url(total))
            .set("prev_url", (page > 1).then(|| url(page - 1)))
            .set("next_url", (page < total).then(|| url(page + 1)))
            .json("pages", &Value::Array(pages))
            .build()
    }

    fn lectures_in(&self, category: &str) -> Vec<usize> {
        let site = self.site;
        let menu = site
            .section("lectures")
            .map(|s| s.pages.clone())
            .unwrap_or_default();
        menu.into_iter()
            .filter(
                |&i| matches!(&site.entries[i].data, Data::Lecture(l) if l.category == category),
            )
            .collect()
    }

    fn category_value(&self, name: &str) -> Value {
        json!({ "name": name, "url": self.site.config.url(&category_path(name)), "count": self.lectures_in(name).len() })
    }

    /// Entry `i`'s body HTML, from its file read again.
    fn body_again(&self, again: &Again, i: usize) -> Result<String, Diagnostic> {
        let markdown = again.body(i)?;
        let base = super::markdown_base(self.site, &self.site.entries[i]);
        Ok(super::markdown::render_with(&markdown, &base, self.site.config.unsafe_html).html)
    }

    /// Output path, template, the template's own variables, and `current`; `body` is the
    /// HTML of an entry's body when it is not in [`Shared::rendered`].
    fn prepare(
        &self,
        job: &Job,
        body: Option<&str>,
        qr: Option<String>,
    ) -> (String, String, Obj, Value) {
        let site = self.site;
        let config = &site.config;
        match job {
            Job::Home => {
                let s = site.section("").expect("home section always exists");
                let news: Vec<tera::Value> = site
                    .section("news")
                    .map(|n| n.pages.iter().take(10).map(|&i| self.card(i)).collect())
                    .unwrap_or_default();
                let lectures = site
                    .section("lectures")
                    .map(|s| s.pages.clone())
                    .unwrap_or_default();
                let brief: Vec<tera::Value> = lectures.iter().filter(|&&i| matches!(&site.entries[i].data, Data::Lecture(l) if l.duration.is_some_and(|d| d <= 15))).take(6).map(|&i| self.card(i)).collect();
                let mut lecturers: Vec<usize> = site.of_kind(Kind::Lecturer).collect();
                crate::resolve::sort_entries(
                    &mut lecturers,
                    &site.entries,
                    crate::resolve::SortBy::Weight,
                );
                let lecturers = self.cards.list(&lecturers[..lecturers.len().min(8)]);
                let vars = Obj::new()
                    .json("section", &self.section_value(s))
                    .set("latest_news", news)
                    .set("brief_lectures", brief)
                    .set("lecturers", lecturers)
                    .set("matrices", self.cards.matrix_values.clone());
                (
                    String::new(),
                    section_template(s),
                    vars,
                    self.current(
                        "",
                        &config.title,
                        s.description.clone(),
                        None,
                        "home",
                        "home",
                    ),
                )
            }
            Job::Entry(i) => {
                let e = &site.entries[*i];
                let html = body.unwrap_or(&self.rendered[*i].html);
                let page = entry_page(site, *i, &self.rendered[*i], html, self.cards, qr);
                let image = match &e.data {
                    Data::News(n) => n.image.as_ref().map(|x| x.src.clone()),
                    Data::Lecturer(l) => l.photo.as_ref().map(|x| x.src.clone()),
                    Data::Brand(b) => b.logo.as_ref().map(|x| x.src.clone()),
                    _ => None,
                };
                let description = Some(self.rendered[*i].summary.clone());
                let section = match e.kind {
                    Kind::Page => e.section.split('/').next().unwrap_or("").to_string(),
                    Kind::Brand => "brands".into(),
                    k => k.folder().to_string(),
                };
                let current = self.current(
                    &e.path,
                    &e.title,
                    description,
                    image,
                    e.kind.key(),
                    &section,
                );
                // The section the entry belongs to, for breadcrumbs.
                let key = match e.kind {
                    Kind::Page => e.section.as_str(),
                    Kind::Brand => "brands",
                    k => k.folder(),
                };
                let parent = site.section(key).map_or(
                    Value::Null,
                    |s| json!({ "title": s.title, "url": config.url(&s.path) }),
                );
                (
                    e.path.clone(),
                    entry_template(site, *i),
                    Obj::new().set("page", page).json("section", &parent),
                    current,
                )
            }
            Job::List { section, page } => {
                let s = &site.sections[*section];
                let path = if *page == 1 {
                    s.path.clone()
                } else {
                    format!("{}page/{page}/", s.path)
                };
                // The directory's order is the section's: by default best honor first, then name
                // (see `resolve::sort_entries`); its filters cover every lecturer.
                let pages = &s.pages;
                let facets = if s.key == "lecturers" {
                    super::menu::lecturer_facets(site, pages, self.cards)
                } else {
                    Value::Null
                };
                let vars = Obj::new()
                    .json("section", &self.section_value(s))
                    .set(
                        "paginator",
                        self.paginator(&s.path, pages, per_page(site, s), *page),
                    )
                    .json("facets", &facets);
                let title = if *page == 1 {
                    s.title.clone()
                } else {
                    format!("{}（第 {page} 页）", s.title)
                };
                let top = s.key.split('/').next().unwrap_or("").to_string();
                (
                    path.clone(),
                    section_template(s),
                    vars,
                    self.section_current(s, &path, &title, &top),
                )
            }
            Job::Menu => {
                let s = site
                    .section("lectures")
                    .expect("lectures section always exists");
                let groups: Vec<tera::Value> = config
                    .lecture_categories
                    .iter()
                    .map(|c| {
                        Obj::new()
                            .json("category", &self.category_value(c))
                            .set("lectures", self.cards.list(&self.lectures_in(c)))
                            .build()
                    })
                    .collect();
                let facets = super::menu::lecture_facets(site, &s.pages, self.cards);
                let vars = Obj::new()
                    .json("section", &self.section_value(s))
                    .set("groups", groups)
                    .set("lectures", self.cards.list(&s.pages))
                    .json("facets", &facets);
                (
                    s.path.clone(),
                    section_template(s),
                    vars,
                    self.section_current(s, &s.path, &s.title, "lectures"),
                )
            }
            Job::MenuPrint | Job::Basket => {
                let s = site
                    .section("lectures")
                    .expect("lectures section always exists");
                let (path, template, title) = if *job == Job::MenuPrint {
                    (
                        "lectures/print/",
                        "lecture-print.html",
                        format!("{}（打印版）", s.title),
                    )
                } else {
                    (
                        "lectures/basket/",
                        "lecture-basket.html",
                        "点单篮".to_string(),
                    )
                };
                let mut vars = Obj::new()
                    .json("section", &self.section_value(s))
                    .set("lectures", self.cards.list(&s.pages));
                if *job == Job::Basket {
                    vars = vars.set(
                        "basket_data",
                        super::menu::basket_json(site, &s.pages, self.cards),
                    );
                }
                (
                    path.into(),
                    template.into(),
                    vars,
                    self.section_current(s, path, &title, "lectures"),
                )
            }
            Job::Category(c) => {
                let s = site
                    .section("lectures")
                    .expect("lectures section always exists");
                let name = &config.lecture_categories[*c];
                let path = category_path(name);
                let vars = Obj::new()
                    .json("section", &self.section_value(s))
                    .json("category", &self.category_value(name))
                    .set("lectures", self.cards.list(&self.lectures_in(name)));
                let title = format!("{name} · {}", s.title);
                (
                    path.clone(),
                    "lecture-category.html".into(),
                    vars,
                    self.section_current(s, &path, &title, "lectures"),
                )
            }
            Job::Matrices => {
                let s = site
                    .section("brands")
                    .expect("brands section always exists");
                let vars = Obj::new()
                    .json("section", &self.section_value(s))
                    .set("matrices", self.cards.matrix_values.clone());
                (
                    s.path.clone(),
                    section_template(s),
                    vars,
                    self.section_current(s, &s.path, &s.title, "brands"),
                )
            }
            Job::Matrix(m) => {
                let matrix = &site.matrices[*m];
                let preface = &matrix.source.text[matrix.body.clone()];
                let value = Obj::extend(&self.cards.matrix_values[*m])
                    .set(
                        "content",
                        super::markdown::render_with(
                            preface,
                            &config.url(&matrix.path),
                            config.unsafe_html,
                        )
                        .html,
                    )
                    .set(
                        "count_mismatch",
                        matrix
                            .count
                            .as_ref()
                            .is_some_and(|c| c.value != matrix.brands.len() as i64),
                    )
                    .build();
                let description = self.cards.matrix_cards[*m]
                    .get("summary")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                (
                    matrix.path.clone(),
                    "matrix.html".into(),
                    Obj::new().set("matrix", value),
                    self.current(
                        &matrix.path,
                        &matrix.title,
                        description,
                        None,
                        "matrix",
                        "brands",
                    ),
                )
            }
            Job::Taxonomy(tax) => {
                let path = format!("{}/", tax.key());
                let terms: Vec<Value> = tax
                    .terms(site)
                    .iter()
                    .map(|(name, items)| {
                        let mut l = link(config, tax.key(), name);
                        l["count"] = json!(items.len());
                        l
                    })
                    .collect();
                let vars = Obj::new()
                    .json("taxonomy", &self.taxonomy_value(*tax))
                    .json("terms", &Value::Array(terms));
                (
                    path.clone(),
                    "taxonomy-list.html".into(),
                    vars,
                    self.current(&path, tax.title(), None, None, "taxonomy", ""),
                )
            }
            Job::Term { tax, term, page } => {
                let (name, items) = tax
                    .terms(site)
                    .iter()
                    .nth(*term)
                    .expect("term index from plan");
                let base = format!("{}/{}/", tax.key(), term_segment(name));
                let path = if *page == 1 {
                    base.clone()
                } else {
                    format!("{base}page/{page}/")
                };
                let mut t = link(config, tax.key(), name);
                t["count"] = json!(items.len());
                let vars = Obj::new()
                    .json("taxonomy", &self.taxonomy_value(*tax))
                    .json("term", &t)
                    .set(
                        "paginator",
                        self.paginator(&base, items, config.paginate_by, *page),
                    );
                let title = if *page == 1 {
                    format!("{}：{name}", tax.title())
                } else {
                    format!("{}：{name}（第 {page} 页）", tax.title())
                };
                (
                    path.clone(),
                    "taxonomy-term.html".into(),
                    vars,
                    self.current(&path, &title, None, None, "term", ""),
                )
            }
            Job::Search => {
                let vars = Obj::new().json("section", &json!({ "key": "search", "title": "搜索", "description": null, "content": "", "url": config.url("search/") }));
                (
                    "search/".into(),
                    "search.html".into(),
                    vars,
                    self.current("search/", "搜索", None, None, "search", "search"),
                )
            }
            Job::NotFound => (
                "404.html".into(),
                "404.html".into(),
                Obj::new(),
                self.current("404.html", "页面不存在", None, None, "404", ""),
            ),
        }
    }

    fn taxonomy_value(&self, tax: Tax) -> Value {
        json!({ "key": tax.key(), "title": tax.title(), "url": self.site.config.url(&format!("{}/", tax.key())) })
    }
}

/// The `site` variable.
pub fn site_value(site: &Site) -> Value {
    let config = &site.config;
    let mut nav = vec![
        json!({ "title": "首页", "url": config.url(""), "key": "home" }),
        json!({ "title": site.section("news").map_or("新闻", |s| s.title.as_str()), "url": config.url("news/"), "key": "news" }),
        json!({ "title": site.section("lectures").map_or("宣讲菜单", |s| s.title.as_str()), "url": config.url("lectures/"), "key": "lectures" }),
        json!({ "title": site.section("lecturers").map_or("宣讲人", |s| s.title.as_str()), "url": config.url("lecturers/"), "key": "lecturers" }),
        json!({ "title": site.section("brands").map_or("品牌矩阵", |s| s.title.as_str()), "url": config.url("brands/"), "key": "brands" }),
    ];
    for s in &site.sections {
        let is_kind = ["", "news", "lectures", "lecturers", "brands"].contains(&s.key.as_str());
        if !is_kind && !s.key.contains('/') && !s.pages.is_empty() {
            nav.push(json!({ "title": s.title, "url": config.url(&s.path), "key": s.key }));
        }
    }
    nav.push(json!({ "title": "搜索", "url": config.url("search/"), "key": "search" }));
    let lectures = site
        .section("lectures")
        .map(|s| s.pages.clone())
        .unwrap_or_default();
    let categories: Vec<Value> = config
        .lecture_categories
        .iter()
        .map(|c| {
            let count = lectures
                .iter()
                .filter(|&&i| matches!(&site.entries[i].data, Data::Lecture(l) if &l.category == c))
                .count();
            json!({ "name": c, "url": config.url(&category_path(c)), "count": count })
        })
        .collect();
    json!({
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url,
        "base_path": config.base_path,
        "language": config.language,
        "icp": config.icp,
        "icp_url": "https://beian.miit.gov.cn/",
        "share_image": config.share_image.as_ref().map(|i| config.permalink(i)),
        "lecture_categories": categories,
        "booking": config.booking,
        "nav": nav,
        "year": crate::resolve::date::Date::today().year,
    })
}

#[cfg(test)]
mod tests {
    use super::pager_numbers;

    fn numbers(current: usize, total: usize) -> Vec<usize> {
        pager_numbers(current, total).collect()
    }

    #[test]
    fn a_pager_lists_the_ends_and_three_pages_either_side() {
        assert_eq!(numbers(1, 1), [1]);
        assert_eq!(numbers(2, 2), [1, 2]);
        assert_eq!(numbers(3, 6), [1, 2, 3, 4, 5, 6]);
        assert_eq!(numbers(1, 10_000), [1, 2, 3, 4, 10_000]);
        assert_eq!(
            numbers(5_000, 10_000),
            [1, 4_997, 4_998, 4_999, 5_000, 5_001, 5_002, 5_003, 10_000]
        );
        assert_eq!(numbers(10_000, 10_000), [1, 9_997, 9_998, 9_999, 10_000]);
    }
}
