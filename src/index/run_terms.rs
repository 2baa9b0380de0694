//! The postings of a run of pages, gathered by term while the pages are tokenised.
//!
//! One hash table for the run maps each term to its latest posting: a term seen again on the
//! same page adds to that posting's count, a term seen on a new page starts a posting. At the
//! end of the run the distinct terms are sorted by bucket and term, and the postings counted
//! into place by term (in page order), then [`Packed`]. On the 10,000-article corpus a run of
//! 256 pages has about 740,000 postings of 22,000 terms: this hashes a term for its bucket
//! once a run instead of once a posting, and sorts the terms instead of the postings. Against
//! each page's terms counted in a table of their own, then scattered into buckets and sorted
//! there, the index took 12 % less CPU (the same bytes).
//!
//! Characters below U+10000, most of each page's text, are counted in a slot each first,
//! without hashing, and join the run's table at the end of their page.

use super::BUCKETS;
use super::packed::Packed;
use super::postings::write_varint;
use super::shards::hash_term;
use super::tokenize::Term;

/// Reused for the runs a thread takes one after another (rayon's `map_init`), so that its
/// memory is allocated and touched once for them.
#[derive(Default)]
pub(super) struct RunTerms {
    /// The run's first page and number of pages.
    first: u32,
    pages: u32,
    /// The page being read, numbered in the site.
    page: u32,
    /// A power of two, at most half full.
    slots: Vec<Slot>,
    /// The occupied slots, in order of first use.
    used: Vec<u32>,
    postings: Vec<RunPosting>,
    chars: PageChars,
    /// [`RunTerms::pack`]'s working space.
    order: Order,
}

#[derive(Clone, Copy)]
struct Slot {
    term: u64,
    /// The term's latest posting, an index into `postings`.
    last: u32,
    /// The page of that posting, numbered in the site: a slot whose page is not in the run
    /// is free, so that starting a run clears nothing.
    page: u32,
}

const FREE: Slot = Slot {
    term: 0,
    last: 0,
    page: u32::MAX,
};

/// One page's use of one term.
#[derive(Clone, Copy)]
struct RunPosting {
    slot: u32,
    /// The page, numbered in the run.
    page: u16,
    /// The term's occurrences (up to 32,767) and, in the top bit, whether the title has it.
    tf_title: u16,
}

/// The run's terms in bucket and term order, and their postings in that order.
#[derive(Default)]
struct Order {
    /// (bucket, term, slot), sorted.
    terms: Vec<(u32, u64, u32)>,
    /// Per slot, the place of its term in `terms`.
    rank: Vec<u32>,
    /// Per term in order, where its postings start in `placed`; then the end.
    start: Vec<u32>,
    next: Vec<u32>,
    /// (page in the run, tf and title bit).
    placed: Vec<(u16, u16)>,
}

const TITLE: u16 = 0x8000;
const MAX_TF: u32 = 0x7FFF;

impl RunTerms {
    /// Starts the run of `pages` pages (at most 65,536) from page `first`; the first page is
    /// the current one. The pages must be new to this table: the slots of earlier runs are
    /// told free by their pages.
    pub(super) fn start(&mut self, first: u32, pages: usize) {
        assert!(pages <= 1 << 16, "a run of {pages} pages");
        assert!(
            u64::from(first) + pages as u64 <= u64::from(u32::MAX),
            "page u32::MAX marks a free slot"
        );
        if self.slots.is_empty() {
            self.slots = vec![FREE; 1 << 16];
        }
        (self.first, self.pages, self.page) = (first, pages as u32, first);
        self.used.clear();
        self.postings.clear();
        self.chars.start();
    }

    /// The `i`th page of the run is read from now on.
    pub(super) fn next_page(&mut self, i: usize) {
        self.end_page();
        self.page = self.first + i as u32;
    }

    /// The postings of the pages ended so far: all of the run's, once packed.
    pub(super) fn len(&self) -> usize {
        self.postings.len()
    }

    /// One occurrence of the unigram `c` on the current page.
    #[inline]
    pub(super) fn add_char(&mut self, c: char, in_title: bool) {
        if !self.chars.add(c, in_title) {
            self.add(Term::unigram(c), in_title);
        }
    }

    /// One occurrence of `term` on the current page.
    #[inline]
    pub(super) fn add(&mut self, term: Term, in_title: bool) {
        self.put(term, 1, in_title);
    }

    /// The characters of the current page join the table.
    fn end_page(&mut self) {
        let mut chars = std::mem::take(&mut self.chars);
        chars.for_each(|term, tf, in_title| self.put(term, tf, in_title));
        chars.start();
        self.chars = chars;
    }

    #[inline]
    fn is_free(&self, slot: &Slot) -> bool {
        slot.page.wrapping_sub(self.first) >= self.pages
    }

