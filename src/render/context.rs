//! The values templates see: cards (summaries) and full pages, as documented in
//! `themes/README.md`. Every key is always present (null when empty), because Tera 2 treats a
//! missing key as an error.

use crate::config::Config;
use crate::render::markdown::Rendered;
use crate::render::text;
use crate::render::value::{Obj, from_json};
use crate::resolve::urls::term_segment;
use crate::resolve::{Data, Entry, Kind, Level, Matrix, Site};
use rayon::prelude::*;
use serde_json::{Value, json};

/// Everything derived once per build, shared by all pages: each card as a template value,
/// converted once, and as JSON where it is read as data.
pub struct Cards {
    /// The JSON of the cards that are read as data: lecturers, lectures and brands (menu
    /// facets, the 点单篮, the catalogs, the cards that embed them). `Null` for news and
    /// pages, which only templates read: their JSON would be half a gigabyte at 100,000
    /// articles.
    pub cards: Vec<Value>,
    pub matrix_cards: Vec<Value>,
    pub values: Vec<tera::Value>,
    pub matrix_values: Vec<tera::Value>,
    /// Whether entry `i`'s card keeps its JSON.
    keeps_json: Vec<bool>,
}

/// An entry's card as [`Cards`] holds it, to put back with [`Cards::restore`].
pub struct Card {
    json: Value,
    value: tera::Value,
}

impl Cards {
    /// Replaces entry `i`'s card, returning the old one; `None`, and nothing replaced, when
    /// templates would see the same value.
    pub fn replace_card(&mut self, i: usize, card: Value) -> Option<Card> {
        let value = from_json(&card);
        if value == self.values[i] {
            return None;
        }
        let json = if self.keeps_json[i] {
            card
        } else {
            Value::Null
        };
        Some(Card {
            json: std::mem::replace(&mut self.cards[i], json),
            value: std::mem::replace(&mut self.values[i], value),
        })
    }

    /// Puts back a card that [`Cards::replace_card`] replaced.
    pub fn restore(&mut self, i: usize, card: Card) {
        self.cards[i] = card.json;
        self.values[i] = card.value;
    }

    /// Replaces matrix `m`'s card, returning the old one.
    pub fn set_matrix(&mut self, m: usize, card: Value) -> Value {
        self.matrix_values[m] = from_json(&card);
        std::mem::replace(&mut self.matrix_cards[m], card)
    }

    /// Template values of the cards of `ids`.
    pub fn list(&self, ids: &[usize]) -> Vec<tera::Value> {
        ids.iter().map(|&i| self.values[i].clone()).collect()
    }
}

pub fn link(config: &Config, taxonomy: &str, name: &str) -> Value {
    json!({ "name": name, "url": config.url(&format!("{taxonomy}/{}/", term_segment(name))) })
}

fn links(config: &Config, taxonomy: &str, names: &[String]) -> Vec<Value> {
    names.iter().map(|n| link(config, taxonomy, n)).collect()
}

pub fn category_path(name: &str) -> String {
    format!("lectures/categories/{}/", term_segment(name))
}

/// The URL of an asset given by its output path (or a full URL, kept).
fn asset_url(config: &Config, src: &str) -> String {
    if src.starts_with("http://") || src.starts_with("https://") {
        src.to_string()
    } else {
        config.url(src)
    }
}

/// Builds every entry's card, in entry order. Lecturer cards come first, since lecture cards
/// embed them.
pub fn cards(site: &Site, rendered: &[Rendered]) -> Cards {
    let config = &site.config;
    let keeps_json: Vec<bool> = (site.entries.iter())
        .map(|e| matches!(e.kind, Kind::Lecturer | Kind::Lecture | Kind::Brand))
        .collect();
    // Two parallel rounds: lecturers first, since lecture cards embed theirs. Each card is
    // converted as soon as it is made, and its JSON let go unless it is read as data: every
    // card held both ways was a gigabyte at 100,000 articles.
    let mut cards = vec![Value::Null; site.entries.len()];
    let mut values = vec![tera::Value::none(); site.entries.len()];
    for first in [true, false] {
        let made: Vec<Option<(Value, tera::Value)>> = (0..site.entries.len())
            .into_par_iter()
            .map(|i| {
                (first == (site.entries[i].kind == Kind::Lecturer)).then(|| {
                    let json = card(site, i, &rendered[i], &cards);
                    let value = from_json(&json);
                    (if keeps_json[i] { json } else { Value::Null }, value)
                })
            })
            .collect();
        for (i, made) in made.into_iter().enumerate() {
            if let Some((json, value)) = made {
                (cards[i], values[i]) = (json, value);
            }
        }
    }
    let matrix_cards: Vec<Value> = site
        .matrices
        .iter()
        .map(|m| matrix_card(config, m, &cards, site))
        .collect();
    Cards {
        values,
        matrix_values: matrix_cards.iter().map(from_json).collect(),
        cards,
        matrix_cards,
        keeps_json,
    }
}

