//! What a change touches, so the quick path renders only that: an entry's links (while they
//! stay, the site's structure stays), the cards that embed a changed card, the pages that show
//! a changed entry or card, and the templates each template reaches.
//!
//! [`affected`] mirrors what `render::pages::Shared::prepare` puts on each page: when a page
//! starts showing something new, add it there (`tests/it/serve.rs` compares every page with a
//! clean build after each kind of edit).

use super::incremental::{Good, Undo};
use crate::load::theme::Theme;
use crate::render::context::{self, Cards};
use crate::render::pages::{Job, Tax};
use crate::resolve::{self, Data, Entry, Kind, Level, Site};
use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

/// Everything about an entry that `resolve` uses to place it among the others: while these stay
/// the same, every list, its order, the taxonomies and the reverse indexes stay the same.
#[derive(PartialEq)]
pub(super) struct Links<'a> {
    kind: Kind,
    name: &'a str,
    dir: &'a Path,
    section: &'a str,
    slug: &'a str,
    path: &'a str,
    title: &'a str,
    date: Option<resolve::date::Date>,
    weight: Option<i64>,
    draft: bool,
    tags: &'a [String],
    regions: Vec<&'a str>,
    refs: Vec<&'a str>,
    levels: Vec<Option<Level>>,
    row: Option<&'a str>,
}

pub(super) fn links(e: &Entry) -> Links<'_> {
    let mut l = Links {
        kind: e.kind,
        name: &e.source.name,
        dir: &e.dir,
        section: &e.section,
        slug: &e.slug,
        path: &e.path,
        title: &e.title,
        date: e.date,
        weight: e.weight,
        draft: e.draft,
        tags: &e.tags,
        regions: Vec::new(),
        refs: Vec::new(),
        levels: Vec::new(),
        row: None,
    };
    match &e.data {
        Data::News(n) => {
            l.regions.extend(n.region.as_deref());
            l.refs
                .extend(n.lecturer_refs.iter().map(|r| r.value.as_str()));
            l.refs.push("|");
            l.refs.extend(n.brand_refs.iter().map(|r| r.value.as_str()));
        }
        Data::Lecturer(x) => {
            l.regions.extend(x.region.as_deref());
            l.levels = x.honors.iter().map(|h| h.level).collect();
        }
        Data::Lecture(x) => {
            l.regions = x.regions.iter().map(String::as_str).collect();
            l.refs = x.lecturer_refs.iter().map(|r| r.value.as_str()).collect();
        }
        Data::Brand(x) => l.row = Some(&x.row),
        Data::Page => {}
    }
    l
}

/// Copies what `resolve` added to an entry after parsing it.
pub(super) fn carry_links(old: &Entry, new: &mut Entry) {
    new.bundle_assets.clone_from(&old.bundle_assets);
    match (&old.data, &mut new.data) {
        (Data::News(a), Data::News(b)) => {
            b.lecturers.clone_from(&a.lecturers);
            b.brands.clone_from(&a.brands);
        }
        (Data::Lecture(a), Data::Lecture(b)) => b.lecturers.clone_from(&a.lecturers),
        (Data::Brand(a), Data::Brand(b)) => b.matrix = a.matrix,
        _ => {}
    }
}

/// Makes the cards of the patched entries again, and the cards that embed a changed one (a
/// lecture embeds its lecturers; a matrix its brands). Returns the entries and matrices whose
/// cards changed.
pub(super) fn update_cards(
    good: &mut Good,
    patched: &BTreeSet<usize>,
    undo: &mut Undo,
) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let site = &good.site;
    let mut changed = BTreeSet::new();
    let remake = |i: usize, cards: &mut Cards, undo: &mut Undo| -> bool {
        let card = context::card(site, i, &good.rendered[i], &cards.cards);
        match cards.replace_card(i, card) {
            Some(old) => {
                undo.cards.push((i, old));
                true
            }
            None => false,
        }
    };
    // Lecturers first: lecture cards embed theirs.
    let mut order: Vec<usize> = patched.iter().copied().collect();
    order.sort_by_key(|&i| site.entries[i].kind != Kind::Lecturer);
    for i in order {
        if remake(i, &mut good.cards, undo) {
            changed.insert(i);
        }
    }
    let lecturers: Vec<usize> = changed
        .iter()
        .copied()
        .filter(|&i| site.entries[i].kind == Kind::Lecturer)
        .collect();
    for l in lecturers {
        for &lecture in site.lectures_of.get(&l).into_iter().flatten() {
            if remake(lecture, &mut good.cards, undo) {
                changed.insert(lecture);
            }
        }
    }
    let mut matrices = BTreeSet::new();
    for &i in &changed {
        if let Data::Brand(b) = &site.entries[i].data {
            matrices.insert(b.matrix);
        }
    }
    matrices.retain(|&m| {
        let card = context::matrix_card(&site.config, &site.matrices[m], &good.cards.cards, site);
        if card == good.cards.matrix_cards[m] {
            return false;
        }
        undo.matrix_cards.push((m, good.cards.set_matrix(m, card)));
        true
    });
    (changed, matrices)
}

