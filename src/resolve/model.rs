//! The typed site: what every later stage reads.

use crate::config::Config;
use crate::diagnostics::Source;
use crate::resolve::date::Date;
use crate::resolve::fields::Located;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    News,
    Lecturer,
    Lecture,
    Brand,
    Page,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Lecturer => "lecturer",
            Kind::Lecture => "lecture",
            Kind::Brand => "brand",
            Kind::Page => "page",
        }
    }

    /// The section folder that holds this kind, for messages.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Lecturer => "lecturers",
            Kind::Lecture => "lectures",
            Kind::Brand => "brands",
            Kind::Page => "",
        }
    }
}

/// One Markdown entry (not a section's `_index.md`).
#[derive(Clone, Debug)]
pub struct Entry {
    pub kind: Kind,
    pub source: Source,
    /// The folder relative paths in front matter are resolved against.
    pub dir: PathBuf,
    /// The section folder below `content/`, `/`-separated: `news`, `about`, `brands/zheneng`.
    pub section: String,
    pub slug: String,
    /// The output path, `/`-separated, ending in `/`: `news/x/`.
    pub path: String,
    pub title: String,
    pub date: Option<Date>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub body: Range<usize>,
    /// The content hash of the whole file when `source` holds only its front matter (see
    /// `load::Keep::FrontMatter`): the body is read again to be rendered.
    pub read_again: Option<u64>,
    pub tags: Vec<String>,
    /// Files beside a bundle's `index.md`, copied next to the page.
    pub bundle_assets: Vec<PathBuf>,
    /// A template other than the kind's own, checked against the theme in `render`.
    pub template: Option<Located<String>>,
    pub data: Data,
}

#[derive(Clone, Debug)]
pub enum Data {
    News(News),
    Lecturer(Lecturer),
    Lecture(Lecture),
    Brand(Brand),
    Page,
}

#[derive(Clone, Debug, Default)]
pub struct News {
    pub kicker: Option<String>,
    pub subtitle: Option<String>,
    pub source: Option<String>,
    pub reporters: Vec<String>,
    pub correspondents: Vec<String>,
    pub region: Option<String>,
    pub lecturer_refs: Vec<Located<String>>,
    pub brand_refs: Vec<Located<String>>,
    pub lecturers: Vec<usize>,
    pub brands: Vec<usize>,
    pub image: Option<Image>,
}

