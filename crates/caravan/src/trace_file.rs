//! `-trace FILE`: where the time of a build went, as a Chrome trace-event
//! file that Perfetto (<https://ui.perfetto.dev>) and `chrome://tracing`
//! load.
//!
//! The file is the JSON object form of the trace-event format
//! (<https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU>):
//!
//! ```text
//! {"traceEvents": [
//!   {"name": "a.cmo", "cat": "action", "ph": "X", "ts": 1520.0, "dur": 48210.5,
//!    "pid": 1, "tid": 2, "args": {"command": "ocamlc.opt -c -o a.cmo a.ml",
//!                                  "reason": "no trace", "prepare": []}},
//!   {"name": "a.cmo", "cat": "wait", "ph": "X", "ts": 3.0, "dur": 1517.0,
//!    "pid": 3, "tid": 1, "args": {"ran": true}},
//!   {"name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": {"name": "job slots"}},
//!   ...],
//!  "displayTimeUnit": "ms"}
//! ```
//!
//! Times are in microseconds from the start of the build. Three processes:
//!
//! - pid 1, "job slots": one complete event (`ph: "X"`) per command that
//!   ran, `tid` its job slot (1 to `-j N`);
//! - pid 2, "in-process steps": the same for the steps caravan performs
//!   itself (dependency scans), which take no job slot;
//! - pid 3, "scheduler waits": one event per task, from its creation to
//!   the start of its action, that is the time it waited for its
//!   dependencies and then for a job slot (or to its end when it ran no
//!   action: up to date, or stopped by a failure). `args.ran` says which.
//!
//! The engine's slots are a counting semaphore without numbers; a slot is
//! held from just before `ActionStarted` to just after `ActionFinished` /
//! `ActionFailed`, so giving each starting command the lowest number no
//! running command holds numbers the slots exactly (at most `-j N` are
//! ever in use). The same lane allocation keeps the events of one `tid`
//! from overlapping in the other two processes. Waiting for dependencies
//! and waiting for a slot are one event: telling them apart needs an
//! engine event when a slot is requested, which does not exist yet.
//!
//! Events are kept in memory and the file is written once, when the build
//! ends (successfully, failed or interrupted).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use engine::{Command, Event, EventSink};
use serde::Serialize;

const SLOTS: u32 = 1;
const IN_PROCESS: u32 = 2;
const WAITS: u32 = 3;

/// Collects the build's events and writes them as a trace file.
pub struct TraceFile {
    path: PathBuf,
    origin: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    events: Vec<TraceEvent>,
    /// Running actions by event id.
    running: HashMap<u64, Running>,
    /// Tasks not yet ended or started running: creation time and lane.
    waiting: HashMap<String, (Instant, u32)>,
    /// Lanes in use per pid.
    lanes: HashMap<u32, Vec<bool>>,
}

/// An action under way.
struct Running {
    start: Instant,
    pid: u32,
    lane: u32,
    reason: String,
}

/// One entry of `traceEvents`.
#[derive(Serialize)]
struct TraceEvent {
    name: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    cat: &'static str,
    ph: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
    pid: u32,
    tid: u32,
    args: serde_json::Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TraceDocument<'a> {
    trace_events: &'a [TraceEvent],
    display_time_unit: &'static str,
}

impl State {
    /// The lowest free lane (from 1) of `pid`, now taken.
    fn take_lane(&mut self, pid: u32) -> u32 {
        let lanes = self.lanes.entry(pid).or_default();
        let i = match lanes.iter().position(|busy| !busy) {
            Some(i) => i,
            None => {
                lanes.push(false);
                lanes.len() - 1
            }
        };
        lanes[i] = true;
        i as u32 + 1
    }

    /// Ends the running action `id`: its lane is free again and `event`
    /// makes its trace event.
    fn end_action(&mut self, id: u64, event: impl FnOnce(&Running) -> TraceEvent) {
        if let Some(r) = self.running.remove(&id) {
            self.free_lane(r.pid, r.lane);
            let e = event(&r);
            self.events.push(e);
        }
    }

    fn free_lane(&mut self, pid: u32, lane: u32) {
        if let Some(busy) = self
            .lanes
            .get_mut(&pid)
            .and_then(|l| l.get_mut(lane as usize - 1))
        {
            *busy = false;
        }
    }

    /// Ends the wait of `task`, if it is still waiting.
    fn end_wait(&mut self, task: &str, now: Instant, origin: Instant, ran: bool) {
        if let Some((start, lane)) = self.waiting.remove(task) {
            self.free_lane(WAITS, lane);
            self.events.push(TraceEvent {
                name: task.to_string(),
                cat: "wait",
                ph: "X",
                ts: Some(micros(origin, start)),
                dur: Some(micros(start, now)),
                pid: WAITS,
                tid: lane,
                args: serde_json::json!({ "ran": ran }),
            });
        }
    }
}

