//! Byte offset ↔ line and column, the one conversion every located message needs.

/// The start offset of every line of a text. Lines end at `\n`; a `\r` before it belongs to the
/// line break, not to the line, so CRLF files report the same columns as LF files.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and 1-based column counted in characters. A leading BOM is not a column.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let mut col = text[start..offset].chars().count() + 1;
        if line == 0 && text.starts_with('\u{feff}') && offset > 0 {
            col -= 1;
        }
        (line + 1, col)
    }

    /// The byte offset of a 1-based line and column (the inverse of [`line_col`](Self::line_col)).
    pub fn offset(&self, text: &str, line: usize, col: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        let line_text = self.line_text(text, line);
        let bom = usize::from(line == 1 && text.starts_with('\u{feff}'));
        let skip = (col.saturating_sub(1) + bom).min(line_text.chars().count());
        start
            + line_text
                .chars()
                .take(skip)
                .map(char::len_utf8)
                .sum::<usize>()
    }

    /// The byte offset where a 1-based line starts (before a BOM, on the first line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or_else(|| self.starts.last().copied().unwrap_or(0))
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(text.len(), |&e| e - 1);
        text[start..end.max(start)].trim_end_matches('\r')
    }
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "title: 工匠\ncategory: 工匠精神讲座\n";
        let index = LineIndex::new(text);
        let at = text.find("工匠精神").unwrap();
        assert_eq!(index.line_col(text, at), (2, 11));
    }

    #[test]
    fn crlf_and_bom_do_not_shift_columns() {
        let text = "\u{feff}a: 1\r\nbb: 2\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, text.find('a').unwrap()), (1, 1));
        assert_eq!(index.line_col(text, text.find("bb").unwrap()), (2, 1));
        assert_eq!(index.line_text(text, 2), "bb: 2");
    }

    proptest! {
        #[test]
        fn offset_and_line_col_round_trip(bom in any::<bool>(), body in "([a-z工匠 ]|\r\n|\n){0,30}", pick in 0usize..64) {
            let text = if bom { format!("\u{feff}{body}") } else { body };
            let index = LineIndex::new(&text);
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let offset = boundaries[pick % boundaries.len()];
            // A BOM is not a column, and a `\r` belongs to the line break: skip both.
            prop_assume!(!(offset == 0 && text.starts_with('\u{feff}')));
            prop_assume!(!text[offset..].starts_with('\n') || !text[..offset].ends_with('\r'));
            let (line, col) = index.line_col(&text, offset);
            prop_assert_eq!(index.offset(&text, line, col), offset);
        }
    }
}