/// An image an entry points at, already checked to exist.
#[derive(Clone, Debug)]
pub struct Image {
    /// Output path of the image (`news/x/photo.png`), or a full URL.
    pub src: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Lecturer {
    pub name: String,
    pub honors: Vec<Honor>,
    pub occupation: Option<String>,
    pub org: Option<String>,
    pub region: Option<String>,
    pub team: Option<String>,
    pub quote: Option<String>,
    pub photo: Option<Image>,
    pub video: Option<String>,
    pub available: bool,
    pub availability: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Honor {
    pub name: String,
    pub level: Option<Level>,
    pub year: Option<i64>,
}

/// Honor levels, highest first (the order is the ranking).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    National,
    Province,
    City,
    County,
    Company,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::National,
        Level::Province,
        Level::City,
        Level::County,
        Level::Company,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Level::National => "全国",
            Level::Province => "省",
            Level::City => "市",
            Level::County => "区县",
            Level::Company => "企业",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == s)
    }

    /// The level an honor's name implies, for honors written as plain text.
    pub fn infer(honor: &str) -> Option<Level> {
        const CITIES: [&str; 11] = [
            "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水",
        ];
        if honor.contains("全国") || honor.contains("中华") || honor.contains("大国工匠") {
            Some(Level::National)
        } else if honor.contains("浙江") || honor.contains("省") {
            Some(Level::Province)
        } else if honor.contains('区') || honor.contains('县') {
            Some(Level::County)
        } else if honor.contains('市') || CITIES.iter().any(|c| honor.starts_with(c)) {
            Some(Level::City)
        } else if honor.contains("公司") || honor.contains("集团") || honor.contains("企业") {
            Some(Level::Company)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Lecture {
    pub lecturer_refs: Vec<Located<String>>,
    pub lecturers: Vec<usize>,
    pub category: String,
    pub audiences: Vec<String>,
    pub formats: Vec<String>,
    pub duration: Option<i64>,
    pub regions: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Brand {
    /// Index into [`Site::matrices`].
    pub matrix: usize,
    pub row: String,
    pub slogan: Option<String>,
    pub logo: Option<Image>,
    pub org: Option<String>,
}

/// A brand matrix: `content/brands/<slug>/_index.md`.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub slug: String,
    pub path: String,
    pub title: String,
    pub org: Option<String>,
    pub date: Option<Date>,
    pub rows: Vec<String>,
    pub count: Option<Located<i64>>,
    pub source: Source,
    pub body: Range<usize>,
    /// Brand entries, in row order then weight.
    pub brands: Vec<usize>,
}

/// How a section orders its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    Date,
    Title,
    Weight,
}

/// A folder of entries with its optional `_index.md` (the home page is the section `""`).
#[derive(Clone, Debug)]
pub struct Section {
    /// Folder below `content/`, `/`-separated; `""` for the home page.
    pub key: String,
    pub path: String,
    pub title: String,
    pub description: Option<String>,
    pub sort_by: Option<SortBy>,
    pub paginate_by: Option<usize>,
    pub template: Option<Located<String>>,
    /// The `_index.md`, if the folder has one.
    pub source: Option<Source>,
    pub body: Range<usize>,
    /// Entries directly in this folder, sorted.
    pub pages: Vec<usize>,
}

/// Everything `render` needs, with every reference resolved to an index.
#[derive(Clone, Debug)]
pub struct Site {
    pub config: Config,
    pub entries: Vec<Entry>,
    pub sections: Vec<Section>,
    pub matrices: Vec<Matrix>,
    /// Term → entries, for `/tags/` and `/regions/`.
    pub tags: BTreeMap<String, Vec<usize>>,
    pub regions: BTreeMap<String, Vec<usize>>,
    /// lecturer → lectures they give; lecturer → news about them; brand → news reporting on it.
    pub lectures_of: BTreeMap<usize, Vec<usize>>,
    pub news_of: BTreeMap<usize, Vec<usize>>,
    /// Non-Markdown files under `content/` and bundles: (source, output path).
    pub assets: Vec<(PathBuf, String)>,
}

/// An entry's file and the byte range of its Markdown body in it.
pub struct EntryText {
    pub source: Source,
    pub body: Range<usize>,
    /// As [`Entry::read_again`]: `source` is the front matter only, the file had this hash.
    pub read_again: Option<u64>,
}

impl Site {
    /// Every entry's file and where its body is in it, taken out of the site: rendering the
    /// bodies can then let go of each file as soon as its body is made, so that a large
    /// site's Markdown is not held beside its HTML. The entries' bodies read as empty after.
    pub fn take_entry_texts(&mut self) -> Vec<EntryText> {
        self.entries
            .iter_mut()
            .map(|e| EntryText {
                source: Source {
                    name: e.source.name.clone(),
                    text: std::mem::replace(&mut e.source.text, std::sync::Arc::from("")),
                },
                body: std::mem::replace(&mut e.body, 0..0),
                read_again: e.read_again,
            })
            .collect()
    }

    /// Every entry's file and where its body is in it, shared with the site.
    pub fn entry_texts(&self) -> Vec<EntryText> {
        self.entries
            .iter()
            .map(|e| EntryText {
                source: e.source.clone(),
                body: e.body.clone(),
                read_again: e.read_again,
            })
            .collect()
    }

    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// Entries of one kind, in their section's order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = usize> + '_ {
        (0..self.entries.len()).filter(move |&i| self.entries[i].kind == kind)
    }
}
