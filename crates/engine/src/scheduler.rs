//! The scheduler: one task per key, run once, awaited by everyone who asks.
//!
//! [`Engine`] owns the build. A request for a target finds the task that
//! produces it (a source import or a rule's task), starts it on the runtime
//! the first time, and otherwise joins the run already in flight, so every
//! task runs at most once per build and independent tasks run in parallel.
//! Tasks suspend while they wait for the targets they ask for; only actions
//! (processes) take one of the `-j` slots, so discovery of dependencies
//! never holds a slot or serialises the build.
//!
//! Cycles are found on a *wait-for graph*: when task R waits for task K,
//! the edge R→K is added, and if K already (transitively) waits for R the
//! request fails with [`Error::Cycle`] instead of deadlocking.
//!
//! A failed action stops the build: actions not started yet fail with
//! [`Error::Stopped`]. With [`EngineConfig::keep_going`] it does not: a
//! task that needs a failed target fails with that target's error (a
//! clone: the same failure), every other task goes on, and
//! [`Engine::failures`] lists each distinct failure once.

use std::collections::{HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use futures::future::{BoxFuture, FutureExt, Shared};

use crate::action_cache::ActionCache;
use crate::critical_path::CriticalPath;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use crate::executor::Executor;
use crate::graph_record::GraphConfig;
use crate::mutex::lock;
use crate::prior_graph::{NodeState, PriorGraph};
use crate::rule::{Rules, Task, TaskValue};
use crate::slots::Slots;
use crate::source::{self, SourceTree};
use crate::store::{Store, remove_file_if_exists};
use crate::stored_value::{EncodedData, GroupCollector};
use crate::target::Target;
use crate::task::TaskCx;
use crate::trace::{Record, Trace, TraceDb};
use crate::trace_log::{self, LoadReport, TraceLog};

pub(crate) type TaskFuture = Shared<BoxFuture<'static, Result<Arc<TaskValue>>>>;

/// Whether a recorded task can be taken from the previous graph: its
/// value, or `None` when it must run.
pub(crate) type Decision = Shared<BoxFuture<'static, Result<Option<Arc<TaskValue>>>>>;

/// What this build learnt of a task it ran, for the next graph.
pub(crate) struct RanTask {
    /// What it asked for, call by call.
    pub(crate) asked: Vec<Vec<Target>>,
    /// The tasks whose traces it probed.
    pub(crate) probed: Vec<Target>,
    /// Its rule.
    pub(crate) rule: String,
    /// It runs at every build ([`Task::volatile`], or data the rules
    /// could not encode).
    pub(crate) always_run: bool,
    /// Its data, encoded.
    pub(crate) data: Option<EncodedData>,
    /// Its value's fingerprint.
    pub(crate) fingerprint: Digest,
    /// The previous graph had this task with the same fingerprint: to the
    /// tasks that asked for it, nothing changed.
    pub(crate) unchanged: bool,
}

/// One run of a task: its shared future, the rule it applies
/// ([`Task::rule_id`]), and whether it ran (or found up to date) an action,
/// after which it is never given up for another rule.
#[derive(Clone)]
pub(crate) struct Run {
    pub(crate) fut: TaskFuture,
    pub(crate) rule: String,
    pub(crate) acted: Arc<AtomicBool>,
    /// How many runs were started before this one.
    pub(crate) order: usize,
}

impl Run {
    /// Whether the run is over and failed because what its rule makes the
    /// target from cannot be built, before any action: another rule may
    /// take its key.
    fn given_up(&self) -> bool {
        !self.acted.load(Ordering::SeqCst)
            && matches!(self.fut.peek(), Some(Err(e)) if e.is_inapplicable())
    }
}

/// Everything needed to start an engine.
pub struct EngineConfig {
    /// The build directory.
    pub build_dir: PathBuf,
    /// The source files.
    pub sources: SourceTree,
    /// The rules.
    pub rules: Arc<dyn Rules>,
    /// Where actions run.
    pub executor: Arc<dyn Executor>,
    /// Where results are shared beyond this build directory (asked before
    /// running a cacheable action, given its outputs after).
    pub cache: Option<Arc<dyn ActionCache>>,
    /// Environment variables every command gets (part of every key); values
    /// may hold [`BUILD_DIR_PLACEHOLDER`](crate::BUILD_DIR_PLACEHOLDER). An
    /// action's own setting of a variable wins.
    pub command_env: Vec<(String, String)>,
    /// Who hears about progress.
    pub events: Arc<dyn EventSink>,
    /// Maximum number of actions running at once; 0 means no limit.
    pub jobs: usize,
    /// Fail instead of running any action (`-nothing-should-be-rebuilt`).
    pub forbid_runs: bool,
    /// Keep going after a failure: every task that does not depend on a
    /// failed target still runs, and [`Engine::build`] returns only when
    /// all of them are over. Off, the first failure stops every action
    /// not yet started ([`Error::Stopped`]).
    pub keep_going: bool,
    /// Where the persistent graph lives: the previous build's graph is
    /// read from there (a task nothing changed under is taken as it was),
    /// and [`Engine::save_graph`] writes this build's. `None`: every task
    /// runs its logic.
    pub graph: Option<GraphConfig>,
}

/// A built target: its digest and the value of the task that made it.
#[derive(Clone, Debug)]
pub struct Built {
    /// The target.
    pub target: Target,
    /// Its content digest.
    pub digest: Digest,
    /// The value of the task that produced it.
    pub value: Arc<TaskValue>,
}

/// `target` as produced by the task `key` that finished with `value`.
fn built(target: Target, key: &Target, value: Arc<TaskValue>) -> Result<Built> {
    let digest = value.digest_of(&target).ok_or_else(|| {
        Error::internal(format!(
            "the task for {key} finished without producing {target}"
        ))
    })?;
    Ok(Built {
        target,
        digest,
        value,
    })
}

/// A build in progress over one build directory.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) sources: SourceTree,
    pub(crate) rules: Arc<dyn Rules>,
    pub(crate) executor: Arc<dyn Executor>,
    pub(crate) cache: Option<Arc<dyn ActionCache>>,
    pub(crate) command_env: Vec<(String, String)>,
    pub(crate) events: Arc<dyn EventSink>,
    pub(crate) log: TraceLog,
    pub(crate) db: Mutex<TraceDb>,
    /// The run of each task key, with its place in the order of starts.
    memo: Mutex<FxHashMap<Target, Run>>,
    /// How many runs were started so far.
    pub(crate) starts: AtomicUsize,
    /// The task key of each target requested so far, so that a repeated
    /// request skips the rules.
    keys: Mutex<FxHashMap<Target, Target>>,
    waits: Mutex<FxHashMap<Target, FxHashMap<Target, Wait>>>,
    pub(crate) slots: Slots,
    pub(crate) stopped: AtomicBool,
    pub(crate) forbid_runs: bool,
    pub(crate) keep_going: bool,
    /// The error of every task that failed, with the task's key (a
    /// dependent's error repeats its dependency's).
    failures: Mutex<Vec<(Target, Error)>>,
    pub(crate) action_ids: AtomicU64,
    critical: OnceLock<CriticalPath>,
    /// How loading the trace log went.
    pub(crate) load_report: LoadReport,
    /// Files removed at start because their sources disappeared.
    pub(crate) removed_at_start: Vec<String>,
    /// Tasks whose trace was found up to date by another task's probe
    /// ([`TaskCx::up_to_date`]) without running in this build.
    probed: Mutex<FxHashSet<Target>>,
    /// Where the graph lives.
    pub(crate) graph: Option<GraphConfig>,
    /// The previous build's graph, when it applies.
    pub(crate) prior: Option<PriorGraph>,
    /// The decision about each recorded task asked for so far.
    decisions: Mutex<FxHashMap<u32, Decision>>,
    /// The tasks taken from the previous graph, with their nodes.
    pub(crate) adopted: Mutex<FxHashMap<Target, u32>>,
    /// The tasks that ran in this build.
    pub(crate) ran: Mutex<FxHashMap<Target, RanTask>>,
    /// The groups of the values encoded so far.
    pub(crate) collector: Mutex<GroupCollector>,
}

