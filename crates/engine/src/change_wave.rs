//! The change wave: before the build asks for its targets, the tasks the
//! previous graph marks as affected are settled from the bottom up, height
//! by height, so that work stops where a value comes out unchanged.
//!
//! The wave starts from the tasks that must run and goes up the graph's
//! askers table by height (a task is higher than everything it asked
//! for): a task that must run is asked for (it runs); a task to check is
//! asked for only when one of its needs came out changed. When the wave
//! is through, every task to check that it did not reach is marked
//! clean, without being visited or even decoded. A
//! `.mli` whose comment changed therefore costs its scan and its `.cmi`
//! (identical): the thousands of tasks above, affected on paper, are
//! marked clean in memory, and then taken from the graph
//! when the targets ask for them. This is tup's rule (propagate a change
//! only through outputs that changed) on top of the pull-based checking
//! in `graph_reuse.rs`, which stays the fallback for whatever the wave
//! did not settle (a height with a failure stops it).
//!
//! A task whose watched file changed runs in the wave even if the edit
//! made the targets stop needing it: it is built, never wrongly kept.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::prior_graph::NodeState;
use crate::scheduler::Inner;
use crate::target::Target;

impl Inner {
    /// Settles the affected tasks of the previous graph, lowest first.
    pub(crate) async fn settle_changes(self: &Arc<Self>) {
        let Some(prior) = &self.prior else {
            return;
        };
        // Height by height: a task is higher than all it asked for, so its
        // needs are settled before it is looked at.
        let mut wave: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let mut queued: FxHashSet<u32> = FxHashSet::default();
        for &i in prior.to_run_first() {
            queued.insert(i);
            wave.entry(prior.height(i)).or_default().push(i);
        }
        while let Some((_, level)) = wave.pop_first() {
            let requests = level.iter().filter_map(|i| {
                let target = prior.asked_as(*i)?;
                Some(self.clone().request(Target::new(target), None))
            });
            let results = futures::future::join_all(requests).await;
            if results.iter().any(|r| r.is_err()) {
                // What is left is checked when the targets ask for it.
                return;
            }
            for &i in &level {
                if !self.came_out_changed(i) {
                    continue;
                }
                for a in prior.askers(i) {
                    if prior.state(a) == NodeState::Check && queued.insert(a) {
                        wave.entry(prior.height(a)).or_default().push(a);
                    }
                }
            }
        }
        // The change went no further: every other task to check is clean.
        prior.settle(&queued);
    }

    /// Whether recorded task `j`, settled in the wave, came out different
    /// from the previous graph (or did not come out).
    fn came_out_changed(&self, j: u32) -> bool {
        let Some(prior) = &self.prior else {
            return true;
        };
        if prior.state(j) == NodeState::Clean {
            return false;
        }
        !self.unchanged_here(&Target::new(prior.key(j)))
    }
}
