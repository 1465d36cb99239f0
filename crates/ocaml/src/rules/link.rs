//! Linking a program: `x.byte` from `.cmo` files, `x.native` from `.cmx`.
//!
//! The modules to link are the main module and, transitively, the local
//! modules its implementation mentions. They are discovered while they
//! compile: each module found starts compiling at once, and its
//! dependencies are read from its `.depends` file as soon as that exists.
//! The order is ocamlbuild's: a depth-first post-order from the main module,
//! visiting dependencies in path order, so dependencies come first and
//! siblings are sorted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use engine::{Action, Error, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;

use super::compile::local_deps;
use super::{RuleContext, log_tags};
use crate::ocamlfind::CommandParts;
use crate::options::Mode;
use crate::resolver::ModuleSource;

/// Links a program.
pub struct Program {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The main module.
    pub main: ModuleSource,
    /// Bytecode or native.
    pub mode: Mode,
}

impl Task for Program {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let mode = self.mode;
            let compiler = self.cx.compiler(mode)?;
            let graph = discover(&tcx, &self.cx, &self.main, mode).await?;
            // Compile everything before ordering: a compilation error (or a
            // cycle between interfaces) is the better message.
            let ext_obj = self.cx.toolchain.ext_obj();
            tcx.need(&link_inputs(graph.keys(), mode, ext_obj)).await?;
            let order = link_order(&graph, &self.main.stem, mode)?;
            let needed = link_inputs(order.iter(), mode, ext_obj);
            let objects: Vec<&Target> = needed.iter().take(order.len()).collect();

            let out = tcx.key().clone();
            let tags = self.cx.command_tags(
                &[out.as_str()],
                &["dont_link_with", "ocaml", "link", mode.tag(), "program"],
            );
            let tag_inputs = self.cx.tag_deps(&tcx, &tags).await?;
            let mut before = self.cx.flags_of(&tags);
            let mut dirs: Vec<&str> = Vec::new();
            for o in &objects {
                let d = o.dir();
                if !d.is_empty() && !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
            for d in dirs {
                before.extend(["-I".to_string(), d.to_string()]);
            }
            let parts = CommandParts {
                before,
                files: objects.iter().map(|o| o.to_string()).collect(),
                after: vec!["-o".into(), out.to_string()],
            };
            let (argv, packages) = self.cx.command(mode.front_end(), &compiler, parts)?;
            let mut action = Action::process(argv);
            action.salt.push(packages);
            action.salt.push(self.cx.toolchain.identity.clone());
            action.inputs = needed.into_iter().map(Input::File).collect();
            action.inputs.extend(tag_inputs);
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            action.log.tags = log_tags(tags);
            Ok(TaskValue::files(tcx.run(action).await?))
        })
    }
}

/// The files a link reads for `stems`: the objects (`.cmo`/`.cmx`) in
/// order, then for native code the `.o` files.
fn link_inputs<'a>(
    stems: impl Iterator<Item = &'a String> + Clone,
    mode: Mode,
    ext_obj: &str,
) -> Vec<Target> {
    let mut files: Vec<Target> = stems
        .clone()
        .map(|stem| Target::new(&format!("{stem}.{}", mode.object_ext())))
        .collect();
    if mode == Mode::Native {
        files.extend(stems.map(|stem| Target::new(&format!("{stem}.{ext_obj}"))));
    }
    files
}

/// The modules reachable from `main` through implementations, with their
/// local dependencies (only modules with an `.ml`), discovered in parallel.
async fn discover(
    tcx: &TaskCx,
    rcx: &RuleContext,
    main: &ModuleSource,
    mode: Mode,
) -> Result<BTreeMap<String, Vec<String>>> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut pending = FuturesUnordered::new();
    let start = |m: ModuleSource| {
        tcx.prefetch(&[Target::new(&format!("{}.{}", m.stem, mode.object_ext()))]);
        async move {
            let ml = format!("{}.ml", m.stem);
            let deps = local_deps(tcx, rcx, &ml, &m).await?;
            Ok::<_, Error>((m, deps))
        }
    };
    seen.insert(main.stem.clone());
    pending.push(start(main.clone()));
    while let Some(result) = pending.next().await {
        let (m, deps) = result?;
        let mut children = Vec::new();
        for d in deps {
            if !d.has_ml {
                continue;
            }
            children.push(d.stem.clone());
            if seen.insert(d.stem.clone()) {
                pending.push(start(d));
            }
        }
        graph.insert(m.stem, children);
    }
    Ok(graph)
}

/// Post-order from `main`, children in path order of their objects.
fn link_order(
    graph: &BTreeMap<String, Vec<String>>,
    main: &str,
    mode: Mode,
) -> Result<Vec<String>> {
    let ext = mode.object_ext();
    // Children sorted once by the path of their object file.
    let children: BTreeMap<&str, Vec<&str>> = graph
        .iter()
        .map(|(node, deps)| {
            let mut keyed: Vec<(String, &str)> = deps
                .iter()
                .map(|d| (format!("{d}.{ext}"), d.as_str()))
                .collect();
            keyed.sort();
            (node.as_str(), keyed.into_iter().map(|(_, d)| d).collect())
        })
        .collect();
    // Iterative post-order DFS; `on_path` finds cycles.
    let mut order = Vec::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut on_path: Vec<&str> = Vec::new();
    let mut stack: Vec<(&str, usize)> = vec![(main, 0)];
    while let Some((node, next)) = stack.pop() {
        if next == 0 {
            if done.contains(node) {
                continue;
            }
            if let Some(i) = on_path.iter().position(|p| *p == node) {
                let cycle: Vec<String> = on_path[i..]
                    .iter()
                    .chain(std::iter::once(&node))
                    .map(|s| format!("{s}.{ext}"))
                    .collect();
                return Err(Error::rule(
                    "link-cycle",
                    format!(
                        "circular dependencies between modules: {}\nHint: OCaml cannot link \
                         compilation units that use each other; move what they share into a \
                         module of its own.",
                        cycle.join(" -> ")
                    ),
                ));
            }
            on_path.push(node);
        }
        let kids = children.get(node).map(Vec::as_slice).unwrap_or(&[]);
        if let Some(child) = kids.get(next) {
            stack.push((node, next + 1));
            stack.push((child, 0));
        } else {
            on_path.pop();
            done.insert(node);
            order.push(node.to_string());
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        edges
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn dependencies_first_siblings_in_path_order() {
        let g = graph(&[
            ("main", &["util", "lib/shapes"]),
            ("util", &[]),
            ("lib/shapes", &[]),
        ]);
        assert_eq!(
            link_order(&g, "main", Mode::Native).unwrap(),
            ["lib/shapes", "util", "main"]
        );
    }

    #[test]
    fn shared_dependencies_appear_once() {
        let g = graph(&[("a", &["c", "b"]), ("b", &["c"]), ("c", &[])]);
        assert_eq!(link_order(&g, "a", Mode::Byte).unwrap(), ["c", "b", "a"]);
    }

    #[test]
    fn cycles_are_errors() {
        let g = graph(&[("a", &["b"]), ("b", &["a"])]);
        let e = link_order(&g, "a", Mode::Byte).unwrap_err();
        assert!(e.to_string().contains("a.cmo -> b.cmo -> a.cmo"), "{e}");
    }
}
