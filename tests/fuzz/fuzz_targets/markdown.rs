//! A Markdown body rendered to HTML (with highlighting, image and link rewriting).
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| caidan::fuzzing::markdown(text));
