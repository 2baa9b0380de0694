//! Text measures that count characters, as Chinese readers do: summaries, length, reading time.

use super::markdown::is_cjk;

/// The first `limit` characters of `text` on one line, cut at a sentence end when one is near,
/// with `…` when cut.
pub fn summary(text: &str, limit: usize) -> String {
    let flat: String = text
        .split_whitespace()
        .fold(String::new(), |mut acc, part| {
            if let (Some(a), Some(b)) = (acc.chars().last(), part.chars().next())
                && !(is_cjk(a) && is_cjk(b))
            {
                acc.push(' ');
            }
            acc.push_str(part);
            acc
        });
    if flat.chars().count() <= limit {
        return flat;
    }
    let cut: String = flat.chars().take(limit).collect();
    // Prefer ending on a full stop in the last third.
    if let Some((i, c)) = cut
        .char_indices()
        .rev()
        .find(|(_, c)| matches!(c, '。' | '！' | '？' | '；'))
        && cut[..i].chars().count() >= limit * 2 / 3
    {
        return cut[..i + c.len_utf8()].to_string();
    }
    format!("{}…", cut.trim_end_matches(['，', '、', '：', ' ']))
}

/// Characters a reader reads: no whitespace.
pub fn char_count(text: &str) -> usize {
    // Every page's text goes through here: count without decoding each character (std counts
    // characters a word at a time), then take the whitespace away.
    let bytes = text.as_bytes();
    let ascii_space = (bytes.iter())
        .filter(|b| matches!(b, b' ' | b'\t'..=b'\r'))
        .count();
    // Other whitespace (U+0085 to U+3000) starts with one of these bytes, a Han character never.
    let other_space = (bytes.iter().enumerate())
        .filter(|(_, b)| matches!(b, 0xC2 | 0xE1..=0xE3))
        .filter(|&(i, _)| text[i..].chars().next().is_some_and(char::is_whitespace))
        .count();
    text.chars().count() - ascii_space - other_space
}

/// Minutes at about 400 Chinese characters a minute, at least one.
pub fn reading_minutes(chars: usize) -> usize {
    chars.div_ceil(400).max(1)
}

/// `10分钟`, `1.5小时`, `半天`, `1天`.
pub fn duration_display(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m}分钟"),
        240 => "半天".to_string(),
        m if m >= 480 && m % 480 == 0 => format!("{}天", m / 480),
        m if m % 60 == 0 => format!("{}小时", m / 60),
        m if m % 30 == 0 => format!("{}小时", m as f64 / 60.0),
        m => format!("{}小时{}分钟", m / 60, m % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_characters_and_cuts_at_sentences() {
        let text = "第一句话说完了。第二句话很长很长很长很长很长。第三句";
        assert_eq!(summary(text, 100), text);
        assert_eq!(
            summary(text, 24),
            "第一句话说完了。第二句话很长很长很长很长很长。"
        );
        assert_eq!(summary("甲乙丙丁戊己庚辛", 4), "甲乙丙丁…");
        assert_eq!(summary("PLC\n编程 and VR", 100), "PLC 编程 and VR");
    }

    #[test]
    fn char_count_leaves_out_every_kind_of_whitespace() {
        let naive = |t: &str| t.chars().filter(|c| !c.is_whitespace()).count();
        // All of Unicode: the count assumes no whitespace past U+3000.
        let spaces: Vec<char> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert!(spaces.contains(&'\u{3000}') && spaces.contains(&'\u{85}'));
        let mut text = String::from("劳模工作室 PLC\t编程，“工匠”、…\r\n¢€𠮷");
        for (i, s) in spaces.iter().enumerate() {
            text.push(*s);
            text.push(['宣', 'a', '、', '\u{A1}', '\u{2010}'][i % 5]);
        }
        assert_eq!(char_count(&text), naive(&text));
        assert_eq!(char_count(" 工会\u{3000}"), 2);
        assert_eq!(char_count(""), 0);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_display(10), "10分钟");
        assert_eq!(duration_display(90), "1.5小时");
        assert_eq!(duration_display(240), "半天");
        assert_eq!(duration_display(120), "2小时");
        assert_eq!(reading_minutes(1), 1);
        assert_eq!(reading_minutes(801), 3);
    }
}
