//! The records' preset dictionary: stretches of the site's coded text that many pages share
//! (the union's name, recurring phrases of its news), chosen from a sample of the records.
//!
//! Each record is deflated on its own, so that a result costs the browser one small range
//! request; alone, a record of 2,700 bytes compresses by only a sixth, since deflate has no
//! history to refer to. With the dictionary in front ([`super::zlib::Primed`]) a record refers
//! to it wherever it repeats the site's phrases: on the 10,000-article benchmark corpus a
//! 12 KiB dictionary takes records from 2,290 to 1,330 bytes, and costs a first query about
//! what it saves on the ten records that query shows (it is fetched once, with the character
//! code). Real news repeats less than the generated corpus; the dictionary is sized by the
//! site and gains what its text gives.
//!
//! The choice follows zstd's "cover" dictionaries, simplified: count how many sampled records
//! contain each [`K`]-byte string (hashed into a table, so collisions only blur the counts),
//! then take, greedily, the [`SEGMENT`]-byte stretch of a sample whose strings are the most
//! shared and not yet covered, until the dictionary is full. The best stretches go last,
//! nearest to the record, where deflate's distances are cheapest.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Length of the strings counted: four Chinese characters of one byte, or two of two.
const K: usize = 8;
/// Length of a candidate stretch, and the step between candidates (they overlap by half).
const SEGMENT: usize = 128;
const STEP: usize = SEGMENT / 2;
/// Slots of the string table (2 MB): within 1 % of a table four times larger on the
/// benchmark corpus, in half the time.
const TABLE_BITS: u32 = 18;
/// A stretch worth less (about one other record sharing half of it) is left out: it would
/// rarely be used, and hash collisions alone score a few points.
const MIN_SCORE: u64 = 64;
/// The largest dictionary: 12 KiB saves 42 % of the records' bytes on the benchmark corpus and
/// costs a first query about what its ten records save; 16 KiB saves 51 % and costs a first
/// query 1.4 KB more than it saves; 32 KiB, 76 % and 7 KB more.
pub const MAX_LEN: usize = 12 << 10;
// A reader puts the dictionary in one stored block (at most 65,535 bytes), and deflate refers
// back 32 KiB at most.
const _: () = assert!(MAX_LEN <= 32 << 10);
/// Records sampled: 300 evenly spread records chose a dictionary within 2 % of one chosen
/// from 1,000 on the benchmark corpus.
pub const SAMPLE: usize = 300;

/// The dictionary length for records of about `coded_bytes` in all: a 128th of them (a site of
/// 100 pages gets about 2 KiB), at most [`MAX_LEN`], and none below 1 KiB, which would not pay
/// for itself.
pub fn len_for(coded_bytes: usize) -> usize {
    let len = (coded_bytes / 128).min(MAX_LEN);
    if len < 1 << 10 { 0 } else { len }
}

