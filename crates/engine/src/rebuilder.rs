//! The rebuilder: decides whether an action must run, and records it.
//!
//! An action is up to date when the trace of its task holds the same action
//! key and every recorded output still has its recorded digest (checked by
//! stat first, by hashing only when the stat changed). Otherwise it runs: its
//! old outputs are deleted, a `Started` record is appended (so a kill leaves
//! evidence of possibly partial outputs), the command runs in a job slot,
//! its outputs are hashed and a `Trace` record is appended. Because keys use
//! content digests, an output rebuilt byte-for-byte identical leaves every
//! dependent key unchanged: the rebuild stops there (early cutoff).
//!
//! [`up_to_date`] makes the same check without running or recording the
//! action, against the trace of any task: a task uses it to accept a
//! recorded action equivalent to its own, or to see whether another task's
//! outputs are current without building them.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::action::{Action, Command, Input};
use crate::action_cache::{CacheQuery, Offered};
use crate::digest::{Digest, FileStat};
use crate::error::{CommandFailure, Error, Result};
use crate::events::Event;
use crate::explain::{self, Reason};
use crate::target::Target;
use crate::task::TaskCx;
use crate::trace::{InputRecord, OutputRecord, Record, Trace, TraceDetail};

pub(crate) async fn run_action(
    cx: &TaskCx,
    mut action: Action,
) -> Result<(Vec<(Target, Digest)>, Vec<u8>)> {
    let inner = cx.inner().clone();
    add_command_env(cx, &mut action);
    if action.outputs.is_empty() {
        return Err(Error::internal(format!(
            "an action of {} declares no output",
            cx.key()
        )));
    }
    let key = action
        .key(|t| cx.digest_of(t))
        .ok_or_else(|| undeclared_input(cx, &action))?;
    let task = cx.key().as_str().to_string();
    cx.mark_acted();

    let previous = inner.lock_db().trace(&task);
    let reason = match previous {
        None => Reason::NoTrace,
        Some(t) if t.action_key != key => explain::diff(&t.detail(), &describe(cx, &action)),
        Some(t) => match verify_outputs(cx, &t)? {
            Verified::UpToDate { outputs, restat } => {
                if let Some(updated) = restat {
                    inner.record(Record::Trace(updated))?;
                }
                inner.events.event(&Event::ActionCached { action: &action });
                return Ok((outputs, t.value));
            }
            Verified::Stale(reason) => reason,
        },
    };

    if inner.stopped.load(Ordering::SeqCst) {
        return Err(Error::Stopped);
    }
    if inner.forbid_runs {
        inner.stopped.store(true, Ordering::SeqCst);
        return Err(Error::MustNotRebuild {
            target: cx.key().clone(),
            reason,
            command: Arc::from(action.to_string()),
        });
    }
    let cache = inner.cache.clone().filter(|_| cacheable(&action));
    if let Some(cache) = &cache {
        clear_outputs(cx, &task, &action)?;
        let query = CacheQuery {
            key: &key,
            action: &action,
            build_dir: inner.store.root(),
            events: &*inner.events,
        };
        if let Some(restored) = cache.restore(query).await {
            // A cache that wrote less than it promised is a miss: run.
            if let Some(outputs) = hash_outputs(cx, &action, false)? {
                record_trace(
                    cx,
                    task.clone(),
                    key,
                    &action,
                    &outputs,
                    restored.duration_ms,
                    Vec::new(),
                )?;
                inner.events.event(&Event::ActionRestored {
                    action: &action,
                    output: &restored.output,
                    origin: restored.origin,
                });
                return Ok((outputs, Vec::new()));
            }
        }
        // Whatever a cache left behind on a miss goes: a command must find
        // no old file to write through.
        for o in &action.outputs {
            inner.store.remove(o)?;
        }
    }
    let slot = match action.command {
        Command::Process { .. } => match inner.slots.try_acquire() {
            Some(slot) => Some(slot),
            // Only when actions compete is the critical path (computed
            // from every trace, once) worth its cost.
            None => {
                let priority = inner.critical_path().priority(&task);
                Some(inner.slots.acquire(priority).await)
            }
        },
        Command::Internal { .. } => None,
    };
    if inner.stopped.load(Ordering::SeqCst) {
        return Err(Error::Stopped);
    }
    if cache.is_none() {
        clear_outputs(cx, &task, &action)?;
    }
    let id = inner.action_ids.fetch_add(1, Ordering::Relaxed);
    inner.events.event(&Event::ActionStarted {
        id,
        action: &action,
        reason: &reason,
    });
    let started = Instant::now();
    let outcome = inner.executor.execute(inner.store.root(), &action).await;
    drop(slot);
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            inner.stop_after_failure();
            match &e {
                // The executor was stopped (Ctrl-C): nothing failed to show.
                Error::Stopped => {}
                Error::CommandFailed(failure) => inner.events.event(&Event::ActionFailed {
                    id,
                    action: &action,
                    failure,
                }),
                other => {
                    let failure = CommandFailure {
                        target: cx.key().clone(),
                        command: action.to_string(),
                        exit_code: None,
                        signal: None,
                        output: format!("{other}\n"),
                    };
                    inner.events.event(&Event::ActionFailed {
                        id,
                        action: &action,
                        failure: &failure,
                    });
                }
            }
            return Err(e);
        }
    };
    let duration = started.elapsed();
    if outcome.success()
        && let Some(stamp) = &action.stamp
    {
        inner.store.ensure_parent(stamp)?;
        inner.store.write_atomic(stamp, key.to_hex().as_bytes())?;
    }
    if !outcome.success() {
        inner.stop_after_failure();
        let failure = CommandFailure {
            target: Target::new(if action.log.target.is_empty() {
                cx.key().as_str()
            } else {
                &action.log.target
            }),
            command: action.to_string(),
            exit_code: outcome.exit_code,
            signal: outcome.signal,
            output: outcome.output,
        };
        inner.events.event(&Event::ActionFailed {
            id,
            action: &action,
            failure: &failure,
        });
        return Err(Error::CommandFailed(Arc::new(failure)));
    }
    let Some(outputs) = hash_outputs(cx, &action, true)? else {
        return Err(Error::internal(
            "an output went missing while it was hashed",
        ));
    };
    let duration_ms = duration.as_millis().min(u32::MAX as u128) as u32;
    if let Some(cache) = &cache {
        let side = hash_side_outputs(cx, &action);
        let query = CacheQuery {
            key: &key,
            action: &action,
            build_dir: inner.store.root(),
            events: &*inner.events,
        };
        let offered = Offered {
            outputs: &outputs,
            side_outputs: &side,
            output: &outcome.output,
            duration_ms,
        };
        cache.store(query, offered).await;
    }
    let value = outcome.value.clone();
    record_trace(cx, task, key, &action, &outputs, duration_ms, outcome.value)?;
    inner.events.event(&Event::ActionFinished {
        id,
        action: &action,
        output: &outcome.output,
        duration,
    });
    Ok((outputs, value))
}

