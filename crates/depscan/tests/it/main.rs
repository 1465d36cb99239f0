//! Integration tests of `depscan`: agreement with the real `ocamldep` on the
//! OCaml compiler's own sources.

mod compare;
mod compiler_sources;
mod corpus;
mod fuzz_regressions;
mod mutations;
mod never_panics;
mod oracle;
mod snippets;
mod source_tree;
