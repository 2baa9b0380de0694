//! What the lecture menu and the lecturer directory need beyond cards: the filter facets with
//! their counts, the directory's order, and the data the 点单篮 page embeds. Pure: reads the
//! resolved site and the cards, returns values.

use super::context::{Cards, order_link};
use crate::resolve::{Data, Level, Site};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The 班前十分钟 line and the other two duration bands: (key, label).
pub const DURATION_BANDS: [(&str, &str); 3] = [
    ("short", "15分钟以内"),
    ("mid", "15–60分钟"),
    ("long", "60分钟以上"),
];

/// A lecture's duration band key: ≤ 15 (班前十分钟), 16–60, > 60.
pub fn duration_band(minutes: i64) -> &'static str {
    match minutes {
        ..=15 => "short",
        16..=60 => "mid",
        _ => "long",
    }
}

/// Honor levels as filter values, best first; lecturers without a graded honor are `无`.
pub fn honor_key(rank: usize) -> &'static str {
    Level::ALL.get(rank).map_or("无", |l| l.name())
}

fn honor_label(rank: usize) -> &'static str {
    ["全国级", "省级", "市级", "区县级", "企业级"]
        .get(rank)
        .copied()
        .unwrap_or("其他")
}

fn rank_of(card: &Value) -> usize {
    card.get("honor_rank")
        .and_then(Value::as_u64)
        .map_or(Level::ALL.len(), |r| r as usize)
}

/// `[{value, label, count}]` from (value, count) pairs, most frequent first, then by name.
fn by_count(counts: BTreeMap<&str, usize>) -> Vec<Value> {
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter()
        .map(|(value, count)| json!({ "value": value, "label": value, "count": count }))
        .collect()
}

fn honor_facet(ranks: impl Iterator<Item = usize>) -> Vec<Value> {
    let mut counts = [0usize; 6];
    for r in ranks {
        counts[r.min(5)] += 1;
    }
    (0..6)
        .filter(|&r| counts[r] > 0)
        .map(|r| json!({ "value": honor_key(r), "label": honor_label(r), "count": counts[r] }))
        .collect()
}

/// The menu's facets over `lectures` (the lecture section's pages): category (site order, all
/// eight), audience, format, duration band, region (a lecture without regions counts for every
/// region), and the best honor of the lecturers.
pub fn lecture_facets(site: &Site, lectures: &[usize], cards: &Cards) -> Value {
    let mut audiences = BTreeMap::new();
    let mut formats = BTreeMap::new();
    let mut regions = BTreeMap::new();
    let mut bands = [0usize; 3];
    let mut anywhere = 0;
    let mut categories: Vec<usize> = vec![0; site.config.lecture_categories.len()];
    for &i in lectures {
        let Data::Lecture(l) = &site.entries[i].data else {
            continue;
        };
        for a in &l.audiences {
            *audiences.entry(a.as_str()).or_insert(0) += 1;
        }
        for f in &l.formats {
            *formats.entry(f.as_str()).or_insert(0) += 1;
        }
        for r in &l.regions {
            *regions.entry(r.as_str()).or_insert(0) += 1;
        }
        anywhere += usize::from(l.regions.is_empty());
        if let Some(d) = l.duration {
            let b = duration_band(d);
            if let Some(k) = DURATION_BANDS.iter().position(|(key, _)| *key == b) {
                bands[k] += 1;
            }
        }
        if let Some(c) = site
            .config
            .lecture_categories
            .iter()
            .position(|c| *c == l.category)
        {
            categories[c] += 1;
        }
    }
    // A lecture without regions can be given anywhere, so it matches every region.
    for n in regions.values_mut() {
        *n += anywhere;
    }
    json!({
        "categories": site.config.lecture_categories.iter().zip(&categories)
            .map(|(c, n)| json!({ "value": c, "label": c, "count": n })).collect::<Vec<_>>(),
        "audiences": by_count(audiences),
        "formats": by_count(formats),
        "durations": DURATION_BANDS.iter().zip(bands)
            .map(|((key, label), n)| json!({ "value": key, "label": label, "count": n })).collect::<Vec<_>>(),
        "regions": by_count(regions),
        "honors": honor_facet(lectures.iter().map(|&i| rank_of(&cards.cards[i]))),
    })
}

/// The directory's facets over `lecturers`: region, team, honor level.
pub fn lecturer_facets(site: &Site, lecturers: &[usize], cards: &Cards) -> Value {
    let mut regions = BTreeMap::new();
    let mut teams = BTreeMap::new();
    for &i in lecturers {
        if let Data::Lecturer(l) = &site.entries[i].data {
            if let Some(r) = &l.region {
                *regions.entry(r.as_str()).or_insert(0) += 1;
            }
            if let Some(t) = &l.team {
                *teams.entry(t.as_str()).or_insert(0) += 1;
            }
        }
    }
    json!({
        "regions": by_count(regions),
        "teams": by_count(teams),
        "honors": honor_facet(lecturers.iter().map(|&i| rank_of(&cards.cards[i]))),
    })
}

/// The 点单篮 page's data, as JSON safe inside `<script type="application/json">`: the booking
/// channels and every lecture by slug (title, url, lecturers, duration, orderable, why not).
pub fn basket_json(site: &Site, lectures: &[usize], cards: &Cards) -> String {
    let mut items = serde_json::Map::new();
    for &i in lectures {
        let c = &cards.cards[i];
        let names: Vec<&str> = c["lecturers"]
            .as_array()
            .map(|ls| ls.iter().filter_map(|l| l["name"].as_str()).collect())
            .unwrap_or_default();
        items.insert(
            site.entries[i].slug.clone(),
            json!({
                "title": c["title"],
                "url": c["url"],
                "lecturers": names.join("、"),
                "duration": c["duration_display"],
                "category": c["category"]["name"],
                "available": c["available"],
                "availability": c["availability"],
            }),
        );
    }
    let booking = site.config.booking.as_ref();
    let data = json!({
        "booking": booking,
        // The form link is built in the browser from this prefix: `form_url?lectures=` or `&lectures=`.
        "form_prefix": booking.and_then(|b| b.form_url.as_ref()).map(|u| order_link(u, &[])),
        "lectures": items,
    });
    // Embedded in a `<script>` element: a title must not be able to close it.
    super::feeds::inert_json(data.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_bands_put_fifteen_minutes_in_the_brief_band() {
        assert_eq!(duration_band(10), "short");
        assert_eq!(duration_band(15), "short");
        assert_eq!(duration_band(16), "mid");
        assert_eq!(duration_band(60), "mid");
        assert_eq!(duration_band(61), "long");
    }

    #[test]
    fn honor_keys_end_with_none() {
        assert_eq!(honor_key(0), "全国");
        assert_eq!(honor_key(4), "企业");
        assert_eq!(honor_key(5), "无");
    }
}
