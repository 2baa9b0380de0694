//! zlib with one reusable compressor per thread and level.
//!
//! `miniz_oxide::deflate::compress_to_vec_zlib` allocates a fresh compressor (about 300 KB of
//! tables, zeroed page by page by the kernel) for every call, which on ~10,000 small records
//! cost more than compressing them. Here each thread keeps its compressors and resets them; the
//! bytes are the same as `compress_to_vec_zlib` gives.

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
pub fn compress_zlib_into(mut input: &[u8], level: u8, out: &mut Vec<u8>) {
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
        let compressor = &mut compressors[at].1;
        let start = out.len();
        let mut pos = start;
        out.resize(start + (input.len() / 2).max(64), 0);
        loop {
            let (status, bytes_in, bytes_out) =
                compress(compressor, input, &mut out[pos..], TDEFLFlush::Finish);
            pos += bytes_out;
            match status {
                TDEFLStatus::Done => break,
                TDEFLStatus::Okay if bytes_in <= input.len() => {
                    input = &input[bytes_in..];
                    if out.len() - pos < 64 {
                        out.resize(out.len() + (out.len() - start).max(64), 0);
                    }
                }
                // miniz_oxide reports other statuses only for misuse of its API.
                _ => unreachable!("zlib compression failed: {status:?}"),
            }
        }
        out.truncate(pos);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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