/// The directory, inside the build directory, that holds caravan's own state.
pub fn state_dir(build_dir: &Path) -> PathBuf {
    build_dir.join(".caravan")
}

impl Engine {
    /// Opens the build directory: replays the trace log, deletes partial
    /// outputs of interrupted actions and the outputs that depend on source
    /// files that no longer exist.
    pub fn open(config: EngineConfig) -> Result<Engine> {
        let store = Store::open(&config.build_dir)?;
        let state = state_dir(&config.build_dir);
        std::fs::create_dir_all(&state).map_err(|e| Error::io(&state, e))?;
        let (log, db, load_report) = TraceLog::open(&state.join("traces"))?;
        let mut inner = Inner {
            store,
            sources: config.sources,
            rules: config.rules,
            executor: config.executor,
            cache: config.cache,
            command_env: config.command_env,
            events: config.events,
            log,
            db: Mutex::new(db),
            memo: Mutex::new(FxHashMap::default()),
            keys: Mutex::new(FxHashMap::default()),
            starts: AtomicUsize::new(0),
            waits: Mutex::new(FxHashMap::default()),
            slots: Slots::new(config.jobs),
            stopped: AtomicBool::new(false),
            forbid_runs: config.forbid_runs,
            keep_going: config.keep_going,
            failures: Mutex::new(Vec::new()),
            action_ids: AtomicU64::new(0),
            critical: OnceLock::new(),
            load_report,
            removed_at_start: Vec::new(),
            probed: Mutex::new(FxHashSet::default()),
            graph: config.graph,
            prior: None,
            decisions: Mutex::new(FxHashMap::default()),
            adopted: Mutex::new(FxHashMap::default()),
            ran: Mutex::new(FxHashMap::default()),
            collector: Mutex::new(GroupCollector::default()),
        };
        inner.removed_at_start = inner.remove_stale()?;
        // After the removals above, whose files then read as changed.
        if let Some(g) = &inner.graph {
            let threads = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1);
            let removed: Vec<PathBuf> = inner
                .removed_at_start
                .iter()
                .map(|p| inner.store.root().join(p))
                .collect();
            inner.prior =
                PriorGraph::load(&g.path, &g.key, threads, g.changed.as_deref(), &removed);
        }
        Ok(Engine {
            inner: Arc::new(inner),
        })
    }

    /// Builds `targets` in parallel; one result per target, in order.
    ///
    /// With [`EngineConfig::keep_going`], when a target failed, waits
    /// until every task started is over: a target's result may come as soon
    /// as one of its dependencies failed, while the others still build.
    pub async fn build(&self, targets: &[Target]) -> Vec<Result<Built>> {
        self.inner.settle_changes().await;
        let requests = targets
            .iter()
            .map(|t| self.inner.clone().request(t.clone(), None));
        let results = futures::future::join_all(requests).await;
        if self.inner.keep_going && results.iter().any(|r| r.is_err()) {
            self.inner.settle().await;
        }
        if let Some(cache) = &self.inner.cache {
            cache.flush(&*self.inner.events).await;
        }
        results
    }

    /// Every distinct failure of a build whose results are `results`: the
    /// errors of the results and of the tasks that failed on the way,
    /// each once (a dependent's error that repeats its dependency's is
    /// the same failure), ordered by the target that failed. Stops
    /// ([`Error::Stopped`]) are not failures.
    pub fn failures(&self, targets: &[Target], results: &[Result<Built>]) -> Vec<Error> {
        let mut all: Vec<(Target, Error)> = self.inner.lock_failures().clone();
        for (t, r) in targets.iter().zip(results) {
            if let Err(e) = r {
                all.push((t.clone(), e.clone()));
            }
        }
        all.retain(|(_, e)| !matches!(e, Error::Stopped));
        let mut keyed: Vec<(String, String, Error)> = all
            .into_iter()
            .map(|(task, e)| {
                let target = e.target().unwrap_or(&task).to_string();
                (target, e.to_string(), e)
            })
            .collect();
        keyed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let mut distinct: Vec<Error> = Vec::new();
        for (_, _, e) in keyed {
            if !distinct.iter().any(|d| d.same_failure(&e)) {
                distinct.push(e);
            }
        }
        distinct
    }

    /// The build directory.
    pub fn build_dir(&self) -> &Path {
        self.inner.store.root()
    }

    /// Whether an action failed and the build is winding down (never
    /// with [`EngineConfig::keep_going`], but under
    /// `-nothing-should-be-rebuilt`).
    pub fn stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    /// Files deleted at start because the sources they came from are gone
    /// or because the action writing them was interrupted.
    pub fn removed_at_start(&self) -> &[String] {
        &self.inner.removed_at_start
    }

    /// How replaying the trace log went.
    pub fn load_report(&self) -> &LoadReport {
        &self.inner.load_report
    }

    /// Ends the build: recompacts the trace log when it has grown too large.
    pub fn finish(&self) -> Result<()> {
        let db = self.inner.lock_db();
        self.inner.log.compact_if_needed(&db, 64)?;
        Ok(())
    }
}

