//! The graph of a finished build, assembled for the next one: every task
//! that ran, as it ran; every task taken from the previous graph, as it
//! was recorded; and every recorded task below those that nobody visited
//! (nothing under it changed), carried over unread. Written by the caller
//! after a successful build ([`crate::graph_record::write`]).

use std::path::PathBuf;

use rustc_hash::FxHashMap;

use crate::digest::FileStat;
use crate::graph_record::{GraphNode, GraphRecord};
use crate::prior_graph::PriorGraphStats;
use crate::scheduler::{Engine, Inner};
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

    /// The graph of this build, whose results for `roots` all succeeded;
    /// `None` without a graph location, or when a task's record is
    /// incomplete (the next build then walks every task).
    pub fn record_graph(&self, roots: &[Target]) -> Option<GraphRecord> {
        let inner = &*self.inner;
        let config = inner.graph.as_ref()?;
        let origins = origins(inner)?;
        let index: FxHashMap<&str, u32> = origins
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.as_str(), i as u32))
            .collect();
        let keys = inner.lock_keys().clone();
        let answer = |t: &str| -> Option<u32> {
            let key = keys.get(&Target::new(t))?;
            index.get(key.as_str()).copied()
        };
        let db = inner.lock_db();
        let ran = inner.lock_ran();
        let mut collector = std::mem::take(&mut *inner.lock_collector());
        let mut nodes = Vec::with_capacity(origins.len());
        for (key, origin) in &origins {
            let node = match origin {
                Origin::Prior(i) => {
                    let prior = inner.prior.as_ref()?;
                    let old = prior.node(*i);
                    let mut node = old.clone();
                    for (_, j) in node.needs.iter_mut().flatten() {
                        *j = *index.get(prior.node(*j).key.as_str())?;
                    }
                    for g in &old.groups {
                        collector.add_stored(g, prior.groups());
                    }
                    node
                }
                Origin::Ran(k) => {
                    let r = ran.get(k)?;
                    let mut needs = Vec::with_capacity(r.asked.len());
                    for batch in &r.asked {
                        let mut b = Vec::with_capacity(batch.len());
                        for t in batch {
                            b.push((t.as_str().to_string(), answer(t.as_str())?));
                        }
                        needs.push(b);
                    }
                    let value_outputs = self_outputs(inner, k)?;
                    GraphNode {
                        key: key.clone(),
                        rule: r.rule.clone(),
                        always_run: r.always_run,
                        outputs: value_outputs,
                        data: r.data.as_ref().map(|d| d.bytes.clone()),
                        groups: r
                            .data
                            .as_ref()
                            .map(|d| d.groups.clone())
                            .unwrap_or_default(),
                        fingerprint: r.fingerprint,
                        needs,
                        watches: watches(inner, &db, k, &r.probed),
                    }
                }
            };
            nodes.push(node);
        }
        let mut root_nodes = Vec::with_capacity(roots.len());
        for t in roots {
            root_nodes.push((t.as_str().to_string(), answer(t.as_str())?));
        }
        Some(GraphRecord {
            key: config.key,
            nodes,
            roots: root_nodes,
            groups: collector.into_groups(),
        })
    }
}

/// Every task of the new graph with where it comes from: the finished runs
/// of this build (ran or taken from the previous graph), then the recorded
/// tasks reachable from the taken ones that this build never visited.
fn origins(inner: &Inner) -> Option<Vec<(String, Origin)>> {
    let memo_keys: Vec<Target> = inner
        .lock_memo()
        .iter()
        .filter(|(_, run)| matches!(run.fut.peek(), Some(Ok(_))))
        .map(|(k, _)| k.clone())
        .collect();
    let adopted = inner.lock_adopted().clone();
    let mut out: Vec<(String, Origin)> = Vec::with_capacity(memo_keys.len());
    let mut seen: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
    let mut stack: Vec<u32> = Vec::new();
    {
        let ran = inner.lock_ran();
        for k in memo_keys {
            if let Some(i) = adopted.get(&k) {
                stack.push(*i);
                seen.insert(k.as_str().to_string());
                out.push((k.as_str().to_string(), Origin::Prior(*i)));
            } else if ran.contains_key(&k) {
                seen.insert(k.as_str().to_string());
                out.push((k.as_str().to_string(), Origin::Ran(k)));
            } else {
                return None;
            }
        }
    }
    if let Some(prior) = &inner.prior {
        while let Some(i) = stack.pop() {
            for (_, j) in prior.node(i).needs.iter().flatten() {
                let key = &prior.node(*j).key;
                if seen.insert(key.clone()) {
                    out.push((key.clone(), Origin::Prior(*j)));
                    stack.push(*j);
                }
            }
        }
    }
    Some(out)
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
    if let Some(s) = db.sources.get(key.as_str()) {
        out.push((path(root.join(key.as_str())), s.source_stat));
    }
    for task in std::iter::once(key).chain(probed) {
        if let Some(t) = db.traces.get(task.as_str()) {
            for o in &t.outputs {
                out.push((path(build.join(&o.path)), o.stat));
            }
        }
    }
    out
}
