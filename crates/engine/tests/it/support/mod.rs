//! Toy rules and a recording event sink for the engine tests.
//!
//! - `X.cat`: the concatenation of the files listed (one per line) in the
//!   source `X.list`: a dynamic dependency discovered by reading a file;
//! - `X.len`: the byte length of `X`, written by `wc -c`;
//! - `X.twice`: the content of `X` written twice;
//! - `X.meet`: waits until `X.meet`'s sibling named in `X` has started too
//!   (a rendezvous, succeeds only if both run at the same time);
//! - `X.fail`: a command that fails;
//! - `X.d/stamp`: copies `X` into the directory `X.d`, emptied first, and
//!   stamps it (a directory whose content is not declared);
//! - `X.pick`: two rules with the same product, tried in order: a copy of
//!   `X.first`, else a copy of `X.second` (backtracking);
//! - `X.strict`: two rules, a failing command on `X`, else a copy of `X`:
//!   a rule whose command ran is never given up;
//! - `X.peek`: `X.len`'s content when the trace of `X.len` is up to date
//!   (found by a probe, without building `X.len`), else `none`;
//! - `X.either`: `X` copied by `cat` when the source `prefer-cat` exists,
//!   else by `cp`, unless the recorded `cat` action is still up to date
//!   (an equivalent action accepted in place of its own).

use std::path::Path;
use std::sync::{Arc, Mutex};

use engine::*;
use futures::future::BoxFuture;

pub struct ToyRules;

struct Cat(Target);
struct Shell {
    rule: &'static str,
    out: Target,
    input: Target,
    script: String,
}
struct Dir(Target);
struct Peek(Target);
struct Either(Target);

/// The action of the task `X.len`.
fn len_action(src: &str) -> Action {
    let out = format!("{src}.len");
    let script = format!("wc -c < {src} | tr -d ' ' > {out}");
    let mut a = Action::process(vec!["sh".into(), "-c".into(), script]);
    a.inputs.push(Input::File(Target::new(src)));
    a.outputs.push(Target::new(&out));
    a
}

impl Rules for ToyRules {
    fn candidates(&self, t: &Target) -> Vec<Producer> {
        let s = t.as_str();
        let copy = |rule: &'static str, input: String| Producer {
            key: t.clone(),
            task: Arc::new(Shell {
                rule,
                out: t.clone(),
                script: format!("cp {input} {s}"),
                input: Target::new(&input),
            }),
        };
        if let Some(stem) = s.strip_suffix(".pick") {
            return vec![
                copy("first", format!("{stem}.first")),
                copy("second", format!("{stem}.second")),
            ];
        }
        if let Some(src) = s.strip_suffix(".strict") {
            let failing = Producer {
                key: t.clone(),
                task: Arc::new(Shell {
                    rule: "failing",
                    out: t.clone(),
                    input: Target::new(src),
                    script: "exit 3".to_string(),
                }),
            };
            return vec![failing, copy("copy", src.to_string())];
        }
        self.producer(t).into_iter().collect()
    }

    fn producer(&self, t: &Target) -> Option<Producer> {
        let s = t.as_str();
        let task: Arc<dyn Task> = if let Some(stem) = s.strip_suffix(".cat") {
            let _ = stem;
            Arc::new(Cat(t.clone()))
        } else if let Some(src) = s.strip_suffix(".len") {
            Arc::new(Shell {
                rule: "",
                out: t.clone(),
                input: Target::new(src),
                script: format!("wc -c < {src} | tr -d ' ' > {s}"),
            })
        } else if let Some(src) = s.strip_suffix(".twice") {
            Arc::new(Shell {
                rule: "",
                out: t.clone(),
                input: Target::new(src),
                script: format!("cat {src} {src} > {s}"),
            })
        } else if let Some(src) = s.strip_suffix(".meet") {
            Arc::new(Shell {
                rule: "",
                out: t.clone(),
                input: Target::new(src),
                script: format!(
                    "touch {s}.started; other=$(cat {src}); i=0; \
                     while [ ! -e $other.started ]; do i=$((i+1)); \
                     if [ $i -gt 60 ]; then exit 1; fi; sleep 0.05; done; echo met > {s}"
                ),
            })
        } else if let Some(src) = s.strip_suffix(".peek") {
            Arc::new(Peek(Target::new(src)))
        } else if let Some(src) = s.strip_suffix(".either") {
            Arc::new(Either(Target::new(src)))
        } else if let Some(src) = s.strip_suffix(".d/stamp") {
            Arc::new(Dir(Target::new(src)))
        } else if let Some(src) = s.strip_suffix(".fail") {
            Arc::new(Shell {
                rule: "",
                out: t.clone(),
                input: Target::new(src),
                script: "echo broken >&2; exit 2".to_string(),
            })
        } else {
            return None;
        };
        Some(Producer {
            key: t.clone(),
            task,
        })
    }
}

