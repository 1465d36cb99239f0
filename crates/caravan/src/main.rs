//! caravan: an OCaml build system with ocamlbuild's command line.

mod build_log;
mod clean;
mod cli;
mod configure;
mod display;
mod documentation;
mod driver;
mod exit_code;
mod links;
mod menhir_lib;
mod null_build;
mod plugin;
mod plugin_options;
mod program;
mod report;
mod sanitize;
mod timings;

use std::process::ExitCode;

// The build graph is made of many small values; mimalloc allocates them
// several times faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ExitCode::from(driver::run(&args))
}
