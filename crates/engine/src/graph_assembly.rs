//! The graph of a finished build, assembled for the next one: every task
//! that ran, as it ran; every task taken from the previous graph, as it
//! was recorded; and every recorded task below those that nobody visited
//! (nothing under it changed), carried over. Saved after a successful
//! build ([`Engine::save_graph`]): as a patch of the previous graph when
//! every task that ran asked for what it asked before (found without
//! reading the others), else whole, streamed node by node (the carried
//! tasks are then decoded, to renumber what they asked for).

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::digest::FileStat;
use crate::graph_record::{self, GraphNode, GraphPatch, GraphWriter};
use crate::prior_graph::PriorGraphStats;
use crate::scheduler::{Engine, Inner, RanTask};
use crate::target::Target;
use crate::trace::TraceDb;

/// Where a node of the new graph comes from.
enum Origin {
    /// A task that ran in this build.
    Ran(Target),
    /// A node of the previous graph.
    Prior(u32),
}

impl Engine {
    /// How the previous graph applied to this build, if it did.
    pub fn prior_graph_stats(&self) -> Option<PriorGraphStats> {
        self.inner.prior.as_ref().map(|p| p.stats.clone())
    }

    /// How many tasks were taken from the previous graph without running.
    pub fn tasks_taken_from_graph(&self) -> usize {
        self.inner.lock_adopted().len()
    }

    /// Every file this build read or wrote, with its current stat (the
    /// watches of every task it ran or took, and of the traces probed):
    /// what the null-build record holds when no graph could be saved.
    pub fn touched_files(&self) -> Vec<(PathBuf, FileStat)> {
        let inner = &*self.inner;
        let mut keys: Vec<Target> = inner.lock_memo().keys().cloned().collect();
        keys.extend(inner.lock_probed().iter().cloned());
        let db = inner.lock_db();
        let mut files: Vec<(PathBuf, FileStat)> = keys
            .iter()
            .flat_map(|k| watches(inner, &db, k, &[]))
            .map(|(p, s)| (PathBuf::from(p), s))
            .collect();
        // Byte order, cheaper than `Path`'s component order, keeps a
        // directory's files together just as well.
        files.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
        files
    }

    /// Saves the graph of this build, whose results for `roots` all
    /// succeeded, at its location: as a patch of the previous graph when
    /// the build kept every task of it, added none and changed few, else
    /// whole. Returns every watched file with its stat (what the null-build
    /// record holds); `None` when no graph could be made or written (then
    /// none is left, and the next build walks every task).
    pub fn save_graph(&self, roots: &[Target]) -> Option<Vec<(PathBuf, FileStat)>> {
        let path = &self.inner.graph.as_ref()?.path;
        let saved = match self.graph_patch(roots) {
            Some((patch, files)) => graph_record::write_patch(path, &patch).ok().map(|_| files),
            None => origins(&self.inner).and_then(|o| self.write_whole(&o, path, roots)),
        };
        if saved.is_none() {
            let _ = graph_record::remove(path);
        }
        saved
    }