fn base(config: &Config, e: &Entry, r: &Rendered) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("kind".into(), json!(e.kind.key()));
    m.insert("slug".into(), json!(e.slug));
    m.insert("url".into(), json!(config.url(&e.path)));
    m.insert("permalink".into(), json!(config.permalink(&e.path)));
    m.insert("title".into(), json!(e.title));
    m.insert("date".into(), json!(e.date.map(|d| d.iso())));
    m.insert("date_display".into(), json!(e.date.map(|d| d.display())));
    m.insert("summary".into(), json!(r.summary));
    m.insert("tags".into(), json!(links(config, "tags", &e.tags)));
    m.insert("weight".into(), json!(e.weight));
    m
}

/// Entry `i`'s card; a lecture's card embeds its lecturers' cards from `cards`.
pub fn card(site: &Site, i: usize, r: &Rendered, cards: &[Value]) -> Value {
    let config = &site.config;
    let e = &site.entries[i];
    let mut m = base(config, e, r);
    match &e.data {
        Data::News(n) => {
            m.insert("kicker".into(), json!(n.kicker));
            m.insert("subtitle".into(), json!(n.subtitle));
            m.insert("source".into(), json!(n.source));
            m.insert(
                "region".into(),
                n.region
                    .as_ref()
                    .map_or(Value::Null, |r| link(config, "regions", r)),
            );
            m.insert(
                "image".into(),
                n.image.as_ref().map_or(Value::Null, |img| {
                    json!({
                        "src": asset_url(config, &img.src),
                        "caption": img.caption,
                        "credit": img.credit,
                        "alt": img.caption.clone().unwrap_or_else(|| e.title.clone()),
                    })
                }),
            );
        }
        Data::Lecturer(l) => {
            let honors: Vec<Value> = l.honors.iter().map(|h| json!({ "name": h.name, "level": h.level.map(Level::name), "year": h.year })).collect();
            let top = l
                .honors
                .iter()
                .enumerate()
                .min_by_key(|(idx, h)| (h.level.map_or(Level::ALL.len(), |lv| lv as usize), *idx))
                .map(|(_, h)| h);
            m.insert("name".into(), json!(l.name));
            m.insert("honors".into(), json!(honors));
            m.insert("top_honor".into(), top.map_or(Value::Null, |h| json!({ "name": h.name, "level": h.level.map(Level::name), "year": h.year })));
            m.insert(
                "honor_rank".into(),
                json!(
                    top.and_then(|h| h.level)
                        .map_or(Level::ALL.len(), |lv| lv as usize)
                ),
            );
            m.insert("occupation".into(), json!(l.occupation));
            m.insert("org".into(), json!(l.org));
            m.insert(
                "region".into(),
                l.region
                    .as_ref()
                    .map_or(Value::Null, |r| link(config, "regions", r)),
            );
            m.insert("team".into(), json!(l.team));
            m.insert("quote".into(), json!(l.quote));
            m.insert(
                "photo".into(),
                json!(l.photo.as_ref().map(|p| asset_url(config, &p.src))),
            );
            m.insert("available".into(), json!(l.available));
            m.insert("availability".into(), json!(l.availability));
            m.insert(
                "honor_level".into(),
                json!(super::menu::honor_key(
                    top.and_then(|h| h.level)
                        .map_or(Level::ALL.len(), |lv| lv as usize)
                )),
            );
            m.insert("qr".into(), json!(config.url(&format!("{}qr.svg", e.path))));
            m.insert(
                "lecture_count".into(),
                json!(site.lectures_of.get(&i).map_or(0, Vec::len)),
            );
        }
        Data::Lecture(l) => {
            let lecturers: Vec<Value> = l.lecturers.iter().map(|&p| cards[p].clone()).collect();
            let (available, notes) = lecture_availability(site, &l.lecturers);
            let order_url = config
                .booking
                .as_ref()
                .and_then(|b| b.form_url.as_ref())
                .filter(|_| available)
                .map(|u| order_link(u, &[e.slug.as_str()]));
            m.insert(
                "category".into(),
                json!({ "name": l.category, "url": config.url(&category_path(&l.category)) }),
            );
            m.insert("lecturers".into(), json!(lecturers));
            m.insert("audiences".into(), json!(l.audiences));
            m.insert("formats".into(), json!(l.formats));
            m.insert("duration".into(), json!(l.duration));
            m.insert(
                "duration_display".into(),
                json!(l.duration.map(text::duration_display)),
            );
            m.insert(
                "is_brief".into(),
                json!(l.duration.is_some_and(|d| d <= 15)),
            );
            m.insert(
                "regions".into(),
                json!(links(config, "regions", &l.regions)),
            );
            m.insert("available".into(), json!(available));
            m.insert("availability".into(), json!(notes));
            m.insert("order_url".into(), json!(order_url));
            // For the menu's filters: the best honor among the lecturers, the duration band.
            let rank = lecturers
                .iter()
                .filter_map(|c| c["honor_rank"].as_u64())
                .min()
                .map_or(Level::ALL.len(), |r| r as usize);
            m.insert("honor_rank".into(), json!(rank));
            m.insert("honor_level".into(), json!(super::menu::honor_key(rank)));
            m.insert(
                "duration_band".into(),
                json!(l.duration.map(super::menu::duration_band)),
            );
            m.insert("qr".into(), json!(config.url(&format!("{}qr.svg", e.path))));
        }
        Data::Brand(b) => {
            let matrix = &site.matrices[b.matrix];
            m.insert("row".into(), json!(b.row));
            m.insert("slogan".into(), json!(b.slogan));
            m.insert(
                "logo".into(),
                json!(b.logo.as_ref().map(|p| asset_url(config, &p.src))),
            );
            m.insert("org".into(), json!(b.org));
            m.insert("matrix".into(), json!({ "slug": matrix.slug, "title": matrix.title, "url": config.url(&matrix.path) }));
        }
        Data::Page => {}
    }
    Value::Object(m)
}

