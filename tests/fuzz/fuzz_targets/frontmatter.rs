//! A content file's bytes: UTF-8 check, front matter split, YAML, typed extraction, diagnostics.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| caidan::fuzzing::front_matter(data));
