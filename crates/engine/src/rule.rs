//! Rules: how the engine learns which task produces a target.
//!
//! The engine knows nothing of what it builds. A [`Rules`] value, given at
//! start, maps a target to a [`Producer`]: the key of the task that produces
//! it (several targets may share one task, e.g. `a.cmo` and `a.cmi`) and the
//! task itself. A [`Task`] is an async computation that may ask for more
//! targets while it runs (it *suspends* on them), and usually ends by running
//! one [`Action`](crate::Action).

use std::any::Any;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::digest::Digest;
use crate::error::Result;
use crate::stored_value::{DataReader, DataWriter};
use crate::target::Target;
use crate::task::TaskCx;

/// The rule set of a build.
pub trait Rules: Send + Sync + 'static {
    /// The task that produces `target`, or `None` when no rule applies.
    /// Source files are found by the engine before rules are consulted.
    fn producer(&self, target: &Target) -> Option<Producer>;

    /// Every task that may produce `target`, in the order they are to be
    /// tried (by default, [`Rules::producer`]'s alone). The engine runs the
    /// first; when it fails because what it is made from cannot be built
    /// ([`crate::Error::is_inapplicable`]) before it ran any action, the
    /// engine backtracks to the next, as ocamlbuild's solver does.
    fn candidates(&self, target: &Target) -> Vec<Producer> {
        self.producer(target).into_iter().collect()
    }

    /// Encodes a task's [`TaskValue::data`] for the persistent graph
    /// (groups through [`DataWriter::group`]); `None` when the rules do not
    /// know the type (by default): the task then runs at every build in
    /// which it is asked for, and so do the tasks that asked for it.
    fn encode_data(&self, data: &(dyn Any + Send + Sync), out: &mut DataWriter) -> Option<Vec<u8>> {
        let _ = (data, out);
        None
    }

    /// Decodes what [`Rules::encode_data`] wrote; `None` when it cannot
    /// (the task then runs).
    fn decode_data(&self, bytes: &[u8], groups: &DataReader) -> Option<Arc<dyn Any + Send + Sync>> {
        let _ = (bytes, groups);
        None
    }
}

/// A task able to produce a target, with the key that identifies it.
pub struct Producer {
    /// The task's key: its primary output. Every target mapped to the same key
    /// is produced by one run of one task.
    pub key: Target,
    /// The task.
    pub task: Arc<dyn Task>,
}

/// A rule applied to a target.
pub trait Task: Send + Sync + 'static {
    /// Runs the task. It asks for its inputs through `cx`, runs its actions
    /// through `cx`, and returns the digests of what it produced.
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>>;

    /// Which rule the task applies, among the [`Rules::candidates`] of a
    /// target that share its key (the default, `""`, for a rule set's one
    /// rule of that key). A run of another rule that did not apply is
    /// replaced by this task's; a run of the same rule is shared.
    fn rule_id(&self) -> &str {
        ""
    }

    /// Whether the task's logic reads what the engine does not see (files
    /// it never asks for, state outside the build): then it runs at every
    /// build in which it is asked for, never taken from the persistent
    /// graph (by default, no).
    fn volatile(&self) -> bool {
        false
    }
}

/// What a task produced.
#[derive(Clone, Default)]
pub struct TaskValue {
    /// Every target the task produced, with its digest.
    pub outputs: Vec<(Target, Digest)>,
    /// Rule-specific data handed to the tasks that asked for this one (for
    /// example the transitive interfaces of a module).
    pub data: Option<Arc<dyn Any + Send + Sync>>,
}

impl TaskValue {
    /// A value with outputs and no data.
    pub fn files(outputs: Vec<(Target, Digest)>) -> TaskValue {
        TaskValue {
            outputs,
            data: None,
        }
    }

    /// The digest of one output.
    pub fn digest_of(&self, target: &Target) -> Option<Digest> {
        self.outputs
            .iter()
            .find(|(t, _)| t == target)
            .map(|(_, d)| *d)
    }

    /// The rule-specific data, if it has type `T`.
    pub fn data<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.data.as_ref().and_then(|d| d.downcast_ref::<T>())
    }
}

impl std::fmt::Debug for TaskValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskValue")
            .field("outputs", &self.outputs)
            .finish()
    }
}