impl Task for Cat {
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let out = self.0.clone();
            let list = Target::new(&format!("{}.list", out.as_str().trim_end_matches(".cat")));
            cx.need_one(&list).await?;
            let text = String::from_utf8_lossy(&cx.read(&list)?).into_owned();
            let parts: Vec<Target> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| Target::new(l.trim()))
                .collect();
            cx.need(&parts).await?;
            let mut argv = vec!["sh".to_string(), "-c".to_string()];
            let names: Vec<&str> = parts.iter().map(|p| p.as_str()).collect();
            argv.push(format!("cat {} > {}", names.join(" "), out));
            let mut a = Action::process(argv);
            a.inputs.push(Input::File(list));
            a.inputs.extend(parts.into_iter().map(Input::File));
            a.outputs.push(out);
            Ok(TaskValue::files(cx.run(a).await?))
        })
    }
}

impl Task for Shell {
    fn rule_id(&self) -> &str {
        self.rule
    }

    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            cx.need_one(&self.input).await?;
            let mut a = Action::process(vec!["sh".into(), "-c".into(), self.script.clone()]);
            a.inputs.push(Input::File(self.input.clone()));
            a.outputs.push(self.out.clone());
            Ok(TaskValue::files(cx.run(a).await?))
        })
    }
}

impl Task for Dir {
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            cx.need_one(&self.0).await?;
            let dir = Target::new(&format!("{}.d", self.0));
            let stamp = Target::new(&format!("{dir}/stamp"));
            let mut a =
                Action::process(vec!["cp".into(), self.0.to_string(), format!("{dir}/copy")]);
            a.inputs.push(Input::File(self.0.clone()));
            a.prepare = vec![Prepare::RemoveAll(dir.clone()), Prepare::CreateDir(dir)];
            a.outputs.push(stamp.clone());
            a.stamp = Some(stamp);
            Ok(TaskValue::files(cx.run(a).await?))
        })
    }
}

impl Task for Peek {
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            cx.need_one(&self.0).await?;
            let len = Target::new(&format!("{}.len", self.0));
            let out = cx.key().clone();
            let probed = cx.up_to_date(&len, &len_action(self.0.as_str()))?;
            let mut a = if probed.is_some() {
                let mut a = Action::process(vec!["cp".into(), len.to_string(), out.to_string()]);
                a.inputs.push(Input::File(len));
                a
            } else {
                Action::process(vec!["sh".into(), "-c".into(), format!("echo none > {out}")])
            };
            a.outputs.push(out);
            Ok(TaskValue::files(cx.run(a).await?))
        })
    }
}

impl Task for Either {
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            cx.need_one(&self.0).await?;
            let out = cx.key().clone();
            let action = |argv: Vec<String>| {
                let mut a = Action::process(argv);
                a.inputs.push(Input::File(self.0.clone()));
                a.outputs.push(out.clone());
                a
            };
            let cat = action(vec![
                "sh".into(),
                "-c".into(),
                format!("cat {} > {out}", self.0),
            ]);
            if cx.is_source("prefer-cat") {
                return Ok(TaskValue::files(cx.run(cat).await?));
            }
            if let Some(outputs) = cx.up_to_date(cx.key(), &cat)? {
                return Ok(TaskValue::files(outputs));
            }
            let cp = action(vec!["cp".into(), self.0.to_string(), out.to_string()]);
            Ok(TaskValue::files(cx.run(cp).await?))
        })
    }
}

