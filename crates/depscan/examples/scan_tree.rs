//! Scans every `.ml` and `.mli` file under a directory, a number of times,
//! and prints the time taken: a steady workload for profilers.
//!
//! ```text
//! cargo build --release -p depscan --example scan_tree
//! valgrind --tool=callgrind --toggle-collect='depscan::scan' \
//!     target/release/examples/scan_tree DIR 1
//! perf record -g target/release/examples/scan_tree DIR 20
//! ```
//!
//! With `--toggle-collect`, callgrind counts only the instructions of the
//! scanner, not those reading the files.

use depscan::{SourceKind, scan};
use std::error::Error;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

#[path = "../tests/it/source_tree.rs"]
mod source_tree;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().ok_or("usage: scan_tree DIR [PASSES]")?);
    let passes: u32 = match args.next() {
        Some(n) => n.parse()?,
        None => 10,
    };
    let mut sources = Vec::new();
    for path in source_tree::ocaml_files(&root).iter().map(|p| root.join(p)) {
        let kind = SourceKind::from_path(&path).ok_or("not an OCaml file")?;
        sources.push((std::fs::read(&path)?, kind));
    }
    let bytes: usize = sources.iter().map(|(text, _)| text.len()).sum();
    let start = Instant::now();
    let mut modules = 0;
    for _ in 0..passes {
        for (text, kind) in &sources {
            if let Ok(found) = scan(black_box(text), *kind) {
                modules += found.len();
            }
        }
    }
    let elapsed = start.elapsed();
    println!(
        "{} files, {:.1} MB, {passes} passes: {:.2?} ({:.0} MB/s elapsed), {} module names",
        sources.len(),
        bytes as f64 / 1e6,
        elapsed,
        bytes as f64 * f64::from(passes) / elapsed.as_secs_f64().max(1e-12) / 1e6,
        modules / passes.max(1) as usize
    );
    Ok(())
}
