//! Engine integration tests with toy rules (concatenation, lengths): they
//! exercise scheduling, traces and the rebuilder without any OCaml.

mod support;

mod backtracking;
mod cycles;
mod graph;
mod incremental;
mod interruption;
mod keep_going;
mod parallel;
