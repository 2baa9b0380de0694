//! Tokenizer: normalised text → index terms, and a query → the terms a match must contain.
//!
//! Every character except the space is a unigram term, and every two adjacent characters
//! without a space between them are a bigram term, whatever their script: Han pairs, Latin and
//! digit pairs, and also `“产`, `0余` or `c控`, so that a query with punctuation or mixed scripts
//! is narrowed down as well as a Chinese word (pairing only within a script made 13 % smaller
//! shards, but on the benchmark such queries then returned 0.81 right pages of the candidates;
//! now 0.95, and Chinese-only queries 0.99).
//! A query part of one character looks up its unigram, a longer part its bigrams. If a page's
//! normalised text contains the part, it contains every one of those terms: that is why recall
//! is exact, and why a candidate is still checked against its text before it is shown.
//!
//! Bigrams say nothing about adjacency: `衢州` and `州市` occur in a page that has `衢州` and
//! `杭州市`, but not `衢州市`. Such false candidates come from junctions at characters that a page
//! has many times (`，`, `的`, `工`): two bigrams that share a rare character are nearly always
//! adjacent. So every three characters whose middle one is among the site's most frequent
//! ([`JUNCTION_CHARS`], listed in `meta.json`) are a trigram term too, a filter without weight:
//! on the benchmark they raised the mean precision of the candidates from 0.959 to 0.98 for 19 %
//! more postings (positions instead would cost a few bits on each of the 17 million bigram
//! postings).

use super::normalize::normalize;
use std::fmt;

/// One index term: a character or a pair of characters, packed in a `u64` so that counting
/// terms needs no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term(u64);

const BIGRAM: u64 = 1 << 63;
/// Junction characters: the site's most frequent ones, whose trigrams are indexed.
pub const JUNCTION_CHARS: usize = 16;

impl Term {
    /// The packed value, for hashing and ordering.
    pub fn raw(self) -> u64 {
        self.0
    }

    /// The term of a [`Term::raw`] value (read back from the index's spill file).
    pub(crate) fn from_raw(raw: u64) -> Term {
        Term(raw)
    }

    pub fn unigram(c: char) -> Term {
        Term(u64::from(c))
    }

    pub fn bigram(a: char, b: char) -> Term {
        Term(BIGRAM | (u64::from(a) << 21) | u64::from(b))
    }

    /// Three characters: the first is stored plus one, so that a trigram never equals a bigram.
    pub fn trigram(a: char, b: char, c: char) -> Term {
        Term(BIGRAM | ((u64::from(a) + 1) << 42) | (u64::from(b) << 21) | u64::from(c))
    }

    /// A bigram or a trigram.
    pub fn is_bigram(self) -> bool {
        self.0 & BIGRAM != 0
    }

    pub fn is_trigram(self) -> bool {
        self.0 & BIGRAM != 0 && (self.0 >> 42) & 0x1F_FFFF != 0
    }

