//! Slugs, tag and region names, URL encoding, base URLs and dates.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| caidan::fuzzing::urls(text));