/// Records which actions ran, in start order.
#[derive(Default)]
pub struct Recorder {
    pub started: Mutex<Vec<String>>,
    pub cached: Mutex<Vec<String>>,
    /// The tasks whose logic ran.
    pub tasks: Mutex<Vec<String>>,
}

impl EventSink for Recorder {
    fn event(&self, e: &Event<'_>) {
        match e {
            Event::ActionStarted { action, .. } => {
                let out = action.outputs[0].to_string();
                self.started.lock().unwrap().push(out);
            }
            Event::TaskStarted { task } => {
                self.tasks.lock().unwrap().push(task.to_string());
            }
            Event::ActionCached { action } => {
                self.cached
                    .lock()
                    .unwrap()
                    .push(action.outputs[0].to_string());
            }
            _ => {}
        }
    }
}

/// A project directory with source files.
pub struct Project {
    pub dir: tempfile::TempDir,
    /// Builds keep and use a persistent graph.
    pub graph: bool,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Project {
        let p = Project {
            dir: tempfile::tempdir().unwrap(),
            graph: false,
        };
        for (name, text) in files {
            p.write(name, text);
        }
        p
    }

    /// A project whose builds keep and use a persistent graph.
    pub fn with_graph(files: &[(&str, &str)]) -> Project {
        let mut p = Project::new(files);
        p.graph = true;
        p
    }

    pub fn graph_path(&self) -> std::path::PathBuf {
        self.root().join("_build/.caravan/graph")
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) {
        let path = self.root().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn built(&self, name: &str) -> String {
        std::fs::read_to_string(self.root().join("_build").join(name)).unwrap()
    }

    fn sources(&self) -> SourceTree {
        let mut files = Vec::new();
        for e in std::fs::read_dir(self.root()).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                files.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        SourceTree::new(self.root(), files)
    }

    /// Runs one build of `targets` with `jobs` slots; returns what ran.
    pub fn build(&self, targets: &[&str], jobs: usize) -> (Vec<Result<Built>>, Arc<Recorder>) {
        let (results, rec, _) = self.build_with(targets, jobs, false);
        (results, rec)
    }

    /// Runs one build of `targets` with `jobs` slots, going on after a
    /// failure when `keep_going`; returns what ran and every distinct
    /// failure ([`Engine::failures`]).
    pub fn build_with(
        &self,
        targets: &[&str],
        jobs: usize,
        keep_going: bool,
    ) -> (Vec<Result<Built>>, Arc<Recorder>, Vec<Error>) {
        let rec = Arc::new(Recorder::default());
        let engine = Engine::open(EngineConfig {
            build_dir: self.root().join("_build"),
            sources: self.sources(),
            rules: Arc::new(ToyRules),
            executor: Arc::new(LocalExecutor),
            cache: None,
            command_env: Vec::new(),
            events: rec.clone(),
            jobs,
            forbid_runs: false,
            keep_going,
            graph: self.graph.then(|| GraphConfig {
                path: self.graph_path(),
                key: Digest::of_bytes(b"toy rules"),
                changed: None,
            }),
        })
        .unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let targets: Vec<Target> = targets.iter().map(|t| Target::new(t)).collect();
        let results = rt.block_on(engine.build(&targets));
        let failures = engine.failures(&targets, &results);
        if self.graph && results.iter().all(|r| r.is_ok()) {
            engine.save_graph(&targets).expect("a graph");
        }
        (results, rec, failures)
    }

    /// Builds and asserts success; returns the outputs of actions that ran.
    pub fn build_ok(&self, targets: &[&str]) -> Vec<String> {
        let (results, rec) = self.build(targets, 2);
        for r in &results {
            if let Err(e) = r {
                panic!("build failed: {e}");
            }
        }
        let mut ran = rec.started.lock().unwrap().clone();
        ran.sort();
        ran
    }
}
