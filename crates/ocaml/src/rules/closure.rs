//! What a link contains and in which order: the module graph, found while
//! the modules compile, and ocamlbuild's ordering of it.
//!
//! Discovery starts from root modules and follows the local modules each
//! implementation mentions (for a pack, the modules its members mention
//! outside the pack). Each module found starts compiling at once when the
//! caller asks for it, and its dependencies are read from its `.depends`
//! file as soon as that exists. When a module belongs to a library the link
//! uses (`use_<lib>`), every module of that library joins the graph, since
//! the whole archive is linked.
//!
//! The order is ocamlbuild's: a depth-first post-order from the roots,
//! visiting the dependencies of a node in path order, so dependencies come
//! first and siblings are sorted. In a program's link, a module of a used
//! library stands for the library's archive (and an edge between two of its
//! modules disappears); used libraries that nothing reaches come first.

use std::collections::{BTreeMap, BTreeSet};

use engine::{Error, Result, Target, TaskCx};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;

use super::compile::local_deps;
use super::context::RuleContext;
use super::libraries::UsedLibrary;
use super::list_file;
use crate::mode::Mode;
use crate::resolver::ModuleSource;
use crate::rule_error::{Category, RuleError};

/// The local modules an implementation needs at link time: those its `.ml`
/// mentions, or for a pack those its members mention outside the pack.
/// Only modules with an implementation count.
pub fn implementation_deps<'a>(
    tcx: &'a TaskCx,
    cx: &'a RuleContext,
    m: &'a ModuleSource,
) -> BoxFuture<'a, Result<Vec<ModuleSource>>> {
    Box::pin(async move {
        let deps = if m.pack {
            pack_external_deps(tcx, cx, m).await?
        } else {
            local_deps(tcx, cx, &format!("{}.ml", m.stem), m).await?
        };
        Ok(deps.into_iter().filter(ModuleSource::is_linkable).collect())
    })
}

/// The modules the members of a pack use outside the pack (its link-time
/// dependencies), in the order first met.
async fn pack_external_deps(
    tcx: &TaskCx,
    cx: &RuleContext,
    pack: &ModuleSource,
) -> Result<Vec<ModuleSource>> {
    let members = list_file::modules(tcx, cx, &list_file::mlpack_of(pack)).await?;
    let mut out: Vec<ModuleSource> = Vec::new();
    for m in &members {
        for d in implementation_deps(tcx, cx, m).await? {
            let inside = members.iter().any(|x| x.stem == d.stem) || d.stem == pack.stem;
            if !inside && !out.iter().any(|o| o.stem == d.stem) {
                out.push(d);
            }
        }
    }
    Ok(out)
}

/// The modules found and, for each, the stems of its dependencies.
#[derive(Debug, Default)]
pub struct ModuleGraph {
    /// By stem: the module and its dependencies' stems.
    pub nodes: BTreeMap<String, (ModuleSource, Vec<String>)>,
}

impl ModuleGraph {
    /// The modules, in path order.
    pub fn modules(&self) -> impl Iterator<Item = &ModuleSource> {
        self.nodes.values().map(|(m, _)| m)
    }
}

/// Finds the modules reachable from `roots` (and every module of a used
/// library that one of them reaches). `compile(m)` says whether to start
/// building `m`'s object right away.
pub async fn discover(
    tcx: &TaskCx,
    cx: &RuleContext,
    roots: &[ModuleSource],
    mode: Mode,
    libs: &[UsedLibrary],
    compile: &(dyn Fn(&ModuleSource) -> bool + Sync),
) -> Result<ModuleGraph> {
    let mut graph = ModuleGraph::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut reached_libs: BTreeSet<usize> = BTreeSet::new();
    let mut pending = FuturesUnordered::new();
    let start = |m: ModuleSource| {
        if compile(&m) {
            tcx.prefetch(&[Target::new(&format!("{}.{}", m.stem, mode.object_ext()))]);
        }
        async move {
            let deps = implementation_deps(tcx, cx, &m).await?;
            Ok::<_, Error>((m, deps))
        }
    };
    let mut queue: Vec<ModuleSource> = roots.to_vec();
    loop {
        for m in queue.drain(..) {
            if let Some(i) = libs
                .iter()
                .position(|l| l.members.iter().any(|x| x.stem == m.stem))
                && reached_libs.insert(i)
            {
                for member in &libs[i].members {
                    if seen.insert(member.stem.clone()) {
                        pending.push(start(member.clone()));
                    }
                }
            }
            if seen.insert(m.stem.clone()) {
                pending.push(start(m));
            }
        }
        let Some(result) = pending.next().await else {
            break;
        };
        let (m, deps) = result?;
        let children = deps.iter().map(|d| d.stem.clone()).collect();
        queue.extend(deps);
        graph.nodes.insert(m.stem.clone(), (m, children));
    }
    Ok(graph)
}