/// Gives a process the environment every command gets, where the action
/// does not set the variable itself.
fn add_command_env(cx: &TaskCx, action: &mut Action) {
    if !matches!(action.command, Command::Process { .. }) {
        return;
    }
    for (k, v) in &cx.inner().command_env {
        if !action.env.iter().any(|(name, _)| name == k) {
            action.env.push((k.clone(), v.clone()));
        }
    }
}

/// Whether the action's result may go to a cache: its rule allows it, it is
/// a process, and it writes only the files it names (a command that fills a
/// prepared directory writes files nobody listed).
fn cacheable(action: &Action) -> bool {
    action.sharing.cacheable()
        && matches!(action.command, Command::Process { .. })
        && action.prepare.is_empty()
        && action.stamp.is_none()
}

/// Deletes the action's old outputs, takes its preparation steps and
/// appends the `Started` record, so that a kill from now on leaves evidence
/// of possibly partial outputs.
fn clear_outputs(cx: &TaskCx, task: &str, action: &Action) -> Result<()> {
    let inner = cx.inner();
    for o in &action.outputs {
        inner.store.remove(o)?;
        inner.store.ensure_parent(o)?;
    }
    for p in &action.prepare {
        p.perform(inner.store.root())?;
    }
    inner.record(Record::Started {
        task: task.to_string(),
        outputs: action.outputs.iter().map(|t| t.to_string()).collect(),
    })
}

