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
//! | `search/meta.json` | counts, shard and pack sizes, junction characters, small facets inline | once |
//! | `search/t/<hex>.bin` | postings of the terms whose hash falls there ([`shards`]) | per query term |
//! | `search/d/<n>.bin` | result records: kind, date, URL, title, text ([`records`]) | two ranges per shown result |
//! | `search/code.bin` | the records' character code and [`dictionary`] | with the first result |
//! | `search/f/<field>.bin` | facet postings ([`facets`]) | when a filter needs them |
//!
//! Every `.bin` is zlib, decompressed by the client with `DecompressionStream`, but for the
//! record packs: a header plus separately compressed records, each raw deflate that follows
//! the dictionary. The whole output stays under 5,000 files.

pub mod dictionary;
pub mod facets;
pub mod normalize;
mod packed;
pub mod postings;
pub mod records;
mod run_terms;
pub mod shards;
mod spill;
pub mod tokenize;
pub mod zlib;

pub use normalize::normalize;
pub use tokenize::{JUNCTION_CHARS, Term, for_each_term, query_parts, query_terms, terms};

use packed::{Packed, Reader};
use postings::{Postings, impact};
use rayon::prelude::*;
use run_terms::RunTerms;
use spill::{Buckets, Spill};
use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

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
pub const FORMAT_VERSION: u32 = 4;
/// Facets small enough to list in `meta.json`, so the page shows them before any fetch.
const INLINE_FACET_VALUES: usize = 40;
/// Facet fields in the order the search page shows them; others follow by name.
const FACET_ORDER: [&str; 4] = ["kind", "category", "region", "tag"];
/// zlib level: 1 (greedy matching) is a quarter of the index's build time less than 9 for
/// 0.7 % more bytes on the 10,000-article corpus; level 9 is within 1 % of `zopfli`.
const LEVEL: u8 = 1;
/// The records' level: 2 finds the long matches into the dictionary that level 1's small
/// hash table misses (1,330 bytes a record on the benchmark corpus instead of 1,540), for
/// about 40 µs a record instead of 23.
const RECORD_LEVEL: u8 = 2;
/// Pages analysed together at most (unless a record pack is larger: a run is whole packs):
/// the postings a thread holds unpacked (about 9 MB) before they are packed and counted
/// against the [`Budget`]. Measured against 2,048: peak
/// memory 530 → 398 MiB at 10,000 articles and 1,646 → 1,373 MiB in the index stage at
/// 100,000 (62.7 s instead of 78.8 s), at the same time after an edit at 10,000; the shards'
/// merge of more runs costs less than the memory the bigger runs touched.
const MAX_CHUNK: usize = 256;

/// How much of the index stays in memory: past `postings`, the postings of further pages wait
/// in a temporary file ([`spill`]), which changes no byte of the index.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub postings: usize,
}

/// An index expected to have at most this many postings is held in memory whole: the
/// 10,000-article corpus has 29 million (60 MB packed); 100,000 articles would take 600 MB.
const HOLD_ALL: usize = 64 << 20;

impl Budget {
    /// A large site's: 32 million postings (70 MB).
    const LARGE: Budget = Budget { postings: 32 << 20 };

    /// Everything for an index of at most [`HOLD_ALL`] postings, expected at about one per
    /// four bytes of text; for a larger one, 32 million postings (70 MB).
    pub fn for_docs(docs: &[SearchDoc]) -> Budget {
        let text: usize = docs.iter().map(|d| d.title.len() + d.text.len()).sum();
        if held_whole(text) {
            Budget {
                postings: usize::MAX,
            }
        } else {
            Budget::LARGE
        }
    }
}

/// Whether the index of documents with `text_bytes` of text is held in memory whole (about
/// 20,000 articles at most), its postings expected at about one per four bytes of text.
pub fn held_whole(text_bytes: usize) -> bool {
    text_bytes / 4 <= HOLD_ALL
}

/// A document's text as the index reads it: [`held`], or made again on demand.
pub type TextOf<'t> = dyn for<'a> Fn(&'a SearchDoc) -> Cow<'a, str> + Sync + 't;

/// `f` as a [`TextOf`] (a closure's return borrows from its argument only when told so).
pub fn text_of<F>(f: F) -> F
where
    F: for<'a> Fn(&'a SearchDoc) -> Cow<'a, str> + Sync,
{
    f
}

