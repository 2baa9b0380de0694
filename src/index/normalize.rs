//! Normalisation: the text a query is matched against.
//!
//! A page matches a query iff its normalised text contains the normalised query, where
//! normalised means NFKC, lower case, default-ignorable format characters (soft hyphen,
//! zero-width space …) removed, whitespace runs collapsed to one space, and no whitespace at all
//! between two Han characters (a soft line break inside a Chinese sentence is not a word break).
//! The browser client (`themes/default/static/search/search.js`) implements the same rules; the
//! character classes here are plain code-point ranges so that both sides agree exactly.

use unicode_normalization::UnicodeNormalization;

/// Han ideographs, after NFKC: the unified blocks and their extensions, compatibility
/// ideographs, radicals and the ideographic iteration/number marks (〇, 々).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2EFF | 0x2F00..=0x2FDF | 0x3005 | 0x3007 | 0x3021..=0x3029 | 0x3038..=0x303B
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF)
}

/// Characters a reader cannot see and Ctrl-F skips: soft hyphen, zero-width space and joiners,
/// word joiner, byte-order mark.
pub fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// The normalised form of `s` (see the module header).
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalize_each(s, |c| out.push(c));
    out
}

/// Calls `emit` with each character of the normalised form of `s`, in order, without building
/// it: the index tokenises pages this way.
pub fn normalize_each(s: &str, mut emit: impl FnMut(char)) {
    let mut collapse = Collapse::default();
    // Most characters of a Chinese page are Han, ASCII or common punctuation, which NFKC leaves
    // alone (or, for full-width ASCII, maps one to one): copy them and send only the rest
    // through NFKC. A fast character followed by a slow one goes with the slow run, as a
    // combining mark may compose with it.
    let mut slow_start: Option<usize> = None;
    let mut chars = s.char_indices();
    let mut current = chars.next().map(|(i, c)| (i, fast(c)));
    while let Some((i, folded)) = current {
        let next = chars.next().map(|(j, n)| (j, fast(n)));
        let next_slow = matches!(next, Some((_, None)));
        match folded {
            Some(f) if !next_slow => {
                if let Some(start) = slow_start.take() {
                    fold_slow(&s[start..i], |c| collapse.push(c, &mut emit));
                }
                collapse.push(f, &mut emit);
            }
            _ => {
                slow_start.get_or_insert(i);
            }
        }
        current = next;
    }
    if let Some(start) = slow_start {
        fold_slow(&s[start..], |c| collapse.push(c, &mut emit));
    }
}

/// The folded form of a character that NFKC maps to one character and that composes with
/// nothing before it, or `None` to go the slow way.
fn fast(c: char) -> Option<char> {
    match c {
        _ if c.is_ascii() => Some(c.to_ascii_lowercase()),
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => Some(c),
        // full-width ASCII: NFKC is the ASCII character
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(c as u32 - 0xFEE0).map(|a| a.to_ascii_lowercase())
        }
        '\u{3001}'
        | '\u{3002}'
        | '\u{3008}'..='\u{3011}'
        | '\u{2018}'
        | '\u{2019}'
        | '\u{201C}'
        | '\u{201D}' => Some(c),
        '\u{2014}' | '\u{00B7}' | '\u{3014}'..='\u{301B}' => Some(c),
        _ => None,
    }
}

fn fold_slow(s: &str, emit: impl FnMut(char)) {
    let nfkc: String = s.nfkc().collect();
    nfkc.to_lowercase().chars().for_each(emit);
}

/// Whitespace handling only, without NFKC or case folding: what the client shows in excerpts.
/// The characters are the page's own, so `（` stays `（`, but a soft break between two Han
/// characters disappears as it does in the normalised text.
pub fn display_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    display_each(s.chars(), |c| out.push(c));
    out
}

/// [`display_text`] as a stream: `chars` in, the display text's characters to `emit`.
#[inline]
pub fn display_each(chars: impl Iterator<Item = char>, mut emit: impl FnMut(char)) {
    let mut collapse = Collapse::default();
    for c in chars {
        collapse.push(c, &mut emit);
    }
}

/// The whitespace rules as a stream: characters in, the collapsed text out.
#[derive(Default)]
struct Collapse {
    last: Option<char>,
    space: bool,
}

impl Collapse {
    #[inline]
    fn push(&mut self, c: char, emit: &mut impl FnMut(char)) {
        // The common case first: a unified ideograph, neither space nor ignorable, and Han.
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            if self.space && !self.last.is_some_and(is_han) {
                emit(' ');
            }
            self.space = false;
            emit(c);
            self.last = Some(c);
            return;
        }
        if is_ignorable(c) {
            return;
        }
        if c.is_whitespace() {
            self.space = self.last.is_some();
            return;
        }
        if self.space && !(self.last.is_some_and(is_han) && is_han(c)) {
            emit(' ');
        }
        self.space = false;
        emit(c);
        self.last = Some(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_fold_to_ascii_lower_case() {
        assert_eq!(normalize("ＰＬＣ控制２０２２"), "plc控制2022");
        assert_eq!(normalize("VR实训"), "vr实训");
        assert_eq!(normalize("（试点）"), "(试点)");
    }

    #[test]
    fn soft_breaks_between_han_disappear() {
        assert_eq!(normalize("产业工人队伍建\n设改革"), "产业工人队伍建设改革");
        assert_eq!(normalize("工会\u{3000}联合会"), "工会联合会");
        assert_eq!(normalize("工 \n\t 会"), "工会");
    }

    #[test]
    fn whitespace_next_to_other_scripts_stays_one_space() {
        assert_eq!(normalize("  PLC \n 编程  "), "plc 编程");
        assert_eq!(normalize("hello \n\n world"), "hello world");
        assert_eq!(normalize("2022 年"), "2022 年");
    }

    #[test]
    fn invisible_characters_are_dropped() {
        assert_eq!(normalize("工\u{200B}会"), "工会");
        assert_eq!(normalize("\u{FEFF}班前\u{AD}十分钟"), "班前十分钟");
        assert_eq!(normalize("工\u{200B} 会"), "工会");
    }

    #[test]
    fn compatibility_ideographs_and_radicals_become_han() {
        // U+F900 is a compatibility ideograph, U+2F08 the Kangxi radical 人.
        assert!(is_han(normalize("\u{F900}").chars().next().unwrap()));
        assert_eq!(normalize("\u{2F08}"), "人");
        assert_eq!(normalize("〇 〇"), "〇〇");
    }

    #[test]
    fn the_fast_path_agrees_with_plain_nfkc() {
        let samples = [
            "Cafe\u{301} 工会",
            "e\u{301}",
            "工\u{301}会",
            "ＡＢ工会Ⅻ",
            "ﬁ工",
            "Σ工",
            "가\u{11A8}",
            "x\u{2F08}",
            "“产改”，（一）【二】《三》、。…——·〔四〕～！",
            "ＰＬＣ\u{301}",
            "A\u{30A}",
        ];
        for s in samples {
            let plain = display_text(&s.nfkc().collect::<String>().to_lowercase());
            assert_eq!(normalize(s), plain, "{s:?}");
        }
    }

    #[test]
    fn display_text_keeps_the_page_characters() {
        assert_eq!(
            display_text("“产改”\n试点（一）\n\nPLC  课"),
            "“产改” 试点（一） PLC 课"
        );
        assert_eq!(display_text("建\n设"), "建设");
    }
}