    #[inline]
    fn home(&self, term: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (term.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// `tf` occurrences of `term` on the current page.
    #[inline]
    fn put(&mut self, term: Term, tf: u32, in_title: bool) {
        let term = term.raw();
        let title = if in_title { TITLE } else { 0 };
        let mask = self.slots.len() - 1;
        let mut at = self.home(term);
        loop {
            let slot = self.slots[at];
            if self.is_free(&slot) {
                self.slots[at] = Slot {
                    term,
                    last: self.postings.len() as u32,
                    page: self.page,
                };
                self.used.push(at as u32);
                self.push(at, tf, title);
                if 2 * self.used.len() > self.slots.len() {
                    self.grow();
                }
                return;
            }
            if slot.term == term {
                if slot.page == self.page {
                    let p = &mut self.postings[slot.last as usize];
                    let tf = (u32::from(p.tf_title & !TITLE) + tf).min(MAX_TF) as u16;
                    p.tf_title = (p.tf_title & TITLE) | title | tf;
                } else {
                    self.slots[at].page = self.page;
                    self.slots[at].last = self.postings.len() as u32;
                    self.push(at, tf, title);
                }
                return;
            }
            at = (at + 1) & mask;
        }
    }

    #[inline]
    fn push(&mut self, slot: usize, tf: u32, title: u16) {
        self.postings.push(RunPosting {
            slot: slot as u32,
            page: (self.page - self.first) as u16,
            tf_title: title | tf.min(MAX_TF) as u16,
        });
    }

    /// Twice the slots; the postings follow their terms to the new slots.
    fn grow(&mut self) {
        let bigger = vec![FREE; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        let mut moved = vec![0u32; old.len()];
        let mut used = std::mem::take(&mut self.used);
        for s in &mut used {
            let entry = old[*s as usize];
            let mut at = self.home(entry.term);
            while !self.is_free(&self.slots[at]) {
                at = (at + 1) & mask;
            }
            self.slots[at] = entry;
            moved[*s as usize] = at as u32;
            *s = at as u32;
        }
        self.used = used;
        for p in &mut self.postings {
            p.slot = moved[p.slot as usize];
        }
    }

    /// Ends the run: its postings by bucket (`shards::hash_term(term) % BUCKETS`), each
    /// bucket by term, each term by page, packed.
    pub(super) fn pack(&mut self) -> Packed {
        self.end_page();
        let Order {
            terms,
            rank,
            start,
            next,
            placed,
        } = &mut self.order;
        terms.clear();
        terms.extend(self.used.iter().map(|&s| {
            let term = self.slots[s as usize].term;
            let bucket = hash_term(Term::from_raw(term)) as usize % BUCKETS;
            (bucket as u32, term, s)
        }));
        // The terms are distinct: the order is total, whatever the sort.
        terms.sort_unstable();
        rank.resize(self.slots.len(), 0);
        for (r, &(_, _, s)) in terms.iter().enumerate() {
            rank[s as usize] = r as u32;
        }
        // A counting sort by term: each term's postings stay in page order.
        start.clear();
        start.resize(terms.len() + 1, 0);
        for p in &self.postings {
            start[rank[p.slot as usize] as usize + 1] += 1;
        }
        for r in 0..terms.len() {
            start[r + 1] += start[r];
        }
        next.clear();
        next.extend_from_slice(start);
        placed.clear();
        placed.resize(self.postings.len(), (0, 0));
        for p in &self.postings {
            let at = &mut next[rank[p.slot as usize] as usize];
            placed[*at as usize] = (p.page, p.tf_title);
            *at += 1;
        }

        // In the format `packed` describes and its `Reader` reads.
        let mut bytes = Vec::with_capacity(placed.len() * 3);
        let mut starts = Vec::with_capacity(BUCKETS + 1);
        let mut r = 0;
        for bucket in 0..BUCKETS as u32 {
            starts.push(bytes.len());
            let mut prev_term = 0u64;
            while let Some(&(b, term, _)) = terms.get(r)
                && b == bucket
            {
                let pages = &placed[start[r] as usize..start[r + 1] as usize];
                write_varint(&mut bytes, term - prev_term);
                write_varint(&mut bytes, pages.len() as u64);
                prev_term = term;
                let mut prev_page = 0;
                for &(page, tf_title) in pages {
                    write_varint(&mut bytes, u64::from(page - prev_page));
                    let tf = u64::from(tf_title & !TITLE);
                    write_varint(&mut bytes, tf << 1 | u64::from(tf_title >> 15));
                    prev_page = page;
                }
                r += 1;
            }
        }
        starts.push(bytes.len());
        bytes.shrink_to_fit();
        Packed { bytes, starts }
    }
}

/// The characters below U+10000 of one page with their counts, a slot each: one memory access
/// a character (this runs for every character of the site). Slots are stamped with the page,
/// so that starting the next page clears nothing.
#[derive(Default)]
struct PageChars {
    /// Per character: (page stamp, occurrences << 1 | in the title).
    counts: Vec<(u32, u32)>,
    /// The characters the page uses, in order of first occurrence.
    chars: Vec<u16>,
    stamp: u32,
}

impl PageChars {
    fn start(&mut self) {
        self.chars.clear();
        if self.counts.is_empty() {
            self.counts = vec![(0, 0); 0x10000];
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.counts.fill((0, 0));
            self.stamp = 1;
        }
    }

    /// Each character of the page with its occurrences and whether the title has it.
    fn for_each(&self, mut term: impl FnMut(Term, u32, bool)) {
        for &c in &self.chars {
            let counted = self.counts[usize::from(c)].1;
            let c = char::from_u32(u32::from(c)).unwrap_or('\u{FFFD}');
            term(Term::unigram(c), counted >> 1, counted & 1 == 1);
        }
    }

    /// Counts `c`, unless it is above U+FFFF: then false.
    #[inline]
    fn add(&mut self, c: char, in_title: bool) -> bool {
        let Some(slot) = self.counts.get_mut(c as usize) else {
            return false;
        };
        if slot.0 == self.stamp {
            slot.1 = slot.1.saturating_add(2) | u32::from(in_title);
        } else {
            *slot = (self.stamp, 2 | u32::from(in_title));
            self.chars.push(c as u16);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::packed::unpack;
    use std::collections::BTreeMap;

    /// (bucket, term, page) → (occurrences, in the title), counted the plain way.
    type Expected = BTreeMap<(usize, Term, u32), (u32, bool)>;

    fn unpacked(packed: &Packed, first: u32) -> Expected {
        let mut got = Expected::new();
        for bucket in 0..BUCKETS {
            let mut postings = Vec::new();
            unpack(first, packed.bucket(bucket), &mut postings).expect("decodes");
            let keys: Vec<_> = postings.iter().map(|p| (p.0, p.1)).collect();
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "by term, then page");
            for (term, page, tf, in_title) in postings {
                got.insert((bucket, term, page), (tf, in_title));
            }
        }
        got
    }

    #[test]
    fn runs_count_like_a_map_across_pages_runs_and_growth() {
        let mut run = RunTerms::default();
        for (first, pages) in [(0u32, 3usize), (3, 2), (u32::MAX - 2, 2)] {
            run.start(first, pages);
            let mut expected = Expected::new();
            for page in 0..pages {
                run.next_page(page);
                // 30,000 occurrences of up to 40,000 distinct terms, some astral, some past
                // the largest count: the table grows within the run.
                for i in 0..30_000u32 {
                    let k = (i * 7_919 + page as u32) % (20_000 * (page as u32 + 1));
                    let base = if k.is_multiple_of(5) { 0x20000 } else { 0x4E00 };
                    let c = char::from_u32(base + k % 20_000).unwrap();
                    let in_title = i % 97 == 0;
                    let term = match k % 3 {
                        0 => Term::unigram(c),
                        1 => Term::bigram('工', c),
                        _ => Term::trigram('劳', '模', if i % 2 == 0 { '精' } else { c }),
                    };
                    if k.is_multiple_of(3) {
                        run.add_char(c, in_title);
                    } else {
                        run.add(term, in_title);
                    }
                    let bucket = hash_term(term) as usize % BUCKETS;
                    let e = expected
                        .entry((bucket, term, first + page as u32))
                        .or_default();
                    e.0 = (e.0 + 1).min(MAX_TF);
                    e.1 |= in_title;
                }
            }
            let packed = run.pack();
            assert!(run.slots.len() > 1 << 16, "the table grew");
            let got = unpacked(&packed, first);
            assert_eq!(
                got.len(),
                expected.len(),
                "postings of the run from {first}"
            );
            assert!(got == expected, "the run from {first}");
        }
    }

    #[test]
    fn a_term_on_many_pages_costs_about_two_bytes_a_posting() {
        let mut run = RunTerms::default();
        run.start(100, 5_000);
        for page in 0..5_000 {
            run.next_page(page);
            for _ in 0..page % 7 + 1 {
                run.add(Term::bigram('工', '会'), page % 2 == 0);
            }
        }
        let packed = run.pack();
        assert_eq!(run.len(), 5_000);
        assert!(
            packed.bytes.len() < 2 * 5_000 + 16,
            "{} bytes",
            packed.bytes.len()
        );
        let got = unpacked(&packed, 100);
        for page in 0..5_000 {
            let key = (
                hash_term(Term::bigram('工', '会')) as usize % BUCKETS,
                Term::bigram('工', '会'),
                100 + page,
            );
            assert_eq!(got[&key], (page % 7 + 1, page % 2 == 0), "page {page}");
        }
    }

    #[test]
    fn counts_stop_at_the_largest_a_posting_holds() {
        let mut run = RunTerms::default();
        run.start(7, 1);
        for _ in 0..40_000 {
            run.add_char('会', false);
            run.add(Term::bigram('工', '会'), false);
        }
        run.add(Term::bigram('工', '会'), true);
        let got = unpacked(&run.pack(), 7);
        let tf = |term: Term| got[&(hash_term(term) as usize % BUCKETS, term, 7)];
        assert_eq!(tf(Term::unigram('会')), (MAX_TF, false));
        assert_eq!(tf(Term::bigram('工', '会')), (MAX_TF, true));
    }
}