/// A lecture can be ordered only when every lecturer can give it; the notes say why not.
pub fn lecture_availability(site: &Site, lecturers: &[usize]) -> (bool, Option<String>) {
    let mut available = true;
    let mut notes = Vec::new();
    for &p in lecturers {
        if let Data::Lecturer(l) = &site.entries[p].data {
            available &= l.available;
            match (&l.availability, l.available) {
                (Some(note), _) => notes.push(format!("{}：{note}", l.name)),
                (None, false) => notes.push(format!("{}：暂不接受预约", l.name)),
                (None, true) => {}
            }
        }
    }
    (available, (!notes.is_empty()).then(|| notes.join("；")))
}

/// `form_url?lectures=a,b`, keeping any query the form URL already has.
pub fn order_link(form_url: &str, slugs: &[&str]) -> String {
    let sep = if form_url.contains('?') { '&' } else { '?' };
    format!("{form_url}{sep}lectures={}", slugs.join(","))
}

pub fn matrix_card(config: &Config, m: &Matrix, cards: &[Value], site: &Site) -> Value {
    let rows: Vec<Value> = m
        .rows
        .iter()
        .map(|row| {
            let brands: Vec<Value> = m
                .brands
                .iter()
                .filter(|&&b| matches!(&site.entries[b].data, Data::Brand(x) if &x.row == row))
                .map(|&b| cards[b].clone())
                .collect();
            json!({ "name": row, "brands": brands })
        })
        .collect();
    let preface = &m.source.text[m.body.clone()];
    json!({
        "kind": "matrix",
        "slug": m.slug,
        "url": config.url(&m.path),
        "permalink": config.permalink(&m.path),
        "title": m.title,
        "org": m.org,
        "date": m.date.map(|d| d.iso()),
        "date_display": m.date.map(|d| d.display()),
        "count": m.count.as_ref().map(|c| c.value),
        "brand_count": m.brands.len(),
        "summary": super::markdown::render(preface, "").summary,
        "rows": rows,
    })
}

/// An entry's full page: its card plus what only its own page shows.
pub fn page(
    site: &Site,
    i: usize,
    r: &Rendered,
    html: &str,
    cards: &Cards,
    qr: Option<String>,
) -> tera::Value {
    let e = &site.entries[i];
    let chars = r.chars;
    let mut m = Obj::extend(&cards.values[i])
        .set("content", html)
        .json("toc", &json!(r.toc))
        .set("char_count", chars)
        .set("reading_minutes", text::reading_minutes(chars));
    let list = |ids: Option<&Vec<usize>>| cards.list(ids.map_or(&[][..], Vec::as_slice));
    match &e.data {
        Data::News(n) => {
            m = m
                .json("reporters", &json!(n.reporters))
                .json("correspondents", &json!(n.correspondents))
                .set("lecturers", cards.list(&n.lecturers))
                .set("brands", cards.list(&n.brands));
        }
        Data::Lecturer(l) => {
            m = m
                .json("video", &json!(l.video))
                .set("lectures", list(site.lectures_of.get(&i)))
                .set("news", list(site.news_of.get(&i)));
        }
        Data::Brand(_) => m = m.set("news", list(site.news_of.get(&i))),
        Data::Lecture(_) | Data::Page => {}
    }
    if matches!(e.data, Data::Lecture(_) | Data::Lecturer(_)) {
        m = m.set("qr_svg", qr);
    }
    m.build()
}
