//! Fuzz target: see `fuzz/checks/tags_parser.rs` for what is checked.

#![no_main]

#[path = "../checks/tags_parser.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
