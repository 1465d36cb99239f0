//! The null-build graph walk, at the function level: a layered graph of
//! tasks whose actions are all up to date is opened and walked. This is the
//! cost a build pays when the null-build record does not apply (any edit),
//! before any command runs; regressions in the scheduler, the rebuilder or
//! the trace log show here first.

use std::path::Path;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use engine::{
    Action, Engine, EngineConfig, Input, LocalExecutor, NoEvents, Producer, Result, Rules,
    SourceTree, Target, Task, TaskCx, TaskValue,
};
use futures::future::BoxFuture;

/// `nI.out` reads `nI.src` and the outputs of two tasks of the layer below.
struct Layered {
    per_layer: usize,
}

struct Node {
    index: usize,
    per_layer: usize,
}

impl Rules for Layered {
    fn producer(&self, t: &Target) -> Option<Producer> {
        let index: usize = t
            .as_str()
            .strip_prefix('n')?
            .strip_suffix(".out")?
            .parse()
            .ok()?;
        Some(Producer {
            key: t.clone(),
            task: Arc::new(Node {
                index,
                per_layer: self.per_layer,
            }),
        })
    }
}

impl Task for Node {
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let src = Target::new(&format!("n{}.src", self.index));
            let mut needs = vec![src.clone()];
            if self.index >= self.per_layer {
                let below = self.index - self.per_layer;
                needs.push(Target::new(&format!("n{below}.out")));
                needs.push(Target::new(&format!(
                    "n{}.out",
                    below - below % self.per_layer
                )));
            }
            cx.need(&needs).await?;
            let out = cx.key().clone();
            let dest = out.to_string();
            let mut a = Action::internal("copy", vec![dest.clone()], "copy", move |dir: &Path| {
                std::fs::write(dir.join(&dest), b"x")
                    .map(|_| Vec::new())
                    .map_err(|e| engine::Error::io(dir, e))
            });
            a.inputs = needs.into_iter().map(Input::File).collect();
            a.outputs.push(out);
            Ok(TaskValue::files(cx.run(a).await?))
        })
    }
}

fn project(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..n {
        std::fs::write(dir.path().join(format!("n{i}.src")), i.to_string()).expect("write");
    }
    dir
}

fn walk(root: &Path, n: usize, rt: &tokio::runtime::Runtime) {
    let engine = Engine::open(EngineConfig {
        build_dir: root.join("_build"),
        sources: SourceTree::new(root, (0..n).map(|i| format!("n{i}.src"))),
        rules: Arc::new(Layered { per_layer: 50 }),
        executor: Arc::new(LocalExecutor),
        cache: None,
        command_env: Vec::new(),
        events: Arc::new(NoEvents),
        jobs: 2,
        forbid_runs: false,
        keep_going: false,
        graph: None,
    })
    .expect("engine");
    let targets: Vec<Target> = (n - 50..n)
        .map(|i| Target::new(&format!("n{i}.out")))
        .collect();
    for r in rt.block_on(engine.build(&targets)) {
        r.expect("build");
    }
    engine.finish().expect("finish");
}

fn null_walk(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("null_walk");
    group.sample_size(20);
    for n in [1000usize, 5000] {
        let dir = project(n);
        walk(dir.path(), n, &rt);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| walk(dir.path(), n, &rt))
        });
    }
    group.finish();
}

criterion_group!(benches, null_walk);
criterion_main!(benches);