/// The text the document holds.
pub fn held(doc: &SearchDoc) -> Cow<'_, str> {
    Cow::Borrowed(&doc.text)
}

/// Builds the search index of `docs` within [`Budget::for_docs`]; fails only when the
/// temporary file of a large site cannot be read back.
pub fn build(docs: &[SearchDoc]) -> std::io::Result<Vec<IndexFile>> {
    build_within(docs, Budget::for_docs(docs))
}

/// [`build`], handing each file to `put` as soon as it is made (in no set order) instead of
/// collecting them: the files of 100,000 articles are 450 MB. With `made_again`, the
/// documents' texts are not held but made when read (once, and again for a sample of them),
/// within the budget of a large site: at 100,000 articles they were 650 MB, the build's
/// high-water mark of memory.
pub fn build_into(
    docs: &[SearchDoc],
    made_again: Option<&TextOf>,
    put: &(dyn Fn(IndexFile) + Sync),
) -> std::io::Result<()> {
    let budget = match made_again {
        Some(_) => Budget::LARGE,
        None => Budget::for_docs(docs),
    };
    build_in_runs(
        docs,
        budget,
        chunk_for(docs),
        made_again.unwrap_or(&held),
        put,
    )
}

/// Collects what [`build_in_runs`] puts, by path.
fn collect(
    build: impl FnOnce(&(dyn Fn(IndexFile) + Sync)) -> std::io::Result<()>,
) -> std::io::Result<Vec<IndexFile>> {
    let files = std::sync::Mutex::new(Vec::new());
    build(&|file| {
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(file);
    })?;
    let mut files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Builds the search index of `docs`, holding at most about `budget` in memory.
///
/// Each step is parallel over all cores and works in page (or shard) order, so the bytes do
/// not depend on the scheduling: a sample of pages → the records' code and dictionary; the
/// pages → their compressed records and their terms, gathered by run of pages, in
/// [`BUCKETS`] by the term's shard hash, and packed (`run_terms`); then the shards, merged
/// from those and compressed.
pub fn build_within(docs: &[SearchDoc], budget: Budget) -> std::io::Result<Vec<IndexFile>> {
    collect(|put| build_in_runs(docs, budget, chunk_for(docs), &held, put))
}

/// Pages analysed together: about four runs a thread, within reason.
fn chunk_for(docs: &[SearchDoc]) -> usize {
    docs.len()
        .div_ceil(4 * rayon::current_num_threads())
        .clamp(64, MAX_CHUNK)
}

/// [`build_within`], analysing runs of about `chunk` pages (which changes no byte), each file
/// put as soon as it is made.
fn build_in_runs(
    docs: &[SearchDoc],
    budget: Budget,
    chunk: usize,
    text_of: &TextOf,
    put: &(dyn Fn(IndexFile) + Sync),
) -> std::io::Result<()> {
    let t = std::time::Instant::now();
    let order = page_order(docs);
    let n_docs = order.len() as u32;
    // Both from samples, side by side: on a small site they are much of the index's path.
    let (junction, (code, dictionary)) = rayon::join(
        || Junction::new(&order, text_of),
        || record_code(&order, text_of),
    );
    let primed = zlib::Primed::new(&dictionary, RECORD_LEVEL);
    put(IndexFile {
        path: "search/code.bin".into(),
        bytes: zlib::compress_zlib(&records::code_file(&code, &dictionary), 9),
    });
    let t = crate::timing::lap("    index: order, junctions and code", t);

    // Runs of whole packs, so that each run writes its records' packs as soon as it is done.
    let per_pack = records::docs_per_pack(order.len());
    let chunk = (chunk / per_pack).max(1) * per_pack;
    let spill = Spill::default();
    let held = AtomicUsize::new(0);
    let analysed: Vec<Analysed> = order
        .par_chunks(chunk)
        .enumerate()
        .map_init(RunTerms::default, |run, (i, pages)| {
            let records = Records {
                code: &code,
                primed: &primed,
                first_pack: i * chunk / per_pack,
                per_pack,
                put,
            };
            let (mut part, packed) = analyse(run, i * chunk, pages, &junction, text_of, &records);
            let n = part.postings;
            part.buckets =
                if held.fetch_add(n, Ordering::Relaxed).saturating_add(n) <= budget.postings {
                    Buckets::Held(packed)
                } else {
                    held.fetch_sub(n, Ordering::Relaxed);
                    spill.put(packed)
                };
            part
        })
        .collect();
    let t = crate::timing::lap("    index: terms and records", t);
    let mut lens = Vec::with_capacity(order.len());
    for part in &analysed {
        lens.extend_from_slice(&part.lens);
    }
    let avg_len = lens.iter().map(|&l| f64::from(l)).sum::<f64>() / f64::from(n_docs.max(1));
    // Most postings have a small tf: their impacts, computed once per page.
    let impacts_by_tf: Vec<[u8; 8]> = lens
        .iter()
        .map(|&len| std::array::from_fn(|i| impact(i as u16 + 1, len, avg_len)))
        .collect();

    let total_postings: usize = analysed.iter().map(|p| p.postings).sum();
    let n_shards = shards::shard_count(total_postings);
    (0..n_shards).into_par_iter().try_for_each(|s| {
        let runs = shard_runs(&analysed, &spill, s, n_shards)?;
        put(IndexFile {
            path: format!("search/t/{s:x}.bin"),
            bytes: shard(runs, &impacts_by_tf, &lens, avg_len, n_docs)?,
        });
        Ok::<(), std::io::Error>(())
    })?;
    let t = crate::timing::lap("    index: shards", t);
    drop(analysed);
    let t = crate::timing::lap("    index: free", t);

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
        put(IndexFile {
            path: format!("search/{file}"),
            bytes: zlib(&facets::encode(field)),
        });
    }

    let meta = serde_json::json!({
        "version": FORMAT_VERSION,
        "docs": n_docs,
        "shards": n_shards,
        "pack": per_pack,
        "junction": junction.chars.iter().collect::<String>(),
        "facets": meta_facets,
    });
    let mut meta_bytes = serde_json::to_vec(&meta).unwrap_or_default();
    meta_bytes.push(b'\n');
    put(IndexFile {
        path: "search/meta.json".into(),
        bytes: meta_bytes,
    });
    crate::timing::lap("    index: facets", t);
    Ok(())
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
            .then_with(|| a.kind.cmp(b.kind))
            .then_with(|| a.facets.cmp(&b.facets))
    });
    order
}

