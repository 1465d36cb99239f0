//! End-to-end tests of caravan: real trees, the real OCaml compilers, and
//! the real ocamlbuild where behaviour must match.

mod support;

mod build_dir;
mod command_line;
mod compat;
mod display;
mod faults;
mod findlib;
mod hygiene;
mod incremental;
mod interruption;
mod parallel;
mod plugins;
mod scanning;
mod tags;
mod tags_conformance;
mod targets;
