//! `-graph FORMAT`: the build graph as the last builds recorded it, read
//! from the trace log (`_build/.caravan/traces`) without building.
//!
//! A node is a task (named by its key, a path relative to the build
//! directory, with its outputs and command) or a source file read by a
//! task and produced by none. An edge `from -> to` says task `from` read a
//! file of `to` (an output of task `to`, or the source `to`): edges point
//! from a target to what it needs. Only the nodes reachable from the
//! requested targets are written (every recorded task when none is named);
//! a target is found by task key or by any output of a task.
//!
//! `json`:
//!
//! ```text
//! {"roots": ["main.native"],
//!  "nodes": [{"name": "main.native", "kind": "task", "outputs": ["main.native"],
//!             "command": "/usr/bin/ocamlopt.opt a.cmx main.cmx -o main.native"},
//!            {"name": "a.ml", "kind": "source"}, ...],
//!  "edges": [{"from": "main.native", "to": "a.cmx"}, ...]}
//! ```
//!
//! `dot` (Graphviz): the same nodes, sources as boxes, and edges.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use engine::{TraceDb, shell_quote};
use serde::Serialize;

/// The graph of the recorded tasks reachable from some targets.
#[derive(Debug, Serialize)]
pub struct BuildGraph {
    roots: Vec<String>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

#[derive(Debug, Serialize)]
struct Node {
    name: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    outputs: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    command: String,
}

#[derive(Debug, Serialize)]
struct Edge {
    from: String,
    to: String,
}

/// A recorded task.
struct Task {
    outputs: Vec<String>,
    command: String,
    inputs: Vec<String>,
}

/// The recorded tasks of a build directory.
pub struct Recorded {
    tasks: BTreeMap<String, Task>,
    /// Output path -> task.
    producers: HashMap<String, String>,
}

impl Recorded {
    /// Reads the trace log of `build_dir`; an absent log is an empty graph.
    pub fn load(build_dir: &Path) -> std::io::Result<Recorded> {
        let path = engine::state_dir(build_dir).join("traces");
        let records = match engine::read_records(&path) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut db = TraceDb::default();
        for r in records {
            db.apply(r);
        }
        let mut tasks = BTreeMap::new();
        let mut producers = HashMap::new();
        for trace in db.traces() {
            let key = trace.task.clone();
            let detail = trace.detail();
            let outputs: Vec<String> = trace.outputs.iter().map(|o| o.path.clone()).collect();
            for o in &outputs {
                producers.insert(o.clone(), key.clone());
            }
            producers.insert(key.clone(), key.clone());
            let words: Vec<String> = detail.command.iter().map(|w| shell_quote(w)).collect();
            tasks.insert(
                key,
                Task {
                    outputs,
                    command: words.join(" "),
                    inputs: detail.inputs.into_iter().map(|i| i.path).collect(),
                },
            );
        }
        Ok(Recorded { tasks, producers })
    }

    /// The task that produces `target`, if one was recorded.
    pub fn producer(&self, target: &str) -> Option<&str> {
        self.producers.get(target).map(String::as_str)
    }

    /// The tasks reachable from `targets` (all tasks when empty) and the
    /// sources they read, with the edges between them.
    pub fn graph(&self, targets: &[String]) -> BuildGraph {
        let mut todo: Vec<String> = if targets.is_empty() {
            self.tasks.keys().cloned().collect()
        } else {
            targets
                .iter()
                .filter_map(|t| self.producer(t).map(str::to_string))
                .collect()
        };
        let roots = todo.clone();
        let mut seen: BTreeSet<String> = todo.iter().cloned().collect();
        let mut sources = BTreeSet::new();
        let mut edges = BTreeSet::new();
        while let Some(key) = todo.pop() {
            let Some(task) = self.tasks.get(&key) else {
                continue;
            };
            for input in &task.inputs {
                match self.producer(input) {
                    Some(p) => {
                        edges.insert((key.clone(), p.to_string()));
                        if seen.insert(p.to_string()) {
                            todo.push(p.to_string());
                        }
                    }
                    None => {
                        edges.insert((key.clone(), input.clone()));
                        sources.insert(input.clone());
                    }
                }
            }
        }
        let mut nodes = Vec::new();
        for key in &seen {
            if let Some(task) = self.tasks.get(key) {
                nodes.push(Node {
                    name: key.clone(),
                    kind: "task",
                    outputs: task.outputs.clone(),
                    command: task.command.clone(),
                });
            }
        }
        for s in sources {
            nodes.push(Node {
                name: s,
                kind: "source",
                outputs: Vec::new(),
                command: String::new(),
            });
        }
        BuildGraph {
            roots,
            nodes,
            edges: edges
                .into_iter()
                .map(|(from, to)| Edge { from, to })
                .collect(),
        }
    }

    /// The tasks reachable from `target` (itself included).
    pub fn leading_to(&self, target: &str) -> BTreeSet<String> {
        self.graph(&[target.to_string()])
            .nodes
            .into_iter()
            .filter(|n| n.kind == "task")
            .map(|n| n.name)
            .collect()
    }

    /// The outputs of recorded task `key`.
    pub fn outputs(&self, key: &str) -> &[String] {
        self.tasks.get(key).map_or(&[], |t| &t.outputs)
    }
}

impl BuildGraph {
    /// The graph as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The graph in Graphviz's dot language.
    pub fn to_dot(&self) -> String {
        let mut s = String::from("digraph build {\n  rankdir=LR;\n");
        for n in &self.nodes {
            let shape = if n.kind == "source" { "box" } else { "ellipse" };
            let _ = writeln!(s, "  {} [shape={shape}];", quote(&n.name));
        }
        for e in &self.edges {
            let _ = writeln!(s, "  {} -> {};", quote(&e.from), quote(&e.to));
        }
        s.push_str("}\n");
        s
    }
}

/// A dot identifier: a double-quoted string.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}