/// The file a module is linked as (`a.cmo`, `a.cmx`).
pub fn object_of(stem: &str, mode: Mode) -> String {
    format!("{stem}.{}", mode.object_ext())
}

/// The link list of a program (or of an archive made of a module and its
/// dependencies): the graph's objects from `main`, each module of a used
/// library replaced by the library's archive, unreached libraries first.
pub fn program_order(
    graph: &ModuleGraph,
    main: &str,
    mode: Mode,
    libs: &[UsedLibrary],
) -> Result<Vec<Target>> {
    let entry = |stem: &str| -> String {
        libs.iter()
            .find(|l| l.members.iter().any(|m| m.stem == stem))
            .map(|l| l.archive.to_string())
            .unwrap_or_else(|| object_of(stem, mode))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (stem, (_, deps)) in &graph.nodes {
        let src = entry(stem);
        let set = edges.entry(src.clone()).or_default();
        for d in deps {
            let dst = entry(d);
            if dst != src {
                set.insert(dst);
            }
        }
    }
    let order = post_order(&edges, &[entry(main)])?;
    let mut out: Vec<Target> = libs
        .iter()
        .filter(|l| !order.iter().any(|o| *o == l.archive.as_str()))
        .map(|l| l.archive.clone())
        .collect();
    out.extend(order.iter().map(|o| Target::new(o)));
    Ok(out)
}

/// The link list of the units of a list file: exactly `members`, ordered by
/// their dependencies (through any module of the graph), a member before
/// the ones listed after it when nothing orders them.
pub fn units_order(
    graph: &ModuleGraph,
    members: &[ModuleSource],
    mode: Mode,
) -> Result<Vec<Target>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (stem, (_, deps)) in &graph.nodes {
        edges
            .entry(object_of(stem, mode))
            .or_default()
            .extend(deps.iter().map(|d| object_of(d, mode)));
    }
    let roots: Vec<String> = members.iter().map(|m| object_of(&m.stem, mode)).collect();
    let order = post_order(&edges, &roots)?;
    Ok(order
        .into_iter()
        .filter(|o| roots.contains(o))
        .map(|o| Target::new(&o))
        .collect())
}

