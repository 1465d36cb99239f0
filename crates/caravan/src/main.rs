//! caravan: an OCaml build system with ocamlbuild's command line.

mod build_log;
mod cli;
mod display;
mod driver;
mod exit_code;
mod links;
mod program;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ExitCode::from(driver::run(&args))
}
