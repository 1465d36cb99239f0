//! Integration tests of the tags crate: conformance tables produced by the
//! real ocamlbuild 0.14.1, end-to-end scenarios and robustness properties.

mod documentation;
mod errors;
mod fuzz_regressions;
mod glob_vectors;
mod robustness;
mod scenarios;
mod show_tags;
mod support;