    /// This build's graph as a patch of the previous one, with every
    /// watched file; `None` when it is not one (a task added, a task that
    /// asked for other targets, other roots) or when more than a quarter
    /// of the nodes changed. Found without reading the unchanged tasks:
    /// when every task that ran asked for what it asked before, the
    /// graph's shape is the same, and the tasks that were not visited
    /// stand as they are.
    fn graph_patch(&self, roots: &[Target]) -> Option<(GraphPatch, Vec<(PathBuf, FileStat)>)> {
        let inner = &*self.inner;
        let prior = inner.prior.as_ref()?;
        let prior_roots = prior.roots();
        if roots.len() != prior_roots.len() {
            return None;
        }
        let keys = inner.lock_keys().clone();
        let answer = |t: &str| -> Option<u32> {
            let key = keys.get(&Target::new(t))?;
            prior.node_of_key(key.as_str())
        };
        for (t, (old, i)) in roots.iter().zip(&prior_roots) {
            if t.as_str() != old || answer(t.as_str()) != Some(*i) {
                return None;
            }
        }
        let db = inner.lock_db();
        let ran = inner.lock_ran();
        let adopted = inner.lock_adopted();
        let mut changed: FxHashMap<u32, GraphNode> = FxHashMap::default();
        for k in finished_runs(inner) {
            if adopted.contains_key(&k) {
                continue;
            }
            let i = prior.node_of_key(k.as_str())?;
            let node = ran_node(inner, &db, ran.get(&k)?, &k, &answer)?;
            let old = prior.node(i)?;
            if node.needs != old.needs {
                return None;
            }
            if node != old {
                changed.insert(i, node);
            }
        }
        let mut collector = std::mem::take(&mut *inner.lock_collector());
        for (i, node) in prior.patched() {
            if !changed.contains_key(i) {
                for g in &node.groups {
                    collector.add_stored(g, prior.groups());
                }
                changed.insert(*i, node.clone());
            }
        }
        if changed.len() * 4 > prior.len() {
            // Put back for the whole graph.
            *inner.lock_collector() = collector;
            return None;
        }
        let files = prior.watched_files_over(&changed);
        let mut nodes: Vec<(u32, GraphNode)> = changed.into_iter().collect();
        nodes.sort_unstable_by_key(|(i, _)| *i);
        let patch = GraphPatch {
            base: prior.base(),
            nodes,
            groups: collector.into_groups(),
        };
        Some((patch, files))
    }

    /// Writes the whole graph of this build, whose results for `roots` all
    /// succeeded, node by node (the graph is never held whole); every
    /// watched file with its stat, or `None` when a task's record is
    /// incomplete or the file cannot be written.
    fn write_whole(
        &self,
        origins: &[Origin],
        path: &Path,
        roots: &[Target],
    ) -> Option<Vec<(PathBuf, FileStat)>> {
        let inner = &*self.inner;
        let config = inner.graph.as_ref()?;
        let index: FxHashMap<&str, u32> = origins
            .iter()
            .enumerate()
            .map(|(i, o)| (key_of(inner, o), i as u32))
            .collect();
        let keys = inner.lock_keys();
        let answer = |t: &str| -> Option<u32> {
            let key = keys.get(&Target::new(t))?;
            index.get(key.as_str()).copied()
        };
        let mut root_nodes = Vec::with_capacity(roots.len());
        for t in roots {
            root_nodes.push((t.as_str().to_string(), answer(t.as_str())?));
        }
        let db = inner.lock_db();
        let ran = inner.lock_ran();
        let mut collector = std::mem::take(&mut *inner.lock_collector());
        let mut encoder = GraphWriter::create(path, &config.key, origins.len()).ok()?;
        let mut files = Vec::new();
        for origin in origins {
            let node = match origin {
                Origin::Prior(i) => {
                    let prior = inner.prior.as_ref()?;
                    let mut node = prior.node(*i)?;
                    for (_, j) in node.needs.iter_mut().flatten() {
                        *j = *index.get(prior.key(*j))?;
                    }
                    for g in &node.groups {
                        collector.add_stored(g, prior.groups());
                    }
                    node
                }
                Origin::Ran(k) => ran_node(inner, &db, ran.get(k)?, k, &answer)?,
            };
            encoder.node(&node).ok()?;
            files.extend(watched(std::iter::once(&node)));
        }
        encoder
            .finish(path, &root_nodes, &collector.into_groups())
            .ok()?;
        Some(files)
    }
}

/// The node of task `key`, which ran in this build as `r`; `answer` gives
/// the index of the node that answered a target.
fn ran_node(
    inner: &Inner,
    db: &TraceDb,
    r: &RanTask,
    key: &Target,
    answer: &dyn Fn(&str) -> Option<u32>,
) -> Option<GraphNode> {
    let mut needs = Vec::with_capacity(r.asked.len());
    for batch in &r.asked {
        let mut b = Vec::with_capacity(batch.len());
        for t in batch {
            b.push((t.as_str().to_string(), answer(t.as_str())?));
        }
        needs.push(b);
    }
    Some(GraphNode {
        key: key.as_str().to_string(),
        rule: r.rule.clone(),
        always_run: r.always_run,
        outputs: self_outputs(inner, key)?,
        data: r.data.as_ref().map(|d| d.bytes.clone()),
        groups: r
            .data
            .as_ref()
            .map(|d| d.groups.clone())
            .unwrap_or_default(),
        fingerprint: r.fingerprint,
        needs,
        watches: watches(inner, db, key, &r.probed),
    })
}

