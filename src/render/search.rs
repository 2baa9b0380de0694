//! Search documents: what each page says, as its reader sees it, for [`crate::index`].
//!
//! One document per entry page and per brand matrix (drafts are already gone). The body comes
//! first, then the page's visible facts (byline, honors, lecturers …) joined by ` · `, so that
//! two facts never run together into a word neither contains (`嘉兴市` + `班前…` ≠ `市班前`).

use super::markdown::Rendered;
use crate::diagnostics::Diagnostic;
use crate::index::{self, SearchDoc};
use crate::load::again::Again;
use crate::render::{OutFile, Sink};
use crate::resolve::{Data, Site};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Puts the index files of the whole site into `sink` as they are made, and says how many;
/// none when the environment sets `CAIDAN_SEARCH_INDEX=0`, which the search benchmark uses
/// to measure what the index adds to the build time.
/// Takes the entries' rendered text (in entry order), which becomes the documents' without a
/// copy (the index is the build's peak of memory); or, with `again` (a very large site, whose
/// bodies let go of their text), each entry's text is made again from its file when the index
/// reads it.
pub fn write(
    site: &Site,
    texts: Vec<String>,
    again: Option<&Again>,
    sink: &dyn Sink,
) -> Result<usize, Diagnostic> {
    if std::env::var_os("CAIDAN_SEARCH_INDEX").is_some_and(|v| v == "0") {
        return Ok(0);
    }
    let docs = docs_from(site, texts.into_iter());
    // The sink's first error fails the build; the files after it need not be written; so does
    // a file that changed before its text was made again.
    let failed: Mutex<Option<Diagnostic>> = Mutex::new(None);
    let lock = || failed.lock().unwrap_or_else(PoisonError::into_inner);
    let entry_of: HashMap<&str, usize> = match again {
        Some(_) => (docs.iter().take(site.entries.len()))
            .enumerate()
            .map(|(i, d)| (d.url.as_str(), i))
            .collect(),
        None => HashMap::new(),
    };
    // The body's text, then the facts the document holds (see `docs_from`).
    let made_again = index::text_of(|doc| {
        let (Some(again), Some(&i)) = (again, entry_of.get(doc.url.as_str())) else {
            return doc.text.as_str().into();
        };
        let text = match again.body(i) {
            Ok(body) => {
                let e = &site.entries[i];
                let base = super::markdown_base(site, e);
                let mut text =
                    super::markdown::render_with(&body, &base, site.config.unsafe_html).text;
                text.push_str(&doc.text);
                text
            }
            Err(d) => {
                lock().get_or_insert(d);
                String::new()
            }
        };
        text.into()
    });
    let count = AtomicUsize::new(0);
    let text_of: Option<&index::TextOf> = again.map(|_| &made_again as &index::TextOf);
    index::build_into(&docs, text_of, &|file| {
        if lock().is_some() {
            return;
        }
        let put = sink.put(OutFile {
            path: file.path,
            bytes: file.bytes,
        });
        match put {
            Ok(()) => {
                count.fetch_add(1, Ordering::Relaxed);
            }
            Err(d) => {
                lock().get_or_insert(d);
            }
        }
    })
    .map_err(|e| spill_error(&e))?;
    match failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
        Some(d) => Err(d),
        None => Ok(count.into_inner()),
    }
}

/// The only way the index fails: a large site's postings could not be read back from the
/// temporary folder.
pub fn spill_error(e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("生成搜索索引时读不回临时文件：{e}"))
        .help("大网站的搜索索引会暂存在系统临时文件夹（TMPDIR）里；请检查那里的磁盘空间和权限，再生成一次")
}

pub fn docs(site: &Site, rendered: &[Rendered]) -> Vec<SearchDoc> {
    docs_from(site, rendered.iter().map(|r| r.text.clone()))
}

/// The documents, given each entry's rendered text in entry order.
fn docs_from(site: &Site, texts: impl Iterator<Item = String>) -> Vec<SearchDoc> {
    let config = &site.config;
    let name = |i: usize| site.entries[i].title.clone();
    let mut docs: Vec<SearchDoc> = site
        .entries
        .iter()
        .zip(texts)
        .map(|(e, text)| {
            let mut facts: Vec<String> = Vec::new();
            let mut facets: Vec<(&'static str, String)> =
                e.tags.iter().map(|t| ("tag", t.clone())).collect();
            match &e.data {
                Data::News(n) => {
                    facts.extend(n.kicker.iter().chain(&n.subtitle).chain(&n.source).cloned());
                    facts.extend(n.reporters.iter().chain(&n.correspondents).cloned());
                    facts.extend(n.region.iter().cloned());
                    facts.extend(n.lecturers.iter().chain(&n.brands).map(|&i| name(i)));
                    facets.extend(n.region.iter().map(|r| ("region", r.clone())));
                }
                Data::Lecturer(l) => {
                    facts.extend(l.honors.iter().map(|h| h.name.clone()));
                    facts.extend(
                        l.occupation
                            .iter()
                            .chain(&l.org)
                            .chain(&l.region)
                            .chain(&l.team)
                            .chain(&l.quote)
                            .chain(&l.availability)
                            .cloned(),
                    );
                    facets.retain(|(k, _)| *k != "tag");
                    facets.extend(l.region.iter().map(|r| ("region", r.clone())));
                }
                Data::Lecture(l) => {
                    facts.push(l.category.clone());
                    facts.extend(l.lecturers.iter().map(|&i| name(i)));
                    facts.extend(
                        l.audiences
                            .iter()
                            .chain(&l.formats)
                            .chain(&l.regions)
                            .cloned(),
                    );
                    facets.push(("category", l.category.clone()));
                    facets.extend(l.regions.iter().map(|r| ("region", r.clone())));
                }
                Data::Brand(b) => {
                    facts.extend(b.slogan.iter().chain(&b.org).cloned());
                    facts.push(b.row.clone());
                    facts.push(site.matrices[b.matrix].title.clone());
                }
                Data::Page => {}
            }
            facts.extend(e.tags.iter().cloned());
            SearchDoc {
                url: config.url(&e.path),
                title: e.title.clone(),
                kind: e.kind.key(),
                date: e.date.map(|d| d.iso()),
                text: join(text, &facts),
                facets,
            }
        })
        .collect();
    for m in &site.matrices {
        let preface = super::markdown::render(&m.source.text[m.body.clone()], "").text;
        let mut facts: Vec<String> = m.org.iter().cloned().collect();
        facts.extend(m.rows.iter().cloned());
        facts.extend(m.brands.iter().map(|&i| name(i)));
        docs.push(SearchDoc {
            url: config.url(&m.path),
            title: m.title.clone(),
            kind: "brand",
            date: m.date.map(|d| d.iso()),
            text: join(preface, &facts),
            facets: Vec::new(),
        });
    }
    docs
}

fn join(mut body: String, facts: &[String]) -> String {
    let facts: Vec<&str> = facts
        .iter()
        .map(String::as_str)
        .filter(|f| !f.is_empty())
        .collect();
    if !facts.is_empty() {
        // Exactly: a doubled capacity would hold a second copy's worth of every page's text
        // while the index is made.
        let len = facts.iter().map(|f| f.len() + " · ".len()).sum::<usize>() + 1;
        body.reserve_exact(len);
        body.push_str("\n · ");
        body.push_str(&facts.join(" · "));
    }
    body
}