/// The digests of the action's declared outputs. A missing output is an
/// error when `must_exist` (the command ran), `None` otherwise (a cache
/// restored less than it promised).
fn hash_outputs(
    cx: &TaskCx,
    action: &Action,
    must_exist: bool,
) -> Result<Option<Vec<(Target, Digest)>>> {
    let store = &cx.inner().store;
    let mut outputs = Vec::with_capacity(action.outputs.len());
    for o in &action.outputs {
        let path = store.path(o);
        match Digest::of_file(&path) {
            Ok(d) => outputs.push((o.clone(), d)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if must_exist {
                    return Err(Error::MissingOutput {
                        action: cx.key().clone(),
                        missing: o.clone(),
                    });
                }
                return Ok(None);
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok(Some(outputs))
}

/// The digests of the side outputs the command wrote.
fn hash_side_outputs(cx: &TaskCx, action: &Action) -> Vec<(Target, Digest)> {
    let store = &cx.inner().store;
    action
        .side_outputs
        .iter()
        .filter_map(|t| Some((t.clone(), Digest::of_file(&store.path(t)).ok()?)))
        .collect()
}

/// Appends the `Trace` record of an action whose outputs are in place. The
/// stats are taken last, once any cache has read the outputs (a cache
/// that linked a file would change its status time).
fn record_trace(
    cx: &TaskCx,
    task: String,
    key: Digest,
    action: &Action,
    outputs: &[(Target, Digest)],
    duration_ms: u32,
    value: Vec<u8>,
) -> Result<()> {
    let inner = cx.inner();
    let mut records = Vec::with_capacity(outputs.len());
    for (o, digest) in outputs {
        let path = inner.store.path(o);
        let stat = FileStat::of_path(&path)
            .map_err(|e| Error::io(&path, e))?
            .ok_or_else(|| Error::MissingOutput {
                action: cx.key().clone(),
                missing: o.clone(),
            })?;
        records.push(OutputRecord {
            path: o.to_string(),
            stat,
            digest: *digest,
        });
    }
    inner.record(Record::Trace(Trace {
        task,
        action_key: key,
        outputs: records,
        duration_ms,
        value,
        detail: describe(cx, action).encode(),
    }))
}

/// Whether `action`, as the action of task `task`, is up to date: the
/// trace of `task` holds the same key and its outputs are unchanged. Nothing
/// runs and no `Started` or `Trace` record is written; a refreshed stat is
/// recorded unless `task` is another task already started in this build
/// (its own run writes its trace). Returns the outputs' digests.
pub(crate) fn up_to_date(
    cx: &TaskCx,
    task: &Target,
    action: &Action,
) -> Result<Option<Vec<(Target, Digest)>>> {
    let mut own = action.clone();
    add_command_env(cx, &mut own);
    let action = &own;
    let key = action
        .key(|t| cx.digest_of(t))
        .ok_or_else(|| undeclared_input(cx, action))?;
    let inner = cx.inner();
    let previous = inner.lock_db().trace(task.as_str());
    let Some(trace) = previous.filter(|t| t.action_key == key) else {
        return Ok(None);
    };
    match verify_outputs(cx, &trace)? {
        Verified::Stale(_) => Ok(None),
        Verified::UpToDate { outputs, restat } => {
            let own = task == cx.key();
            if let Some(updated) = restat {
                inner.record_restat(task, own, updated)?;
            }
            if own {
                // Found up to date counts as reaching an action.
                cx.mark_acted();
                inner.events.event(&Event::ActionCached { action });
            } else {
                inner.note_probed(task);
            }
            Ok(Some(outputs))
        }
    }
}

enum Verified {
    UpToDate {
        outputs: Vec<(Target, Digest)>,
        /// The trace with refreshed stats, when an output was touched but
        /// kept its content.
        restat: Option<Trace>,
    },
    Stale(Reason),
}

fn verify_outputs(cx: &TaskCx, trace: &Trace) -> Result<Verified> {
    let store = &cx.inner().store;
    let mut outputs = Vec::with_capacity(trace.outputs.len());
    let mut restat: Option<Trace> = None;
    for (i, o) in trace.outputs.iter().enumerate() {
        let target = Target::new(&o.path);
        let Some(stat) = store.stat(&target)? else {
            return Ok(Verified::Stale(Reason::OutputMissing(o.path.clone())));
        };
        if stat != o.stat {
            let path = store.path(&target);
            let digest = Digest::of_file(&path).map_err(|e| Error::io(&path, e))?;
            if digest != o.digest {
                return Ok(Verified::Stale(Reason::OutputModified(o.path.clone())));
            }
            let t = restat.get_or_insert_with(|| trace.clone());
            t.outputs[i].stat = stat;
        }
        outputs.push((target, o.digest));
    }
    Ok(Verified::UpToDate { outputs, restat })
}

/// The file inputs recorded in the trace. Groups are not expanded: they only
/// repeat, transitively, files that the direct inputs already depend on.
fn describe(cx: &TaskCx, action: &Action) -> TraceDetail {
    let mut command: Vec<String> = Vec::new();
    for p in &action.prepare {
        command.push(p.to_string());
        command.push(";".into());
    }
    command.extend(match &action.command {
        Command::Process { argv, stdout } => {
            let mut words = argv.clone();
            if let Some(out) = stdout {
                words.push(">".into());
                words.push(out.to_string());
            }
            words
        }
        Command::Internal { name, args, .. } => {
            let mut words = vec![name.clone()];
            words.extend(args.iter().cloned());
            words
        }
    });
    let mut inputs = Vec::new();
    let mut groups = Vec::new();
    for i in &action.inputs {
        match i {
            Input::File(t) => inputs.push(InputRecord {
                path: t.to_string(),
                digest: cx.digest_of(t),
            }),
            Input::Exists(t) => inputs.push(InputRecord {
                path: t.to_string(),
                digest: None,
            }),
            Input::Group(g) => groups.push(g.digest),
        }
    }
    TraceDetail {
        command,
        env: action.env.clone(),
        inputs,
        groups,
    }
}

fn undeclared_input(cx: &TaskCx, action: &Action) -> Error {
    let missing: Vec<String> = action
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::File(t) if cx.digest_of(t).is_none() => Some(t.to_string()),
            _ => None,
        })
        .collect();
    Error::internal(format!(
        "the action of {} declares inputs it did not ask for: {}",
        cx.key(),
        missing.join(", ")
    ))
}