/// Every watched file of `nodes` with its stat.
fn watched<'a>(nodes: impl Iterator<Item = &'a GraphNode>) -> Vec<(PathBuf, FileStat)> {
    nodes
        .flat_map(|n| n.watches.iter())
        .map(|(p, s)| (PathBuf::from(p), *s))
        .collect()
}

/// Every task of the new graph with where it comes from: the finished runs
/// of this build (ran or taken from the previous graph), then the recorded
/// tasks reachable from the taken ones that this build never visited.
fn origins(inner: &Inner) -> Option<Vec<Origin>> {
    let memo_keys = finished_runs(inner);
    let prior = inner.prior.as_ref();
    // Which recorded tasks are in already, by index.
    let mut seen = vec![false; prior.map_or(0, |p| p.len())];
    let mut out: Vec<Origin> = Vec::with_capacity(memo_keys.len());
    let mut stack: Vec<u32> = Vec::new();
    {
        let adopted = inner.lock_adopted();
        let ran = inner.lock_ran();
        for k in memo_keys {
            if let Some(i) = prior.and_then(|p| p.node_of_key(k.as_str())) {
                seen[i as usize] = true;
            }
            if let Some(i) = adopted.get(&k) {
                stack.push(*i);
                out.push(Origin::Prior(*i));
            } else if ran.contains_key(&k) {
                out.push(Origin::Ran(k));
            } else {
                return None;
            }
        }
    }
    if let Some(prior) = prior {
        while let Some(i) = stack.pop() {
            for j in prior.needs(i) {
                if !seen[j as usize] {
                    seen[j as usize] = true;
                    out.push(Origin::Prior(j));
                    stack.push(j);
                }
            }
        }
    }
    Some(out)
}

/// The tasks of this build's finished runs (ran, or taken from the
/// previous graph).
fn finished_runs(inner: &Inner) -> Vec<Target> {
    inner
        .lock_memo()
        .iter()
        .filter(|(_, run)| matches!(run.fut.peek(), Some(Ok(_))))
        .map(|(k, _)| k.clone())
        .collect()
}

/// The key of the task `origin` names.
fn key_of<'a>(inner: &'a Inner, origin: &'a Origin) -> &'a str {
    match origin {
        Origin::Ran(k) => k.as_str(),
        Origin::Prior(i) => inner.prior.as_ref().map_or("", |p| p.key(*i)),
    }
}

/// The outputs task `key` finished with in this build.
fn self_outputs(inner: &Inner, key: &Target) -> Option<Vec<(String, crate::Digest)>> {
    let memo = inner.lock_memo();
    let run = memo.get(key)?;
    match run.fut.peek() {
        Some(Ok(v)) => Some(
            v.outputs
                .iter()
                .map(|(t, d)| (t.as_str().to_string(), *d))
                .collect(),
        ),
        _ => None,
    }
}

/// The files whose change makes task `key` run again: its source file, or
/// its action's outputs, and the outputs of the traces it probed, with
/// their stats now.
fn watches(
    inner: &Inner,
    db: &TraceDb,
    key: &Target,
    probed: &[Target],
) -> Vec<(String, FileStat)> {
    let root = inner.sources.root();
    let build = inner.store.root();
    let path = |p: PathBuf| p.to_string_lossy().into_owned();
    let mut out = Vec::new();
    if let Some(s) = db.source(key.as_str()) {
        // The copy in the build directory is derived from the source: the
        // source's stat stands for both.
        out.push((path(root.join(key.as_str())), s.source_stat));
    }
    for task in std::iter::once(key).chain(probed) {
        if let Some(t) = db.trace(task.as_str()) {
            for o in &t.outputs {
                out.push((path(build.join(&o.path)), o.stat));
            }
        }
    }
    out
}