/// Depth-first post-order from each root in turn, children in path order.
fn post_order(edges: &BTreeMap<String, BTreeSet<String>>, roots: &[String]) -> Result<Vec<String>> {
    let empty = BTreeSet::new();
    let mut order = Vec::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for root in roots {
        let mut on_path: Vec<&str> = Vec::new();
        let mut stack: Vec<(&str, std::collections::btree_set::Iter<'_, String>)> = Vec::new();
        if done.contains(root.as_str()) {
            continue;
        }
        on_path.push(root);
        stack.push((root, edges.get(root).unwrap_or(&empty).iter()));
        while let Some(top) = stack.last_mut() {
            let node = top.0;
            match top.1.next() {
                Some(child) => {
                    let child = child.as_str();
                    if done.contains(child) {
                        continue;
                    }
                    if let Some(i) = on_path.iter().position(|p| *p == child) {
                        let cycle: Vec<&str> = on_path[i..]
                            .iter()
                            .copied()
                            .chain(std::iter::once(child))
                            .collect();
                        return Err(RuleError::new(
                            Category::LinkCycle,
                            format!(
                                "{}\nError: circular dependencies between modules: {}\nHint: \
                                 OCaml cannot link compilation units that use each other; move \
                                 what they share into a module of its own.",
                                crate::solver_failure::circular_dependencies(&on_path[i..]),
                                cycle.join(" -> ")
                            ),
                        )
                        .into());
                    }
                    on_path.push(child);
                    stack.push((child, edges.get(child).unwrap_or(&empty).iter()));
                }
                None => {
                    stack.pop();
                    on_path.pop();
                    done.insert(node);
                    order.push(node.to_string());
                }
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(stem: &str) -> ModuleSource {
        ModuleSource::new(stem, false, true)
    }

    fn graph(edges: &[(&str, &[&str])]) -> ModuleGraph {
        ModuleGraph {
            nodes: edges
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        (module(k), v.iter().map(|s| s.to_string()).collect()),
                    )
                })
                .collect(),
        }
    }

    fn names(v: &[Target]) -> Vec<&str> {
        v.iter().map(|t| t.as_str()).collect()
    }

    #[test]
    fn dependencies_first_siblings_in_path_order() {
        let g = graph(&[
            ("main", &["util", "lib/shapes"]),
            ("util", &[]),
            ("lib/shapes", &[]),
        ]);
        assert_eq!(
            names(&program_order(&g, "main", Mode::Native, &[]).unwrap()),
            ["lib/shapes.cmx", "util.cmx", "main.cmx"]
        );
    }

    #[test]
    fn shared_dependencies_appear_once() {
        let g = graph(&[("a", &["c", "b"]), ("b", &["c"]), ("c", &[])]);
        assert_eq!(
            names(&program_order(&g, "a", Mode::Byte, &[]).unwrap()),
            ["c.cmo", "b.cmo", "a.cmo"]
        );
    }

    #[test]
    fn cycles_are_errors() {
        let g = graph(&[("a", &["b"]), ("b", &["a"])]);
        let e = program_order(&g, "a", Mode::Byte, &[]).unwrap_err();
        assert!(e.to_string().contains("a.cmo -> b.cmo -> a.cmo"), "{e}");
    }

    #[test]
    fn library_modules_are_replaced_by_the_archive() {
        let g = graph(&[
            ("main", &["lib/a", "util"]),
            ("lib/a", &["lib/b", "util"]),
            ("lib/b", &[]),
            ("util", &[]),
            ("other/c", &[]),
        ]);
        let libs = [
            UsedLibrary {
                archive: Target::new("lib/foo.cma"),
                members: vec![module("lib/a"), module("lib/b")],
            },
            UsedLibrary {
                archive: Target::new("other/bar.cma"),
                members: vec![module("other/c")],
            },
        ];
        assert_eq!(
            names(&program_order(&g, "main", Mode::Byte, &libs).unwrap()),
            ["other/bar.cma", "util.cmo", "lib/foo.cma", "main.cmo"]
        );
    }

    #[test]
    fn units_keep_list_order_unless_dependencies_say_otherwise() {
        // As ocamlbuild: listing `B A` with B using A gives a.cmo b.cmo;
        // members going through a module outside the list are ordered too.
        let g = graph(&[
            ("b", &["a"]),
            ("a", &[]),
            ("z", &[]),
            ("y", &["u"]),
            ("u", &["x"]),
            ("x", &[]),
        ]);
        let members: Vec<ModuleSource> = ["b", "a", "z", "y", "x"].map(module).to_vec();
        assert_eq!(
            names(&units_order(&g, &members, Mode::Byte).unwrap()),
            ["a.cmo", "b.cmo", "z.cmo", "x.cmo", "y.cmo"]
        );
    }
}

#[cfg(test)]
mod rule_tests {
    use crate::rules::testing::Fixture;

    #[test]
    fn modules_using_each_other_through_interfaces_are_a_link_cycle() {
        // ocamlbuild 0.14.1, same tree, exit 9:
        // Circular dependencies: "a.cmo" already seen in [ "b.cmo"; "a.cmo" ]
        let b = Fixture::new(&[
            ("a.ml", "let x = B.y\n"),
            ("a.mli", "val x : int\n"),
            ("b.ml", "let y = 1 let z () = A.x\n"),
            ("b.mli", "val y : int val z : unit -> int\n"),
            ("main.ml", "let () = print_int A.x\n"),
        ])
        .build(&["main.byte"]);
        assert!(
            b.error().contains(
                "Circular dependencies: \"a.cmo\" already seen in [ \"b.cmo\"; \"a.cmo\" ]"
            ),
            "{b:#?}"
        );
        assert!(!b.lines().iter().any(|l| l.ends_with("-o main.byte")));
    }
}
