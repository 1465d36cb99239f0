//! End-to-end tests of caravan: real trees, the real OCaml compilers, and
//! the real ocamlbuild where behaviour must match.

mod support;

mod bad_input;
mod build_dir;
mod c_stubs;
mod codebase_example;
mod command_line;
mod compat;
mod compilers;
mod declared_layer;
mod differential;
mod display;
mod docs;
mod faults;
mod findlib;
mod generators;
mod hygiene;
mod incremental;
mod install;
mod interruption;
mod keep_going;
mod libraries;
mod merlin;
mod messages;
mod namespaces;
mod opaque;
mod output_kinds;
mod packs;
mod parallel;
mod plugin_api;
mod plugin_dep;
mod plugins;
mod ppx_driver;
mod preprocessors;
mod remote;
mod scanning;
mod shared_cache;
mod side_by_side;
mod tags;
mod tags_conformance;
mod target_groups;
mod targets;
mod watch;
mod where_the_time_went;