/// The pages that show a patched entry, a changed card or a changed matrix card, when the
/// site's structure is unchanged. Mirrors what `Shared::prepare` puts on each page; the match
/// names every kind of page, so a new one cannot be forgotten.
pub(super) fn affected(
    site: &Site,
    jobs: &[Job],
    patched: &BTreeSet<usize>,
    cards: &BTreeSet<usize>,
    matrices: &BTreeSet<usize>,
) -> BTreeSet<Job> {
    let shows = |items: &[usize], per: usize, page: usize| {
        items
            .iter()
            .skip((page - 1) * per)
            .take(per)
            .any(|i| cards.contains(i))
    };
    let of_kind = |k: Kind| cards.iter().any(|&i| site.entries[i].kind == k);
    let related = |j: usize| -> Vec<usize> {
        let mut r: Vec<usize> = Vec::new();
        match &site.entries[j].data {
            Data::News(n) => r.extend(n.lecturers.iter().chain(&n.brands)),
            Data::Lecture(l) => r.extend(&l.lecturers),
            _ => {}
        }
        r.extend(site.lectures_of.get(&j).into_iter().flatten());
        r.extend(site.news_of.get(&j).into_iter().flatten());
        r
    };
    let lectures_changed = of_kind(Kind::Lecture);
    jobs.iter()
        .filter(|job| match job {
            Job::Entry(j) => {
                patched.contains(j)
                    || cards.contains(j)
                    || related(*j).iter().any(|r| cards.contains(r))
            }
            Job::Home => {
                let news = site.section("news").map_or(&[][..], |s| &s.pages[..]);
                news.iter().take(10).any(|i| cards.contains(i))
                    || lectures_changed
                    || of_kind(Kind::Lecturer)
                    || !matrices.is_empty()
            }
            Job::List { section, page } => {
                let s = &site.sections[*section];
                if s.key == "lecturers" {
                    // Sorted and faceted by what the cards say.
                    s.pages.iter().any(|i| cards.contains(i))
                } else {
                    let per = s.paginate_by.unwrap_or(site.config.paginate_by).max(1);
                    shows(&s.pages, per, *page)
                }
            }
            Job::Menu | Job::MenuPrint | Job::Basket | Job::Category(_) => lectures_changed,
            Job::Matrices => !matrices.is_empty(),
            Job::Matrix(m) => matrices.contains(m),
            Job::Taxonomy(_) | Job::Search | Job::NotFound => false,
            Job::Term { tax, term, page } => {
                let terms = match tax {
                    Tax::Tags => &site.tags,
                    Tax::Regions => &site.regions,
                };
                terms
                    .values()
                    .nth(*term)
                    .is_some_and(|items| shows(items, site.config.paginate_by.max(1), *page))
            }
        })
        .cloned()
        .collect()
}

/// For each template, a hash of every template it can reach: through `extends`, `include` and
/// `import` (any quoted template name in the text counts), and through the components it calls
/// (components are global in Tera 2: `<name …/>` reaches the template that defines `name`). A
/// template that names another by a variable makes every template reach every other.
pub(super) fn closures(theme: &Theme) -> HashMap<String, u64> {
    let names: Vec<&str> = theme.templates.iter().map(|t| t.name.as_str()).collect();
    let text: HashMap<&str, &str> = theme
        .templates
        .iter()
        .map(|t| (t.name.as_str(), t.text.as_str()))
        .collect();
    let dynamic = theme.templates.iter().any(|t| names_by_variable(&t.text));
    let components: Vec<(String, &str)> = theme
        .templates
        .iter()
        .flat_map(|t| {
            components(&t.text)
                .into_iter()
                .map(|c| (c, t.name.as_str()))
        })
        .collect();
    let refs: HashMap<&str, Vec<&str>> = theme
        .templates
        .iter()
        .map(|t| {
            let to: Vec<&str> = if dynamic {
                names.clone()
            } else {
                let quoted = names.iter().copied().filter(|n| {
                    t.text.contains(&format!("\"{n}\"")) || t.text.contains(&format!("'{n}'"))
                });
                let called = components
                    .iter()
                    .filter(|(c, _)| calls(&t.text, c))
                    .map(|(_, from)| *from);
                quoted.chain(called).collect()
            };
            (t.name.as_str(), to)
        })
        .collect();
    names
        .iter()
        .map(|&name| {
            let mut seen = BTreeSet::from([name]);
            let mut stack = vec![name];
            while let Some(n) = stack.pop() {
                for &m in refs.get(n).into_iter().flatten() {
                    if seen.insert(m) {
                        stack.push(m);
                    }
                }
            }
            let hash = hash_of(|h| {
                for n in &seen {
                    (n, text.get(n)).hash(h);
                }
            });
            (name.to_string(), hash)
        })
        .collect()
}

