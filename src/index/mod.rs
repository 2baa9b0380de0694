//! Search index: rendered pages → sharded files under `search/` that the browser client
//! (`themes/default/static/search/search.js`) queries with no server.
//!
//! Reads the pipeline's [`SearchDoc`]s (drafts already left out) and returns [`IndexFile`]s for
//! `write`. It is pure, cannot fail, and is deterministic: the same pages in any order give the
//! same bytes. Pages are numbered newest first (then by URL), so a page number is also the date
//! tie-break of the ranking. What is written:
//!
//! | file | what | fetched |
//! |---|---|---|
//! | `search/meta.json` | counts, shard and pack sizes, small facets inline | once |
//! | `search/t/<hex>.bin` | postings of the terms whose hash falls there ([`shards`]) | per query term |
//! | `search/d/<n>.bin` | result records: kind, date, URL, title, text ([`records`]) | two ranges per shown result |
//! | `search/chars.bin` | the character code of the records | with the first result |
//! | `search/f/<field>.bin` | facet postings ([`facets`]) | when a filter needs them |
//!
//! Every `.bin` is zlib, decompressed by the client with `DecompressionStream`; the record packs
//! are a header plus separately compressed records. The whole output stays under 5,000 files.

pub mod facets;
pub mod normalize;
pub mod postings;
pub mod records;
pub mod shards;
pub mod tokenize;

pub use normalize::normalize;
pub use tokenize::{Term, for_each_term, query_parts, query_terms, terms};

