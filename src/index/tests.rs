//! Whole-index tests: determinism, bounded output, and a reference reader of the files that
//! checks every term of every page can be found and every record reads back.

use super::*;
use std::collections::BTreeMap;

fn doc(url: &str, title: &str, date: Option<&str>, text: &str) -> SearchDoc {
    SearchDoc {
        url: url.into(),
        title: title.into(),
        kind: "news",
        date: date.map(Into::into),
        text: text.into(),
        facets: vec![
            ("region", "杭州市萧山区".into()),
            ("tag", "班前十分钟".into()),
        ],
    }
}

fn sample() -> Vec<SearchDoc> {
    let mut docs = vec![
        doc(
            "/a/",
            "衢州成立新能源产业工会联合会",
            Some("2023-05-12"),
            "从筹备建会到工会联\n合会成立。ＰＬＣ与VR，２０２２年。",
        ),
        doc(
            "/b/",
            "区总工会慰问职工",
            Some("2023-06-01"),
            "区总工会与区妇女联合会。𠮷野家，软\u{AD}连字符。",
        ),
        doc(
            "/c/",
            "无日期的页面",
            None,
            "点单须知：xuanjiang@example.org",
        ),
    ];
    for i in 0..40 {
        docs.push(doc(
            &format!("/n/{i}/"),
            &format!("第{i}条新闻"),
            Some("2021-01-01"),
            &"产业工人队伍建设改革。".repeat(i + 1),
        ));
    }
    docs
}

fn file<'a>(files: &'a [IndexFile], path: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .bytes
}

fn inflate(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::inflate::decompress_to_vec_zlib(bytes).expect("zlib")
}

struct Cursor<'a>(&'a [u8], usize);

impl Cursor<'_> {
    fn varint(&mut self) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.0[self.1];
            self.1 += 1;
            v |= u64::from(b & 0x7F) << shift;
            shift += 7;
            if b < 0x80 {
                return v;
            }
        }
    }
}

/// `search/code.bin` read back: the characters by code, and the dictionary.
struct Code {
    chars: Vec<char>,
    dictionary: Vec<u8>,
}

impl Code {
    fn read(files: &[IndexFile]) -> Code {
        let code = inflate(file(files, "search/code.bin"));
        let mut c = Cursor(&code, 0);
        let mut chars = Vec::new();
        for _ in 0..c.varint() {
            chars.push(char::from_u32(c.varint() as u32).unwrap());
        }
        let mut cp = 0;
        for _ in 0..c.varint() {
            cp += c.varint() as u32;
            chars.push(char::from_u32(cp).unwrap());
        }
        let len = c.varint() as usize;
        assert_eq!(c.1 + len, code.len(), "nothing after the dictionary");
        let dictionary = code[c.1..].to_vec();
        Code { chars, dictionary }
    }

    /// `text` in the code, for characters that have one.
    fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for c in text.chars() {
            let i = self.chars.iter().position(|&k| k == c).expect("coded");
            match i.checked_sub(0xF0) {
                None => out.push(i as u8),
                Some(r) => out.extend_from_slice(&[0xF0 + (r >> 8) as u8, r as u8]),
            }
        }
        out
    }

    fn decode(&self, b: &[u8]) -> String {
        let mut s = String::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                x @ 0..=0xEF => s.push(self.chars[x as usize]),
                x @ 0xF0..=0xFE => {
                    s.push(self.chars[0xF0 + ((x as usize - 0xF0) << 8) + b[i + 1] as usize]);
                    i += 1;
                }
                0xFF => {
                    let cp =
                        u32::from(b[i + 1]) | u32::from(b[i + 2]) << 8 | u32::from(b[i + 3]) << 16;
                    s.push(char::from_u32(cp).unwrap());
                    i += 3;
                }
            }
            i += 1;
        }
        s
    }
}

/// The text of record `id`, read back as the client does: the record from its pack, inflated
/// after the dictionary, and decoded.
fn read_record(files: &[IndexFile], id: usize) -> String {
    let code = Code::read(files);
    let dictionary = &code.dictionary;
    let pack = file(files, &format!("search/d/{}.bin", id / 32));
    let slot = id % 32;
    let at = |k: usize| u32::from_le_bytes(pack[4 * k..4 * k + 4].try_into().unwrap()) as usize;
    let mut stream = zlib::stored_prefix(dictionary.len()).to_vec();
    stream.extend_from_slice(dictionary);
    stream.extend_from_slice(&pack[at(slot)..at(slot + 1)]);
    let inflated = miniz_oxide::inflate::decompress_to_vec(&stream).expect("raw deflate");
    assert_eq!(&inflated[..dictionary.len()], dictionary);
    code.decode(&inflated[dictionary.len()..])
}