/// The components a template defines: `{% component name(…) %}`.
fn components(text: &str) -> Vec<String> {
    text.split("{%")
        .skip(1)
        .filter_map(|tag| {
            let tag = tag.trim_start_matches(['-', '+']).trim_start();
            let rest = tag.strip_prefix("component")?;
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// Whether `text` calls component `name`: `<name` not followed by more of a name.
fn calls(text: &str, name: &str) -> bool {
    let needle = format!("<{name}");
    text.match_indices(&needle).any(|(i, _)| {
        !text[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Whether a template names a template to extend, include or import by something other than
/// a quoted string.
fn names_by_variable(text: &str) -> bool {
    text.split("{%").skip(1).any(|tag| {
        let tag = tag.split("%}").next().unwrap_or("");
        let mut words = tag.trim_start_matches(['-', '+']).split_whitespace();
        matches!(
            words.next(),
            Some("extends" | "include" | "import" | "from")
        ) && !words
            .next()
            .is_some_and(|w| w.starts_with('"') || w.starts_with('\''))
    })
}

pub(super) fn hash_of(f: impl FnOnce(&mut DefaultHasher)) -> u64 {
    let mut h = DefaultHasher::new();
    f(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::theme::Template;

    fn theme(templates: &[(&str, &str)]) -> Theme {
        Theme {
            templates: templates
                .iter()
                .map(|(name, text)| Template {
                    name: (*name).into(),
                    text: (*text).into(),
                    origin: format!("templates/{name}"),
                })
                .collect(),
            statics: Vec::new(),
        }
    }

    #[test]
    fn a_template_reaches_its_parents_includes_and_imports() {
        let before = theme(&[
            ("base.html", "<body>{% block main %}{% endblock %}</body>"),
            (
                "news.html",
                "{% extends \"base.html\" %}{% import 'm.html' as m %}",
            ),
            (
                "m.html",
                "{% macro x() %}{% include \"card.html\" %}{% endmacro %}",
            ),
            ("card.html", "card"),
            ("lecture.html", "{% extends \"base.html\" %}"),
        ]);
        let mut after = before.clone();
        after.templates[3].text = "card, changed".into();
        let (a, b) = (closures(&before), closures(&after));
        assert_ne!(a["news.html"], b["news.html"], "through import and include");
        assert_ne!(a["card.html"], b["card.html"]);
        assert_eq!(a["lecture.html"], b["lecture.html"]);
        assert_eq!(a["base.html"], b["base.html"]);
    }

    #[test]
    fn a_template_reaches_the_components_it_calls() {
        let before = theme(&[
            ("news.html", "{{ <news_card item={x}/> }}"),
            (
                "partials/cards.html",
                "{% component news_card(item) -%}{{ <badge/> }}{%- endcomponent news_card %}",
            ),
            (
                "partials/badge.html",
                "{%- component badge() %}B{% endcomponent badge %}",
            ),
            ("page.html", "{{ <news_cards/> }}"),
        ]);
        let mut after = before.clone();
        after.templates[2].text = "{%- component badge() %}C{% endcomponent badge %}".into();
        let (a, b) = (closures(&before), closures(&after));
        assert_ne!(
            a["news.html"], b["news.html"],
            "through a component that calls another"
        );
        assert_eq!(
            a["page.html"], b["page.html"],
            "news_cards is not news_card"
        );
    }

    #[test]
    fn a_template_named_by_a_variable_reaches_every_template() {
        assert!(names_by_variable("{% include page.template %}"));
        assert!(names_by_variable("{%- extends layout -%}"));
        assert!(!names_by_variable(
            "{% include \"a.html\" %}{% if x %}{% endif %}"
        ));
        let t = theme(&[
            ("a.html", "{% include name %}"),
            ("b.html", "b"),
            ("c.html", "c"),
        ]);
        let mut changed = t.clone();
        changed.templates[2].text = "c2".into();
        assert_ne!(closures(&t)["b.html"], closures(&changed)["b.html"]);
    }
}
