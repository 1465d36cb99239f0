//! caravan: an OCaml build system with ocamlbuild's command line.

mod build_graph;
mod build_log;
mod cli;
mod display;
mod driver;
mod error;
mod exit_code;
mod explanation;
mod last_build;
mod one_build;
mod trace_file;
mod watch;

use std::process::ExitCode;

// The build graph is made of many small values; mimalloc allocates them
// several times faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ExitCode::from(driver::run(&args))
}