/// term → docids, read back from all shards.
fn read_postings(files: &[IndexFile], n_shards: usize) -> BTreeMap<String, Vec<u32>> {
    let mut out = BTreeMap::new();
    for s in 0..n_shards {
        let raw = inflate(file(files, &format!("search/t/{s:x}.bin")));
        let mut c = Cursor(&raw, 0);
        let n = c.varint();
        let mut heads = Vec::new();
        for _ in 0..n {
            let len = c.varint() as usize;
            let term = String::from_utf8(raw[c.1..c.1 + len].to_vec()).unwrap();
            c.1 += len;
            let (df, enc, dlen, _titles) = (
                c.varint() as usize,
                c.varint(),
                c.varint() as usize,
                c.varint(),
            );
            assert_eq!(
                shards::hash(&term) as usize & (n_shards - 1),
                s,
                "{term} in the wrong shard"
            );
            heads.push((term, df, enc, dlen));
        }
        let mut pos = c.1;
        for (term, df, enc, dlen) in heads {
            let mut docs = Vec::new();
            if enc & 1 == 1 {
                for (i, &b) in raw[pos..pos + dlen].iter().enumerate() {
                    docs.extend(
                        (0..8)
                            .filter(|bit| b & (1 << bit) != 0)
                            .map(|bit| (i * 8 + bit) as u32),
                    );
                }
            } else {
                let mut c = Cursor(&raw[..pos + dlen], pos);
                let mut d = 0;
                while c.1 < pos + dlen {
                    d += c.varint() as u32;
                    docs.push(d);
                }
            }
            assert_eq!(docs.len(), df, "{term}");
            pos += dlen;
            out.insert(term, docs);
        }
    }
    out
}

fn meta(files: &[IndexFile]) -> serde_json::Value {
    serde_json::from_slice(file(files, "search/meta.json")).unwrap()
}

#[test]
fn same_pages_in_any_order_give_the_same_bytes() {
    let a = build(&sample()).expect("index");
    let mut docs = sample();
    docs.reverse();
    docs.swap(0, 7);
    let b = build(&docs).expect("index");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.path, y.path);
        assert!(x.bytes == y.bytes, "{} differs", x.path);
    }
}

#[test]
fn every_term_of_every_page_is_found_in_its_shard() {
    let docs = sample();
    let files = build(&docs).expect("index");
    let m = meta(&files);
    let postings = read_postings(&files, m["shards"].as_u64().unwrap() as usize);
    let order = page_order(&docs);
    let junction = Junction::new(&order, &held);
    assert_eq!(
        m["junction"].as_str().unwrap(),
        junction.chars.iter().collect::<String>()
    );
    assert_eq!(junction.chars.len(), JUNCTION_CHARS);
    for (id, d) in order.iter().enumerate() {
        for field in [&d.title, &d.text] {
            for t in terms(&normalize(field), |c| junction.has(c)) {
                let list = postings
                    .get(&t.to_string())
                    .unwrap_or_else(|| panic!("no postings for {t}"));
                assert!(
                    list.binary_search(&(id as u32)).is_ok(),
                    "{t} misses page {id}"
                );
            }
        }
    }
    // and the phrase that crosses a soft line break is there as bigrams
    for t in query_terms(&normalize("工会联合会"), |_| false) {
        assert!(postings[&t.to_string()].contains(&1), "{t}");
    }
}

#[test]
fn junction_trigrams_keep_apart_bigrams_apart() {
    // 改 is frequent in the sample: `革。产` is a page's trigram, `改革。` and `。产业` are
    // bigrams of page /a/ too, but `改革。产业` is not in it, and its trigrams say so.
    let docs = sample();
    let files = build(&docs).expect("index");
    let m = meta(&files);
    let junction: Vec<char> = m["junction"].as_str().unwrap().chars().collect();
    assert!(
        junction.contains(&'。') && junction.contains(&'革'),
        "{junction:?}"
    );
    let postings = read_postings(&files, m["shards"].as_u64().unwrap() as usize);
    let trigram = &postings["革。产"];
    assert_eq!(trigram.len(), 39, "the pages that repeat the sentence");
    assert!(postings.contains_key("。产"));
    assert!(!postings.contains_key("区总工会"), "no longer terms");
}

#[test]
fn pages_are_numbered_newest_first_and_records_read_back() {
    let docs = sample();
    let files = build(&docs).expect("index");
    let m = meta(&files);
    assert_eq!(m["docs"], 43);
    assert_eq!(m["pack"], 32);
    let record = |id| read_record(&files, id);
    assert_eq!(record(0), "news\u{1F}2023-06-01\u{1F}/b/\u{1F}区总工会慰问职工\u{1F}区总工会与区妇女联合会。𠮷野家，软\u{AD}连字符。".replace('\u{AD}', ""));
    assert!(
        record(1).contains("工会联合会成立"),
        "soft break removed in the display text"
    );
    assert!(
        record(1).contains("ＰＬＣ"),
        "the page's own characters are kept"
    );
    assert!(
        record(42).starts_with("news\u{1F}\u{1F}/c/"),
        "undated last"
    );
}

