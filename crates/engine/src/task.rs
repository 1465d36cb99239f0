//! `TaskCx`: what a running task can do.
//!
//! A task asks for targets with [`TaskCx::need`] (suspending until they are
//! built, in parallel) and runs actions with [`TaskCx::run`]. The context
//! remembers the digest of everything the task asked for, and an action may
//! only declare as inputs files its task asked for: declared inputs are
//! therefore always built, and the action's key is computed from their
//! digests.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::action::Action;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::mutex::lock;
use crate::rebuilder;
use crate::scheduler::{Built, Inner};
use crate::target::Target;

/// The context of one running task.
pub struct TaskCx {
    inner: Arc<Inner>,
    key: Target,
    known: Mutex<FxHashMap<Target, Digest>>,
    /// Set once the task ran (or found up to date) an action.
    acted: Arc<AtomicBool>,
    /// What the task asked for, call by call (for the persistent graph).
    asked: Mutex<Vec<Vec<Target>>>,
    /// The other tasks whose traces it probed.
    probed: Mutex<Vec<Target>>,
}

impl TaskCx {
    pub(crate) fn new(inner: Arc<Inner>, key: Target, acted: Arc<AtomicBool>) -> TaskCx {
        TaskCx {
            inner,
            key,
            known: Mutex::new(FxHashMap::default()),
            acted,
            asked: Mutex::new(Vec::new()),
            probed: Mutex::new(Vec::new()),
        }
    }

    /// What the task asked for, call by call, and the tasks whose traces
    /// it probed.
    pub(crate) fn take_asked(&self) -> (Vec<Vec<Target>>, Vec<Target>) {
        let asked = std::mem::take(&mut *lock(&self.asked));
        let probed = std::mem::take(&mut *lock(&self.probed));
        (asked, probed)
    }

    /// Notes that the task reached an action: from now on, a failure of
    /// this run is the target's, never a reason to try another rule.
    pub(crate) fn mark_acted(&self) {
        self.acted.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// The key of this task (its primary target).
    pub fn key(&self) -> &Target {
        &self.key
    }

    /// The build directory.
    pub fn build_dir(&self) -> &Path {
        self.inner.store.root()
    }

    /// Builds `targets` in parallel and returns them in order. The first
    /// failure is returned (the others keep building for whoever needs them).
    pub async fn need(&self, targets: &[Target]) -> Result<Vec<Built>> {
        if !targets.is_empty() {
            lock(&self.asked).push(targets.to_vec());
        }
        let requests = targets.iter().map(|t| {
            self.inner
                .clone()
                .request(t.clone(), Some(self.key.clone()))
        });
        let built = futures::future::try_join_all(requests)
            .await
            .map_err(|e| self.annotate(e))?;
        let mut known = lock(&self.known);
        for b in &built {
            known.insert(b.target.clone(), b.digest);
        }
        Ok(built)
    }

    /// Like [`need`](TaskCx::need), and every output of the tasks that made
    /// `targets` becomes known too, so actions may declare them as inputs
    /// (a compilation that wrote `x.cmo` and `x.cmi` at once, needed for
    /// the `.cmi`).
    pub async fn need_with_outputs(&self, targets: &[Target]) -> Result<Vec<Built>> {
        let built = self.need(targets).await?;
        self.learn(built.iter().flat_map(|b| b.value.outputs.iter()));
        Ok(built)
    }

    /// Makes these digests known to the task, so that its actions may
    /// declare the files as inputs.
    fn learn<'a>(&self, outputs: impl Iterator<Item = &'a (Target, Digest)>) {
        let mut known = lock(&self.known);
        for (t, d) in outputs {
            known.insert(t.clone(), *d);
        }
    }

    /// Starts building `targets` without waiting for them; a later
    /// [`need`](TaskCx::need) joins the runs already under way. Unknown
    /// targets are ignored here and reported by `need`.
    pub fn prefetch(&self, targets: &[Target]) {
        for t in targets {
            self.inner.prefetch(t);
        }
    }

    /// Builds one target.
    pub async fn need_one(&self, target: &Target) -> Result<Built> {
        let mut v = self.need(std::slice::from_ref(target)).await?;
        v.pop()
            .ok_or_else(|| Error::internal("need returned nothing"))
    }

    /// Whether a source or a rule can produce `target` (without building it).
    pub fn can_build(&self, target: &Target) -> bool {
        self.inner.can_build(target)
    }

    /// Whether `path` is a source file of the project.
    pub fn is_source(&self, path: &str) -> bool {
        self.inner.sources.contains(path)
    }

    /// The digest of a target this task asked for.
    pub fn digest_of(&self, target: &Target) -> Option<Digest> {
        self.known.lock().ok()?.get(target).copied()
    }

    /// Reads a built target's content.
    pub fn read(&self, target: &Target) -> Result<Vec<u8>> {
        let p = self.inner.store.path(target);
        std::fs::read(&p).map_err(|e| Error::io(&p, e))
    }

    /// Runs `action` unless its trace shows it up to date; returns the
    /// digests of its outputs.
    pub async fn run(&self, action: Action) -> Result<Vec<(Target, Digest)>> {
        rebuilder::run_action(self, action).await.map(|(o, _)| o)
    }

    /// Whether the trace log holds a trace of `task` (a task key), whatever
    /// its action: a cheap test before preparing an action to probe.
    pub fn has_trace(&self, task: &Target) -> bool {
        if task != &self.key {
            lock(&self.probed).push(task.clone());
        }
        self.inner.lock_db().has_trace(task.as_str())
    }

    /// Whether `action` would be found up to date as the action of `task`
    /// (this task's key, or another task's): `Some` with its outputs'
    /// digests when the trace of `task` holds the action's key and its
    /// outputs are unchanged, `None` otherwise. Nothing runs either way, and
    /// no trace is written but a refreshed stat.
    ///
    /// For this task's own key it lets a task accept a recorded action
    /// equivalent to the one it would run (the event is then the cached
    /// action's). For another task it is a probe: the outputs become known
    /// to this task (so its actions may declare them as inputs) without
    /// that task running in this build; the probed trace's outputs count
    /// among the files the build touched.
    pub fn up_to_date(
        &self,
        task: &Target,
        action: &Action,
    ) -> Result<Option<Vec<(Target, Digest)>>> {
        let found = rebuilder::up_to_date(self, task, action)?;
        if task != &self.key {
            lock(&self.probed).push(task.clone());
        }
        if let Some(outputs) = &found
            && task != &self.key
        {
            self.learn(outputs.iter());
        }
        Ok(found)
    }

    /// Like [`run`](TaskCx::run), also returning the value of an internal
    /// step (recorded in the trace, so a cached run returns it too).
    pub async fn run_for_value(&self, action: Action) -> Result<(Vec<(Target, Digest)>, Vec<u8>)> {
        rebuilder::run_action(self, action).await
    }

    fn annotate(&self, e: Error) -> Error {
        match e {
            Error::NoRule { target, mut via } => {
                via.push(self.key.clone());
                Error::NoRule { target, via }
            }
            other => other,
        }
    }
}