/// A dictionary of at most `len` bytes from the coded records in `sample`; shorter, or empty,
/// when the sample shares too little.
pub fn choose(sample: &[Vec<u8>], len: usize) -> Vec<u8> {
    if len == 0 {
        return Vec::new();
    }
    // Per hash slot: records containing the string, and a stamp with the last record (or
    // segment) counted there, so that a string counts once per record. Side by side, so that
    // a string costs one cache miss.
    let mut slots = vec![(0u32, 0u32); 1 << TABLE_BITS];
    let mut stamp = 0u32;
    for record in sample {
        stamp += 1;
        for gram in record.windows(K) {
            let slot = &mut slots[slot(gram)];
            if slot.1 != stamp {
                *slot = (slot.0 + 1, stamp);
            }
        }
    }
    // Strings found in one record only are not shared: they would never be used.
    slots.iter_mut().for_each(|s| s.0 = s.0.saturating_sub(1));

    let segments: Vec<&[u8]> = sample
        .iter()
        .flat_map(|r| {
            let starts = (0..r.len().saturating_sub(K - 1)).step_by(STEP);
            starts.map(move |s| &r[s..r.len().min(s + SEGMENT)])
        })
        .collect();
    let score = |segment: &[u8], slots: &mut [(u32, u32)], stamp: &mut u32| -> u64 {
        *stamp += 1;
        let mut total = 0;
        for gram in segment.windows(K) {
            let slot = &mut slots[slot(gram)];
            if slot.1 != *stamp {
                slot.1 = *stamp;
                total += u64::from(slot.0);
            }
        }
        total
    };
    // Best first; ties go to the earlier segment, so the choice is deterministic. Scores only
    // fall as strings get covered, so a stale score is an upper bound: re-score on the way out.
    let mut heap: BinaryHeap<(u64, Reverse<usize>)> = (segments.iter().enumerate())
        .map(|(i, s)| (score(s, &mut slots, &mut stamp), Reverse(i)))
        .filter(|e| e.0 >= MIN_SCORE)
        .collect();
    let mut chosen: Vec<&[u8]> = Vec::new();
    let mut total = 0;
    while total < len
        && let Some((old, Reverse(i))) = heap.pop()
    {
        let now = score(segments[i], &mut slots, &mut stamp);
        if now < old {
            if now >= MIN_SCORE {
                heap.push((now, Reverse(i)));
            }
            continue;
        }
        for gram in segments[i].windows(K) {
            slots[slot(gram)].0 = 0;
        }
        chosen.push(segments[i]);
        total += segments[i].len();
    }
    let mut dictionary: Vec<u8> = chosen
        .iter()
        .rev()
        .flat_map(|s| s.iter().copied())
        .collect();
    // The first chosen (the best) are at the end: cut from the front.
    dictionary.drain(..dictionary.len().saturating_sub(len));
    dictionary
}

#[inline]
fn slot(gram: &[u8]) -> usize {
    let mut word = [0u8; 8];
    word.copy_from_slice(&gram[..K]);
    (u64::from_le_bytes(word).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - TABLE_BITS)) as usize
}

/// Up to [`SAMPLE`] of `n` records, evenly spread: their indexes.
pub fn sample_of(n: usize) -> impl Iterator<Item = usize> {
    let step = n.div_ceil(SAMPLE).max(1);
    (0..n).step_by(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<Vec<u8>> {
        // Every record shares one phrase and has a text of its own.
        (0..50u32)
            .map(|i| {
                let mut x = u64::from(i) + 1;
                let own: Vec<u8> = (0..300)
                    .map(|_| {
                        x = x
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        (x >> 56) as u8
                    })
                    .collect();
                let mut r = own[..150].to_vec();
                r.extend_from_slice(b"the phrase that every record shares, at some length");
                r.extend_from_slice(&own[150..]);
                r
            })
            .collect()
    }

    #[test]
    fn keeps_what_records_share_and_leaves_what_they_do_not() {
        let records = records();
        let dictionary = choose(&records, 2_048);
        let phrase = b"the phrase that every record shares";
        assert!(dictionary.windows(phrase.len()).any(|w| w == phrase));
        // Nothing else is shared: the dictionary stops at the segments holding the phrase.
        assert!(
            dictionary.len() <= 2 * SEGMENT,
            "{} bytes",
            dictionary.len()
        );
        assert_eq!(choose(&records, 2_048), dictionary, "deterministic");
        assert!(choose(&records, 0).is_empty());
        assert!(
            choose(&records[..1], 2_048).is_empty(),
            "one record shares nothing"
        );
    }

    #[test]
    fn fills_up_to_its_length_from_the_best_end() {
        // Many shared phrases: the dictionary is cut to its length.
        let records: Vec<Vec<u8>> = (0..20)
            .map(|_| {
                (0..4_000u32)
                    .map(|j| (j.wrapping_mul(2_654_435_761) >> 13) as u8)
                    .collect()
            })
            .collect();
        assert_eq!(choose(&records, 1_000).len(), 1_000);
    }

    #[test]
    fn length_grows_with_the_site_up_to_a_bound() {
        assert_eq!(len_for(50_000), 0);
        assert_eq!(len_for(256 << 10), 2 << 10);
        assert_eq!(len_for(30 << 20), MAX_LEN);
        let spread: Vec<usize> = sample_of(10_000).collect();
        assert!(spread.len() <= SAMPLE && spread.len() > SAMPLE - 10);
        assert_eq!(sample_of(5).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    }
}
