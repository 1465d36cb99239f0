//! Speed of the dependency scanner against `ocamldep -modules`, on the
//! OCaml compiler's own sources (2273 `.ml`/`.mli` files, 14.7 MB for
//! 4.13.1):
//!
//! ```text
//! cargo bench -p depscan
//! ```
//!
//! Groups:
//! - `scan_tree`: `depscan::scan` over every file, in memory, in process;
//! - `scan_file`: one small file, one of about 500 lines, the largest;
//! - `ocamldep`: the real `ocamldep -modules`, run once on all the files
//!   (`batch`, 10 samples) and once on each of the single files above.
//!
//! Criterion measures CPU time: of this process and of the `ocamldep`
//! processes it waited for, which other load on a shared machine disturbs
//! far less than elapsed time. `DEPSCAN_BENCH_WALL=1` makes it measure
//! elapsed time instead (criterion's usual clock). It reports times and
//! throughputs in MB/s; at the end a summary puts the in-process scan and
//! the batch `ocamldep` side by side, by CPU and by elapsed time, with
//! their ratio.
//!
//! The sources come from the Debian package `ocaml-source`, unpacked once
//! under the target directory like the integration tests do; without it
//! the benchmark says so and measures nothing.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use depscan::{SourceKind, scan};
use std::cell::RefCell;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../tests/it/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "../tests/it/source_tree.rs"]
mod source_tree;

/// One source file, read into memory.
struct Source {
    path: PathBuf,
    kind: SourceKind,
    text: Vec<u8>,
    lines: usize,
}

/// Every `.ml` and `.mli` file under `root`, read.
fn load(root: &Path) -> Vec<Source> {
    corpus::ocaml_files(root)
        .into_iter()
        .filter_map(|path| {
            let kind = SourceKind::from_path(&path)?;
            let text = std::fs::read(root.join(&path))
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let lines = text.iter().filter(|&&b| b == b'\n').count();
            Some(Source {
                path,
                kind,
                text,
                lines,
            })
        })
        .collect()
}

/// The single files measured: a small one (the median of the files of 40
/// to 80 lines), a typical one (the median of those of 400 to 600 lines)
/// and the largest.
fn representatives(sources: &[Source]) -> Vec<(&'static str, &Source)> {
    let median_within = |lo: usize, hi: usize| {
        let mut within: Vec<&Source> = sources
            .iter()
            .filter(|s| (lo..=hi).contains(&s.lines))
            .collect();
        within.sort_by_key(|s| (s.text.len(), s.path.clone()));
        within.get(within.len() / 2).copied()
    };
    let mut chosen = Vec::new();
    if let Some(small) = median_within(40, 80) {
        chosen.push(("small", small));
    }
    if let Some(typical) = median_within(400, 600) {
        chosen.push(("typical", typical));
    }
    if let Some(largest) = sources.iter().max_by_key(|s| s.text.len()) {
        chosen.push(("largest", largest));
    }
    chosen
}

/// Criterion's clock for CPU time: of this process (all its threads) and
/// of its waited-for children, so that it counts both the in-process scan
/// and the `ocamldep` runs.
struct CpuTime {
    /// Lends its formatter (values are nanoseconds, as for elapsed time).
    wall: WallTime,
}

impl CpuTime {
    fn now() -> Duration {
        cpu_time::process() + cpu_time::children()
    }
}

impl Measurement for CpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        CpuTime::now()
    }

    fn end(&self, start: Duration) -> Duration {
        CpuTime::now().saturating_sub(start)
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

/// Per-iteration elapsed and CPU times of the samples of one benchmark,
/// for the closing summary.
#[derive(Default)]
struct Samples {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Samples {
    fn record(&mut self, (wall, cpu): (Duration, Duration)) {
        self.wall.push(wall);
        self.cpu.push(cpu);
    }

    fn median(times: &[Duration]) -> Option<Duration> {
        let mut sorted = times.to_vec();
        sorted.sort();
        sorted.get(sorted.len() / 2).copied()
    }

    /// Median elapsed and CPU time per iteration.
    fn medians(&self) -> Option<(Duration, Duration)> {
        Some((Self::median(&self.wall)?, Self::median(&self.cpu)?))
    }
}

/// Scans every source once; returns the elapsed and CPU time.
fn scan_all(sources: &[&Source]) -> (Duration, Duration) {
    let start = (Instant::now(), cpu_time::process());
    for source in sources {
        let _ = black_box(scan(black_box(&source.text), source.kind));
    }
    (
        start.0.elapsed(),
        cpu_time::process().saturating_sub(start.1),
    )
}

/// Runs `ocamldep -modules` once on `files` (relative to `root`); returns
/// the elapsed time and the child's CPU time.
fn ocamldep(root: &Path, files: &[&Path]) -> (Duration, Duration) {
    let start = (Instant::now(), cpu_time::children());
    let output = Command::new("ocamldep")
        .arg("-modules")
        .args(files)
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .expect("cannot run ocamldep");
    black_box(output.stdout);
    (
        start.0.elapsed(),
        cpu_time::children().saturating_sub(start.1),
    )
}

fn ocamldep_available() -> bool {
    Command::new("ocamldep")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64().max(1e-12) / 1e6
}

fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 1e-3 {
        format!("{:.2} ms", secs * 1e3)
    } else {
        format!("{:.1} µs", secs * 1e6)
    }
}

fn main() {
    let root = match corpus::find_compiler_sources() {
        Ok(root) => root,
        Err(err) => {
            eprintln!("depscan benchmark skipped: {err}");
            return;
        }
    };
    let sources = load(&root);
    if sources.is_empty() {
        eprintln!(
            "depscan benchmark skipped: no .ml or .mli file under {}",
            root.display()
        );
        return;
    }
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    let lines: usize = sources.iter().map(|s| s.lines).sum();
    let singles = representatives(&sources);
    println!(
        "{} files ({lines} lines, {:.1} MB) under {}",
        sources.len(),
        bytes as f64 / 1e6,
        root.display()
    );
    for (name, source) in &singles {
        println!(
            "  {name}: {} ({} lines, {} bytes)",
            source.path.display(),
            source.lines,
            source.text.len()
        );
    }

    let scan_samples = RefCell::new(Samples::default());
    let batch_samples = RefCell::new(Samples::default());
    let setup = Setup {
        root: &root,
        sources: &sources,
        bytes,
        singles: &singles,
        scan_samples: &scan_samples,
        batch_samples: &batch_samples,
    };
    if std::env::var_os("DEPSCAN_BENCH_WALL").is_some() {
        println!("criterion measures elapsed time (DEPSCAN_BENCH_WALL is set)");
        run(Criterion::default().configure_from_args(), &setup);
    } else {
        println!("criterion measures CPU time (set DEPSCAN_BENCH_WALL=1 for elapsed time)");
        let clock = CpuTime { wall: WallTime };
        run(
            Criterion::default()
                .with_measurement(clock)
                .configure_from_args(),
            &setup,
        );
    }
    summary(
        sources.len(),
        bytes,
        scan_samples.borrow().medians(),
        batch_samples.borrow().medians(),
    );
}

/// What the benchmarks read, and where they leave their own timings.
struct Setup<'a> {
    root: &'a Path,
    sources: &'a [Source],
    bytes: usize,
    singles: &'a [(&'static str, &'a Source)],
    scan_samples: &'a RefCell<Samples>,
    batch_samples: &'a RefCell<Samples>,
}

