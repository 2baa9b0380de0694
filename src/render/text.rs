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
    text.chars().filter(|c| !c.is_whitespace()).count()
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
    fn durations_read_naturally() {
        assert_eq!(duration_display(10), "10分钟");
        assert_eq!(duration_display(90), "1.5小时");
        assert_eq!(duration_display(240), "半天");
        assert_eq!(duration_display(120), "2小时");
        assert_eq!(reading_minutes(1), 1);
        assert_eq!(reading_minutes(801), 3);
    }
}
