//! Regressions in the cost of a build that has (almost) nothing to do, as
//! the project grows (issue 18, point 5): the null build and the
//! comment-only `.mli` edit (one compilation) of generated projects
//! (`bench/generate.py`) of 1,000 and 5,000 modules, through the release
//! binary. Both should stay flat with the size; the bench prints how much
//! each grew from the smallest size to the largest, so a change that makes
//! them grow with the project shows as a ratio, beside criterion's times.
//!
//! `cargo bench -p caravan --bench edit_at_scale` (the 5,000-module cold
//! build it starts from takes a few minutes on 2 cores);
//! `CARAVAN_BENCH_MODULES=200,1000` picks other sizes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// A generated project, built once.
struct Project {
    _dir: tempfile::TempDir,
    src: PathBuf,
    args: Vec<String>,
    target_mli: PathBuf,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sizes() -> Vec<usize> {
    std::env::var("CARAVAN_BENCH_MODULES")
        .unwrap_or_else(|_| "1000,5000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn generate(modules: usize) -> Project {
    let dir = tempfile::tempdir().expect("temp dir");
    let status = Command::new("python3")
        .arg(repo().join("bench/generate.py"))
        .args(["--modules", &modules.to_string()])
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run bench/generate.py");
    assert!(status.success(), "bench/generate.py failed");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("manifest.json")).expect("manifest"),
    )
    .expect("manifest is JSON");
    let folders: Vec<&str> = manifest["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    let mut args = vec!["-no-cache".to_string(), "-j".into(), "2".into()];
    if !folders.is_empty() {
        args.push("-Is".into());
        args.push(folders.join(","));
    }
    args.push("main.native".into());
    let src = dir.path().join("src");
    let target_mli = src.join(manifest["target_mli"].as_str().expect("target_mli"));
    let project = Project {
        _dir: dir,
        src,
        args,
        target_mli,
    };
    project.build();
    project
}

impl Project {
    /// One build; it must succeed.
    fn build(&self) -> Duration {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_caravan"))
            .args(&self.args)
            .current_dir(&self.src)
            .output()
            .expect("run caravan");
        let took = start.elapsed();
        assert!(
            out.status.success(),
            "caravan failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        took
    }

    /// Rewrites the six digits of `revision NNNNNN *)` in the edit
    /// target's interface (same length: the `.cmi` comes out the same).
    fn edit_comment(&self, rev: u64) {
        let text = std::fs::read_to_string(&self.target_mli).expect("read the .mli");
        let at = text.find("revision ").expect("a revision comment") + "revision ".len();
        let new = format!("{}{:06}{}", &text[..at], rev % 1_000_000, &text[at + 6..]);
        std::fs::write(&self.target_mli, new).expect("write the .mli");
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn edits(c: &mut Criterion) {
    let mut medians: Vec<(usize, Duration, Duration)> = Vec::new();
    let mut group = c.benchmark_group("at_scale");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    let mut rev = 0u64;
    for modules in sizes() {
        let project = generate(modules);
        let mut null = Vec::new();
        group.bench_function(BenchmarkId::new("null build", modules), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let took = project.build();
                    null.push(took);
                    total += took;
                }
                total
            })
        });
        let mut comment = Vec::new();
        group.bench_function(BenchmarkId::new("comment-only .mli edit", modules), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    rev += 1;
                    project.edit_comment(rev);
                    let took = project.build();
                    comment.push(took);
                    total += took;
                }
                total
            })
        });
        medians.push((modules, median(null), median(comment)));
    }
    group.finish();
    if let (Some(first), Some(last)) = (medians.first(), medians.last()) {
        let size = last.0 as f64 / first.0 as f64;
        let grew = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-9);
        println!(
            "at_scale: {}x the modules ({} -> {}): null build {:?} -> {:?} ({:.2}x), \
             comment-only edit {:?} -> {:?} ({:.2}x); flat is 1.00x",
            size,
            first.0,
            last.0,
            first.1,
            last.1,
            grew(first.1, last.1),
            first.2,
            last.2,
            grew(first.2, last.2)
        );
    }
}

criterion_group!(benches, edits);
criterion_main!(benches);
