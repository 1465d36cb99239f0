//! Measures `depscan::scan` against `ocamldep -modules` on every `.ml` and
//! `.mli` file under a directory:
//!
//! ```text
//! cargo run --release -p depscan --example compare_ocamldep -- DIR
//! ```
//!
//! It times the scanner (files already in memory), `ocamldep -modules` run
//! once per file, and `ocamldep -modules` run once on all the files, and
//! checks that the scanner and the batch run found the same modules.

use depscan::{SourceKind, scan};
use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Every `.ml` and `.mli` file under `root`, relative to it, sorted.
fn ocaml_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                stack.push(path);
            } else if file_type.is_file()
                && SourceKind::from_path(&path).is_some()
                && let Ok(relative) = path.strip_prefix(root)
            {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    files
}

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
    let files = ocaml_files(&root);
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
    let mut best = Duration::MAX;
    let mut slowest = (Duration::ZERO, 0);
    for _ in 0..5 {
        results.clear();
        let start = Instant::now();
        for (i, (source, kind)) in sources.iter().enumerate() {
            let file_start = Instant::now();
            results.push(scan(source, *kind));
            let took = file_start.elapsed();
            if took > slowest.0 {
                slowest = (took, i);
            }
        }
        best = best.min(start.elapsed());
    }

    // `ocamldep -modules`, once per file.
    let start = Instant::now();
    for file in &files {
        Command::new("ocamldep")
            .arg("-modules")
            .arg(file)
            .current_dir(&root)
            .output()?;
    }
    let per_file = start.elapsed();

    // `ocamldep -modules`, once on everything.
    let start = Instant::now();
    let batch = Command::new("ocamldep")
        .arg("-modules")
        .args(&files)
        .current_dir(&root)
        .output()?;
    let batch_time = start.elapsed();
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
    println!("| method                                  | total      | per file   |");
    println!("|-----------------------------------------|------------|------------|");
    let row = |name: &str, total: Duration| {
        println!(
            "| {name:<39} | {:>10} | {:>10} |",
            format_duration(total),
            format_duration(total / n)
        );
    };
    row("depscan::scan (in process, best of 5)", best);
    row("ocamldep -modules, one run per file", per_file);
    row("ocamldep -modules, one run for all", batch_time);
    println!();
    let per_line = best.as_secs_f64() / lines.max(1) as f64;
    println!(
        "scan: {:.0} MB/s, {:.1} µs per 500 lines; slowest file {} ({})",
        bytes as f64 / best.as_secs_f64() / 1e6,
        per_line * 500.0 * 1e6,
        files[slowest.1].display(),
        format_duration(slowest.0)
    );
    println!(
        "same modules as the batch run: {same}/{} files ({errors} rejected by scan)",
        files.len()
    );
    Ok(())
}
