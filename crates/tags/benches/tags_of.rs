//! The cost of answering "which tags does this path have" in a large
//! configuration: 5,000 paths against ocamlbuild's built-in lines and 40
//! user lines of the shapes real `_tags` files use (recursive globs,
//! alternatives, quoted paths, `not`, parametrised tags, a sub-folder file).
//!
//! `cargo bench -p tags`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tags::{BUILTIN_LINES, Configuration};

fn configuration() -> Result<Configuration, tags::Error> {
    let mut c = Configuration::new();
    c.add_builtin(BUILTIN_LINES)?;
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!(
            "<src/m{i}/**/*.ml> or <lib{i}/*.{{ml,mli}}> or \"gen/x{i}.ml\" and not \
             <**/*_test.ml>: t{i}, package(p{i})\n"
        ));
    }
    c.add_tags_file("", text.as_bytes())?;
    c.add_tags_file("src", b"<**/*.ml>: debug\n<m3/**>: -t3\n")?;
    Ok(c)
}

fn tags_of(c: &mut Criterion) {
    let config = match configuration() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("the benchmark's configuration does not parse: {e}");
            return;
        }
    };
    let paths: Vec<String> = (0..5000)
        .map(|i| format!("src/m{}/sub{}/file_{i}.ml", i % 50, i % 7))
        .collect();
    let mut group = c.benchmark_group("tags_of");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.bench_function("5000 paths x 51 lines", |b| {
        b.iter(|| paths.iter().map(|p| config.tags_of(p).len()).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, tags_of);
criterion_main!(benches);