#[test]
fn a_larger_site_shares_a_dictionary_among_its_records() {
    // 1,000 pages that repeat the union's phrases around a sentence of their own.
    let shared =
        "浙江省总工会劳模工匠宣讲团走进企业车间，为一线职工讲述产业工人队伍建设改革的故事。";
    let docs: Vec<SearchDoc> = (0..1_000)
        .map(|i| {
            let own: String = (0..80)
                .map(|j| char::from_u32(0x4E00 + (i * 131 + j * 17) % 3_000).unwrap())
                .collect();
            doc(
                &format!("/n/{i}/"),
                &format!("第{i}条"),
                Some("2022-01-01"),
                &format!("{shared}{own}{shared}"),
            )
        })
        .collect();
    let files = build(&docs).expect("index");
    let code = Code::read(&files);
    assert!(
        code.dictionary.len() > 1_024,
        "{} bytes",
        code.dictionary.len()
    );
    let phrase = code.encode(shared);
    assert!(
        code.dictionary.windows(phrase.len()).any(|w| w == phrase),
        "the shared phrase"
    );
    for id in [0, 1, 499, 999] {
        let text = read_record(&files, id);
        let i: usize = text
            .split("/n/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(text, records::record_text(&docs[i], &docs[i].text));
    }
}

#[test]
fn output_stays_under_five_thousand_files() {
    const { assert!(shards::MAX_SHARDS + 512 + 16 < 5_000) };
    assert!(records::docs_per_pack(1_000_000) * 512 >= 1_000_000);
    let files = build(&sample()).expect("index");
    assert!(files.iter().all(|f| f.path.starts_with("search/")));
    assert!(
        files.windows(2).all(|w| w[0].path < w[1].path),
        "sorted, no duplicates"
    );
}

#[test]
fn an_empty_site_still_has_an_index() {
    let files = build(&[]).expect("index");
    assert_eq!(meta(&files)["docs"], 0);
    assert!(files.iter().any(|f| f.path == "search/t/0.bin"));
}

#[test]
fn shards_hold_the_terms_of_their_hash_for_any_shard_count() {
    // The buckets are a finer split than any shard count: check the reading of a shard from
    // them against a direct count of the sample's postings.
    let docs = sample();
    let order = page_order(&docs);
    let junction = Junction::new(&order, &held);
    let (code, dictionary) = record_code(&order, &held);
    let records = Records {
        code: &code,
        primed: &zlib::Primed::new(&dictionary, RECORD_LEVEL),
        first_pack: 0,
        per_pack: records::docs_per_pack(order.len()),
        put: &|_| {},
    };
    let mut run = RunTerms::default();
    let (part, packed) = analyse(&mut run, 0, &order, &junction, &held, &records);
    let buckets: Vec<Vec<(Term, u32, u32, bool)>> = (0..BUCKETS)
        .map(|b| {
            let mut bucket = Vec::new();
            packed::unpack(0, packed.bucket(b), &mut bucket).expect("decodes");
            bucket
        })
        .collect();
    let total: usize = buckets.iter().map(Vec::len).sum();
    assert_eq!(total, part.postings);
    let mut distinct = std::collections::BTreeSet::new();
    for (id, d) in order.iter().enumerate() {
        for field in [&d.title, &d.text] {
            for t in terms(&normalize(field), |c| junction.has(c)) {
                distinct.insert((t, id));
            }
        }
    }
    assert_eq!(total, distinct.len());
    for (b, bucket) in buckets.iter().enumerate() {
        // By term, then page.
        assert!(
            bucket
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        assert!(
            bucket
                .iter()
                .all(|p| shards::hash_term(p.0) as usize % BUCKETS == b)
        );
    }
}

/// The sample and `n` more pages: enough for several runs of pages.
fn many(n: usize) -> Vec<SearchDoc> {
    let mut docs = sample();
    for i in 0..n {
        docs.push(doc(
            &format!("/m/{i}/"),
            &format!("第{i}次劳模工匠宣讲"),
            Some(&format!("2022-{:02}-{:02}", i % 12 + 1, i % 28 + 1)),
            &format!("{i}号宣讲员讲述产业工人和工会联合会的故事。").repeat(i % 7 + 1),
        ));
    }
    docs
}

fn assert_same(whole: &[IndexFile], other: &[IndexFile], how: &str) {
    assert_eq!(whole.len(), other.len(), "{how}");
    for (x, y) in whole.iter().zip(other) {
        assert_eq!(x.path, y.path, "{how}");
        assert!(x.bytes == y.bytes, "{} differs {how}", x.path);
    }
}

#[test]
fn runs_of_any_length_give_the_same_bytes() {
    let docs = many(150);
    let budget = Budget::for_docs(&docs);
    let whole = collect(|put| build_in_runs(&docs, budget, docs.len(), &held, put)).expect("index");
    for chunk in [32, 64, 96] {
        let runs = collect(|put| build_in_runs(&docs, budget, chunk, &held, put)).expect("index");
        assert_same(&whole, &runs, &format!("in runs of {chunk}"));
    }
}

#[test]
fn a_spent_budget_changes_no_byte() {
    // Enough pages for several chunks, so some are held and some spilled.
    let docs = many(400);
    let whole = build_within(&docs, Budget::for_docs(&docs)).expect("index");
    let total: usize = docs.len() * 40;
    for budget in [
        Budget { postings: 0 },
        Budget {
            postings: total / 2,
        },
    ] {
        let spent = build_within(&docs, budget).expect("index");
        assert_same(&whole, &spent, &format!("with {budget:?}"));
    }
}
