//! How a build takes tasks from the previous build's graph
//! ([`PriorGraph`](crate::prior_graph)): the decision about each recorded
//! task asked for (taken as it was, or run), checking a task's recorded
//! needs in order, and what the build learns of each task it runs (what it
//! asked for, its encoded value and whether that value changed), from
//! which `graph_assembly.rs` makes the next graph.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::future::FutureExt;

use crate::error::Result;
use crate::graph_record::GraphNode;
use crate::prior_graph::NodeState;
use crate::rule::TaskValue;
use crate::scheduler::{Built, Inner, RanTask, Run};
use crate::stored_value::{self, DataReader, DataWriter, EncodedData};
use crate::target::Target;
use crate::task::TaskCx;

impl Inner {
    /// `target` as the previous graph has it, when its task can be taken
    /// as it was; `None` when the task must run (or the graph does not
    /// know the target).
    pub(crate) async fn from_prior(
        self: &Arc<Self>,
        target: &Target,
        requester: Option<&Target>,
    ) -> Result<Option<Built>> {
        let Some(prior) = &self.prior else {
            return Ok(None);
        };
        let Some(i) = prior.node_of(target.as_str()) else {
            return Ok(None);
        };
        let key = Target::new(prior.key(i));
        let value = match prior.state(i) {
            NodeState::Run => None,
            NodeState::Clean => self.take_recorded(i, &key),
            NodeState::Check => {
                let decision = self.decision(i, &key);
                self.wait_for(&key, target, decision, requester).await?
            }
        };
        let Some(value) = value else {
            return Ok(None);
        };
        let digest = value.digest_of(target);
        let Some(digest) = digest else {
            return Ok(None);
        };
        self.lock_keys().insert(target.clone(), key);
        Ok(Some(Built {
            target: target.clone(),
            digest,
            value,
        }))
    }

    /// The (shared) check of recorded task `i`, started the first time.
    fn decision(self: &Arc<Self>, i: u32, key: &Target) -> crate::scheduler::Decision {
        let mut decisions = self.lock_decisions();
        if let Some(d) = decisions.get(&i) {
            return d.clone();
        }
        let inner = self.clone();
        let key = key.clone();
        let check = async move {
            let handle = tokio::spawn(async move { inner.check(i, key).await });
            match handle.await {
                Ok(r) => r,
                Err(e) => Err(crate::Error::internal(format!(
                    "checking a recorded task stopped abnormally: {e}"
                ))),
            }
        }
        .boxed()
        .shared();
        decisions.insert(i, check.clone());
        check
    }

    /// Asks again for what recorded task `i` asked for, batch by batch;
    /// its recorded value when every answer came from the same task with
    /// an unchanged value, `None` at the first difference.
    async fn check(self: Arc<Self>, i: u32, key: Target) -> Result<Option<Arc<TaskValue>>> {
        let Some(prior) = &self.prior else {
            return Ok(None);
        };
        let Some(node) = prior.node(i) else {
            return Ok(None);
        };
        for batch in &node.needs {
            let asks = batch
                .iter()
                .map(|(t, _)| self.clone().request(Target::new(t), Some(key.clone())));
            futures::future::try_join_all(asks).await?;
            for (t, j) in batch {
                if !self.same_answer(t, prior.key(*j)) {
                    return Ok(None);
                }
            }
        }
        Ok(self.take_recorded(i, &key))
    }

    /// Whether `target` was answered in this build by task `recorded_key`
    /// with a value unchanged since the previous graph.
    fn same_answer(&self, target: &str, recorded_key: &str) -> bool {
        let key = self.lock_keys().get(&Target::new(target)).cloned();
        let Some(key) = key else {
            return false;
        };
        key.as_str() == recorded_key && self.unchanged_here(&key)
    }

    /// Whether task `key` came out in this build as the previous graph
    /// has it: taken from it, or run with the same fingerprint.
    pub(crate) fn unchanged_here(&self, key: &Target) -> bool {
        self.lock_adopted().contains_key(key)
            || self.lock_ran().get(key).is_some_and(|r| r.unchanged)
    }

    /// Recorded task `i` (key `key`) taken into this build with its
    /// recorded value; `None` when its value cannot be decoded or the
    /// task already has a run here (then that run is the one to use).
    fn take_recorded(&self, i: u32, key: &Target) -> Option<Arc<TaskValue>> {
        let prior = self.prior.as_ref()?;
        let node = prior.node(i)?;
        let value = self.recorded_value(&node)?;
        self.adopt(key, i, &value, node.rule).then_some(value)
    }

    /// Takes recorded task `i` (key `key`, rule `rule`) with `value` into
    /// this build: it becomes the task's finished run. `false` when the
    /// task already has a run here (then that run is the one to use).
    fn adopt(&self, key: &Target, i: u32, value: &Arc<TaskValue>, rule: String) -> bool {
        let mut memo = self.lock_memo();
        if memo.contains_key(key) {
            return false;
        }
        let ready: crate::scheduler::TaskFuture =
            futures::future::ready(Ok(value.clone())).boxed().shared();
        // Computed now, so that it reads as a finished run (`peek`).
        let _ = ready.clone().now_or_never();
        let order = self.next_order();
        memo.insert(
            key.clone(),
            Run {
                fut: ready,
                rule,
                acted: Arc::new(AtomicBool::new(true)),
                order,
            },
        );
        drop(memo);
        self.lock_adopted().insert(key.clone(), i);
        true
    }

    /// Records what task `key` did in this build, after it succeeded with
    /// `value`.
    pub(crate) fn note_ran(
        &self,
        key: &Target,
        cx: &TaskCx,
        value: &TaskValue,
        rule: String,
        volatile: bool,
    ) {
        let (asked, probed) = cx.take_asked();
        let data = value.data.as_ref().map(|d| {
            let mut collector = self.lock_collector();
            let mut w = DataWriter::new(&mut collector);
            let bytes = self.rules.encode_data(&**d, &mut w)?;
            Some(EncodedData {
                bytes,
                groups: w.into_named(),
            })
        });
        let undecodable = matches!(data, Some(None));
        let data = data.flatten();
        let outputs: Vec<(String, crate::Digest)> = value
            .outputs
            .iter()
            .map(|(t, d)| (t.as_str().to_string(), *d))
            .collect();
        let fingerprint =
            stored_value::fingerprint(&outputs, data.as_ref().map(|e| e.bytes.as_slice()));
        let always_run = volatile || undecodable;
        let unchanged = !always_run
            && self.prior.as_ref().is_some_and(|p| {
                p.node_of_key(key.as_str())
                    .and_then(|i| p.node(i))
                    .is_some_and(|n| n.fingerprint == fingerprint)
            });
        self.lock_ran().insert(
            key.clone(),
            RanTask {
                asked,
                probed,
                rule,
                always_run,
                data,
                fingerprint,
                unchanged,
            },
        );
    }

    /// The recorded value of `node`, decoded; `None` when its data
    /// cannot be decoded (the task then runs).
    fn recorded_value(&self, node: &GraphNode) -> Option<Arc<TaskValue>> {
        let prior = self.prior.as_ref()?;
        let data = match &node.data {
            Some(bytes) => Some(
                self.rules
                    .decode_data(bytes, &DataReader::new(prior.groups()))?,
            ),
            None => None,
        };
        Some(Arc::new(TaskValue {
            outputs: node
                .outputs
                .iter()
                .map(|(t, d)| (Target::new(t), *d))
                .collect(),
            data,
        }))
    }

    /// The order number of the next run.
    fn next_order(&self) -> usize {
        self.starts.fetch_add(1, Ordering::SeqCst)
    }
}
