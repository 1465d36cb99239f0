//! Fuzz target: see `fuzz/checks/glob.rs` for what is checked.

#![no_main]

#[path = "../checks/glob.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
