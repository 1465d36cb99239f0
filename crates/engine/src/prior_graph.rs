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
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::digest::{Digest, FileStat};
use crate::graph_file::GraphFile;
use crate::graph_record::{self, GraphNode};
use crate::null_build_record;
use crate::stored_value::{GroupSource, GroupTable, StoredGroup};

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
    file: Arc<GraphFile>,
    /// The nodes the patch replaced, decoded.
    patched: FxHashMap<u32, GraphNode>,
    state: Vec<AtomicU8>,
    /// The tasks that must run, where the change wave starts.
    run: Vec<u32>,
    groups: GroupTable,
    pub(crate) stats: PriorGraphStats,
}

/// The groups of a graph file and of its patch.
struct PriorGroups {
    file: Arc<GraphFile>,
    patch: FxHashMap<Digest, StoredGroup>,
}

impl GroupSource for PriorGroups {
    fn stored(&self, digest: &Digest) -> Option<StoredGroup> {
        match self.patch.get(digest) {
            Some(g) => Some(g.clone()),
            None => self.file.group(digest),
        }
    }
}

impl PriorGraph {
    /// The graph at `path` recorded under `key`, with each task's state;
    /// `None` without a usable graph. `known` lists the changed files
    /// when the caller statted them all; otherwise the graph's watched
    /// files are statted on `threads` threads. `removed` are files
    /// deleted since (absolute paths).
    pub(crate) fn load(
        path: &Path,
        key: &Digest,
        threads: usize,
        known: Option<&[PathBuf]>,
        removed: &[PathBuf],
    ) -> Option<PriorGraph> {
        let file = Arc::new(GraphFile::read(path, key)?);
        let mut patched = FxHashMap::default();
        let mut patch_groups = FxHashMap::default();
        if let Some(patch) = graph_record::read_patch(path, file.crc()) {
            for (i, node) in patch.nodes {
                // A patch keeps every task's needs: the base's tables
                // stand. One that does not is damaged.
                let base = file.node(i)?;
                if base.needs != node.needs || base.key != node.key {
                    return None;
                }
                patched.insert(i, node);
            }
            patch_groups = patch.groups.into_iter().map(|g| (g.digest, g)).collect();
        }
        let mut prior = PriorGraph {
            groups: GroupTable::over(Box::new(PriorGroups {
                file: file.clone(),
                patch: patch_groups,
            })),
            file,
            patched,
            state: Vec::new(),
            run: Vec::new(),
            stats: PriorGraphStats::default(),
        };
        let statted;
        let files = match known {
            Some(files) => files,
            None => {
                statted = null_build_record::changed_files(&prior.watched_files(), threads)?;
                &statted[..]
            }
        };
        let (run, changed_files) = prior.to_run(files.iter().chain(removed));
        let state = states(&prior.file, &run);
        prior.stats = PriorGraphStats {
            nodes: prior.file.len(),
            changed_files,
            run: run.len(),
            check: state.iter().filter(|s| **s == NodeState::Check).count(),
        };
        prior.state = state.into_iter().map(|s| AtomicU8::new(s as u8)).collect();
        prior.run = run;
        Some(prior)
    }

