//! Integration tests of the findlib crate: the installed ocamlfind as the
//! oracle for every installed package, and random META text for the parser.

mod config;
mod errors;
mod fixes;
mod fuzz_regressions;
mod installed;
mod meta_fuzz;
mod oracle;
mod scenarios;
mod system;
mod visitors;
