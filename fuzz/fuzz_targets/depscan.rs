//! Fuzz target: see `fuzz/checks/depscan.rs` for what is checked.

#![no_main]

#[path = "../checks/depscan.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
