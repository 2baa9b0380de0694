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

use super::normalize::normalize;
use std::fmt;

/// One index term: a character or a pair of characters, packed in a `u64` so that counting
/// terms needs no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term(u64);

const BIGRAM: u64 = 1 << 63;

impl Term {
    /// The packed value, for hashing and ordering.
    pub fn raw(self) -> u64 {
        self.0
    }

    pub fn unigram(c: char) -> Term {
        Term(u64::from(c))
    }

    pub fn bigram(a: char, b: char) -> Term {
        Term(BIGRAM | (u64::from(a) << 21) | u64::from(b))
    }

    pub fn is_bigram(self) -> bool {
        self.0 & BIGRAM != 0
    }

    pub fn chars(self) -> (char, Option<char>) {
        let low = char::from_u32((self.0 & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}');
        if self.is_bigram() {
            let high = char::from_u32(((self.0 >> 21) & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}');
            (high, Some(low))
        } else {
            (low, None)
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = self.chars();
        write!(f, "{a}")?;
        if let Some(b) = b {
            write!(f, "{b}")?;
        }
        Ok(())
    }
}

/// Calls `f` with every term occurrence of an already normalised text, in order.
pub fn for_each_term(normalized: &str, mut f: impl FnMut(Term)) {
    let mut stream = TermStream::default();
    for c in normalized.chars() {
        stream.push(c, &mut f);
    }
}

/// [`for_each_term`] one character at a time, for text that is normalised on the fly.
#[derive(Default)]
pub struct TermStream {
    prev: Option<char>,
}

impl TermStream {
    /// The term occurrences that end at the next character `c` of the normalised text.
    #[inline]
    pub fn push(&mut self, c: char, f: &mut impl FnMut(Term)) {
        if c == ' ' {
            self.prev = None;
            return;
        }
        f(Term::unigram(c));
        if let Some(p) = self.prev {
            f(Term::bigram(p, c));
        }
        self.prev = Some(c);
    }
}

/// Every term occurrence of an already normalised text, in order.
pub fn terms(normalized: &str) -> Vec<Term> {
    let mut out = Vec::new();
    for_each_term(normalized, |t| out.push(t));
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

/// The terms every page containing `part` (normalised, without spaces) must contain.
pub fn query_terms(part: &str) -> Vec<Term> {
    let chars: Vec<char> = part.chars().filter(|&c| c != ' ').collect();
    let mut out: Vec<Term> = match chars.as_slice() {
        [c] => vec![Term::unigram(*c)],
        _ => chars.windows(2).map(|w| Term::bigram(w[0], w[1])).collect(),
    };
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

    #[test]
    fn han_runs_give_unigrams_and_overlapping_bigrams() {
        assert_eq!(
            strings(&terms("工会联合会")),
            ["工", "会", "工会", "联", "会联", "合", "联合", "会", "合会"]
        );
    }

    #[test]
    fn mixed_scripts_and_punctuation_pair_too() {
        assert_eq!(
            strings(&terms("plc控制")),
            ["p", "l", "pl", "c", "lc", "控", "c控", "制", "控制"]
        );
        assert_eq!(
            strings(&terms("2022年")),
            ["2", "0", "20", "2", "02", "2", "22", "年", "2年"]
        );
        assert_eq!(
            strings(&terms("“产改”")),
            ["“", "产", "“产", "改", "产改", "”", "改”"]
        );
        assert_eq!(
            strings(&terms(&normalize("，。…"))),
            [",", "。", ",。", ".", "。.", ".", "..", ".", ".."]
        );
    }

    #[test]
    fn spaces_break_pairs() {
        assert_eq!(
            strings(&terms("vr 实训")),
            ["v", "r", "vr", "实", "训", "实训"]
        );
        assert_eq!(strings(&terms("a, b")), ["a", ",", "a,", "b"]);
    }

    #[test]
    fn astral_characters_are_one_term() {
        assert_eq!(strings(&terms("𠮷野")), ["𠮷", "野", "𠮷野"]);
        assert!(Term::bigram('𠮷', '野').is_bigram());
        assert_eq!(Term::bigram('𠮷', '野').chars(), ('𠮷', Some('野')));
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
        assert_eq!(strings(&query_terms("会")), ["会"]);
        assert_eq!(strings(&query_terms("产改")), ["产改"]);
        assert_eq!(
            strings(&query_terms("工会联合会")),
            ["工会", "会联", "联合", "合会"]
        );
        assert_eq!(strings(&query_terms("“产改”")), ["“产", "产改", "改”"]);
        assert_eq!(strings(&query_terms("1+1")), ["1+", "+1"]);
        assert_eq!(strings(&query_terms("哈哈哈")), ["哈哈"]);
    }

    #[test]
    fn every_query_term_occurs_in_a_text_that_contains_the_query() {
        let text = normalize("杭州“ＰＬＣ控制”实训，1+1文化超市；2022年 VR 课\n程𠮷野家");
        let all = terms(&text);
        let chars: Vec<char> = text.chars().collect();
        for start in 0..chars.len() {
            for len in 1..=10.min(chars.len() - start) {
                let part: String = chars[start..start + len].iter().collect();
                if part.contains(' ') {
                    continue;
                }
                for t in query_terms(&part) {
                    assert!(all.contains(&t), "{t} of {part:?} not in {text:?}");
                }
            }
        }
    }
}
