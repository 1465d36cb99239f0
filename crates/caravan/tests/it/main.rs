//! End-to-end tests of caravan: real trees, the real OCaml compilers, and
//! the real ocamlbuild where behaviour must match.

mod support;

mod build_dir;
mod c_stubs;
mod command_line;
mod compat;
mod display;
mod hygiene;
mod incremental;
mod interruption;
mod libraries;
mod opaque;
mod output_kinds;
mod packs;
mod parallel;
mod scanning;
mod tags;
mod tags_conformance;
mod target_groups;
mod targets;
