//! The previous build's graph, as this build starts: which of its tasks
//! can be taken as they were, which must be checked, and which must run.
//!
//! At open, the changed files are those the null-build check found (it
//! watches the same files), or, without that list, those the same check
//! finds among the graph's watched files. A task whose watched file changed, or that always
//! runs, must **run**. Every task that transitively asked for one of those
//! must be **checked**: its recorded needs are asked for again, batch by
//! batch, and if each answer is the same task with an unchanged value
//! (early cutoff: a recompiled `.cmi` that came out identical changes
//! nothing above it), the task is taken as it was; otherwise it runs.
//! Every other task is **clean**: nothing it read changed, so its recorded
//! value is its value, and neither it nor anything below it is visited.
//!
//! This is the scheme of the incremental engines that work from the change
//! outwards: tup's partial DAG (start from the changed files, go up the
//! reverse edges) for which tasks may be affected, and Salsa's and buck2
//! DICE's verification of recorded dependencies in order (stop at the
//! first changed one, since later ones may no longer be asked for) for
//! whether they are.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

use rustc_hash::FxHashMap;

use crate::digest::{Digest, FileStat};
use crate::graph_record::{self, GraphNode, GraphRecord};
use crate::null_build_record;
use crate::stored_value::GroupTable;

/// What the build does with a recorded task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeState {
    /// Nothing it read changed: its recorded value stands.
    Clean = 0,
    /// Something below it changed: check its needs, in order.
    Check = 1,
    /// A file it watches changed, or it always runs.
    Run = 2,
}

impl NodeState {
    fn of(n: u8) -> NodeState {
        match n {
            0 => NodeState::Clean,
            1 => NodeState::Check,
            _ => NodeState::Run,
        }
    }
}

/// How the previous graph applied, for `-stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PriorGraphStats {
    /// Tasks in the recorded graph.
    pub nodes: usize,
    /// Watched files found changed.
    pub changed_files: usize,
    /// Tasks that must run.
    pub run: usize,
    /// Tasks to check.
    pub check: usize,
}

/// The recorded graph, with the state of each task in this build.
pub(crate) struct PriorGraph {
    record: GraphRecord,
    by_target: FxHashMap<String, u32>,
    by_key: FxHashMap<String, u32>,
    /// A target each node was asked for under.
    asked_as: Vec<Option<String>>,
    state: Vec<AtomicU8>,
    /// The tasks to check or run, level by level: a task's needs among
    /// them are on earlier levels.
    levels: Vec<Vec<u32>>,
    groups: GroupTable,
    /// The CRC of the base file the graph was read from.
    pub(crate) base: u32,
    /// The nodes its patch replaced.
    pub(crate) patched: Vec<u32>,
    pub(crate) stats: PriorGraphStats,
}

impl PriorGraph {
    /// The graph at `path` recorded under `key`, with each task's state
    /// after statting its watched files on `threads` threads; `None`
    /// without a usable graph.
    /// `known` lists the changed files when the caller statted them all;
    /// `removed` are files deleted since (absolute paths).
    pub(crate) fn load(
        path: &Path,
        key: &Digest,
        threads: usize,
        known: Option<&[PathBuf]>,
        removed: &[PathBuf],
    ) -> Option<PriorGraph> {
        let read = graph_record::read(path, key)?;
        let (mut record, base, patched) = (read.record, read.base, read.patched);
        let statted;
        let files = match known {
            Some(files) => files,
            None => {
                let watched: Vec<(PathBuf, FileStat)> = record
                    .nodes
                    .iter()
                    .flat_map(|n| n.watches.iter())
                    .map(|(p, s)| (PathBuf::from(p), *s))
                    .collect();
                statted = null_build_record::changed_files(&watched, threads)?;
                &statted[..]
            }
        };
        let changed = nodes_watching(&record.nodes, files.iter().chain(removed));
        let state = states(&record.nodes, &changed);
        let levels = levels(&record.nodes, &state);
        let mut by_target = FxHashMap::default();
        let mut asked_as: Vec<Option<String>> = vec![None; record.nodes.len()];
        let asked = record
            .roots
            .iter()
            .chain(record.nodes.iter().flat_map(|n| n.needs.iter().flatten()));
        for (t, i) in asked {
            // Most targets are asked for by many tasks: one copy each.
            if !by_target.contains_key(t.as_str()) {
                by_target.insert(t.clone(), *i);
            }
            let first = &mut asked_as[*i as usize];
            if first.is_none() {
                *first = Some(t.clone());
            }
        }
        let by_key = record
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.key.clone(), i as u32))
            .collect();
        let groups = GroupTable::new(std::mem::take(&mut record.groups));
        let stats = PriorGraphStats {
            nodes: record.nodes.len(),
            changed_files: changed.iter().map(|(_, n)| n).sum(),
            run: state.iter().filter(|s| **s == NodeState::Run).count(),
            check: state.iter().filter(|s| **s == NodeState::Check).count(),
        };
        Some(PriorGraph {
            record,
            by_target,
            by_key,
            asked_as,
            state: state.into_iter().map(|s| AtomicU8::new(s as u8)).collect(),
            levels,
            groups,
            base,
            patched,
            stats,
        })
    }

    /// The node that produced `target` in the recorded build.
    pub(crate) fn node_of(&self, target: &str) -> Option<u32> {
        self.by_target.get(target).copied()
    }

    /// The node of task `key`.
    pub(crate) fn node_of_key(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    pub(crate) fn node(&self, i: u32) -> &GraphNode {
        &self.record.nodes[i as usize]
    }

    /// Every node, in order.
    pub(crate) fn nodes(&self) -> &[GraphNode] {
        &self.record.nodes
    }

    /// The targets the graph's build was asked for, with their nodes.
    pub(crate) fn roots(&self) -> &[(String, u32)] {
        &self.record.roots
    }

    pub(crate) fn state(&self, i: u32) -> NodeState {
        NodeState::of(self.state[i as usize].load(Ordering::SeqCst))
    }

    /// Marks task `i`, found unaffected, clean.
    pub(crate) fn set_clean(&self, i: u32) {
        self.state[i as usize].store(NodeState::Clean as u8, Ordering::SeqCst);
    }

    /// A target task `i` was asked for under.
    pub(crate) fn asked_as(&self, i: u32) -> Option<&str> {
        self.asked_as[i as usize].as_deref()
    }

    /// The tasks to check or run, level by level.
    pub(crate) fn levels(&self) -> &[Vec<u32>] {
        &self.levels
    }

    pub(crate) fn groups(&self) -> &GroupTable {
        &self.groups
    }
}