use postings::{Postings, impact};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// One page to index, as the reader sees it.
pub struct SearchDoc {
    /// Root-relative URL including the site's sub-path, e.g. "/gonghui/news/x/".
    pub url: String,
    pub title: String,
    /// "news" | "lecture" | "lecturer" | "brand" | "page".
    pub kind: &'static str,
    /// ISO date "2023-05-12", if any.
    pub date: Option<String>,
    /// The page's plain text (body + meta like lecturer names, honors).
    pub text: String,
    /// ("category", "劳模精神"), ("region", "杭州市萧山区"), ("tag", "班前十分钟").
    pub facets: Vec<(&'static str, String)>,
}

/// A file to write, relative to the output root.
pub struct IndexFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Bumped whenever the client could misread older files.
pub const FORMAT_VERSION: u32 = 1;
/// Facets small enough to list in `meta.json`, so the page shows them before any fetch.
const INLINE_FACET_VALUES: usize = 40;
/// Facet fields in the order the search page shows them; others follow by name.
const FACET_ORDER: [&str; 4] = ["kind", "category", "region", "tag"];
/// zlib level: 9 is within 1 % of `zopfli` here and still fast.
const LEVEL: u8 = 9;

/// Builds the search index of `docs`.
pub fn build(docs: &[SearchDoc]) -> Vec<IndexFile> {
    let order = page_order(docs);
    let n_docs = order.len() as u32;

    // Tokenise and count in parallel over ranges of page numbers, then merge in order.
    let analysed = parallel_chunks(&order, analyse);
    let mut lens = Vec::with_capacity(order.len());
    let mut texts = Vec::with_capacity(order.len());
    let mut char_counts: HashMap<char, u64> = HashMap::new();
    let mut all: HashMap<Term, Postings, TermHash> = HashMap::default();
    for part in analysed {
        lens.extend(part.lens);
        texts.extend(part.texts);
        for (cp, n) in part.bmp.into_iter().enumerate().filter(|e| e.1 > 0) {
            *char_counts
                .entry(char::from_u32(cp as u32).unwrap_or('\u{FFFD}'))
                .or_default() += n;
        }
        for (c, n) in part.astral {
            *char_counts.entry(c).or_default() += n;
        }
        for (term, postings) in part.postings {
            all.entry(term).or_default().append(postings);
        }
    }
    let avg_len = lens.iter().map(|&l| f64::from(l)).sum::<f64>() / f64::from(n_docs.max(1));

    let code = records::CharCode::new(&char_counts);
    let per_pack = records::docs_per_pack(order.len());
    let packs: Vec<Vec<String>> = texts.chunks(per_pack).map(<[String]>::to_vec).collect();
    let mut files: Vec<IndexFile> = parallel_chunks(&packs, |first, chunk| {
        let pack_file = |(i, pack): (usize, &Vec<String>)| {
            let compressed: Vec<Vec<u8>> = pack.iter().map(|t| zlib(&code.encode(t))).collect();
            IndexFile {
                path: format!("search/d/{}.bin", first + i),
                bytes: records::pack(&compressed),
            }
        };
        chunk.iter().enumerate().map(pack_file).collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    drop(packs);
    files.push(IndexFile {
        path: "search/chars.bin".into(),
        bytes: zlib(&code.table()),
    });

    // Terms → shards, each sorted by term; impacts need the average length, known only now.
    let total_postings: usize = all.values().map(|p| p.docs.len()).sum();
    let n_shards = shards::shard_count(total_postings);
    let mut by_shard: Vec<Vec<(Term, &Postings)>> = vec![Vec::new(); n_shards];
    for (term, postings) in &all {
        let h = shards::hash(&term.to_string()) as usize;
        by_shard[h & (n_shards - 1)].push((*term, postings));
    }
    files.extend(
        parallel_chunks(&by_shard, |first, chunk| {
            let shard_file = |(i, terms): (usize, &Vec<(Term, &Postings)>)| {
                let mut terms: Vec<(Term, &Postings, Vec<u8>)> = terms
                    .iter()
                    .map(|&(t, p)| {
                        let imp = p
                            .docs
                            .iter()
                            .zip(&p.tfs)
                            .map(|(&d, &tf)| impact(tf, lens[d as usize], avg_len));
                        (t, p, imp.collect())
                    })
                    .collect();
                terms.sort_unstable_by_key(|t| t.0);
                let bytes = zlib(&shards::encode(&terms, n_docs));
                IndexFile {
                    path: format!("search/t/{:x}.bin", first + i),
                    bytes,
                }
            };
            chunk.iter().enumerate().map(shard_file).collect::<Vec<_>>()
        })
        .into_iter()
        .flatten(),
    );

    let pairs = order.iter().enumerate().flat_map(|(id, doc)| {
        let id = id as u32;
        std::iter::once((id, "kind", doc.kind))
            .chain(doc.facets.iter().map(move |(f, v)| (id, *f, v.as_str())))
    });
    let mut fields = facets::collect(pairs);
    fields.sort_by_key(|f| {
        (
            FACET_ORDER
                .iter()
                .position(|&k| k == f.name)
                .unwrap_or(FACET_ORDER.len()),
            f.name.clone(),
        )
    });
    let mut meta_facets = Vec::new();
    for field in &fields {
        let file = format!("f/{}.bin", facets::file_name(&field.name));
        let mut entry =
            serde_json::json!({ "name": field.name, "file": file, "count": field.values.len() });
        if field.values.len() <= INLINE_FACET_VALUES {
            let values: Vec<_> = field
                .values
                .iter()
                .map(|(v, d)| serde_json::json!([v, d.len()]))
                .collect();
            entry["values"] = values.into();
        }
        meta_facets.push(entry);
        files.push(IndexFile {
            path: format!("search/{file}"),
            bytes: zlib(&facets::encode(field)),
        });
    }

    let meta = serde_json::json!({
        "version": FORMAT_VERSION,
        "docs": n_docs,
        "shards": n_shards,
        "pack": per_pack,
        "facets": meta_facets,
    });
    let mut meta_bytes = serde_json::to_vec(&meta).unwrap_or_default();
    meta_bytes.push(b'\n');
    files.push(IndexFile {
        path: "search/meta.json".into(),
        bytes: meta_bytes,
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Newest first, undated pages last, then by URL (and content, for duplicate URLs).
fn page_order(docs: &[SearchDoc]) -> Vec<&SearchDoc> {
    let mut order: Vec<&SearchDoc> = docs.iter().collect();
    order.sort_by(|a, b| {
        b.date
            .is_some()
            .cmp(&a.date.is_some())
            .then_with(|| b.date.cmp(&a.date))
            .then_with(|| a.url.cmp(&b.url))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.text.cmp(&b.text))
            .then_with(|| a.kind.cmp(b.kind))
            .then_with(|| a.facets.cmp(&b.facets))
    });
    order
}

struct Analysed {
    postings: HashMap<Term, Postings, TermHash>,
    lens: Vec<u32>,
    texts: Vec<String>,
    /// Occurrences of each character below U+10000 in the records, by code point.
    bmp: Vec<u64>,
    astral: HashMap<char, u64>,
}

fn analyse(first: usize, docs: &[&SearchDoc]) -> Analysed {
    let mut out = Analysed {
        postings: HashMap::with_capacity_and_hasher(1 << 15, TermHash::default()),
        lens: Vec::new(),
        texts: Vec::new(),
        bmp: vec![0; 0x10000],
        astral: HashMap::new(),
    };
    let (mut in_title, mut in_text) = (Vec::new(), Vec::new());
    for (i, doc) in docs.iter().enumerate() {
        let title = normalize(&doc.title);
        let text = normalize(&doc.text);
        // Count each page's terms locally first: one lookup in the big map per distinct term.
        in_title.clear();
        in_text.clear();
        for_each_term(&title, |t| in_title.push(t));
        for_each_term(&text, |t| in_text.push(t));
        in_title.sort_unstable();
        in_text.sort_unstable();
        let (mut a, mut b) = (0, 0);
        while a < in_title.len() || b < in_text.len() {
            let term = match (in_title.get(a), in_text.get(b)) {
                (Some(&x), Some(&y)) => x.min(y),
                (Some(&x), None) => x,
                (None, Some(&y)) => y,
                (None, None) => break,
            };
            let a_end = a + in_title[a..].iter().take_while(|&&t| t == term).count();
            let b_end = b + in_text[b..].iter().take_while(|&&t| t == term).count();
            let tf = (a_end - a + b_end - b) as u32;
            out.postings
                .entry(term)
                .or_default()
                .push((first + i) as u32, tf, a_end > a);
            (a, b) = (a_end, b_end);
        }
        out.lens
            .push((title.chars().count() + text.chars().count()) as u32);
        let record = records::record_text(doc);
        for c in record.chars() {
            match out.bmp.get_mut(c as usize) {
                Some(n) => *n += 1,
                None => *out.astral.entry(c).or_default() += 1,
            }
        }
        out.texts.push(record);
    }
    out
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, LEVEL)
}

/// Runs `f` over contiguous chunks of `items` on all cores; results in order. `f` gets the index
/// of its chunk's first item.
fn parallel_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &[T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 16);
    let size = items.len().div_ceil(threads).max(1);
    if items.len() <= size {
        return vec![f(0, items)];
    }
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(i, chunk)| scope.spawn(move || f(i * size, chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// A fast hasher for [`Term`]s (one `u64` each); the keys come from the site, not an attacker.
#[derive(Default)]
struct TermHasher(u64);

impl Hasher for TermHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type TermHash = BuildHasherDefault<TermHasher>;

#[cfg(test)]
mod tests;
