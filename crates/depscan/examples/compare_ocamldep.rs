//! Measures `depscan::scan` against `ocamldep -modules` on every `.ml` and
//! `.mli` file under a directory:
//!
//! ```text
//! cargo run --release -p depscan --example compare_ocamldep -- DIR
//! ```
//!
//! It times the scanner (files already in memory), `ocamldep -modules` run
//! once per file, and `ocamldep -modules` run once on all the files, and
//! checks that the scanner and the batch run found the same modules. Times
//! are given both as elapsed (wall-clock) time and as CPU time (of this
//! thread for the scanner, of the child processes for `ocamldep`), which
//! other load on the machine disturbs less.

use depscan::{SourceKind, scan};
use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../benches/support/cpu_time.rs"]
mod cpu_time;
#[path = "../tests/it/source_tree.rs"]
mod source_tree;

fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 1e-3 {
        format!("{:.2} ms", secs * 1e3)
    } else {
        format!("{:.2} µs", secs * 1e6)
    }
}

/// Parses `file: A B C` lines of `ocamldep -modules`.
fn parse_ocamldep(stdout: &[u8]) -> BTreeMap<String, BTreeSet<String>> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| {
            let (file, deps) = line.split_once(':')?;
            Some((
                file.to_owned(),
                deps.split_whitespace().map(str::to_owned).collect(),
            ))
        })
        .collect()
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: compare_ocamldep DIR")?;
    let root = PathBuf::from(dir);
    let files = source_tree::ocaml_files(&root);
    if files.is_empty() {
        return Err(format!("no .ml or .mli file under {}", root.display()).into());
    }
    let mut sources = Vec::with_capacity(files.len());
    for file in &files {
        let kind = SourceKind::from_path(file).ok_or("not an OCaml file")?;
        sources.push((std::fs::read(root.join(file))?, kind));
    }
    let bytes: usize = sources.iter().map(|(s, _)| s.len()).sum();
    let lines: usize = sources
        .iter()
        .map(|(s, _)| s.iter().filter(|&&b| b == b'\n').count())
        .sum();
    let n = files.len() as u32;

    // The scanner: best of several passes over the files in memory.
    let mut results = Vec::new();
    let mut best = (Duration::MAX, Duration::MAX);
    let mut file_best = vec![Duration::MAX; files.len()];
    for _ in 0..10 {
        results.clear();
        let start = (Instant::now(), cpu_time::thread());
        for (i, (source, kind)) in sources.iter().enumerate() {
            let file_start = cpu_time::thread();
            results.push(scan(source, *kind));
            let took = cpu_time::thread().saturating_sub(file_start);
            file_best[i] = file_best[i].min(took);
        }
        best.0 = best.0.min(start.0.elapsed());
        best.1 = best.1.min(cpu_time::thread().saturating_sub(start.1));
    }

    // A reference for the speed of this machine: a byte-by-byte loop over
    // the same files that only counts identifier characters.
    let mut reference = Duration::MAX;
    for _ in 0..10 {
        let start = cpu_time::thread();
        let mut count = 0usize;
        for (source, _) in &sources {
            let mut i = 0;
            while i < source.len() {
                if source[i].is_ascii_alphabetic() {
                    while i < source.len()
                        && (source[i].is_ascii_alphanumeric() || source[i] == b'_')
                    {
                        i += 1;
                        count += 1;
                    }
                } else {
                    i += 1;
                }
            }
        }
        std::hint::black_box(count);
        reference = reference.min(cpu_time::thread().saturating_sub(start));
    }

    // `ocamldep -modules`, once per file.
    let start = (Instant::now(), cpu_time::children());
    for file in &files {
        Command::new("ocamldep")
            .arg("-modules")
            .arg(file)
            .current_dir(&root)
            .output()?;
    }
    let per_file = (
        start.0.elapsed(),
        cpu_time::children().saturating_sub(start.1),
    );

    // `ocamldep -modules`, once on everything.
    let start = (Instant::now(), cpu_time::children());
    let batch = Command::new("ocamldep")
        .arg("-modules")
        .args(&files)
        .current_dir(&root)
        .output()?;
    let batch_time = (
        start.0.elapsed(),
        cpu_time::children().saturating_sub(start.1),
    );
    let theirs = parse_ocamldep(&batch.stdout);

    let same = files
        .iter()
        .zip(&results)
        .filter(|(file, ours)| {
            let theirs = theirs.get(&file.to_string_lossy().into_owned());
            match (ours, theirs) {
                (Ok(ours), Some(theirs)) => ours == theirs,
                (Err(_), Some(theirs)) => theirs.is_empty(),
                _ => false,
            }
        })
        .count();
    let errors = results.iter().filter(|r| r.is_err()).count();

    println!(
        "{} files ({} lines, {:.1} MB) under {}",
        files.len(),
        lines,
        bytes as f64 / 1e6,
        root.display()
    );
    println!();
    println!("| method                                 | elapsed    | CPU        | CPU per file |");
    println!("|----------------------------------------|------------|------------|--------------|");
    let row = |name: &str, (wall, cpu): (Duration, Duration)| {
        println!(
            "| {name:<38} | {:>10} | {:>10} | {:>12} |",
            format_duration(wall),
            format_duration(cpu),
            format_duration(cpu / n)
        );
    };
    row("depscan::scan, in process (best of 10)", best);
    row("ocamldep -modules, one run per file", per_file);
    row("ocamldep -modules, one run for all", batch_time);
    println!();
    let per_line = best.1.as_secs_f64() / lines.max(1) as f64;
    let (slowest, slowest_time) = file_best
        .iter()
        .enumerate()
        .max_by_key(|(_, t)| **t)
        .map(|(i, t)| (i, *t))
        .unwrap_or((0, Duration::ZERO));
    println!(
        "scan (CPU): {:.0} MB/s, {:.1} µs per 500 lines overall; slowest file {} ({})",
        bytes as f64 / best.1.as_secs_f64() / 1e6,
        per_line * 500.0 * 1e6,
        files[slowest].display(),
        format_duration(slowest_time)
    );
    let mut typical: Vec<Duration> = sources
        .iter()
        .zip(&file_best)
        .filter(|((source, _), _)| {
            let lines = source.iter().filter(|&&b| b == b'\n').count();
            (400..=600).contains(&lines)
        })
        .map(|(_, t)| *t)
        .collect();
    typical.sort();
    if let Some(median) = typical.get(typical.len() / 2) {
        println!(
            "scan (CPU) of the {} files of 400 to 600 lines: median {}, fastest {}, slowest {}",
            typical.len(),
            format_duration(*median),
            format_duration(typical[0]),
            format_duration(typical[typical.len() - 1])
        );
    }
    println!(
        "machine reference (CPU): a byte loop counting identifier characters takes {} on these files",
        format_duration(reference)
    );
    println!(
        "same modules as the batch run: {same}/{} files ({errors} rejected by scan)",
        files.len()
    );
    Ok(())
}