    /// The characters, first to last.
    pub fn chars(self) -> (Option<char>, char, Option<char>) {
        let at = |shift: u32| char::from_u32(((self.0 >> shift) & 0x1F_FFFF) as u32);
        let low = at(0).unwrap_or('\u{FFFD}');
        if !self.is_bigram() {
            return (None, low, None);
        }
        let mid = at(21).unwrap_or('\u{FFFD}');
        let first = ((self.0 >> 42) & 0x1F_FFFF) as u32;
        match first.checked_sub(1) {
            Some(a) => (
                Some(char::from_u32(a).unwrap_or('\u{FFFD}')),
                mid,
                Some(low),
            ),
            None => (None, mid, Some(low)),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.chars();
        if let Some(a) = a {
            write!(f, "{a}")?;
        }
        write!(f, "{b}")?;
        if let Some(c) = c {
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Calls `f` with every term occurrence of an already normalised text, in order; trigrams
/// around the characters for which `junction` is true.
pub fn for_each_term(normalized: &str, junction: impl Fn(char) -> bool, mut f: impl FnMut(Term)) {
    let (mut prev, mut prev2) = (None, None);
    for c in normalized.chars() {
        if c == ' ' {
            (prev, prev2) = (None, None);
            continue;
        }
        f(Term::unigram(c));
        if let Some(p) = prev {
            f(Term::bigram(p, c));
            if let Some(a) = prev2.filter(|_| junction(p)) {
                f(Term::trigram(a, p, c));
            }
        }
        (prev, prev2) = (Some(c), prev);
    }
}

/// Every term occurrence of an already normalised text, in order.
pub fn terms(normalized: &str, junction: impl Fn(char) -> bool) -> Vec<Term> {
    let mut out = Vec::new();
    for_each_term(normalized, junction, |t| out.push(t));
    out
}

/// A query → its parts: split at whitespace, each part normalised. Empty parts are dropped.
pub fn query_parts(query: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for raw in query.split_whitespace() {
        for part in normalize(raw).split(' ') {
            if !part.is_empty() && !parts.iter().any(|p| p == part) {
                parts.push(part.to_string());
            }
        }
    }
    parts
}

/// The terms every page containing `part` (normalised, without spaces) must contain: its
/// character or its bigrams, then its trigrams around junction characters.
pub fn query_terms(part: &str, junction: impl Fn(char) -> bool) -> Vec<Term> {
    let chars: Vec<char> = part.chars().filter(|&c| c != ' ').collect();
    let mut out: Vec<Term> = match chars.as_slice() {
        [c] => vec![Term::unigram(*c)],
        _ => chars.windows(2).map(|w| Term::bigram(w[0], w[1])).collect(),
    };
    out.extend(
        chars
            .windows(3)
            .filter(|w| junction(w[1]))
            .map(|w| Term::trigram(w[0], w[1], w[2])),
    );
    let mut seen = Vec::with_capacity(out.len());
    out.retain(|t| {
        let new = !seen.contains(t);
        seen.push(*t);
        new
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(ts: &[Term]) -> Vec<String> {
        ts.iter().map(ToString::to_string).collect()
    }

    /// Without junction characters: unigrams and bigrams only.
    fn terms_(s: &str) -> Vec<Term> {
        terms(s, |_| false)
    }

    fn query_terms_(s: &str) -> Vec<Term> {
        query_terms(s, |_| false)
    }

    #[test]
    fn junction_characters_add_trigrams_to_pages_and_queries() {
        let junction = |c: char| c == '的' || c == ',';
        assert_eq!(
            strings(&terms("我的书", junction)),
            ["我", "的", "我的", "书", "的书", "我的书"]
        );
        assert_eq!(
            strings(&terms("的书 a,b", junction)),
            ["的", "书", "的书", "a", ",", "a,", "b", ",b", "a,b"]
        );
        assert_eq!(
            strings(&query_terms("们的人", junction)),
            ["们的", "的人", "们的人"]
        );
        assert_eq!(strings(&query_terms("的人", junction)), ["的人"]);
        let t = Term::trigram('们', '的', '人');
        assert!(t.is_trigram() && t.is_bigram());
        assert!(!Term::bigram('的', '人').is_trigram());
        assert_ne!(Term::trigram('\0', '的', '人'), Term::bigram('的', '人'));
        assert_eq!(
            Term::trigram('\0', '的', '人').chars(),
            (Some('\0'), '的', Some('人'))
        );
    }

    #[test]
    fn han_runs_give_unigrams_and_overlapping_bigrams() {
        assert_eq!(
            strings(&terms_("工会联合会")),
            ["工", "会", "工会", "联", "会联", "合", "联合", "会", "合会"]
        );
    }

    #[test]
    fn mixed_scripts_and_punctuation_pair_too() {
        assert_eq!(
            strings(&terms_("plc控制")),
            ["p", "l", "pl", "c", "lc", "控", "c控", "制", "控制"]
        );
        assert_eq!(
            strings(&terms_("2022年")),
            ["2", "0", "20", "2", "02", "2", "22", "年", "2年"]
        );
        assert_eq!(
            strings(&terms_("“产改”")),
            ["“", "产", "“产", "改", "产改", "”", "改”"]
        );
        assert_eq!(
            strings(&terms_(&normalize("，。…"))),
            [",", "。", ",。", ".", "。.", ".", "..", ".", ".."]
        );
    }

    #[test]
    fn spaces_break_pairs() {
        assert_eq!(
            strings(&terms_("vr 实训")),
            ["v", "r", "vr", "实", "训", "实训"]
        );
        assert_eq!(strings(&terms_("a, b")), ["a", ",", "a,", "b"]);
    }

    #[test]
    fn astral_characters_are_one_term() {
        assert_eq!(strings(&terms_("𠮷野")), ["𠮷", "野", "𠮷野"]);
        assert!(Term::bigram('𠮷', '野').is_bigram());
        assert_eq!(Term::bigram('𠮷', '野').chars(), (None, '𠮷', Some('野')));
    }

    #[test]
    fn query_parts_split_at_spaces_then_normalise() {
        assert_eq!(
            query_parts("  工会 联合会\u{3000}ＰＬＣ  "),
            ["工会", "联合会", "plc"]
        );
        assert_eq!(query_parts("工会 工会"), ["工会"]);
        assert_eq!(query_parts(" \u{200B} "), Vec::<String>::new());
    }

    #[test]
    fn query_terms_are_the_bigrams_or_the_character() {
        assert_eq!(strings(&query_terms_("会")), ["会"]);
        assert_eq!(strings(&query_terms_("产改")), ["产改"]);
        assert_eq!(
            strings(&query_terms_("工会联合会")),
            ["工会", "会联", "联合", "合会"]
        );
        assert_eq!(strings(&query_terms_("“产改”")), ["“产", "产改", "改”"]);
        assert_eq!(strings(&query_terms_("1+1")), ["1+", "+1"]);
        assert_eq!(strings(&query_terms_("哈哈哈")), ["哈哈"]);
    }

    #[test]
    fn every_query_term_occurs_in_a_text_that_contains_the_query() {
        let text = normalize("杭州“ＰＬＣ控制”实训，1+1文化超市；2022年 VR 课\n程𠮷野家的州");
        let junction = |c: char| "州,的𠮷".contains(c);
        let all = terms(&text, junction);
        let chars: Vec<char> = text.chars().collect();
        for start in 0..chars.len() {
            for len in 1..=10.min(chars.len() - start) {
                let part: String = chars[start..start + len].iter().collect();
                if part.contains(' ') {
                    continue;
                }
                for t in query_terms(&part, junction) {
                    assert!(all.contains(&t), "{t} of {part:?} not in {text:?}");
                }
            }
        }
    }
}
