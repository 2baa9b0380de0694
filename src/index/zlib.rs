//! zlib with one reusable compressor per thread and level.
//!
//! `miniz_oxide::deflate::compress_to_vec_zlib` allocates a fresh compressor (about 300 KB of
//! tables, zeroed page by page by the kernel) for every call, which on ~10,000 small records
//! cost more than compressing them. Here each thread keeps its compressors and resets them; the
//! bytes are the same as `compress_to_vec_zlib` gives.
//!
//! [`Primed`] deflates many small inputs each as if a preset dictionary came right before it,
//! for the search records ([`super::dictionary`]).

use miniz_oxide::deflate::core::{
    CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
};
use std::cell::RefCell;

thread_local! {
    static COMPRESSORS: RefCell<Vec<(u8, Box<CompressorOxide>)>> = const { RefCell::new(Vec::new()) };
}

/// `input` zlib-compressed at `level` (0–10).
pub fn compress_zlib(input: &[u8], level: u8) -> Vec<u8> {
    let mut out = Vec::new();
    compress_zlib_into(input, level, &mut out);
    out
}

/// Appends `input` zlib-compressed at `level` (0–10) to `out`.
pub fn compress_zlib_into(input: &[u8], level: u8, out: &mut Vec<u8>) {
    COMPRESSORS.with(|cell| {
        let mut compressors = cell.borrow_mut();
        let at = match compressors.iter().position(|c| c.0 == level) {
            Some(at) => {
                compressors[at].1.reset();
                at
            }
            None => {
                let flags = create_comp_flags_from_zip_params(i32::from(level), 1, 0);
                compressors.push((level, Box::new(CompressorOxide::new(flags))));
                compressors.len() - 1
            }
        };
        run(&mut compressors[at].1, input, TDEFLFlush::Finish, out);
    });
}

/// A raw-deflate compressor that has seen a dictionary: what it makes of an input refers back
/// into the dictionary, and inflates when the dictionary comes first in the stream.
///
/// zlib's preset dictionaries (`FDICT`) would do the same, but the browser's
/// `DecompressionStream` cannot take one; a reader instead puts the dictionary in front as a
/// stored block (`stored_prefix`) and drops it from the output. miniz_oxide has no call to set
/// a dictionary, so the compressor deflates it once, with a flush that ends on a byte
/// boundary, and each input starts from a copy of that state (about as costly as the reset
/// of [`compress_zlib`]).
pub struct Primed {
    compressor: Box<CompressorOxide>,
}

impl Primed {
    pub fn new(dictionary: &[u8], level: u8) -> Primed {
        let flags = create_comp_flags_from_zip_params(i32::from(level), -15, 0);
        let mut compressor = Box::new(CompressorOxide::new(flags));
        if !dictionary.is_empty() {
            // The output (the dictionary deflated) is thrown away: readers get the dictionary
            // itself.
            run(
                &mut compressor,
                dictionary,
                TDEFLFlush::Sync,
                &mut Vec::new(),
            );
        }
        Primed { compressor }
    }

    /// Appends `input`, raw-deflated after the dictionary, to `out`.
    pub fn compress_into(&self, input: &[u8], out: &mut Vec<u8>) {
        let mut compressor = self.compressor.clone();
        run(&mut compressor, input, TDEFLFlush::Finish, out);
    }
}

/// The stored-block header that puts a dictionary of `len` bytes (at most 65,535) in front of
/// a [`Primed`] output, as a non-final block: header, dictionary, output make one raw-deflate
/// stream that inflates to the dictionary followed by the input.
pub fn stored_prefix(len: usize) -> [u8; 5] {
    let len = len as u16;
    let [a, b] = len.to_le_bytes();
    [0, a, b, !a, !b]
}

/// Feeds all of `input` to `compressor` with `flush`, appending what it makes to `out`.
fn run(compressor: &mut CompressorOxide, mut input: &[u8], flush: TDEFLFlush, out: &mut Vec<u8>) {
    let mut pos = out.len();
    out.resize(pos + (input.len() / 2).max(64), 0);
    loop {
        let (status, bytes_in, bytes_out) = compress(compressor, input, &mut out[pos..], flush);
        pos += bytes_out;
        input = &input[bytes_in.min(input.len())..];
        let room_left = out.len() - pos >= 64;
        match status {
            TDEFLStatus::Done => break,
            // A flush that is not the last one is done when all is in and the output had room.
            TDEFLStatus::Okay if input.is_empty() && flush != TDEFLFlush::Finish && room_left => {
                break;
            }
            TDEFLStatus::Okay => {
                if !room_left {
                    out.resize(out.len() + out.len().max(64), 0);
                }
            }
            // miniz_oxide reports other statuses only for misuse of its API.
            _ => unreachable!("deflate failed: {status:?}"),
        }
    }
    out.truncate(pos);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primed_output_inflates_after_its_dictionary() {
        let dictionary = "浙江省总工会劳模工匠宣讲团走进企业车间，".repeat(20);
        let input = "劳模工匠宣讲团走进企业车间，浙江省总工会".as_bytes();
        let long: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 27) as u8)
            .collect();
        for dictionary in [dictionary.as_bytes(), b""] {
            let primed = Primed::new(dictionary, 2);
            // twice: the primed state is not used up
            for input in [input, &long, b"", input] {
                let mut out = vec![9];
                primed.compress_into(input, &mut out);
                assert_eq!(out[0], 9);
                let mut stream = stored_prefix(dictionary.len()).to_vec();
                stream.extend_from_slice(dictionary);
                stream.extend_from_slice(&out[1..]);
                let back = miniz_oxide::inflate::decompress_to_vec(&stream).unwrap();
                assert_eq!(&back[..dictionary.len()], dictionary);
                assert_eq!(&back[dictionary.len()..], input);
            }
        }
        let mut with = Vec::new();
        Primed::new(dictionary.as_bytes(), 2).compress_into(input, &mut with);
        let mut without = Vec::new();
        Primed::new(b"", 2).compress_into(input, &mut without);
        assert!(
            4 * with.len() < without.len(),
            "{} bytes with the dictionary, {} without",
            with.len(),
            without.len()
        );
    }

    #[test]
    fn same_bytes_as_a_fresh_compressor_and_round_trips() {
        let long: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 27) as u8)
            .collect();
        let inputs: [&[u8]; 5] = [
            b"",
            b"a",
            "工会联合会工会联合会".as_bytes(),
            &long,
            b"again",
        ];
        for level in [1, 6, 9] {
            // twice: the second time every compressor is a reused one
            for _ in 0..2 {
                for input in inputs {
                    let ours = compress_zlib(input, level);
                    let fresh = miniz_oxide::deflate::compress_to_vec_zlib(input, level);
                    assert_eq!(ours, fresh, "level {level}, {} bytes", input.len());
                    let back = miniz_oxide::inflate::decompress_to_vec_zlib(&ours).unwrap();
                    assert_eq!(back, input);
                }
            }
        }
        let mut out = vec![7];
        compress_zlib_into(b"abc", 9, &mut out);
        assert_eq!(out[0], 7);
        assert_eq!(&out[1..], compress_zlib(b"abc", 9));
    }
}
