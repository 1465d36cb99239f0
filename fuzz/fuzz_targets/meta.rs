//! Fuzz target: see `fuzz/checks/meta.rs` for what is checked.

#![no_main]

#[path = "../checks/meta.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
