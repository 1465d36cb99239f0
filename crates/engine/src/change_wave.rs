//! The change wave: before the build asks for its targets, the tasks the
//! previous graph marks as affected are settled from the bottom up, level
//! by level, so that work stops where a value comes out unchanged.
//!
//! On each level, a task that must run is asked for (it runs); a task to
//! check is asked for only when one of its affected needs came out
//! changed, and is otherwise marked clean without being visited. A
//! `.mli` whose comment changed therefore costs its scan and its `.cmi`
//! (identical): the thousands of tasks above, affected on paper, are
//! marked clean level by level, in memory, and then taken from the graph
//! when the targets ask for them. This is tup's rule (propagate a change
//! only through outputs that changed) on top of the pull-based checking
//! in `graph_reuse.rs`, which stays the fallback for whatever the wave
//! did not settle (a level with a failure stops it).
//!
//! A task whose watched file changed runs in the wave even if the edit
//! made the targets stop needing it: it is built, never wrongly kept.

use std::sync::Arc;

use crate::prior_graph::NodeState;
use crate::scheduler::Inner;
use crate::target::Target;

impl Inner {
    /// Settles the affected tasks of the previous graph, level by level.
    pub(crate) async fn settle_changes(self: &Arc<Self>) {
        let Some(prior) = &self.prior else {
            return;
        };
        for level in prior.levels() {
            let mut asks = Vec::new();
            for &i in level {
                match prior.state(i) {
                    NodeState::Clean => {}
                    NodeState::Run => asks.push(i),
                    NodeState::Check => {
                        let moved = prior
                            .node(i)
                            .needs
                            .iter()
                            .flatten()
                            .any(|(_, j)| self.came_out_changed(*j));
                        if moved {
                            asks.push(i);
                        } else {
                            prior.set_clean(i);
                        }
                    }
                }
            }
            let requests = asks.iter().filter_map(|i| {
                let target = prior.asked_as(*i)?;
                Some(self.clone().request(Target::new(target), None))
            });
            let results = futures::future::join_all(requests).await;
            if results.iter().any(|r| r.is_err()) {
                // What is left is checked when the targets ask for it.
                return;
            }
        }
    }

    /// Whether recorded task `j`, settled on an earlier level, came out
    /// different from the previous graph (or did not come out).
    fn came_out_changed(&self, j: u32) -> bool {
        let Some(prior) = &self.prior else {
            return true;
        };
        if prior.state(j) == NodeState::Clean {
            return false;
        }
        !self.unchanged_here(&Target::new(&prior.node(j).key))
    }
}