/// The nodes that watch one of `files` (with how many), or that always run
/// (with none): no stat needed.
fn nodes_watching<'a>(
    nodes: &[GraphNode],
    files: impl Iterator<Item = &'a PathBuf>,
) -> Vec<(u32, usize)> {
    // Compared as strings: the watches were written from the same paths.
    let files: rustc_hash::FxHashSet<&str> = files.filter_map(|p| p.to_str()).collect();
    nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let changed = n
                .watches
                .iter()
                .filter(|(p, _)| files.contains(p.as_str()))
                .count();
            (changed > 0 || n.always_run).then_some((i as u32, changed))
        })
        .collect()
}

/// Each node's state: `Run` for the changed ones, `Check` for every node
/// that reaches one through its needs, `Clean` for the rest.
fn states(nodes: &[GraphNode], changed: &[(u32, usize)]) -> Vec<NodeState> {
    let mut askers: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        for (_, j) in n.needs.iter().flatten() {
            askers[*j as usize].push(i as u32);
        }
    }
    let mut state = vec![NodeState::Clean; nodes.len()];
    let mut stack: Vec<u32> = Vec::new();
    for (i, _) in changed {
        state[*i as usize] = NodeState::Run;
        stack.push(*i);
    }
    while let Some(i) = stack.pop() {
        for a in &askers[i as usize] {
            if state[*a as usize] == NodeState::Clean {
                state[*a as usize] = NodeState::Check;
                stack.push(*a);
            }
        }
    }
    state
}

/// The nodes that are not clean, by level: a node's needs among them are
/// on earlier levels (Kahn's order). A node on a cycle (a damaged graph)
/// is on no level, and is checked when asked for.
fn levels(nodes: &[GraphNode], state: &[NodeState]) -> Vec<Vec<u32>> {
    let affected = |i: u32| state[i as usize] != NodeState::Clean;
    let mut waiting: FxHashMap<u32, usize> = FxHashMap::default();
    let mut askers: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    let mut level: Vec<u32> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let i = i as u32;
        if !affected(i) {
            continue;
        }
        let mut below: Vec<u32> = n
            .needs
            .iter()
            .flatten()
            .map(|(_, j)| *j)
            .filter(|j| affected(*j))
            .collect();
        below.sort_unstable();
        below.dedup();
        if below.is_empty() {
            level.push(i);
        } else {
            waiting.insert(i, below.len());
            for j in below {
                askers.entry(j).or_default().push(i);
            }
        }
    }
    let mut out = Vec::new();
    while !level.is_empty() {
        let mut next = Vec::new();
        for i in &level {
            for a in askers.get(i).into_iter().flatten() {
                if let Some(w) = waiting.get_mut(a) {
                    *w -= 1;
                    if *w == 0 {
                        next.push(*a);
                    }
                }
            }
        }
        out.push(std::mem::replace(&mut level, next));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(key: &str, needs: &[u32]) -> GraphNode {
        GraphNode {
            key: key.into(),
            rule: String::new(),
            always_run: false,
            outputs: Vec::new(),
            data: None,
            groups: Vec::new(),
            fingerprint: Digest::of_bytes(b""),
            needs: vec![needs.iter().map(|j| (format!("t{j}"), *j)).collect()],
            watches: Vec::new(),
        }
    }

    #[test]
    fn a_change_marks_its_askers_for_checking_and_leaves_the_rest_clean() {
        // 0 <- 1 <- 3, 2 <- 3, 4 alone
        let nodes = vec![
            node("a", &[]),
            node("b", &[0]),
            node("c", &[]),
            node("d", &[1, 2]),
            node("e", &[]),
        ];
        let s = states(&nodes, &[(0, 1)]);
        use NodeState::*;
        assert_eq!(s, vec![Run, Check, Clean, Check, Clean]);
        assert_eq!(levels(&nodes, &s), vec![vec![0], vec![1], vec![3]]);
    }
}