impl Inner {
    /// Waits until every task started so far, and every task they start,
    /// is over.
    async fn settle(&self) {
        loop {
            let started = self.starts.load(Ordering::SeqCst);
            let runs: Vec<TaskFuture> = self.lock_memo().values().map(|r| r.fut.clone()).collect();
            futures::future::join_all(runs).await;
            if self.starts.load(Ordering::SeqCst) == started {
                return;
            }
        }
    }

    /// After a failed action: stops every action not started yet, unless
    /// the build keeps going.
    pub(crate) fn stop_after_failure(&self) {
        if !self.keep_going {
            self.stopped.store(true, Ordering::SeqCst);
        }
    }

    fn lock_failures(&self) -> MutexGuard<'_, Vec<(Target, Error)>> {
        lock(&self.failures)
    }

    pub(crate) fn lock_db(&self) -> MutexGuard<'_, TraceDb> {
        lock(&self.db)
    }

    /// Appends a record to the log and applies it to the live state.
    pub(crate) fn record(&self, record: Record) -> Result<()> {
        let payload = trace_log::encode(&record)?;
        let mut db = self.lock_db();
        self.log.append_encoded(&payload)?;
        db.apply_encoded(&payload);
        Ok(())
    }

    /// Records the refreshed stats of `task`'s trace, unless `task` is not
    /// the caller (`own`) and has started in this build: its run records
    /// its own trace, which a stale copy must not follow.
    pub(crate) fn record_restat(&self, task: &Target, own: bool, trace: Trace) -> Result<()> {
        let memo = self.lock_memo();
        if !own && memo.contains_key(task) {
            return Ok(());
        }
        self.record(Record::Trace(trace))
    }

    /// Notes that a probe found `task`'s trace up to date.
    pub(crate) fn note_probed(&self, task: &Target) {
        self.lock_probed().insert(task.clone());
    }

    pub(crate) fn lock_probed(&self) -> MutexGuard<'_, FxHashSet<Target>> {
        lock(&self.probed)
    }

    pub(crate) fn lock_decisions(&self) -> MutexGuard<'_, FxHashMap<u32, Decision>> {
        lock(&self.decisions)
    }

    pub(crate) fn lock_adopted(&self) -> MutexGuard<'_, FxHashMap<Target, u32>> {
        lock(&self.adopted)
    }

    pub(crate) fn lock_ran(&self) -> MutexGuard<'_, FxHashMap<Target, RanTask>> {
        lock(&self.ran)
    }

    pub(crate) fn lock_collector(&self) -> MutexGuard<'_, GroupCollector> {
        lock(&self.collector)
    }

    pub(crate) fn critical_path(&self) -> &CriticalPath {
        self.critical
            .get_or_init(|| CriticalPath::from_traces(&self.lock_db()))
    }

    /// Finds the task for `target`: a source import or a rule's task.
    fn producer(self: &Arc<Self>, target: &Target) -> Option<(Target, Arc<dyn Task>)> {
        if self.sources.contains(target.as_str()) {
            return Some((target.clone(), Arc::new(SourceImport)));
        }
        self.rules.producer(target).map(|p| (p.key, p.task))
    }

    /// The tasks that may produce `target`, in the order to try them.
    fn candidates(self: &Arc<Self>, target: &Target) -> Vec<(Target, Arc<dyn Task>)> {
        if self.sources.contains(target.as_str()) {
            return vec![(target.clone(), Arc::new(SourceImport))];
        }
        self.rules
            .candidates(target)
            .into_iter()
            .map(|p| (p.key, p.task))
            .collect()
    }

    /// Whether some rule or source can produce `target`.
    pub(crate) fn can_build(&self, target: &Target) -> bool {
        self.sources.contains(target.as_str()) || self.rules.producer(target).is_some()
    }

    /// Starts the task of `target` if it is not running yet, without waiting.
    pub(crate) fn prefetch(self: &Arc<Self>, target: &Target) {
        if let Some(prior) = &self.prior
            && let Some(i) = prior.node_of(target.as_str())
        {
            match prior.state(i) {
                // Taken as it was when asked for: nothing to start.
                NodeState::Clean => return,
                NodeState::Check => {
                    let check = self.clone().request(target.clone(), None);
                    drop(tokio::spawn(check));
                    return;
                }
                NodeState::Run => {}
            }
        }
        if let Some((key, task)) = self.producer(target) {
            drop(self.start(&key, task));
        }
    }

    /// Builds `target` on behalf of `requester` (None for the command line):
    /// its candidate tasks in order, the next one when a task fails because
    /// what it is made from cannot be built, until one succeeds. The first
    /// candidate's error is the one reported when none applies.
    pub(crate) fn request(
        self: Arc<Self>,
        target: Target,
        requester: Option<Target>,
    ) -> BoxFuture<'static, Result<Built>> {
        Box::pin(async move {
            let known = self.lock_keys().get(&target).cloned();
            if let Some(key) = known {
                let run = self.lock_memo().get(&key).cloned();
                if let Some(run) = run {
                    let value = self
                        .wait_for(&key, &target, run.fut, requester.as_ref())
                        .await?;
                    return built(target, &key, value);
                }
            }
            if let Some(found) = self.from_prior(&target, requester.as_ref()).await? {
                return Ok(found);
            }
            let candidates = self.candidates(&target);
            if candidates.is_empty() {
                return Err(Error::NoRule {
                    target,
                    via: Vec::new(),
                });
            }
            let last = candidates.len() - 1;
            let mut first_error = None;
            for (i, (key, task)) in candidates.into_iter().enumerate() {
                let rule = task.rule_id().to_string();
                // The run found under `key` may be another rule's that did
                // not apply (a concurrent request's): then ours replaces it.
                let mut attempts = 0;
                let (error, given_up) = loop {
                    let run = self.start(&key, task.clone());
                    match self
                        .wait_for(&key, &target, run.fut.clone(), requester.as_ref())
                        .await
                    {
                        Ok(value) => {
                            self.lock_keys().insert(target.clone(), key.clone());
                            return built(target, &key, value);
                        }
                        Err(_) if run.given_up() && run.rule != rule && attempts < 3 => {
                            attempts += 1;
                        }
                        Err(e) => break (e, run.given_up()),
                    }
                };
                if given_up && i < last {
                    first_error.get_or_insert(error);
                    continue;
                }
                self.lock_keys().insert(target.clone(), key.clone());
                return Err(match first_error {
                    Some(first) if given_up => first,
                    _ => error,
                });
            }
            Err(first_error.unwrap_or(Error::NoRule {
                target,
                via: Vec::new(),
            }))
        })
    }

    /// Waits for the run of task `key`, asked for as `requested`, recording
    /// the wait of `requester` for cycle detection.
    /// (A run of a task, or the check of a recorded one.)
    pub(crate) async fn wait_for<T: Clone>(
        &self,
        key: &Target,
        requested: &Target,
        fut: Shared<BoxFuture<'static, Result<T>>>,
        requester: Option<&Target>,
    ) -> Result<T> {
        let waiting = match requester {
            Some(r) if fut.peek().is_none() => {
                self.add_wait(r, key, requested)?;
                true
            }
            _ => false,
        };
        let value = fut.await;
        if waiting && let Some(r) = requester {
            self.remove_wait(r, key);
        }
        value
    }

    pub(crate) fn lock_memo(&self) -> MutexGuard<'_, FxHashMap<Target, Run>> {
        lock(&self.memo)
    }

    pub(crate) fn lock_keys(&self) -> MutexGuard<'_, FxHashMap<Target, Target>> {
        lock(&self.keys)
    }

    /// The in-flight (or finished) run of task `key`, started if new.
    fn start(self: &Arc<Self>, key: &Target, task: Arc<dyn Task>) -> Run {
        let mut memo = self.lock_memo();
        if let Some(r) = memo.get(key)
            && (r.rule == task.rule_id() || !r.given_up())
        {
            return r.clone();
        }
        let rule = task.rule_id().to_string();
        self.events.event(&Event::TaskStarted { task: key });
        let acted = Arc::new(AtomicBool::new(false));
        let cx = Arc::new(TaskCx::new(self.clone(), key.clone(), acted.clone()));
        let inner = self.clone();
        let task_key = key.clone();
        let acted_now = acted.clone();
        let handle = tokio::spawn(async move {
            let volatile = task.volatile();
            let rule_id = task.rule_id().to_string();
            let r = task.run(cx.clone()).await;
            if let Ok(value) = &r
                && inner.graph.is_some()
            {
                inner.note_ran(&task_key, &cx, value, rule_id, volatile);
            }
            inner.events.event(&Event::TaskFinished { task: &task_key });
            if let Err(e) = &r {
                // A rule that did not apply is no failure: another may. Its
                // error, if no other applies, is the requester's.
                let given_up = e.is_inapplicable() && !acted_now.load(Ordering::SeqCst);
                if !given_up && !matches!(e, Error::Stopped) {
                    inner.lock_failures().push((task_key.clone(), e.clone()));
                }
            }
            r
        });
        let key_for_err = key.clone();
        let fut = async move {
            match handle.await {
                Ok(r) => r.map(Arc::new),
                Err(e) => Err(Error::internal(format!(
                    "the task for {key_for_err} stopped abnormally: {e}"
                ))),
            }
        }
        .boxed()
        .shared();
        let order = self.starts.fetch_add(1, Ordering::SeqCst);
        let run = Run {
            fut,
            rule,
            acted,
            order,
        };
        memo.insert(key.clone(), run.clone());
        run
    }

    /// Records that task `waiter` waits for task `waited`, which it asked
    /// for as `requested`; fails instead when `waited` already waits for
    /// `waiter`, naming the cycle by the targets its tasks asked for.
    fn add_wait(&self, waiter: &Target, waited: &Target, requested: &Target) -> Result<()> {
        let mut waits = lock(&self.waits);
        if waiter == waited {
            return Err(Error::Cycle {
                cycle: vec![requested.clone()],
            });
        }
        if let Some(path) = find_path(&waits, waited, waiter) {
            // Each task of the cycle with the name it was asked for under:
            // the task of one asks for the next, the last for the first.
            let mut members = vec![(waited, requested)];
            for step in path.windows(2) {
                if let [from, to] = step
                    && let Some(wait) = waits.get(from).and_then(|e| e.get(to))
                {
                    members.push((to, &wait.requested));
                }
            }
            // Whichever request closed the cycle depends on timing; start
            // it at the task started first (the one the build reached
            // first), so the report is the same from run to run.
            let memo = self.lock_memo();
            let first = (0..members.len())
                .min_by_key(|&i| memo.get(members[i].0).map_or(usize::MAX, |r| r.order))
                .unwrap_or(0);
            members.rotate_left(first);
            let cycle = members.into_iter().map(|(_, t)| t.clone()).collect();
            return Err(Error::Cycle { cycle });
        }
        let wait = waits
            .entry(waiter.clone())
            .or_default()
            .entry(waited.clone())
            .or_insert_with(|| Wait {
                count: 0,
                requested: requested.clone(),
            });
        wait.count += 1;
        Ok(())
    }

    fn remove_wait(&self, waiter: &Target, waited: &Target) {
        let mut waits = lock(&self.waits);
        if let Some(edges) = waits.get_mut(waiter) {
            if let Some(w) = edges.get_mut(waited) {
                w.count -= 1;
                if w.count == 0 {
                    edges.remove(waited);
                }
            }
            if edges.is_empty() {
                waits.remove(waiter);
            }
        }
    }

    /// Deletes what cannot be trusted any more; returns the deleted paths.
    fn remove_stale(&mut self) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        let (unfinished, vanished_sources, traces_by_input) = {
            let db = self.lock_db();
            let unfinished = db.unfinished();
            let vanished: Vec<String> = db
                .source_paths()
                .filter(|p| !self.sources.contains(p))
                .map(str::to_string)
                .collect();
            let mut by_input: HashMap<String, Vec<String>> = HashMap::new();
            if !vanished.is_empty() {
                for t in db.traces() {
                    for i in &t.detail().inputs {
                        by_input
                            .entry(i.path.clone())
                            .or_default()
                            .push(t.task.clone());
                    }
                }
            }
            (unfinished, vanished, by_input)
        };
        for (task, outputs) in unfinished {
            for o in &outputs {
                remove_file_if_exists(&self.store.root().join(o))?;
                removed.push(o.clone());
            }
            self.record(Record::Removed { task })?;
        }
        let mut queue: Vec<String> = Vec::new();
        for path in vanished_sources {
            remove_file_if_exists(&self.store.root().join(&path))?;
            self.record(Record::SourceRemoved { path: path.clone() })?;
            removed.push(path.clone());
            queue.push(path);
        }
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(path) = queue.pop() {
            let Some(tasks) = traces_by_input.get(&path) else {
                continue;
            };
            for task in tasks {
                if !seen.insert(task.clone()) {
                    continue;
                }
                let outputs: Vec<String> = match self.lock_db().trace(task) {
                    Some(t) => t.outputs.iter().map(|o| o.path.clone()).collect(),
                    None => continue,
                };
                for o in outputs {
                    remove_file_if_exists(&self.store.root().join(&o))?;
                    removed.push(o.clone());
                    queue.push(o);
                }
                self.record(Record::Removed { task: task.clone() })?;
            }
        }
        Ok(removed)
    }
}