fn run<M: Measurement>(mut c: Criterion<M>, setup: &Setup) {
    let all: Vec<&Source> = setup.sources.iter().collect();
    let bytes = setup.bytes as u64;

    let mut group = c.benchmark_group("scan_tree");
    group.throughput(Throughput::BytesDecimal(bytes));
    group.sample_size(20);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("compiler_sources", |b| {
        b.iter(|| setup.scan_samples.borrow_mut().record(scan_all(&all)))
    });
    group.finish();

    let mut group = c.benchmark_group("scan_file");
    for (name, source) in setup.singles {
        group.throughput(Throughput::BytesDecimal(source.text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), source, |b, source| {
            b.iter(|| scan(black_box(&source.text), source.kind))
        });
    }
    group.finish();

    if ocamldep_available() {
        let paths: Vec<&Path> = setup.sources.iter().map(|s| s.path.as_path()).collect();
        let mut group = c.benchmark_group("ocamldep");
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(20));
        group.throughput(Throughput::BytesDecimal(bytes));
        group.bench_function("batch", |b| {
            b.iter(|| {
                let times = ocamldep(setup.root, &paths);
                setup.batch_samples.borrow_mut().record(times);
            })
        });
        group.measurement_time(Duration::from_secs(8));
        for (name, source) in setup.singles {
            group.throughput(Throughput::BytesDecimal(source.text.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(name), source, |b, source| {
                b.iter(|| ocamldep(setup.root, &[source.path.as_path()]))
            });
        }
        group.finish();
    } else {
        eprintln!("ocamldep not found: the comparison with it is skipped (install OCaml)");
    }

    c.final_summary();
}

/// The scan and the batch `ocamldep` side by side (medians of the
/// per-pass times of every sample taken, warm-up included), when both were
/// measured.
fn summary(
    files: usize,
    bytes: usize,
    scan: Option<(Duration, Duration)>,
    batch: Option<(Duration, Duration)>,
) {
    let n = files.max(1) as u32;
    let mut rows = Vec::new();
    if let Some(times) = scan {
        rows.push(("depscan::scan, in process", times));
    }
    if let Some(times) = batch {
        rows.push(("ocamldep -modules, one run for all", times));
    }
    if rows.is_empty() {
        return;
    }
    println!();
    if cfg!(debug_assertions) {
        println!("(a debug build, as under `cargo test --benches`: the scan is far slower)");
    }
    println!(
        "summary over {files} files, {:.1} MB (median per pass):",
        bytes as f64 / 1e6
    );
    println!(
        "| method                             | elapsed    | MB/s    | CPU        | MB/s (CPU) | CPU per file |"
    );
    println!(
        "|------------------------------------|------------|---------|------------|------------|--------------|"
    );
    for (name, (wall, cpu)) in &rows {
        println!(
            "| {name:<34} | {:>10} | {:>7.1} | {:>10} | {:>10.1} | {:>12} |",
            format_duration(*wall),
            mb_per_s(bytes, *wall),
            format_duration(*cpu),
            mb_per_s(bytes, *cpu),
            format_duration(*cpu / n)
        );
    }
    if let (Some((scan_wall, scan_cpu)), Some((batch_wall, batch_cpu))) = (scan, batch) {
        println!(
            "depscan is {:.0}x faster than one ocamldep run on all the files \
             ({:.0}x by CPU time)",
            batch_wall.as_secs_f64() / scan_wall.as_secs_f64().max(1e-12),
            batch_cpu.as_secs_f64() / scan_cpu.as_secs_f64().max(1e-12)
        );
    }
}