fn micros(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1e6
}

impl TraceFile {
    /// A trace to be written to `path` by [`TraceFile::finish`].
    pub fn new(path: PathBuf) -> TraceFile {
        TraceFile {
            path,
            origin: Instant::now(),
            state: Mutex::new(State::default()),
        }
    }

    /// Where the trace goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the file: every event so far, and the names of the
    /// processes and lanes.
    pub fn finish(&self) -> std::io::Result<()> {
        let mut st = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let now = Instant::now();
        let open: Vec<String> = st.waiting.keys().cloned().collect();
        for task in open {
            st.end_wait(&task, now, self.origin, false);
        }
        let mut events = std::mem::take(&mut st.events);
        for (pid, name, lane) in [
            (SLOTS, "job slots", "slot"),
            (IN_PROCESS, "in-process steps", "step"),
            (WAITS, "scheduler waits", "task"),
        ] {
            events.push(metadata(pid, 0, "process_name", name));
            let n = st.lanes.get(&pid).map_or(0, Vec::len) as u32;
            for tid in 1..=n {
                events.push(metadata(pid, tid, "thread_name", &format!("{lane} {tid}")));
            }
        }
        let text = serde_json::to_vec(&TraceDocument {
            trace_events: &events,
            display_time_unit: "ms",
        })
        .map_err(std::io::Error::other)?;
        st.events = events;
        std::fs::write(&self.path, text)
    }
}

fn metadata(pid: u32, tid: u32, kind: &str, name: &str) -> TraceEvent {
    TraceEvent {
        name: kind.to_string(),
        cat: "",
        ph: "M",
        ts: None,
        dur: None,
        pid,
        tid,
        args: serde_json::json!({ "name": name }),
    }
}

impl EventSink for TraceFile {
    fn event(&self, event: &Event<'_>) {
        let now = Instant::now();
        let mut st = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        match event {
            Event::TaskStarted { task } => {
                let lane = st.take_lane(WAITS);
                st.waiting.insert(task.to_string(), (now, lane));
            }
            Event::TaskFinished { task } => st.end_wait(task.as_str(), now, self.origin, false),
            Event::ActionStarted { id, action, reason } => {
                for o in &action.outputs {
                    st.end_wait(o.as_str(), now, self.origin, true);
                }
                let pid = match action.command {
                    Command::Process { .. } => SLOTS,
                    Command::Internal { .. } => IN_PROCESS,
                };
                let lane = st.take_lane(pid);
                st.running.insert(
                    *id,
                    Running {
                        start: now,
                        pid,
                        lane,
                        reason: reason.to_string(),
                    },
                );
            }
            Event::ActionFinished {
                id,
                action,
                duration,
                ..
            } => st.end_action(*id, |r| {
                action_event(
                    action,
                    r,
                    micros(self.origin, r.start),
                    duration.as_secs_f64() * 1e6,
                    None,
                )
            }),
            Event::ActionFailed {
                id,
                action,
                failure,
            } => st.end_action(*id, |r| {
                action_event(
                    action,
                    r,
                    micros(self.origin, r.start),
                    micros(r.start, now),
                    Some(failure.exit_code),
                )
            }),
            Event::ActionCached { .. } | Event::ActionRestored { .. } | Event::Notice { .. } => {}
        }
    }
}

/// The complete event of an action; `failed` holds the exit code of a
/// failed one.
fn action_event(
    action: &engine::Action,
    running: &Running,
    ts: f64,
    dur: f64,
    failed: Option<Option<i32>>,
) -> TraceEvent {
    let name = match action.primary_output() {
        Some(o) if action.log.target.is_empty() => o.to_string(),
        Some(_) => action.log.target.clone(),
        None => action.to_string(),
    };
    let prepare: Vec<String> = action.prepare.iter().map(|p| p.to_string()).collect();
    let mut args = serde_json::json!({
        "command": action.to_string(),
        "outputs": action.outputs.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
        "prepare": prepare,
        "reason": running.reason,
    });
    if let Some(code) = failed {
        args["failed"] = serde_json::json!(true);
        args["exit_code"] = serde_json::json!(code);
    }
    TraceEvent {
        name,
        cat: "action",
        ph: "X",
        ts: Some(ts),
        dur: Some(dur),
        pid: running.pid,
        tid: running.lane,
        args,
    }
}