/// An edge of the wait-for graph.
struct Wait {
    /// How many requests of the waiter are waiting on this task.
    count: usize,
    /// The target the first of them asked for (one of the task's outputs).
    requested: Target,
}

/// A path from `from` to `to` in the wait-for graph, if any.
fn find_path(
    waits: &FxHashMap<Target, FxHashMap<Target, Wait>>,
    from: &Target,
    to: &Target,
) -> Option<Vec<Target>> {
    let mut parent: HashMap<&Target, &Target> = HashMap::new();
    let mut stack = vec![from];
    let mut seen: HashSet<&Target> = HashSet::new();
    seen.insert(from);
    while let Some(node) = stack.pop() {
        if node == to {
            let mut path = vec![node.clone()];
            let mut cur = node;
            while let Some(p) = parent.get(cur) {
                path.push((*p).clone());
                cur = p;
            }
            path.reverse();
            return Some(path);
        }
        if let Some(edges) = waits.get(node) {
            for next in edges.keys() {
                if seen.insert(next) {
                    parent.insert(next, node);
                    stack.push(next);
                }
            }
        }
    }
    None
}

/// The task that imports a source file into the build directory.
struct SourceImport;

impl Task for SourceImport {
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let inner = cx.inner();
            let target = cx.key().clone();
            let known = inner.lock_db().source(target.as_str());
            let imported = source::import(&inner.sources, &inner.store, &target, known.as_ref())?;
            if let Some(r) = imported.record {
                inner.record(Record::Source(r))?;
            }
            Ok(TaskValue::files(vec![(target, imported.digest)]))
        })
    }
}