    /// The tasks that must run: those that watch one of `files` or always
    /// run; and how many watches of theirs changed.
    fn to_run<'a>(&self, files: impl Iterator<Item = &'a PathBuf>) -> (Vec<u32>, usize) {
        let files: FxHashSet<&str> = files.filter_map(|p| p.to_str()).collect();
        let mut run: FxHashSet<u32> = FxHashSet::default();
        let mut hits = 0;
        for f in &files {
            for i in self.file.watchers(f) {
                if !self.patched.contains_key(&i) {
                    hits += 1;
                    run.insert(i);
                }
            }
        }
        run.extend(self.file.always().filter(|i| !self.patched.contains_key(i)));
        for (i, node) in &self.patched {
            let changed = node
                .watches
                .iter()
                .filter(|(p, _)| files.contains(p.as_str()))
                .count();
            hits += changed;
            if changed > 0 || node.always_run {
                run.insert(*i);
            }
        }
        let mut run: Vec<u32> = run.into_iter().collect();
        run.sort_unstable();
        (run, hits)
    }

    /// Every watched file with its stat after the graph's build (the
    /// patched nodes' own).
    fn watched_files(&self) -> Vec<(PathBuf, FileStat)> {
        self.watched_files_over(&self.patched)
    }

    /// Every watched file with its stat, the watches of `over`'s nodes
    /// replacing those the file has for them.
    pub(crate) fn watched_files_over(
        &self,
        over: &FxHashMap<u32, GraphNode>,
    ) -> Vec<(PathBuf, FileStat)> {
        let mut out: Vec<(PathBuf, FileStat)> = self
            .file
            .watches()
            .filter(|w| !over.contains_key(&w.node))
            .map(|w| (PathBuf::from(w.path), w.stat))
            .collect();
        for node in over.values() {
            out.extend(node.watches.iter().map(|(p, s)| (PathBuf::from(p), *s)));
        }
        out
    }

    /// How many tasks the graph has.
    pub(crate) fn len(&self) -> usize {
        self.file.len()
    }

    /// The node that produced `target` in the recorded build.
    pub(crate) fn node_of(&self, target: &str) -> Option<u32> {
        self.file.node_of_target(target)
    }

    /// The node of task `key`.
    pub(crate) fn node_of_key(&self, key: &str) -> Option<u32> {
        self.file.node_of_key(key)
    }

    /// Task `i`, decoded (as patched); `None` when it cannot be read (the
    /// task then runs).
    pub(crate) fn node(&self, i: u32) -> Option<GraphNode> {
        match self.patched.get(&i) {
            Some(n) => Some(n.clone()),
            None => self.file.node(i),
        }
    }

    /// Task `i`'s key.
    pub(crate) fn key(&self, i: u32) -> &str {
        self.file.key(i)
    }

    /// The tasks task `i` asked for.
    pub(crate) fn needs(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        self.file.needs(i)
    }

    /// The tasks that asked for task `i`.
    pub(crate) fn askers(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        self.file.askers(i)
    }

    /// Task `i`'s height: higher than everything it asked for.
    pub(crate) fn height(&self, i: u32) -> u32 {
        self.file.height(i)
    }

    /// The targets the graph's build was asked for, with their nodes.
    pub(crate) fn roots(&self) -> Vec<(String, u32)> {
        self.file.roots().unwrap_or_default()
    }

    /// The tasks that must run, where the change wave starts.
    pub(crate) fn to_run_first(&self) -> &[u32] {
        &self.run
    }

    /// The CRC of the base file the graph was read from.
    pub(crate) fn base(&self) -> u32 {
        self.file.crc()
    }

    /// The nodes the patch replaced, with their nodes.
    pub(crate) fn patched(&self) -> &FxHashMap<u32, GraphNode> {
        &self.patched
    }

    pub(crate) fn state(&self, i: u32) -> NodeState {
        self.state
            .get(i as usize)
            .map_or(NodeState::Run, |s| NodeState::of(s.load(Ordering::SeqCst)))
    }

    /// Marks every task still to check, except `keep`, clean: the change
    /// wave went through and did not reach them.
    pub(crate) fn settle(&self, keep: &FxHashSet<u32>) {
        for (i, s) in self.state.iter().enumerate() {
            if !keep.contains(&(i as u32)) {
                let _ = s.compare_exchange(
                    NodeState::Check as u8,
                    NodeState::Clean as u8,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
            }
        }
    }

    /// A target task `i` was asked for under.
    pub(crate) fn asked_as(&self, i: u32) -> Option<&str> {
        self.file.asked_as(i)
    }

    pub(crate) fn groups(&self) -> &GroupTable {
        &self.groups
    }
}

/// Each node's state: `Run` for `run`, `Check` for every node that
/// reaches one through its needs, `Clean` for the rest.
fn states(file: &GraphFile, run: &[u32]) -> Vec<NodeState> {
    let mut state = vec![NodeState::Clean; file.len()];
    let mut stack: Vec<u32> = Vec::new();
    for i in run {
        if let Some(s) = state.get_mut(*i as usize) {
            *s = NodeState::Run;
            stack.push(*i);
        }
    }
    while let Some(i) = stack.pop() {
        for a in file.askers(i) {
            if state[a as usize] == NodeState::Clean {
                state[a as usize] = NodeState::Check;
                stack.push(a);
            }
        }
    }
    state
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
        let file = GraphFile::of_nodes(&nodes);
        let s = states(&file, &[0]);
        use NodeState::*;
        assert_eq!(s, vec![Run, Check, Clean, Check, Clean]);
        let heights: Vec<u32> = (0..5).map(|i| file.height(i)).collect();
        assert_eq!(heights, [0, 1, 0, 2, 0]);
    }
}
