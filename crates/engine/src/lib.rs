//! The caravan build engine: targets, rules, a suspending parallel scheduler
//! and a rebuilder with verifying traces. It knows nothing about OCaml.
//!
//! # Model
//!
//! In the vocabulary of *Build Systems à la Carte*:
//!
//! - the **store** is the build directory ([`Store`]) plus the trace log
//!   ([`TraceLog`]), an append-only file that survives being killed;
//! - a **task** ([`Task`]) is a rule applied to a target. [`Rules`] maps a
//!   target to the task producing it; a task may ask for more targets while it
//!   runs ([`TaskCx::need`]), so dependencies are discovered dynamically;
//! - the **scheduler** ([`Engine`]) runs each task once, in parallel, and
//!   gives at most `-j N` job slots to actions, ready actions with the longest
//!   remaining path (from the last build's durations) first;
//! - the **rebuilder** runs an [`Action`] only if its key (command,
//!   environment, digests of every input) or its outputs differ from its
//!   [`Trace`]. Digests are of content, so an output rebuilt identical stops
//!   the rebuild from spreading (early cutoff). A task may also ask,
//!   without running anything, whether an action would be found up to date
//!   ([`TaskCx::up_to_date`]): as its own (a recorded equivalent action
//!   stands for the one it would run) or as another task's (a probe of
//!   that task's trace).
//!
//! Source files are given as a [`SourceTree`]; a target naming a source is
//! imported (copied into the build directory when its content changed).
//!
//! # Example
//!
//! A rule that builds `X.upper` from the source `X`:
//!
//! ```
//! use std::sync::Arc;
//! use engine::*;
//! use futures::future::BoxFuture;
//!
//! struct Upper;
//! struct UpperTask(Target, Target);
//! impl Rules for Upper {
//!     fn producer(&self, t: &Target) -> Option<Producer> {
//!         let src = t.as_str().strip_suffix(".upper")?;
//!         Some(Producer { key: t.clone(), task: Arc::new(UpperTask(Target::new(src), t.clone())) })
//!     }
//! }
//! impl Task for UpperTask {
//!     fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
//!         Box::pin(async move {
//!             cx.need_one(&self.0).await?;
//!             let mut a = Action::process(vec!["sh".into(), "-c".into(),
//!                 format!("tr a-z A-Z < {} > {}", self.0, self.1)]);
//!             a.inputs.push(Input::File(self.0.clone()));
//!             a.outputs.push(self.1.clone());
//!             Ok(TaskValue::files(cx.run(a).await?))
//!         })
//!     }
//! }
//!
//! # let dir = tempfile::tempdir().unwrap();
//! # let root = dir.path();
//! std::fs::write(root.join("hello"), "hi\n").unwrap();
//! let engine = Engine::open(EngineConfig {
//!     build_dir: root.join("_build"),
//!     sources: SourceTree::new(root, ["hello".to_string()]),
//!     rules: Arc::new(Upper),
//!     executor: Arc::new(LocalExecutor),
//!     cache: None,
//!     command_env: Vec::new(),
//!     events: Arc::new(NoEvents),
//!     jobs: 2,
//!     forbid_runs: false,
//!     keep_going: false,
//!     graph: None,
//! }).unwrap();
//! let rt = tokio::runtime::Runtime::new().unwrap();
//! let results = rt.block_on(engine.build(&[Target::new("hello.upper")]));
//! assert!(results[0].is_ok());
//! assert_eq!(std::fs::read_to_string(root.join("_build/hello.upper")).unwrap(), "HI\n");
//! ```

#![deny(missing_docs)]

mod action;
mod action_cache;
mod change_wave;
mod critical_path;
mod digest;
mod error;
mod events;
mod executor;
mod explain;
mod graph_assembly;
mod graph_file;
pub mod graph_record;
mod graph_reuse;
mod lock;
mod log_bytes;
mod mutex;
pub mod null_build_record;
mod prior_graph;
mod rebuilder;
mod rule;
mod scheduler;
mod sharing;
mod slots;
mod source;
mod store;
mod stored_value;
mod target;
mod task;
mod trace;
mod trace_index;
mod trace_log;

pub use action::{
    ACTION_KEY_VERSION, Action, BUILD_DIR_PLACEHOLDER, Command, Input, InputGroup, InternalStep,
    LazyText, LogInfo, Prepare, expand_build_dir, shell_quote,
};
pub use action_cache::{ActionCache, CacheChain, CacheQuery, Offered, Restored};
pub use critical_path::CriticalPath;
pub use digest::{Digest, DigestBuilder, FileStat, files_hashed};
pub use error::{CommandFailure, Error, Result};
pub use events::{Event, EventSink, NoEvents};
pub use executor::{ExecOutcome, Executor, LocalExecutor};
pub use explain::Reason;
pub use graph_record::GraphConfig;
pub use lock::BuildLock;
pub use prior_graph::PriorGraphStats;
pub use rule::{Producer, Rules, Task, TaskValue};
pub use scheduler::{Built, Engine, EngineConfig, state_dir};
pub use sharing::Sharing;
pub use slots::{SlotGuard, Slots};
pub use source::SourceTree;
pub use store::{Store, remove_file_if_exists, write_atomic};
pub use stored_value::{DataReader, DataWriter, StoredGroup};
pub use target::Target;
pub use task::TaskCx;
pub use trace::{InputRecord, OutputRecord, Record, SourceRecord, Trace, TraceDb, TraceDetail};
pub use trace_log::{FORMAT_VERSION, LoadReport, TraceLog, read_records};
