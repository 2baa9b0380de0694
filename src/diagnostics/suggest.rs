//! "Did you mean": the closest known name to what the editor wrote.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
/// Distance is counted in characters, so one wrong Han character is one edit.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_len = word.chars().count();
    candidates
        .into_iter()
        .filter_map(|c| {
            let d = distance(word, c);
            let longest = word_len.max(c.chars().count());
            // Allow roughly one edit in three characters; a contained name also counts
            // (`工匠精神讲座` → `工匠精神`).
            let close = d * 3 <= longest.max(2)
                || (!c.is_empty() && word.contains(c))
                || (!word.is_empty() && c.contains(word));
            close.then_some((d, c))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_slugs_and_names() {
        let slugs = ["kong-shengdong", "ge-xiaoqing", "meng-wei"];
        assert_eq!(did_you_mean("kong-shendong", slugs), Some("kong-shengdong"));
        assert_eq!(
            did_you_mean("工匠精神讲座", ["劳模精神", "工匠精神"]),
            Some("工匠精神")
        );
        assert_eq!(did_you_mean("tittle", ["title", "date"]), Some("title"));
        assert_eq!(did_you_mean("zzz", slugs), None);
    }
}
