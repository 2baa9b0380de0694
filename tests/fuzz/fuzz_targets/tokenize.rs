//! The search normaliser and tokenizer, on page text and as a query.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| caidan::fuzzing::tokenize(text));