/// The junction characters of the site: the most frequent ones of the normalised text (see
/// [`tokenize`]), counted on up to about 1,000 pages evenly spread (titles and the first 1,000
/// characters), so that finding them costs a few percent of the index.
struct Junction {
    /// Most frequent first, ties by code point.
    chars: Vec<char>,
    bmp: Vec<bool>,
}

impl Junction {
    fn new(order: &[&SearchDoc], text_of: &TextOf) -> Junction {
        let step = (order.len() / 1_000).max(1);
        // By code point below U+10000 (a hash map was most of the cost), then the others.
        let mut bmp = vec![0u64; 0x10000];
        let mut astral: HashMap<char, u64> = HashMap::new();
        for doc in order.iter().step_by(step) {
            let text = text_of(doc);
            let head = match text.char_indices().nth(1_000) {
                Some((i, _)) => &text[..i],
                None => &text,
            };
            for field in [doc.title.as_str(), head] {
                normalize::normalize_each(field, |c| match bmp.get_mut(c as usize) {
                    Some(n) => *n += 1,
                    None => *astral.entry(c).or_default() += 1,
                });
            }
        }
        bmp[' ' as usize] = 0;
        let mut chars: Vec<(char, u64)> = (bmp.into_iter().enumerate())
            .filter(|&(_, n)| n > 0)
            .filter_map(|(c, n)| Some((char::from_u32(c as u32)?, n)))
            .chain(astral)
            .collect();
        chars.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let chars: Vec<char> = chars
            .into_iter()
            .take(JUNCTION_CHARS)
            .map(|e| e.0)
            .collect();
        let mut bmp = vec![false; 0x10000];
        for &c in &chars {
            if let Some(slot) = bmp.get_mut(c as usize) {
                *slot = true;
            }
        }
        Junction { chars, bmp }
    }

    #[inline]
    fn has(&self, c: char) -> bool {
        match self.bmp.get(c as usize) {
            Some(&j) => j,
            None => self.chars.contains(&c),
        }
    }
}

/// The postings of a run of pages, by `shards::hash_term(term) % BUCKETS`: the shard of a term
/// for any shard count is a union of buckets, since shard counts are powers of two that divide
/// this one.
const BUCKETS: usize = shards::MAX_SHARDS;

struct Analysed {
    /// The number of the run's first page.
    first: u32,
    /// The postings, by bucket.
    buckets: Buckets,
    postings: usize,
    lens: Vec<u32>,
}

/// What a run of pages needs to make its records: the code and the compressor primed with
/// the dictionary ([`record_code`]), and where its packs go.
struct Records<'a> {
    code: &'a records::CharCode,
    primed: &'a zlib::Primed,
    /// The number of the run's first pack: runs are whole packs.
    first_pack: usize,
    per_pack: usize,
    put: &'a (dyn Fn(IndexFile) + Sync),
}

impl Records<'_> {
    /// Appends the compressed record of `doc`, whose text is `text`, to `out`; `coded` is
    /// scratch space.
    fn compress(&self, doc: &SearchDoc, text: &str, coded: &mut Vec<u8>, out: &mut Vec<Vec<u8>>) {
        coded.clear();
        records::record_chars(doc, text, |c| self.code.push(c, coded));
        let mut record = Vec::new();
        self.primed.compress_into(coded, &mut record);
        out.push(record);
    }

    /// Puts the packs of a run's compressed records.
    fn put_packs(&self, compressed: &[Vec<u8>]) {
        for (i, pack) in compressed.chunks(self.per_pack).enumerate() {
            (self.put)(IndexFile {
                path: format!("search/d/{}.bin", self.first_pack + i),
                bytes: records::pack(pack),
            });
        }
    }
}

/// The terms and records of a run of pages, `first` being the number of the first: the
/// records are coded, compressed and put in packs while the page's text is at hand; the
/// postings come back packed beside the rest, for the caller to keep or spill.
fn analyse(
    run: &mut RunTerms,
    first: usize,
    docs: &[&SearchDoc],
    junction: &Junction,
    text_of: &TextOf,
    records: &Records,
) -> (Analysed, Packed) {
    let mut out = Analysed {
        first: first as u32,
        buckets: Buckets::Spilled(Vec::new()),
        postings: 0,
        lens: Vec::with_capacity(docs.len()),
    };
    let mut compressed = Vec::with_capacity(docs.len());
    let mut coded = Vec::new();
    run.start(first as u32, docs.len());
    for (i, doc) in docs.iter().enumerate() {
        // Normalise and tokenise in one stream.
        run.next_page(i);
        let mut len = 0u32;
        let text = text_of(doc);
        for (field, in_title) in [(doc.title.as_str(), true), (&*text, false)] {
            // `tokenize::for_each_term`, inlined by hand: this loop sees every character of
            // the site. Trigrams only filter: no title flag.
            let (mut prev, mut prev2): (Option<char>, Option<char>) = (None, None);
            normalize::normalize_each(field, |c| {
                len += 1;
                if c == ' ' {
                    (prev, prev2) = (None, None);
                    return;
                }
                run.add_char(c, in_title);
                if let Some(p) = prev {
                    run.add(Term::bigram(p, c), in_title);
                    if let Some(a) = prev2
                        && junction.has(p)
                    {
                        run.add(Term::trigram(a, p, c), false);
                    }
                }
                (prev, prev2) = (Some(c), prev);
            });
        }
        out.lens.push(len);
        records.compress(doc, &text, &mut coded, &mut compressed);
    }
    records.put_packs(&compressed);
    let packed = run.pack();
    out.postings = run.len();
    (out, packed)
}

/// The records' character code and dictionary ([`dictionary`]), from the records of a sample
/// of pages spread evenly over the site: known before any page is analysed, so that each
/// record is made, coded and compressed once, with its page. (From all pages, the code cost
/// a second pass over every text, and the records waited for it in memory.)
fn record_code(order: &[&SearchDoc], text_of: &TextOf) -> (records::CharCode, Vec<u8>) {
    // In parallel: a large site's texts are made again here, from the Markdown.
    let picked: Vec<usize> = dictionary::sample_of(order.len()).collect();
    let sample: Vec<String> = picked
        .par_iter()
        .map(|&i| records::record_text(order[i], &text_of(order[i])))
        .collect();
    // By code point below U+10000, then the others, as in `Junction::new`.
    let mut bmp = vec![0u64; 0x10000];
    let mut counts: HashMap<char, u64> = HashMap::new();
    for text in &sample {
        for c in text.chars() {
            match bmp.get_mut(c as usize) {
                Some(n) => *n += 1,
                None => *counts.entry(c).or_default() += 1,
            }
        }
    }
    counts.extend((bmp.into_iter().enumerate()).filter_map(|(c, n)| {
        let c = char::from_u32(c as u32).filter(|_| n > 0)?;
        Some((c, n))
    }));
    let code = records::CharCode::new(&counts);
    let coded: Vec<Vec<u8>> = sample.iter().map(|text| code.encode(text)).collect();
    let sampled: usize = coded.iter().map(Vec::len).sum();
    let expected = sampled * order.len() / coded.len().max(1);
    let dictionary = dictionary::choose(&coded, dictionary::len_for(expected));
    (code, dictionary)
}

/// The packed buckets of shard `s` of `n_shards`, from memory and the spill file: for each
/// run of pages in page order, the buckets whose terms fall in the shard.
fn shard_runs<'a>(
    analysed: &'a [Analysed],
    spill: &Spill,
    s: usize,
    n_shards: usize,
) -> std::io::Result<Vec<Reader<Cow<'a, [u8]>>>> {
    let mut runs = Vec::new();
    for part in analysed {
        for bucket in (s..BUCKETS).step_by(n_shards) {
            let bytes = match &part.buckets {
                Buckets::Held(held) => Cow::Borrowed(held.bucket(bucket)),
                Buckets::Spilled(starts) => Cow::Owned(spill.read(starts, bucket)?),
            };
            if !bytes.is_empty() {
                runs.push(Reader::new(part.first, bytes).map_err(corrupt)?);
            }
        }
    }
    Ok(runs)
}

fn corrupt(_: packed::Corrupt) -> std::io::Error {
    std::io::Error::other("the search index's postings do not decode")
}

/// The compressed shard of the terms in `runs` (each by term, then page; runs in page
/// order): merged term by term, so that each term's pages come in page order.
fn shard(
    mut runs: Vec<Reader<Cow<[u8]>>>,
    impacts_by_tf: &[[u8; 8]],
    lens: &[u32],
    avg_len: f64,
    n_docs: u32,
) -> std::io::Result<Vec<u8>> {
    // The next term of each run, smallest first, and for equal terms the earlier run.
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = (runs.iter().enumerate())
        .filter_map(|(i, r)| Some(Reverse((r.term()?, i))))
        .collect();
    let mut writer = shards::Writer::new(n_docs);
    let mut postings = Postings::default();
    let mut impacts = Vec::new();
    while let Some(Reverse((term, _))) = heap.peek().copied() {
        postings.clear();
        while let Some(&Reverse((t, i))) = heap.peek()
            && t == term
        {
            heap.pop();
            runs[i]
                .read_term(|doc, tf, in_title| postings.push(doc, tf, in_title))
                .map_err(corrupt)?;
            if let Some(next) = runs[i].term() {
                heap.push(Reverse((next, i)));
            }
        }
        let term = Term::from_raw(term);
        impacts.clear();
        if shards::weighted(term, postings.docs.len(), n_docs) {
            impacts.extend(postings.docs.iter().zip(&postings.tfs).map(|(&doc, &tf)| {
                let doc = doc as usize;
                match impacts_by_tf[doc].get(usize::from(tf) - 1) {
                    Some(&i) => i,
                    None => impact(tf, lens[doc], avg_len),
                }
            }));
        }
        writer.add(term, &postings, &impacts);
    }
    Ok(zlib(&writer.finish()))
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    zlib::compress_zlib(bytes, LEVEL)
}

#[cfg(test)]
mod tests;
